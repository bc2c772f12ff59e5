// The broker's key admission: the ZAP handler that maps each client key to a
// principal, the socket monitor that audits failed handshakes, and the
// registry reload that ends the sessions of revoked keys. See broker.h.
#include <sys/stat.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "hub/broker/broker_impl.h"
#include "hub/transport/payload_seal.h"

namespace concord::hub::internal {

void BrokerImpl::OnZapReadable() {
  while (true) {
    std::vector<zmq::message_t> req;
    zmq::recv_result_t r;
    try {
      zmq::message_t m;
      r = zap_.recv(m, zmq::recv_flags::dontwait);
      if (!r) return;
      req.push_back(std::move(m));
      while (zap_.get(zmq::sockopt::rcvmore)) {
        zmq::message_t part;
        (void)zap_.recv(part, zmq::recv_flags::none);
        req.push_back(std::move(part));
      }
    } catch (const zmq::error_t& e) {
      LOG_WARN("zap recv: {}", e.what());
      return;
    }
    // version, request id, domain, address, identity, mechanism, credentials
    std::string status = "400", text = "denied", user;
    std::string address = req.size() > 3 ? req[3].to_string() : "";
    if (req.size() >= 7 && req[0].to_string() == "1.0" && req[5].to_string() == "CURVE" &&
        req[6].size() == 32) {
      char z85[41];
      zmq_z85_encode(z85, static_cast<const uint8_t*>(req[6].data()), 32);
      // A key added a moment ago is admitted now, not at the next reload tick.
      if (!registry_.ByKey(z85)) ReloadRegistryIfChanged(false);
      if (const Principal* p = registry_.ByKey(z85)) {
        status = "200";
        text = "OK";
        user = z85;
        (void)p;
      } else {
        ++key_refused_;
        text = "unknown or revoked key";
        if (AuditPreAuth(address, "key_refused",
                         absl::StrCat("address=", address, " key=", z85,
                                      " 未登记或已吊销的密钥 / unknown or revoked key")))
          LOG_WARN("refused key {} from {}", z85, address);
      }
    } else {
      ++key_refused_;
      AuditPreAuth(address, "key_refused",
                   absl::StrCat("address=", address, " mechanism not CURVE"));
    }
    try {
      zap_.send(zmq::str_buffer("1.0"), zmq::send_flags::sndmore);
      zap_.send(req.size() > 1 ? std::move(req[1]) : zmq::message_t(), zmq::send_flags::sndmore);
      zap_.send(zmq::buffer(status), zmq::send_flags::sndmore);
      zap_.send(zmq::buffer(text), zmq::send_flags::sndmore);
      zap_.send(zmq::buffer(user), zmq::send_flags::sndmore);
      zap_.send(zmq::message_t(), zmq::send_flags::none);
    } catch (const zmq::error_t& e) {
      LOG_WARN("zap send: {}", e.what());
    }
    MaybeSubmit();
  }
}

void BrokerImpl::OnMonitorReadable() {
  while (true) {
    zmq::message_t ev, addr;
    try {
      if (!monitor_.recv(ev, zmq::recv_flags::dontwait)) return;
      if (monitor_.get(zmq::sockopt::rcvmore)) (void)monitor_.recv(addr, zmq::recv_flags::none);
    } catch (const zmq::error_t&) {
      return;
    }
    if (ev.size() < 6) continue;
    uint16_t event;
    uint32_t value;
    memcpy(&event, ev.data(), 2);
    memcpy(&value, static_cast<const char*>(ev.data()) + 2, 4);
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
        event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
      ++handshake_failed_;
      std::string why =
          value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC
              ? "加密握手失败（服务器公钥错误？）/ cryptographic error (wrong server key?)"
              : absl::StrCat("握手失败 / handshake failed, code ", value);
      // "tcp://1.2.3.4:5678": one source per host, whatever port it dials from.
      std::string host = addr.to_string();
      host = host.substr(0, host.rfind(':'));
      if (AuditPreAuth(host, "handshake_failed",
                       absl::StrCat("address=", addr.to_string(), " ", why)))
        LOG_WARN("handshake failed from {}: {}", addr.to_string(), why);
    }
  }
  MaybeSubmit();
}

bool BrokerImpl::AuditPreAuth(const std::string& source, std::string event, std::string detail) {
  if (preauth_.Note(source, event, /*charge=*/false, NowUs()) != FairShare::Verdict::kDetail)
    return false;
  Audit(std::move(event), "", std::move(detail));
  return true;
}

void BrokerImpl::Cut(const std::string& principal) {
  ++peers_cut_;
  const std::string why = absl::StrCat(
      config_.abuse_window_s, " 秒内被拒超过 ", config_.refusal_budget, " 次，切断 ", config_.cut_s,
      " 秒，期间消息不读不答 / over ", config_.refusal_budget, " refusals in ",
      config_.abuse_window_s, " s: cut for ", config_.cut_s, " s, its messages dropped unread");
  Audit("cut", principal, why);
  LOG_WARN("{} cut: {}", principal, why);
  std::vector<RoutingId> sessions;
  for (auto& [rid, peer] : peers_)
    if (peer.principal == principal) sessions.push_back(rid);
  for (auto& rid : sessions) {
    SendNack(rid, "", 0, pb::RESOURCE_EXHAUSTED, why);
    DropPeer(rid, "cut for abuse");
  }
}

void BrokerImpl::RollShares() {
  const int64_t now = NowUs();
  for (const FairShare::Summary& s : share_.Roll(now))
    Audit("refuse_summary", s.source, FairShare::Describe(s, share_.limits().window_us));
  for (const FairShare::Summary& s : preauth_.Roll(now))
    Audit("preauth_summary", "",
          absl::StrCat("source=", s.source, " ",
                       FairShare::Describe(s, preauth_.limits().window_us)));
}

void BrokerImpl::ReloadRegistryIfChanged(bool force) {
  auto mtime = [](const std::string& path) -> int64_t {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return 0;
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  };
  const int64_t r = mtime(config_.registry_file), a = mtime(config_.acl_file);
  if (!force && r == registry_mtime_ && a == acl_mtime_) return;
  const bool first = registry_mtime_ == 0 && acl_mtime_ == 0;
  registry_mtime_ = r;
  acl_mtime_ = a;
  if (first) return;
  auto reg = Registry::Load(config_.registry_file, config_.acl_file);
  if (!reg.ok()) {
    LOG_ERROR("registry reload failed, keeping the old one: {}", reg.status().ToString());
    return;
  }
  registry_ = std::move(*reg);
  for (auto& p : registry_.principals())
    if (auto mb = EnsureMailbox(p.name); !mb.ok())  // retried at its first message
      LOG_ERROR("mailbox for {}: {}", p.name, mb.status().ToString());
  // Sessions whose key is no longer valid end now: a revoked principal, or
  // one given a new key (keys rotate), whose old key no longer maps to it.
  std::vector<RoutingId> revoked;
  for (auto& [rid, peer] : peers_) {
    const Principal* p = registry_.ByKey(peer.key);
    if (!p || p->name != peer.principal) revoked.push_back(rid);
  }
  for (auto& rid : revoked) {
    ++key_refused_;
    Audit("key_refused", peers_[rid].principal, "key revoked; session ended");
    SendNack(rid, "", 0, pb::UNAUTHENTICATED, "密钥已吊销 / key revoked");
    DropPeer(rid, "key revoked");
  }
  DirectoryChanged();
  Audit("registry_reload", "hub", absl::StrCat("principals=", registry_.principals().size()));
  LOG_INFO("registry reloaded: {} principals", registry_.principals().size());
}

// ---------------------------------------------------------------------------
// Sealed payloads (hub/transport/payload_seal.h)

const pb::Directory& BrokerImpl::CurrentDirectory() {
  if (!directory_stale_) return directory_;
  // Versions grow across restarts too (a restarted hub starts from its clock),
  // so a client never takes a new directory for the one it sealed with.
  const uint64_t version =
      std::max<uint64_t>(directory_.version() + 1, static_cast<uint64_t>(clock_.NowMs()));
  directory_.Clear();
  directory_.set_version(version);
  for (const Principal& p : registry_.principals()) {
    if (p.revoked) continue;
    auto* e = directory_.add_principals();
    e->set_name(p.name);
    for (const auto& r : p.roles) e->add_roles(r);
    e->set_sign_key(p.sign_key);
  }
  pb::DirectoryTopic* t = nullptr;
  for (const auto& [topic, who] : subscriptions_) {  // sorted by topic
    if (!t || t->topic() != topic) {
      t = directory_.add_topics();
      t->set_topic(topic);
    }
    t->add_subscribers(who);
  }
  directory_stale_ = false;
  return directory_;
}

void BrokerImpl::DirectoryChanged() {
  directory_stale_ = true;
  directory_push_due_ = true;  // sent by Tick: at most once a tick, however often it changes
}

void BrokerImpl::PushDirectory() {
  directory_push_due_ = false;
  pb::Frame f;
  *f.mutable_directory() = CurrentDirectory();
  const std::string bytes = f.SerializeAsString();
  for (auto& [rid, peer] : peers_)
    if (peer.hello) SendTo(rid, bytes);
}

std::string BrokerImpl::SealRefusal(const pb::Envelope& env, const Principal& from,
                                    const std::vector<Mailbox*>& targets, bool& retry) const {
  retry = false;
  if (!env.has_seal() && (!config_.require_sealed || from.sign_key.empty())) return "";
  std::map<std::string_view, std::string_view> sealed_to;  // recipient -> key_id
  for (const auto& k : env.seal().keys()) sealed_to.emplace(k.recipient(), k.key_id());
  bool unsealable = false;
  std::string missing;
  for (const Mailbox* mb : targets) {
    const Principal* p = registry_.ByName(mb->name);
    if (!p || p->revoked) continue;
    if (p->sign_key.empty()) unsealable = true;  // nothing to seal to: sent clear
    // Sealed, a recipient left out cannot read it, with a key or without
    // (one without: the sender, told, sends it clear).
    if (!missing.empty()) continue;
    auto box = sealed_to.find(mb->name);
    if (box == sealed_to.end() || (!p->sign_key.empty() && box->second != SealKeyId(p->sign_key)))
      missing = mb->name;  // or boxed for a key it no longer has (keys rotate)
  }
  if (!env.has_seal()) {
    if (unsealable || missing.empty()) return "";
    return absl::StrCat("须加密给收件人 / the payload must be sealed to its recipients (", missing,
                        " has a sign_key; [security] require_sealed)");
  }
  if (missing.empty()) return "";
  retry = true;
  return absl::StrCat("未加密给收件人 ", missing,
                      " 的现用密钥（目录已更新，请重新加密后重发）/ not sealed to ", missing,
                      "'s current key: directory sent again, seal and retry");
}

}  // namespace concord::hub::internal

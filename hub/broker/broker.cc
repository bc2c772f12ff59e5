// The hub's loop; see broker.h for the contract and docs/protocol.md for the
// wire behaviour. BrokerImpl is declared in broker_impl.h; key admission and
// registry reload are in broker_security.cc, the HTTP endpoints in
// broker_http.cc.
#include "hub/broker/broker.h"

#include <boost/asio/post.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/uuid.h"
#include "concord/v1/envelope.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "hub/audit/audit.h"
#include "hub/broker/broker_impl.h"
#include "hub/transport/curve_keys.h"
#include "hub/transport/frame_batch.h"
#include "hub/transport/frame_codec.h"

namespace concord::hub::internal {
namespace {

constexpr char kZapEndpoint[] = "inproc://zeromq.zap.01";
constexpr char kZapDomain[] = "concord";
// Envelopes held in memory per online mailbox (about 2.5 MB at 600 B each);
// beyond it the mailbox "spills" and reads back from SQLite, which costs the
// loop thread a copy per message. 4096 covers a burst of one full commit.
constexpr size_t kReadyCap = 4096;
constexpr uint64_t kHardMaxMsgSize = 64 << 20;  // libzmq drops the peer above this
constexpr int kTickMs = 20;
constexpr int64_t kHoldMaxUs = 30'000'000;  // see Peer::held_behind

std::string CodeName(pb::Code c) { return pb::Code_Name(c); }

// Frame{deliver{seq, envelope, attempt}} written straight from the stored
// envelope bytes, without parsing them again.
std::string EncodeDeliver(uint64_t seq, const std::string& envelope, uint32_t attempt) {
  using google::protobuf::io::CodedOutputStream;
  const size_t inner = 1 + CodedOutputStream::VarintSize64(seq) + 1 +
                       CodedOutputStream::VarintSize32(static_cast<uint32_t>(envelope.size())) +
                       envelope.size() + 1 + CodedOutputStream::VarintSize32(attempt);
  const size_t total = 1 + CodedOutputStream::VarintSize32(static_cast<uint32_t>(inner)) + inner;
  std::string out(total, '\0');
  {
    google::protobuf::io::ArrayOutputStream sos(out.data(), static_cast<int>(total));
    CodedOutputStream cos(&sos);
    cos.WriteTag((pb::Frame::kDeliverFieldNumber << 3) | 2);
    cos.WriteVarint32(static_cast<uint32_t>(inner));
    cos.WriteTag((pb::Deliver::kSeqFieldNumber << 3) | 0);
    cos.WriteVarint64(seq);
    cos.WriteTag((pb::Deliver::kEnvelopeFieldNumber << 3) | 2);
    cos.WriteVarint32(static_cast<uint32_t>(envelope.size()));
    cos.WriteRaw(envelope.data(), static_cast<int>(envelope.size()));
    cos.WriteTag((pb::Deliver::kAttemptFieldNumber << 3) | 0);
    cos.WriteVarint32(attempt);
  }
  return out;
}

std::string TypeName(const std::string& type_url) {
  auto slash = type_url.rfind('/');
  return slash == std::string::npos ? type_url : type_url.substr(slash + 1);
}

}  // namespace

absl::Status BrokerImpl::Init() {
  std::error_code ec;
  std::filesystem::create_directories(config_.data_dir, ec);
  ASSIGN_OR_RETURN(registry_, Registry::Load(config_.registry_file, config_.acl_file));
  ReloadRegistryIfChanged(false);  // records the mtimes
  if (config_.store_kind == "postgresql") {
    ASSIGN_OR_RETURN(store_,
                     OpenPostgresStore(config_.postgresql, AuditHeadFile(), config_.lead_term));
  } else {
    ASSIGN_OR_RETURN(store_, OpenSqliteStore(config_.data_dir + "/hub.db", config_.synchronous));
  }
  ASSIGN_OR_RETURN(RecoveredState rec, store_->Recover());
  last_seq_ = rec.last_seq;
  for (auto& r : rec.recipients) {
    auto mb = std::make_unique<Mailbox>();
    mb->id = r.id;
    mb->name = r.name;
    mb->acked_through = r.acked_through;
    mb->depth = r.depth;
    mailboxes_[r.name] = std::move(mb);
  }
  std::map<RecipientId, std::string> names;
  for (auto& [name, mb] : mailboxes_) names[mb->id] = name;
  for (auto& [topic, rid] : rec.subscriptions) {
    subscriptions_.emplace(topic, names[rid]);
    ++subscription_count_[names[rid]];
  }
  for (auto& p : registry_.principals()) RETURN_IF_ERROR(EnsureMailbox(p.name).status());
  {
    ASSIGN_OR_RETURN(AuditSigner signer, AuditSigner::LoadOrCreate(config_.audit_signing_key));
    signer_ = std::make_unique<AuditSigner>(std::move(signer));
    last_checkpoint_us_ = NowUs();  // the first one checkpoint_s after the start
  }

  ASSIGN_OR_RETURN(CurveKeyPair keys, LoadCurveKeyPair(config_.secret_key_file));
  hub_public_key_ = keys.public_z85;
  try {
    // ZAP handler first: with ZMQ_ZAP_ENFORCE_DOMAIN no handler means no entry.
    zap_ = zmq::socket_t(ctx_, zmq::socket_type::rep);
    zap_.set(zmq::sockopt::linger, 0);
    zap_.bind(kZapEndpoint);

    router_ = zmq::socket_t(ctx_, zmq::socket_type::router);
    router_.set(zmq::sockopt::linger, 0);
    router_.set(zmq::sockopt::router_mandatory, 1);
    router_.set(zmq::sockopt::curve_server, 1);
    router_.set(zmq::sockopt::curve_secretkey, keys.secret_z85);
    router_.set(zmq::sockopt::zap_domain, kZapDomain);
    // ZMQ_ZAP_ENFORCE_DOMAIN (93) is a draft option; Debian's libzmq is built
    // without drafts and refuses it. The guarantee "no handler, no entry" then
    // rests on the ZAP socket being bound above, before the ROUTER exists, and
    // living as long as it does: libzmq 4.3 always consults a bound handler.
    {
      int on = 1;
      if (zmq_setsockopt(router_.handle(), 93, &on, sizeof on) != 0)
        LOG_DEBUG("ZMQ_ZAP_ENFORCE_DOMAIN unsupported by this libzmq; ZAP handler bound first");
    }
    router_.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(kHardMaxMsgSize));
    router_.set(zmq::sockopt::sndhwm, 100000);
    router_.set(zmq::sockopt::rcvhwm, 100000);
    router_.set(zmq::sockopt::heartbeat_ivl, config_.heartbeat_ms);
    router_.set(zmq::sockopt::heartbeat_timeout, config_.heartbeat_ms * 3);
    zmq_socket_monitor(router_.handle(), "inproc://concord-hub-monitor",
                       ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                           ZMQ_EVENT_DISCONNECTED);
    monitor_ = zmq::socket_t(ctx_, zmq::socket_type::pair);
    monitor_.connect("inproc://concord-hub-monitor");
    router_.bind(config_.endpoint);
    endpoint_ = router_.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(
        absl::StrCat("ZeroMQ 绑定失败 / cannot bind ", config_.endpoint, ": ", e.what()));
  }
  watcher_ = std::make_unique<ZmqWatcher>(io_, router_, [this] { OnRouterReadable(); });
  zap_watcher_ = std::make_unique<ZmqWatcher>(io_, zap_, [this] { OnZapReadable(); });
  monitor_watcher_ = std::make_unique<ZmqWatcher>(io_, monitor_, [this] { OnMonitorReadable(); });

  RETURN_IF_ERROR(AddHttpRoutes());
  ASSIGN_OR_RETURN(
      http_,
      HttpServer::Start(io_, config_.metrics_address, static_cast<uint16_t>(config_.metrics_port),
                        [this](const HttpRequest& r) { return http_routes_.Dispatch(r); }));
  writer_ = std::make_unique<Writer>(*store_, io_,
                                     [this](std::unique_ptr<Job> j) { OnCommitted(std::move(j)); });
  Audit("start", "hub", absl::StrCat("endpoint=", endpoint_, " last_seq=", last_seq_));
  watcher_->Start();
  zap_watcher_->Start();
  monitor_watcher_->Start();
  Tick();
  MaybeSubmit();
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Input

void BrokerImpl::OnRouterReadable() {
  if (shut_down_) return;
  // Bounded work per call so timers and HTTP get their turn; and no reading
  // while the uncommitted batch is full (libzmq's queue and TCP push back).
  for (int budget = 0; budget < 4096; ++budget) {
    if (pending_->batch.messages.size() >= 4 * config_.max_batch) {
      input_paused_ = true;
      break;
    }
    zmq::message_t rid_msg;
    zmq::recv_result_t r;
    try {
      r = router_.recv(rid_msg, zmq::recv_flags::dontwait);
    } catch (const zmq::error_t& e) {
      LOG_WARN("router recv: {}", e.what());
      break;
    }
    if (!r) break;
    RoutingId rid{rid_msg.to_string()};
    std::vector<zmq::message_t> parts;
    while (true) {
      zmq::message_t part;
      bool more = router_.get(zmq::sockopt::rcvmore);
      if (!more) break;
      (void)router_.recv(part, zmq::recv_flags::none);
      parts.push_back(std::move(part));
    }
    ++frames_in_;
    HandleMessage(rid, parts);
  }
  MaybeSubmit();
  if (!input_paused_ && watcher_->HasInput()) watcher_->Kick();
}

void BrokerImpl::HandleMessage(const RoutingId& rid, std::vector<zmq::message_t>& parts) {
  // Every message is checked against the key it came under, now: a key
  // revoked since the handshake is cut off at its next message.
  const char* user_id = parts.empty()
                            ? nullptr
                            : zmq_msg_gets(parts[0].handle(), "User-Id");  // null: no ZAP identity
  const Principal* principal = user_id ? registry_.ByKey(user_id) : nullptr;
  if (!principal) {
    ++key_refused_;
    AuditPreAuth(
        user_id ? user_id : "", "key_refused",
        absl::StrCat("key=", user_id ? user_id : "",
                     " 密钥已吊销或未知，消息被拒 / key revoked or unknown; message refused"));
    SendNack(rid, "", 0, pb::UNAUTHENTICATED,
             "密钥已吊销或未知 / key revoked or unknown: connection refused");
    DropPeer(rid, "key revoked");
    return;
  }
  // A principal cut for abuse is not read, answered or audited until its cut ends.
  if (share_.Ignore(principal->name, NowUs())) {
    ++ignored_while_cut_;
    return;
  }
  if (parts.size() != 1) {
    Refuse(
        rid, principal->name, "", pb::INVALID_ARGUMENT,
        absl::StrCat("每条消息须恰好一帧 / expected exactly one frame part, got ", parts.size()));
    return;
  }
  zmq::message_t& data = parts[0];
  auto [it, inserted] = peers_.try_emplace(rid);
  Peer& peer = it->second;
  if (inserted) {
    peer.rid = rid;
    peer.principal = principal->name;
    peer.key = user_id;
  }
  peer.last_seen_us = NowUs();

  const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
  if (bytes.size() > config_.max_frame_bytes) {
    RefuseOversized(peer, *principal, bytes);
    return;
  }
  // A batch is walked frame by frame (WalkBatch), never parsed whole: a peer
  // cut in the middle of half a million frames costs only what it was read.
  pb::Frame inner;
  size_t walked = 0;
  const bool batch = WalkBatch(bytes, [&](std::string_view f) {
                       ++walked;
                       if (!inner.ParseFromArray(f.data(), static_cast<int>(f.size()))) {
                         Refuse(rid, principal->name, "", pb::INVALID_ARGUMENT,
                                absl::StrCat("批中有无法解析的帧 / malformed frame in a batch (",
                                             f.size(), " bytes)"));
                       } else if (inner.kind_case() == pb::Frame::kBatch) {
                         Refuse(rid, principal->name, "", pb::INVALID_ARGUMENT,
                                "批中不能再套批 / a batch may not contain a batch");
                       } else {
                         HandleFrame(peer, *principal, inner);
                       }
                       // A frame may end the session (a key revoked by a reload, a cut).
                       return peers_.count(rid) > 0;
                     }).has_value();
  if (batch) {
    if (walked) frames_in_ += walked - 1;  // the message was counted once
    return;
  }
  auto frame = DecodeFrame(bytes, config_.max_frame_bytes);
  if (!frame.ok()) {
    Refuse(rid, principal->name, "", pb::INVALID_ARGUMENT, std::string(frame.status().message()));
    return;
  }
  if (frame->kind_case() != pb::Frame::kBatch) {
    HandleFrame(peer, *principal, *frame);
    return;
  }
  // A batch WalkBatch declined (its fields written in another order): whole.
  frames_in_ += frame->batch().frames_size() - 1;
  for (pb::Frame& f : *frame->mutable_batch()->mutable_frames()) {
    HandleFrame(peer, *principal, f);
    if (!peers_.count(rid)) return;
  }
}

void BrokerImpl::RefuseOversized(Peer& peer, const Principal& principal, std::string_view bytes) {
  // The message is under libzmq's hard limit (kHardMaxMsgSize): parsed only
  // to name what it held, so each publish in it ends as failed at its sender
  // rather than being re-sent for ever. Charged to the sender like any refusal.
  const std::string reason = absl::StrCat("帧过大 / frame too large: ", bytes.size(), " bytes > ",
                                          config_.max_frame_bytes);
  std::vector<std::string> ids;
  pb::Frame frame;
  if (frame.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    if (frame.has_publish()) ids.push_back(frame.publish().envelope().id());
    for (const pb::Frame& f : frame.batch().frames())
      if (f.has_publish()) ids.push_back(f.publish().envelope().id());
  }
  if (ids.empty()) ids.emplace_back();
  for (const std::string& id : ids) {
    Refuse(peer.rid, principal.name, id, pb::INVALID_ARGUMENT, reason);
    if (!peers_.count(peer.rid)) return;
  }
}

void BrokerImpl::HandleFrame(Peer& peer, const Principal& principal, pb::Frame& frame) {
  const RoutingId& rid = peer.rid;
  switch (frame.kind_case()) {
    case pb::Frame::kPublish:
      if (!peer.hello) {
        // No session on this connection: after a hub restart the client's
        // unacknowledged publishes died with the old connection, and storing
        // this one would let it overtake them. Ask for Hello (once); the
        // client re-sends everything in order after Welcome.
        if (!std::exchange(peer.asked_for_hello, true))
          SendNack(rid, "", 0, pb::FAILED_PRECONDITION,
                   "会话不存在，请先发送 Hello / no session: send Hello first");
        Refuse(rid, principal.name, frame.publish().envelope().id(), pb::UNAVAILABLE,
               "请先发送 Hello 再重试 / send Hello first, then retry");
        break;
      }
      OnPublish(peer, principal, *frame.mutable_publish());
      break;
    case pb::Frame::kAck:
      OnAck(peer, frame.ack());
      break;
    case pb::Frame::kNack:
      OnClientNack(peer, frame.nack());
      break;
    case pb::Frame::kHello:
      OnHello(peer, frame.hello());
      break;
    case pb::Frame::kHeartbeat: {
      if (!peer.hello) {
        SendNack(rid, "", 0, pb::FAILED_PRECONDITION,
                 "会话不存在，请先发送 Hello / no session: send Hello first");
        break;
      }
      pb::Frame hb;
      hb.mutable_heartbeat()->set_sent_at_ms(clock_.NowMs());
      SendFrame(rid, hb);
      break;
    }
    case pb::Frame::kSubscribe:
      OnSubscribe(peer, frame.subscribe());
      break;
    case pb::Frame::kDeliver:
    case pb::Frame::kWelcome:
    case pb::Frame::kDirectory:
      Refuse(rid, principal.name, "", pb::FAILED_PRECONDITION,
             "客户端不能发送 Deliver/Welcome/Directory / clients may not send Deliver, Welcome "
             "or Directory");
      break;
    case pb::Frame::kBatch:  // handled by HandleMessage
    case pb::Frame::KIND_NOT_SET:
      Refuse(rid, principal.name, "", pb::INVALID_ARGUMENT,
             "未知的帧类型 / unknown or empty frame kind");
      break;
  }
}

void BrokerImpl::OnPublish(Peer& peer, const Principal& from, pb::Publish& pub) {
  const int64_t received_us = NowUs();
  pb::Envelope& env = *pub.mutable_envelope();
  const std::string& id = env.id();
  if (!IsUuidText(id)) {
    Refuse(peer.rid, from.name, id, pb::INVALID_ARGUMENT,
           "消息编号须为 UUID 文本 / envelope id must be a UUID in text form");
    return;
  }
  if (env.to().empty()) {
    Refuse(peer.rid, from.name, id, pb::INVALID_ARGUMENT, "没有收件人 / envelope has no recipient");
    return;
  }
  if (env.payload().type_url().empty()) {
    Refuse(peer.rid, from.name, id, pb::INVALID_ARGUMENT,
           "缺少载荷类型 / payload type_url is empty");
    return;
  }
  // A re-publish of an id that is being committed: acknowledge with that batch.
  if (auto p = pending_ids_.find(id); p != pending_ids_.end()) {
    pending_->ackers[p->second].push_back(peer.rid);
    return;
  }
  if (committing_ids_.count(id)) {
    committing_dups_[id].push_back(peer.rid);
    return;
  }
  // The key the sender signs with must be the one the registry gives it
  // (when it gives one): receivers verify the signature, the hub only
  // refuses a key that is not the principal's, so that the sender hears at
  // once what every receiver would refuse.
  if (!from.sign_key.empty() && env.signer_key() != from.sign_key) {
    Refuse(peer.rid, from.name, id, pb::PERMISSION_DENIED,
           env.signer_key().empty()
               ? "消息未签名，登记要求签名 / envelope not signed; the registry holds a "
                 "sign_key for its sender"
               : "签名密钥与登记不符 / envelope signed with a key other than the sender's "
                 "sign_key in the registry");
    return;
  }
  const std::string type = TypeName(env.payload().type_url());
  if (env.expires_at_ms() != 0 && env.expires_at_ms() <= clock_.NowMs()) {
    ++expired_;
    Refuse(peer.rid, from.name, id, pb::FAILED_PRECONDITION,
           "消息已过期 / message expired before it was stored");
    return;
  }
  // Per-sender order under back-pressure: nothing overtakes a publish refused
  // for a full queue; its retry comes first (the client re-sends in order).
  if (!peer.held_behind.empty()) {
    if (peer.held_behind != id && received_us - peer.held_since_us < kHoldMaxUs) {
      ++resource_exhausted_;
      Refuse(peer.rid, from.name, id, pb::RESOURCE_EXHAUSTED,
             absl::StrCat("须先重发被拒的 ", peer.held_behind, " / held behind refused ",
                          peer.held_behind, ", retry in order"));
      return;
    }
    peer.held_behind.clear();
  }
  // ACL and recipients.
  std::vector<Mailbox*> targets;
  std::set<std::string> seen;
  for (const std::string& to : env.to()) {
    if (auto st = registry_.CheckAcl(from, type, to); !st.ok()) {
      Refuse(peer.rid, from.name, id, pb::PERMISSION_DENIED, std::string(st.message()));
      return;
    }
    std::vector<std::string> names;
    if (to.rfind("topic:", 0) == 0) {
      auto [b, e] = subscriptions_.equal_range(to.substr(6));
      for (auto i = b; i != e; ++i)
        if (i->second != from.name) names.push_back(i->second);
    } else if (to.rfind("role:", 0) == 0) {
      auto members = registry_.WithRole(to.substr(5));
      if (members.empty()) {
        Refuse(peer.rid, from.name, id, pb::INVALID_ARGUMENT,
               absl::StrCat("没有该角色的成员 / no principal holds ", to));
        return;
      }
      for (auto* p : members)
        if (p->name != from.name) names.push_back(p->name);
    } else {
      const Principal* p = registry_.ByName(to);
      if (!p || p->revoked) {
        Refuse(peer.rid, from.name, id, pb::INVALID_ARGUMENT,
               absl::StrCat("未知收件人 / unknown recipient ", to));
        return;
      }
      names.push_back(to);
    }
    const bool topic = to.rfind("topic:", 0) == 0;
    for (auto& n : names) {
      if (!seen.insert(n).second) continue;
      Mailbox* mb = MailboxFor(n);
      if (!mb && topic) continue;  // a subscriber no longer in the registry
      if (!mb) {
        // A registered principal whose mailbox could not be made at the last
        // registry reload (store error): try again, or tell the sender.
        auto made = EnsureMailbox(n);
        if (!made.ok()) {
          Refuse(peer.rid, from.name, id, pb::UNAVAILABLE,
                 absl::StrCat("收件人 ", n, " 的邮箱暂不可用，请重试 / mailbox for ", n,
                              " unavailable, retry: ", made.status().message()));
          return;
        }
        mb = *made;
      }
      if (mb->depth + mb->pending >= config_.max_queue_depth) {
        ++resource_exhausted_;
        peer.held_behind = id;
        peer.held_since_us = received_us;
        Refuse(peer.rid, from.name, id, pb::RESOURCE_EXHAUSTED,
               absl::StrCat("收件人 ", n, " 的队列已满（", mb->depth + mb->pending,
                            " 条），请稍后重试 / queue for ", n, " is full, retry later"));
        return;
      }
      targets.push_back(mb);
    }
  }
  bool reseal = false;
  if (std::string why = SealRefusal(env, from, targets, reseal); !why.empty()) {
    if (reseal) {
      // The sender sealed with an older directory: send the current one
      // first (the same socket keeps the order), then the retryable Nack;
      // what it sent behind this one waits for its retry, as after a full
      // queue, so that order is kept.
      pb::Frame d;
      *d.mutable_directory() = CurrentDirectory();
      SendFrame(peer.rid, d);
      peer.held_behind = id;
      peer.held_since_us = received_us;
    }
    Refuse(peer.rid, from.name, id, reseal ? pb::UNAVAILABLE : pb::PERMISSION_DENIED, why);
    return;
  }
  env.set_from(from.name);
  NewMessage m;
  m.seq = ++last_seq_;
  m.id = id;
  m.sender = from.name;
  m.created_ms = env.created_at_ms();
  m.expires_ms = env.expires_at_ms();
  m.envelope = env.SerializeAsString();
  m.audit_detail = absl::StrCat("type=", type, " to=", absl::StrJoin(env.to(), ","),
                                " recipients=", targets.size());
  for (Mailbox* mb : targets) {
    m.recipients.push_back(mb->id);
    ++mb->pending;
  }
  pending_ids_[id] = pending_->batch.messages.size();
  pending_->batch.messages.push_back(std::move(m));
  pending_->ackers.push_back({peer.rid});
  pending_->received_us.push_back(received_us);
}

void BrokerImpl::OnAck(Peer& peer, const pb::Ack& ack) {
  Mailbox* mb = MailboxFor(peer.principal);
  if (!mb || !mb->peer || !(*mb->peer == peer.rid)) return;  // stale session
  uint64_t n = 0, lo = UINT64_MAX, hi = 0;
  for (uint64_t seq : ack.seqs()) {
    auto it = mb->inflight.find(seq);
    if (it == mb->inflight.end()) continue;
    mb->inflight.erase(it);
    ++n;
    lo = std::min(lo, seq);
    hi = std::max(hi, seq);
  }
  if (n == 0) return;
  mb->acked += n;
  acked_ += n;
  mb->depth -= std::min(mb->depth, n);
  mb->retry_at_us = 0;
  AdvanceCursor(*mb);
  Audit("ack", mb->name,
        absl::StrCat("seq=", lo, "..", hi, " n=", n, " cursor=", mb->acked_through));
  Pump(*mb);
}

void BrokerImpl::OnClientNack(Peer& peer, const pb::Nack& nack) {
  // A receiver that could not apply a delivery: retry it after backoff,
  // counted from now. (Not at the next tick: a fault at the receiver that
  // lasts a moment must not use up max_attempts in a few ticks.)
  Mailbox* mb = MailboxFor(peer.principal);
  if (!mb || !mb->peer || !(*mb->peer == peer.rid) || mb->inflight.empty()) return;
  auto& [seq, oldest] = *mb->inflight.begin();
  if (nack.seq() != seq) return;
  oldest.sent_at_us = NowUs();
}

void BrokerImpl::OnHello(Peer& peer, const pb::Hello& hello) {
  // Each new session re-sends what is in flight: Hellos are few, or they
  // amplify (a Hello of a few bytes answered with a credit's worth).
  const uint64_t hellos = share_.Bump(peer.principal, "hello", NowUs());
  if (hellos > config_.max_hellos) {
    ++hellos_refused_;
    Refuse(peer.rid, peer.principal, "", pb::RESOURCE_EXHAUSTED,
           absl::StrCat("Hello 过于频繁（", config_.abuse_window_s, " 秒内第 ", hellos,
                        " 次），请稍后再试 / too many Hellos (", hellos, " in ",
                        config_.abuse_window_s, " s), retry later"),
           /*charge=*/true);
    return;
  }
  auto mbs = EnsureMailbox(peer.principal);
  if (!mbs.ok()) {
    SendNack(peer.rid, "", 0, pb::UNAVAILABLE, std::string(mbs.status().message()));
    return;
  }
  Mailbox& mb = **mbs;
  const uint32_t credit = hello.credit() ? std::min<uint32_t>(hello.credit(), config_.max_credit)
                                         : std::min(config_.default_credit, config_.max_credit);
  if (mb.peer && *mb.peer == peer.rid && peer.hello) {
    // The same live session said Hello again (a client that thought the hub
    // silent): what is in flight is still on this connection and is re-sent
    // by the retry timer if need be. Resume from the cursor; send nothing twice.
    mb.credit = credit;
    SendWelcome(peer, mb);
    Pump(mb);
    return;
  }
  if (mb.peer) Unbind(mb);  // the newest session of a principal wins
  peer.hello = true;
  peer.client = hello.client();
  mb.peer = peer.rid;
  mb.credit = credit;
  if (hello.resume_after_seq() > mb.acked_through) {
    const uint64_t resume = std::min(hello.resume_after_seq(), last_seq_);
    // Entries up to the resume point were applied but their Acks were lost
    // (the receiver died between its commit and its Ack): they leave the
    // queue depth as well, or it stays too high until the hub restarts.
    uint64_t applied = 0;
    for (uint64_t after = mb.acked_through; after < resume;) {
      auto rows = store_->ReadMailbox(mb.id, after, kReadyCap);
      if (!rows.ok() || rows->empty()) break;
      for (const StoredEntry& r : *rows) applied += r.seq <= resume;
      after = rows->back().seq;
    }
    mb.depth -= std::min(mb.depth, applied);
    mb.acked_through = resume;
    pending_->batch.cursors[mb.id] = mb.acked_through;
  }
  mb.spilled = true;
  mb.loaded_through = mb.last_sent = mb.acked_through;
  for (auto& t : hello.topics()) {
    pb::Subscribe s;
    s.add_topics(t);
    OnSubscribe(peer, s);
  }
  SendWelcome(peer, mb);
  Audit("connect", peer.principal,
        absl::StrCat("client=", hello.client(), " credit=", mb.credit, " cursor=", mb.acked_through,
                     " backlog=", mb.depth));
  LOG_INFO("{} connected ({}), backlog {}", peer.principal, hello.client(), mb.depth);
  Pump(mb);
}

void BrokerImpl::SendWelcome(const Peer& peer, const Mailbox& mb) {
  pb::Frame w;
  w.mutable_welcome()->set_principal(peer.principal);
  w.mutable_welcome()->set_credit(mb.credit);
  w.mutable_welcome()->set_heartbeat_interval_ms(config_.heartbeat_ms);
  w.mutable_welcome()->set_lead_term(static_cast<uint64_t>(config_.lead_term));
  w.mutable_welcome()->set_max_frame_bytes(
      static_cast<uint32_t>(std::min<uint64_t>(config_.max_frame_bytes, UINT32_MAX)));
  *w.mutable_welcome()->mutable_directory() = CurrentDirectory();
  SendFrame(peer.rid, w);
}

void BrokerImpl::OnSubscribe(Peer& peer, const pb::Subscribe& sub) {
  Mailbox* mb = MailboxFor(peer.principal);
  const Principal* principal = registry_.ByName(peer.principal);
  if (!mb || !principal) return;
  uint32_t& count = subscription_count_[peer.principal];
  for (const std::string& topic : sub.topics()) {
    auto [b, e] = subscriptions_.equal_range(topic);
    auto found = std::find_if(b, e, [&](auto& kv) { return kv.second == peer.principal; });
    if (sub.unsubscribe()) {
      if (found != e) {
        subscriptions_.erase(found);
        if (count) --count;
        pending_->batch.unsubscribe.emplace_back(topic, mb->id);
        DirectoryChanged();
      }
      continue;
    }
    if (found != e) continue;
    const bool well_formed =
        !topic.empty() && topic.size() <= 64 && std::all_of(topic.begin(), topic.end(), [](char c) {
          return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                 c == '-';
        });
    absl::Status allowed = absl::OkStatus();
    if (!well_formed) {
      allowed = absl::InvalidArgumentError(
          "主题名须为 1 到 64 个字母、数字或 . _ - / a topic is 1 to 64 letters, digits, . _ or -");
    } else if (count >= config_.max_subscriptions) {
      allowed = absl::ResourceExhaustedError(
          absl::StrCat("订阅主题已达上限 ", config_.max_subscriptions, " 个 / at most ",
                       config_.max_subscriptions, " topics per principal"));
    } else {
      allowed = registry_.CheckSubscribe(*principal, topic);
    }
    if (!allowed.ok()) {
      ++subscriptions_refused_;
      Refuse(peer.rid, peer.principal, "", static_cast<pb::Code>(allowed.code()),
             absl::StrCat("订阅被拒 / subscription refused: ", allowed.message()),
             /*charge=*/true);
      if (!peers_.count(peer.rid)) return;  // cut
      continue;
    }
    ++count;
    subscriptions_.emplace(topic, peer.principal);
    pending_->batch.subscribe.emplace_back(topic, mb->id);
    DirectoryChanged();
    Audit("subscribe", peer.principal, absl::StrCat("topic=", topic));
  }
}

// ---------------------------------------------------------------------------
// Output

bool BrokerImpl::SendTo(const RoutingId& rid, zmq::message_t&& msg) {
  try {
    if (!router_.send(zmq::buffer(rid.bytes), zmq::send_flags::sndmore | zmq::send_flags::dontwait))
      return false;  // peer's queue is full
    router_.send(std::move(msg), zmq::send_flags::dontwait);
    return true;
  } catch (const zmq::error_t& e) {
    if (e.num() == EHOSTUNREACH) {
      // The peer is gone; its session ends (post: we may be iterating peers).
      boost::asio::post(io_, [this, rid] { DropPeer(rid, "unreachable"); });
    } else {
      LOG_WARN("router send: {}", e.what());
    }
    return false;
  }
}

void BrokerImpl::SendNack(const RoutingId& rid, const std::string& id, uint64_t seq, pb::Code code,
                          const std::string& reason) {
  pb::Frame f;
  auto* n = f.mutable_nack();
  n->set_id(id);
  n->set_seq(seq);
  n->set_code(code);
  n->set_reason(reason);
  SendFrame(rid, f);
}

void BrokerImpl::Refuse(const RoutingId& rid, const std::string& principal, const std::string& id,
                        pb::Code code, const std::string& reason, bool charge) {
  ++refused_;
  SendNack(rid, id, 0, code, reason);
  charge = charge || code == pb::INVALID_ARGUMENT || code == pb::PERMISSION_DENIED ||
           (code == pb::FAILED_PRECONDITION && id.empty());
  switch (share_.Note(principal, CodeName(code), charge, NowUs())) {
    case FairShare::Verdict::kDetail:
      Audit("refuse", principal, absl::StrCat("id=", id, " code=", CodeName(code), " ", reason));
      break;
    case FairShare::Verdict::kCounted:  // in the window's refuse_summary line
      break;
    case FairShare::Verdict::kCut:
      Cut(principal);
      break;
  }
}

// ---------------------------------------------------------------------------
// Group commit

void BrokerImpl::MaybeSubmit() {
  if (writer_busy_ || !writer_ || shut_down_) return;
  if (store_backoff_ms_ && NowUs() < store_retry_at_us_) return;  // the store is failing
  Job& job = *pending_;
  const bool compact_due = NowUs() - last_compact_us_ > 10'000'000;
  if (job.batch.empty() && !compact_due) return;
  // Nobody waits for a batch of only cursor moves and audit lines (deliver,
  // ack): it rides with the next publish, or goes at the next tick.
  const bool urgent = !job.batch.messages.empty() || !job.batch.dead_letters.empty() ||
                      !job.batch.subscribe.empty() || !job.batch.unsubscribe.empty() ||
                      !job.batch.replayed.empty() || compact_due;
  if (!urgent && NowUs() - last_submit_us_ < kTickMs * 1000) return;
  last_submit_us_ = NowUs();
  if (compact_due) {
    last_compact_us_ = NowUs();
    job.compact = true;
    job.dedup_before_ms = clock_.NowMs() - config_.dedup_window_s * 1000;
  }
  // Cap a commit at max_batch messages; the rest waits for the next one.
  std::unique_ptr<Job> next;
  if (job.batch.messages.size() > config_.max_batch) {
    next = std::make_unique<Job>();
    auto& msgs = job.batch.messages;
    next->batch.messages.assign(std::make_move_iterator(msgs.begin() + config_.max_batch),
                                std::make_move_iterator(msgs.end()));
    msgs.resize(config_.max_batch);
    next->ackers.assign(job.ackers.begin() + config_.max_batch, job.ackers.end());
    job.ackers.resize(config_.max_batch);
    next->received_us.assign(job.received_us.begin() + config_.max_batch, job.received_us.end());
    job.received_us.resize(config_.max_batch);
  } else {
    next = std::make_unique<Job>();
  }
  for (auto& m : job.batch.messages) committing_ids_.insert(m.id);
  pending_ids_.clear();
  for (size_t i = 0; i < next->batch.messages.size(); ++i)
    pending_ids_[next->batch.messages[i].id] = i;
  writer_busy_ = true;
  writer_->Submit(std::exchange(pending_, std::move(next)));
}

// Nothing of a failed batch is on disk (disk full, I/O error). It goes back,
// whole and in order, ahead of what arrived since, and is tried again after
// a backoff: later publishes of the same sender cannot overtake it, and the
// hub's own messages in it (alerts, replays) are not lost. Publishers simply
// wait longer for their Acks; when the uncommitted batch is full the hub
// stops reading and ZeroMQ and TCP push back.
void BrokerImpl::RequeueFailedCommit(std::unique_ptr<Job> failed) {
  ++commit_errors_;
  store_backoff_ms_ = std::clamp<int64_t>(store_backoff_ms_ * 2, 100, 5000);
  store_retry_at_us_ = NowUs() + store_backoff_ms_ * 1000;
  LOG_ERROR("commit failed, retrying in {} ms: {}", store_backoff_ms_,
            failed->result.status().ToString());
  Job& f = *failed;
  Job& p = *pending_;
  // Publishers of a duplicate id wait for the requeued original.
  for (size_t i = 0; i < f.batch.messages.size(); ++i)
    if (auto d = committing_dups_.find(f.batch.messages[i].id); d != committing_dups_.end()) {
      f.ackers[i].insert(f.ackers[i].end(), d->second.begin(), d->second.end());
      committing_dups_.erase(d);
    }
  for (auto& [id, rids] : committing_dups_)  // their original committed earlier
    for (auto& rid : rids)
      SendNack(rid, id, 0, pb::UNAVAILABLE, "存储暂不可用，请重试 / store unavailable, retry");
  committing_dups_.clear();
  auto prepend = [](auto& into, auto& from) {
    into.insert(into.begin(), std::make_move_iterator(from.begin()),
                std::make_move_iterator(from.end()));
  };
  prepend(p.batch.messages, f.batch.messages);
  prepend(p.ackers, f.ackers);
  prepend(p.received_us, f.received_us);
  prepend(p.batch.dead_letters, f.batch.dead_letters);
  prepend(p.batch.subscribe, f.batch.subscribe);
  prepend(p.batch.unsubscribe, f.batch.unsubscribe);
  prepend(p.batch.replayed, f.batch.replayed);
  prepend(p.batch.audit, f.batch.audit);
  for (auto& [r, c] : f.batch.cursors) {
    auto& cur = p.batch.cursors[r];
    cur = std::max(cur, c);
  }
  pending_ids_.clear();
  for (size_t i = 0; i < p.batch.messages.size(); ++i) pending_ids_[p.batch.messages[i].id] = i;
}

void BrokerImpl::OnCommitted(std::unique_ptr<Job> job) {
  writer_busy_ = false;
  if (shut_down_) return;
  if (job->compact && !job->compact_status.ok())
    LOG_WARN("compaction failed: {}", job->compact_status.ToString());
  const int64_t now_us = NowUs();
  auto& msgs = job->batch.messages;
  for (auto& m : msgs) committing_ids_.erase(m.id);
  if (absl::IsAborted(job->result.status())) {
    // The store cannot say whether the batch is in it (store.h): the hub
    // stops as if killed and starts again from what the store holds; every
    // publisher re-sends what was not acknowledged, and ids dedupe.
    LOG_ERROR("store: {}; stopping (exit 75) to recover from the store",
              job->result.status().ToString());
    // Flushed, not shut down: another thread may be logging right now.
    if (auto logger = spdlog::default_logger()) logger->flush();
    std::_Exit(75);
  }
  if (!job->result.ok()) {
    RequeueFailedCommit(std::move(job));
    return;
  }
  store_backoff_ms_ = 0;
  ++commits_;
  if (!msgs.empty()) batch_sizes_.Observe(static_cast<double>(msgs.size()));
  const auto& dup = job->result->duplicate;
  std::unordered_map<RoutingId, pb::Frame, RoutingIdHash> acks;
  std::set<Mailbox*> touched;
  std::unordered_map<RecipientId, Mailbox*> by_id;
  for (auto& [name, mb] : mailboxes_) by_id[mb->id] = mb.get();
  for (size_t i = 0; i < msgs.size(); ++i) {
    NewMessage& m = msgs[i];
    for (auto& rid : job->ackers[i]) acks[rid].mutable_ack()->add_ids(m.id);
    if (auto d = committing_dups_.find(m.id); d != committing_dups_.end()) {
      for (auto& rid : d->second) acks[rid].mutable_ack()->add_ids(m.id);
      committing_dups_.erase(d);
    }
    ack_latency_s_.Observe(static_cast<double>(now_us - job->received_us[i]) / 1e6);
    Bytes shared;
    for (RecipientId r : m.recipients) {
      Mailbox* mb = by_id[r];
      if (!mb) continue;
      if (mb->pending) --mb->pending;
      if (dup[i]) continue;
      ++mb->depth;
      if (!mb->peer) continue;
      if (!mb->spilled && m.seq > mb->loaded_through && mb->ready.size() < kReadyCap) {
        // One shared copy per message, however many recipients; the batch
        // is discarded after this, so its bytes are moved, not copied.
        if (!shared) shared = std::make_shared<const std::string>(std::move(m.envelope));
        mb->ready.push_back({m.seq, shared, m.expires_ms});
        mb->loaded_through = m.seq;
      } else if (m.seq > mb->loaded_through) {
        mb->spilled = true;
      }
      touched.insert(mb);
    }
    if (dup[i])
      ++duplicates_;
    else
      ++published_;
  }
  for (auto& [id, rids] : committing_dups_)  // their batch-mate was in an earlier commit
    for (auto& rid : rids) acks[rid].mutable_ack()->add_ids(id);
  committing_dups_.clear();
  for (auto& [rid, frame] : acks) {
    acks_sent_ += frame.ack().ids_size();
    SendFrame(rid, frame);
  }
  for (Mailbox* mb : touched) Pump(*mb);
  if (input_paused_) {
    input_paused_ = false;
    watcher_->Kick();
  } else if (watcher_->HasInput()) {
    watcher_->Kick();
  }
  MaybeSubmit();
}

// ---------------------------------------------------------------------------
// Delivery

Mailbox* BrokerImpl::MailboxFor(const std::string& principal) {
  auto it = mailboxes_.find(principal);
  return it == mailboxes_.end() ? nullptr : it->second.get();
}

absl::StatusOr<Mailbox*> BrokerImpl::EnsureMailbox(const std::string& principal) {
  if (Mailbox* mb = MailboxFor(principal)) return mb;
  ASSIGN_OR_RETURN(RecipientId id, store_->EnsureRecipient(principal));
  auto mb = std::make_unique<Mailbox>();
  mb->id = id;
  mb->name = principal;
  mb->acked_through = last_seq_;  // a new principal starts at the head
  // The chain records where (audit verify bounds each cursor by it).
  Audit("mailbox", principal, absl::StrCat("id=", id, " cursor=", last_seq_));
  Mailbox* raw = mb.get();
  mailboxes_[principal] = std::move(mb);
  return raw;
}

void BrokerImpl::Pump(Mailbox& mb) {
  if (!mb.peer) return;
  const int64_t now_ms = clock_.NowMs();
  uint64_t lo = 0, hi = 0, n = 0;
  // Deliveries go out in batches (FrameBatch); an entry is in flight once its
  // batch is on the socket. A batch the socket refuses goes back to `ready`.
  FrameBatch batch;
  std::vector<ReadyEntry> batched;
  auto flush = [&] {
    if (batch.empty()) return true;
    const int64_t sent_us = NowUs();
    if (!SendTo(*mb.peer, batch.Take())) {
      for (auto it = batched.rbegin(); it != batched.rend(); ++it)
        mb.ready.push_front(std::move(*it));
      batched.clear();
      return false;
    }
    for (ReadyEntry& e : batched) {
      mb.last_sent = e.seq;
      mb.inflight.emplace(e.seq, Inflight{std::move(e.envelope), e.expires_ms, sent_us, 1});
      ++mb.delivered;
      ++delivered_;
      if (n++ == 0) lo = e.seq;
      hi = e.seq;
    }
    batched.clear();
    return true;
  };
  while (mb.inflight.size() + batched.size() < mb.credit) {
    if (mb.ready.empty()) {
      if (!mb.spilled) break;
      auto rows =
          store_->ReadMailbox(mb.id, std::max(mb.loaded_through, mb.acked_through), kReadyCap);
      if (!rows.ok()) {
        LOG_ERROR("read mailbox {}: {}", mb.name, rows.status().ToString());
        break;
      }
      for (auto& r : *rows) {
        mb.ready.push_back(
            {r.seq, std::make_shared<const std::string>(std::move(r.envelope)), r.expires_ms});
        mb.loaded_through = r.seq;
      }
      // Fewer rows than asked: we have reached the end of what is committed;
      // later commits are appended in OnCommitted.
      if (rows->size() < kReadyCap) mb.spilled = false;
      if (mb.ready.empty()) break;
    }
    ReadyEntry e = std::move(mb.ready.front());
    mb.ready.pop_front();
    if (e.expires_ms != 0 && e.expires_ms <= now_ms) {
      // The cursor may pass it only once everything before it is in flight.
      if (!flush()) {
        mb.ready.push_front(std::move(e));
        break;
      }
      ++mb.expired;
      ++expired_;
      mb.last_sent = e.seq;
      mb.depth -= std::min<uint64_t>(mb.depth, 1);
      Audit("expire", mb.name,
            absl::StrCat("seq=", e.seq, " 已过期未投递 / expired, not delivered"));
      AdvanceCursor(mb);
      continue;
    }
    const std::string frame = EncodeDeliver(e.seq, *e.envelope, 1);
    if (batch.WouldOverflow(frame.size()) && !flush()) {
      mb.ready.push_front(std::move(e));
      break;
    }
    batch.Add(frame);
    batched.push_back(std::move(e));
  }
  flush();
  if (n) Audit("deliver", mb.name, absl::StrCat("seq=", lo, "..", hi, " n=", n));
}

void BrokerImpl::AdvanceCursor(Mailbox& mb) {
  const uint64_t c = mb.inflight.empty() ? mb.last_sent : mb.inflight.begin()->first - 1;
  if (c > mb.acked_through) {
    mb.acked_through = c;
    pending_->batch.cursors[mb.id] = c;
  }
}

void BrokerImpl::Unbind(Mailbox& mb) {
  mb.peer.reset();
  mb.inflight.clear();
  mb.ready.clear();
  mb.spilled = true;
  mb.loaded_through = mb.last_sent = mb.acked_through;
  mb.retry_at_us = 0;
}

void BrokerImpl::DeadLetter(Mailbox& mb, uint64_t seq, Inflight entry, const std::string& reason) {
  ++mb.dead;
  ++dead_lettered_;
  mb.depth -= std::min<uint64_t>(mb.depth, 1);
  pb::Envelope env;
  env.ParseFromString(*entry.envelope);
  hub::DeadLetter dl;
  dl.recipient = mb.id;
  dl.seq = seq;
  dl.id = env.id();
  dl.sender = env.from();
  dl.envelope = *entry.envelope;
  dl.attempts = entry.attempts;
  dl.reason = reason;
  dl.at_ms = clock_.NowMs();
  pending_->batch.dead_letters.push_back(dl);
  Audit("dead_letter", mb.name,
        absl::StrCat("seq=", seq, " id=", env.id(), " from=", env.from(),
                     " attempts=", entry.attempts, " ", reason));
  LOG_WARN("dead-lettered {} for {} after {} attempts", env.id(), mb.name, entry.attempts);
  pb::DeadLetterAlert alert;
  alert.set_message_id(env.id());
  alert.set_recipient(mb.name);
  alert.set_sender(env.from());
  alert.set_payload_type(TypeName(env.payload().type_url()));
  alert.set_attempts(entry.attempts);
  alert.set_reason(reason);
  PublishInternal("alerts", alert);
}

void BrokerImpl::PublishInternal(const std::string& topic,
                                 const google::protobuf::Message& payload) {
  std::vector<Mailbox*> targets;
  auto [b, e] = subscriptions_.equal_range(topic);
  for (auto i = b; i != e; ++i)
    if (Mailbox* mb = MailboxFor(i->second)) targets.push_back(mb);
  PublishFromHub({"topic:" + topic}, targets, payload);
}

void BrokerImpl::PublishFromHub(const std::vector<std::string>& to,
                                const std::vector<Mailbox*>& targets,
                                const google::protobuf::Message& payload) {
  pb::Envelope env;
  env.set_id(NewUuidV7());
  env.set_from("hub");
  for (const auto& t : to) env.add_to(t);
  env.mutable_payload()->PackFrom(payload);
  env.set_created_at_ms(clock_.NowMs());
  env.set_trace_id(NewTraceId());
  NewMessage m;
  m.seq = ++last_seq_;
  m.id = env.id();
  m.sender = "hub";
  m.created_ms = env.created_at_ms();
  m.envelope = env.SerializeAsString();
  m.audit_detail = absl::StrCat("type=", TypeName(env.payload().type_url()),
                                " to=", absl::StrJoin(to, ","), " recipients=", targets.size());
  for (Mailbox* mb : targets) {
    m.recipients.push_back(mb->id);
    ++mb->pending;
  }
  pending_ids_[m.id] = pending_->batch.messages.size();
  pending_->batch.messages.push_back(std::move(m));
  pending_->ackers.emplace_back();
  pending_->received_us.push_back(NowUs());
}

void BrokerImpl::MaybeSendCheckpoint(int64_t now_us) {
  if (!signer_ || config_.checkpoint_s <= 0 ||
      now_us - last_checkpoint_us_ < int64_t{config_.checkpoint_s} * 1'000'000)
    return;
  last_checkpoint_us_ = now_us;
  // The head as committed (the store writes it after every commit).
  std::ifstream in(AuditHeadFile());
  int64_t line = 0;
  std::string hash;
  if (!(in >> line >> hash) || line <= checkpoint_floor_) return;
  std::vector<Mailbox*> targets;
  for (const Principal* p : registry_.WithRole("agency"))
    if (Mailbox* mb = MailboxFor(p->name)) targets.push_back(mb);
  if (targets.empty()) return;
  pb::AuditCheckpoint c;
  c.set_line(line);
  c.set_hash(hash);
  c.set_at_ms(clock_.NowMs());
  c.set_public_key(signer_->public_key());
  c.set_signature(signer_->Sign(c.line(), c.hash(), c.at_ms()));
  PublishFromHub({"role:agency"}, targets, c);
  // This checkpoint's own lines (its accept, each connected agency's deliver
  // and ack) do not call for another one when nothing else happens.
  int64_t connected = 0;
  for (Mailbox* mb : targets) connected += mb->peer ? 1 : 0;
  checkpoint_floor_ = line + 1 + 2 * connected;
}

// ---------------------------------------------------------------------------
// Housekeeping

void BrokerImpl::Tick() {
  if (shut_down_) return;
  const int64_t now = NowUs();
  if (directory_push_due_) PushDirectory();
  // Silent peers go offline after three heartbeat intervals.
  std::vector<RoutingId> silent;
  for (auto& [rid, peer] : peers_)
    if (now - peer.last_seen_us > 3LL * config_.heartbeat_ms * 1000) silent.push_back(rid);
  for (auto& rid : silent) DropPeer(rid, "heartbeat timeout");
  // Retries: the oldest unacknowledged delivery of each mailbox sets its clock.
  for (auto& [name, mbp] : mailboxes_) {
    Mailbox& mb = *mbp;
    if (!mb.peer || mb.inflight.empty()) continue;
    auto& [seq, oldest] = *mb.inflight.begin();
    if (now < oldest.sent_at_us + BackoffUs(oldest.attempts)) continue;
    if (oldest.attempts >= config_.max_attempts) {
      Inflight entry = std::move(oldest);
      const uint64_t s = seq;
      mb.inflight.erase(mb.inflight.begin());
      DeadLetter(mb, s, std::move(entry),
                 absl::StrCat("超过重试上限 / not acknowledged after ", config_.max_attempts,
                              " attempts"));
      SendNack(*mb.peer, "", s, pb::ABORTED,
               "已转入死信，不再投递 / dead-lettered, will not be delivered again");
      AdvanceCursor(mb);
    } else {
      ++oldest.attempts;
    }
    // Go-back-N: re-send everything unacknowledged, in order.
    FrameBatch batch;
    std::vector<Inflight*> batched;
    auto flush = [&] {
      if (batch.empty() || !SendTo(*mb.peer, batch.Take())) return false;
      for (Inflight* e : batched) e->sent_at_us = now;
      mb.redelivered += batched.size();
      redelivered_ += batched.size();
      batched.clear();
      return true;
    };
    for (auto& [s, e] : mb.inflight) {
      const std::string frame = EncodeDeliver(s, *e.envelope, e.attempts);
      if (batch.WouldOverflow(frame.size()) && !flush()) break;
      batch.Add(frame);
      batched.push_back(&e);
    }
    flush();
    if (!mb.inflight.empty())
      Audit("redeliver", mb.name,
            absl::StrCat("seq=", mb.inflight.begin()->first, "..", mb.inflight.rbegin()->first,
                         " attempt=", mb.inflight.begin()->second.attempts));
    Pump(mb);
  }
  MaybeSendCheckpoint(now);
  if (now - last_registry_check_us_ > 100'000) {
    last_registry_check_us_ = now;
    ReloadRegistryIfChanged(false);
  }
  RollShares();
  MaybeSubmit();
  if (watcher_ && !input_paused_ && watcher_->HasInput()) watcher_->Kick();
  tick_.expires_after(std::chrono::milliseconds(kTickMs));
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Tick();
  });
}

void BrokerImpl::DropPeer(const RoutingId& rid, const std::string& why) {
  auto it = peers_.find(rid);
  if (it == peers_.end()) return;
  const std::string principal = it->second.principal;
  if (Mailbox* mb = MailboxFor(principal); mb && mb->peer && *mb->peer == rid) {
    Unbind(*mb);
    Audit("offline", principal, why);
    LOG_INFO("{} offline: {}", principal, why);
    ++peers_offline_;
  }
  peers_.erase(it);
}

}  // namespace concord::hub::internal

namespace concord::hub {

absl::StatusOr<std::unique_ptr<Broker>> Broker::Start(boost::asio::io_context& io, HubConfig config,
                                                      const Clock& clock) {
  auto b = std::make_unique<internal::BrokerImpl>(io, std::move(config), clock);
  RETURN_IF_ERROR(b->Init());
  return std::unique_ptr<Broker>(std::move(b));
}

}  // namespace concord::hub

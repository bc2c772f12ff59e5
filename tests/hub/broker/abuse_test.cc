// Issue 16, finding 1: one registered agency (or anyone who can reach the
// port) must not stall the hub or fill its disk. The real concord-hub binary,
// real CurveZMQ keys, a raw DEALER for the abuser, a real Client for the
// agency that must still be served. Each test prints what it measured (the
// README's flood figures come from these lines).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/sqlite.h"
#include "common/uuid.h"
#include "concord/v1/aid.pb.h"
#include "concord/v1/envelope.pb.h"
#include "concord/v1/hub.pb.h"
#include "tests/support/district.h"
#include "tests/support/effects.h"
#include "tests/support/hub_audit.h"
#include "tests/support/raw_peer.h"

namespace concord::testing {
namespace {

namespace fs = std::filesystem;
namespace pb = ::concord::v1;
using Clock = std::chrono::steady_clock;

#define ASSERT_HUB_STARTS(d)                \
  do {                                      \
    const absl::Status st = (d).StartHub(); \
    ASSERT_TRUE(st.ok()) << st;             \
  } while (0)

size_t CountAudit(const TestDistrict& d, const std::string& event, const std::string& principal) {
  size_t n = 0;
  for (auto& l : HubAuditLines(d))
    if (l.event == event && (principal.empty() || l.principal == principal)) ++n;
  return n;
}

int64_t FolderBytes(const std::string& dir) {
  int64_t n = 0;
  for (auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) n += static_cast<int64_t>(e.file_size());
  return n;
}

pb::Frame HelloFrame(uint32_t credit) {
  pb::Frame f;
  f.mutable_hello()->set_client("abuser");
  f.mutable_hello()->set_credit(credit);
  return f;
}

// Publishes one note from `a` to "b" every `every_ms` while `*running`, and
// records each publish's time to its Ack (the hub stores and answers it).
class Prober {
 public:
  Prober(ClientThread& a, int every_ms) : a_(a) {
    thread_ = std::thread([this, every_ms] {
      while (running_) {
        auto sent = std::make_shared<Clock::time_point>(Clock::now());
        a_.Call([&](client::Client& c) {
          c.Publish(Note("b", absl::StrCat("probe ", n_++)), [this, sent](const absl::Status& s) {
            std::lock_guard<std::mutex> lock(mu_);
            if (s.ok())
              ms_.push_back(
                  std::chrono::duration<double, std::milli>(Clock::now() - *sent).count());
          });
          return 0;
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(every_ms));
      }
    });
  }
  ~Prober() { Stop(); }
  void Stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
  }
  // Acknowledged probes' latencies, sorted.
  std::vector<double> Latencies() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<double> v = ms_;
    std::sort(v.begin(), v.end());
    return v;
  }
  int sent() const { return n_; }

 private:
  ClientThread& a_;
  std::atomic<bool> running_{true};
  std::atomic<int> n_{0};
  std::mutex mu_;
  std::vector<double> ms_;
  std::thread thread_;
};

double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return -1;
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(q * (sorted.size() - 1) + 0.5))];
}

// Five 1 MB batches of 500,000 empty frames each: before, 2.5 million fsynced
// audit lines and seconds of delay for everyone else. Now the abuser is cut
// after its refusal budget, audited once, and the other agency is served.
TEST(HubAbuse, EmptyFrameFloodIsCutWhileAnotherAgencyIsServed) {
  TestDistrict d({"a", "b", "m"});
  d.SetLimits("\n[abuse]\nwindow_s = 2\ncut_s = 4\nrefusal_budget = 1000\ndetailed_refusals = 20");
  ASSERT_HUB_STARTS(d);
  ClientThread b(d.ClientFor("b"), RecordEffects);
  ClientThread a(d.ClientFor("a"));
  ASSERT_TRUE(WaitFor([&] { return a.Stats().connected && b.Stats().connected; }));

  pb::Frame flood;
  for (int i = 0; i < 500'000; ++i) flood.mutable_batch()->add_frames();
  const std::string bytes = flood.SerializeAsString();
  ASSERT_LT(bytes.size(), 1u << 20);  // under the hub's frame limit: it is parsed
  const size_t lines_before = HubAuditLines(d).size();
  const int64_t disk_before = FolderBytes(d.dir() + "/hub");
  const int64_t rss_before = VmRssKb(d.hub_pid());

  RawPeer m(d.endpoint(), d.KeyOf("m"), d.hub_public_key());
  m.Send(HelloFrame(16));
  auto w = m.Recv(5000);
  ASSERT_TRUE(w && w->has_welcome());

  Prober probe(a, 20);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto flood_start = Clock::now();
  for (int i = 0; i < 5; ++i) m.Send(bytes);
  // m hears refusals (up to the budget), then one Nack saying it is cut.
  bool told_cut = false;
  int nacks = 0;
  while (auto f = m.Recv(3000)) {
    if (!f->has_nack()) continue;
    ++nacks;
    if (f->nack().code() == pb::RESOURCE_EXHAUSTED && absl::StrContains(f->nack().reason(), "cut"))
      told_cut = true;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  probe.Stop();
  const double flood_s = std::chrono::duration<double>(Clock::now() - flood_start).count();
  EXPECT_TRUE(told_cut);
  EXPECT_LE(nacks, 1002);  // the budget's refusals and the cut, not 2.5 million

  const auto lat = probe.Latencies();
  ASSERT_GE(lat.size(), 10u);
  std::cout << "[ flood ] 5 x 500,000 empty frames; other agency's publish-to-Ack ms: p50 "
            << Quantile(lat, 0.5) << ", p99 " << Quantile(lat, 0.99) << ", max " << lat.back()
            << " (" << lat.size() << " probes over " << flood_s << " s)\n";
  // Loose on purpose (a loaded 2-core CI machine); the figures are printed above.
  EXPECT_LT(Quantile(lat, 0.5), 100.0);
  EXPECT_LT(lat.back(), 2000.0);

  // The audit: 20 refusals in full, one cut, one summary with the count.
  EXPECT_EQ(CountAudit(d, "cut", "m"), 1u);
  EXPECT_LE(CountAudit(d, "refuse", "m"), 20u);
  ASSERT_TRUE(WaitFor([&] { return CountAudit(d, "refuse_summary", "m") >= 1; }, 10000));
  bool counted = false;
  for (auto& l : HubAuditLines(d))
    if (l.event == "refuse_summary" && l.principal == "m" &&
        absl::StrContains(l.detail, "INVALID_ARGUMENT:1001"))
      counted = true;
  EXPECT_TRUE(counted) << "the summary names the 1001 refusals";
  const size_t lines_after = HubAuditLines(d).size();
  const int64_t disk_after = FolderBytes(d.dir() + "/hub");
  const int64_t rss_after = VmRssKb(d.hub_pid());
  const double frames = 2.5e6;
  std::cout << "[ flood ] audit lines +" << (lines_after - lines_before) << "; hub folder +"
            << (disk_after - disk_before) << " bytes (" << (disk_after - disk_before) / frames
            << " per abusive frame); hub RSS " << rss_before << " -> " << rss_after << " kB ("
            << (rss_after - rss_before) * 1024.0 / frames << " bytes per abusive frame)\n";
  size_t lines_of_m = 0;
  for (auto& l : HubAuditLines(d)) lines_of_m += l.principal == "m";
  std::cout << "[ flood ] audit lines naming m: " << lines_of_m << "\n";
  EXPECT_LT(lines_of_m, 30u);  // 20 refusals in full, the cut, a summary, its sessions
  EXPECT_LT(disk_after - disk_before, 8 << 20);

  // While cut, m is not answered at all; after the cut it is served again.
  m.Send(HelloFrame(16));
  EXPECT_FALSE(m.Recv(500).has_value());
  ASSERT_TRUE(WaitFor(
      [&] {
        m.Send(HelloFrame(16));
        auto r = m.Recv(300);
        return r && r->has_welcome();
      },
      15000));
  ASSERT_TRUE(WaitFor([&] { return CountAudit(d, "refuse_summary", "m") >= 2; }, 10000));
  bool ended = false;
  for (auto& l : HubAuditLines(d))
    if (l.event == "refuse_summary" && l.principal == "m" &&
        absl::StrContains(l.detail, "cut ended"))
      ended = true;
  EXPECT_TRUE(ended);
  // Nothing of a's was lost or doubled.
  const int sent = probe.sent();
  ASSERT_TRUE(WaitFor([&] { return b.Stats().received == static_cast<uint64_t>(sent); }, 30000))
      << b.Stats().received << " of " << sent;
  EXPECT_TRUE(d.HubRunning());
}

// A backlog of 2,000 for m; m says Hello 3,000 times on one connection, then
// once on each of 100 new ones. Before, every Hello re-sent a credit's worth.
TEST(HubAbuse, HelloFloodDoesNotResendTheBacklog) {
  TestDistrict d({"a", "m"});
  d.SetLimits("\n[abuse]\nwindow_s = 4\nmax_hellos = 20\nrefusal_budget = 100000\nmax_credit = 64");
  ASSERT_HUB_STARTS(d);
  ClientThread a(d.ClientFor("a"));
  {
    auto done = std::make_shared<std::atomic<int>>(0);
    a.Call([&](client::Client& c) {
      for (int i = 0; i < 2000; ++i)
        c.Publish(Note("m", absl::StrCat("backlog ", i)), [done](const absl::Status&) { ++*done; });
      return 0;
    });
    ASSERT_TRUE(WaitFor([&] { return *done == 2000; }, 60000));
  }
  // Deliveries counted once per connection and seq: the hub's retry timer
  // re-sends what is not acknowledged (ack_timeout_ms), which is not a Hello's doing.
  size_t deliveries = 0, welcomes = 0, refused = 0;
  auto drain = [&](RawPeer& p, int ms) {
    std::set<uint64_t> seqs;
    while (auto f = p.Recv(ms)) {
      if (f->has_welcome()) ++welcomes;
      if (f->has_nack() && f->nack().code() == pb::RESOURCE_EXHAUSTED) ++refused;
      if (f->has_deliver()) seqs.insert(f->deliver().seq());
      for (auto& inner : f->batch().frames())
        if (inner.has_deliver()) seqs.insert(inner.deliver().seq());
    }
    deliveries += seqs.size();
  };
  {
    RawPeer m(d.endpoint(), d.KeyOf("m"), d.hub_public_key());
    for (int i = 0; i < 3000; ++i) m.Send(HelloFrame(100000));  // asks for far more credit
    drain(m, 1500);
  }
  std::cout << "[ hello flood ] one connection, 3000 Hellos: " << welcomes << " Welcomes, "
            << refused << " refused, " << deliveries << " deliveries (backlog 2000)\n";
  EXPECT_EQ(welcomes, 20u);
  EXPECT_EQ(refused, 2980u);
  EXPECT_EQ(deliveries, 64u);  // one credit's worth, capped at max_credit; never re-sent
  std::this_thread::sleep_for(std::chrono::milliseconds(4500));  // the next window
  deliveries = welcomes = refused = 0;
  {
    std::vector<std::unique_ptr<RawPeer>> peers;
    for (int i = 0; i < 100; ++i) {
      peers.push_back(std::make_unique<RawPeer>(d.endpoint(), d.KeyOf("m"), d.hub_public_key()));
      peers.back()->Send(HelloFrame(64));
    }
    for (auto& p : peers) drain(*p, 100);
  }
  std::cout << "[ hello flood ] 100 connections: " << welcomes << " Welcomes, " << refused
            << " refused, " << deliveries << " deliveries\n";
  EXPECT_EQ(welcomes, 20u);
  EXPECT_LE(deliveries, 20u * 64u);
  EXPECT_TRUE(d.HubRunning());
}

// Subscriptions: at most max_subscriptions topics, only those the ACL's
// [[subscribe]] rules allow, and well-formed names.
TEST(HubAbuse, SubscriptionsAreCappedAndChecked) {
  TestDistrict d({"a", "m", "ops:ops"});
  d.WriteAcl(R"(
[[allow]]
from = "*"
type = "*"
to = ["*"]

[[subscribe]]
from = "role:agency"
topics = ["district", "t.*"]

[[subscribe]]
from = "role:ops"
topics = ["alerts", "district"]
)");
  d.SetLimits("\n[abuse]\nmax_subscriptions = 8");
  ASSERT_HUB_STARTS(d);
  RawPeer m(d.endpoint(), d.KeyOf("m"), d.hub_public_key());
  m.Send(HelloFrame(16));
  ASSERT_TRUE(m.Recv(5000).has_value());
  pb::Frame sub;
  sub.mutable_subscribe()->add_topics("alerts");  // not for an agency
  for (int i = 0; i < 20; ++i) sub.mutable_subscribe()->add_topics(absl::StrCat("t.", i));
  sub.mutable_subscribe()->add_topics(std::string(65, 't'));
  m.Send(sub);
  std::vector<pb::Code> codes;
  while (auto f = m.Recv(1000))
    if (f->has_nack()) codes.push_back(f->nack().code());
  EXPECT_EQ(std::count(codes.begin(), codes.end(), pb::PERMISSION_DENIED), 1);    // alerts
  EXPECT_EQ(std::count(codes.begin(), codes.end(), pb::RESOURCE_EXHAUSTED), 12);  // t.8 to t.19
  EXPECT_EQ(std::count(codes.begin(), codes.end(), pb::INVALID_ARGUMENT), 1);     // 65 characters
  ASSERT_TRUE(WaitFor([&] { return CountAudit(d, "subscribe", "m") == 8; }))
      << CountAudit(d, "subscribe", "m");
  auto db = sqlite::Db::Open(d.hub_db());
  ASSERT_TRUE(db.ok());
  auto n = db->Prepare(
      "SELECT count(*) FROM subscriptions s JOIN recipients r ON r.id = s.recipient "
      "WHERE r.name = 'm'");
  ASSERT_TRUE(n.ok()) << n.status();
  ASSERT_TRUE(n->Step().ok());
  EXPECT_EQ(n->Int(0), 8);
  // The operator may have alerts.
  RawPeer ops(d.endpoint(), d.KeyOf("ops"), d.hub_public_key());
  pb::Frame hello = HelloFrame(16);
  hello.mutable_hello()->add_topics("alerts");
  ops.Send(hello);
  auto welcome = ops.Recv(5000);
  ASSERT_TRUE(welcome && welcome->has_welcome());
  while (auto f = ops.Recv(500))  // no refusal (the new directory goes to every session)
    EXPECT_TRUE(f->has_directory()) << f->DebugString();
  EXPECT_TRUE(WaitFor([&] { return CountAudit(d, "subscribe", "ops") == 1; }));
}

// 300 connections with keys the hub does not know: the first few of each
// window are audited in full, the rest in one summary line.
TEST(HubAbuse, UnknownKeysAreAuditedInFullOnlyAFewTimesPerWindow) {
  TestDistrict d({"a"});
  d.SetLimits("\n[abuse]\nwindow_s = 2\ndetailed_preauth = 5");
  ASSERT_HUB_STARTS(d);
  const size_t before = CountAudit(d, "key_refused", "");
  {
    std::vector<std::unique_ptr<RawPeer>> peers;
    for (int i = 0; i < 300; ++i) {
      auto keys = GenerateCurveKeyPair();
      ASSERT_TRUE(keys.ok());
      peers.push_back(std::make_unique<RawPeer>(d.endpoint(), *keys, d.hub_public_key()));
      peers.back()->Send(HelloFrame(16));
    }
    ASSERT_TRUE(WaitFor([&] { return d.Metric("concord_hub_key_refused_total") >= 300; }, 30000))
        << d.Metric("concord_hub_key_refused_total");
  }
  ASSERT_TRUE(WaitFor([&] { return CountAudit(d, "preauth_summary", "") >= 1; }, 10000));
  const size_t detailed = CountAudit(d, "key_refused", "") - before;
  uint64_t summarised = 0;
  for (auto& l : HubAuditLines(d))
    if (l.event == "preauth_summary") {
      auto at = l.detail.find(" counted");
      auto from = l.detail.rfind(", ", at);
      if (at != std::string::npos && from != std::string::npos)
        summarised += std::stoull(l.detail.substr(from + 2, at - from - 2));
    }
  std::cout << "[ unknown keys ] 300 connections: " << detailed << " lines in full, " << summarised
            << " counted in summaries\n";
  EXPECT_LE(detailed, 15u);  // 5 per window; the 300 may straddle windows
  EXPECT_EQ(detailed + summarised, 300u);
  EXPECT_TRUE(d.HubRunning());
}

// Finding 4: under a broad rule (agencies may send concord.v1.* to each
// other), the police forged an AidDuplicateNotice to the court and the court
// showed it as real. The ACL's [[reserve]] keeps it for the aid agent.
TEST(HubForgery, AgentOnlyTypeFromAnAgencyIsRefusedAndAudited) {
  TestDistrict d({"court", "police", "agent.aid:aid"});
  d.WriteAcl(R"(
[[allow]]
from = "role:agency"
type = "concord.v1.*"
to = ["role:agency"]

[[allow]]
from = "role:aid"
type = "concord.v1.Aid*"
to = ["*"]

[[reserve]]
types = ["concord.v1.AidDuplicateNotice", "concord.v1.AidCheckReply"]
from = ["role:aid"]
)");
  ASSERT_HUB_STARTS(d);
  auto forged = [&](const std::string& from) {
    pb::Envelope env;
    env.set_id(NewUuidV7());
    env.add_to("court");
    pb::AidDuplicateNotice notice;
    notice.set_your_record_id("FY-2026-001");
    notice.set_other_agency("police");
    env.mutable_payload()->PackFrom(notice);
    pb::Frame f;
    *f.mutable_publish()->mutable_envelope() = env;
    RawPeer p(d.endpoint(), d.KeyOf(from), d.hub_public_key());
    p.Send(HelloFrame(16));
    auto w = p.Recv(5000);
    EXPECT_TRUE(w && w->has_welcome());
    p.Send(f);
    auto r = p.Recv(5000);
    EXPECT_TRUE(r.has_value());
    return std::make_pair(env.id(), r.value_or(pb::Frame()));
  };
  auto [id, reply] = forged("police");
  ASSERT_TRUE(reply.has_nack()) << reply.DebugString();
  EXPECT_EQ(reply.nack().id(), id);
  EXPECT_EQ(reply.nack().code(), pb::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StrContains(reply.nack().reason(), "role:aid")) << reply.nack().reason();
  ASSERT_TRUE(WaitFor([&] {
    for (auto& l : HubAuditLines(d))
      if (l.event == "refuse" && l.principal == "police" && absl::StrContains(l.detail, id) &&
          absl::StrContains(l.detail, "AidDuplicateNotice"))
        return true;
    return false;
  }));
  // The aid agent's own notice goes through.
  auto [id2, ok] = forged("agent.aid");
  ASSERT_TRUE(ok.has_ack()) << ok.DebugString();
  EXPECT_EQ(ok.ack().ids(0), id2);
}

}  // namespace
}  // namespace concord::testing

// Two hubs sharing one PostgreSQL store (issue 17): one holds the lead, the
// other waits as a standby. Real processes killed with SIGKILL, a real
// PostgreSQL server (tests/support/pg_server.h), real clients that know both
// endpoints. Takeover times are printed, not asserted (bench/ measures them).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/http_client.h"
#include "common/pg.h"
#include "tests/support/district.h"
#include "tests/support/effects.h"

namespace concord::testing {
namespace {

// A district whose hubs keep their store on PostgreSQL (whatever ctest says).
std::unique_ptr<TestDistrict> PgDistrict() {
  setenv("CONCORD_TEST_STORE", "postgresql", 1);
  return std::make_unique<TestDistrict>(std::vector<std::string>{"a", "b"});
}

// The index of the hub whose ready file says active (-1: none).
int ActiveHub(TestDistrict& d) {
  for (int i = 0; i < d.hub_count(); ++i)
    if (d.HubRole(i) == "active") return i;
  return -1;
}

// Ends the database session of hub `i`'s lead connection (as a cut network
// would, seen from the server): the one holding the advisory lock when
// `holder`, else the other one.
absl::Status TerminateLeadSession(TestDistrict& d, bool holder) {
  auto conn = pg::Conn::Open(d.pg_conninfo(), "concord-test");
  if (!conn.ok()) return conn.status();
  const std::string sql = absl::StrCat(
      "SELECT pg_terminate_backend(a.pid)::int FROM pg_stat_activity a WHERE "
      "a.application_name = 'concord-hub lead' AND a.pid ",
      holder ? "IN" : "NOT IN",
      " (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)");
  auto r = conn->QueryInt(sql);
  if (!r.ok()) return r.status();
  return *r == 1 ? absl::OkStatus() : absl::NotFoundError("no such session");
}

#define ASSERT_OK(expr)              \
  do {                               \
    const absl::Status st_ = (expr); \
    ASSERT_TRUE(st_.ok()) << st_;    \
  } while (0)

// The active hub is SIGKILLed three times while a publisher streams; each
// time the standby takes over, the killed one comes back as the standby.
// Nothing acknowledged is lost, nothing is applied twice, order holds.
TEST(Failover, StandbyTakesOverWithNothingLostOrTwice) {
  auto d = PgDistrict();
  ASSERT_OK(d->StartHub(0));
  ASSERT_OK(d->StartHub(1));
  ASSERT_EQ(d->HubRole(0), "active");
  ASSERT_EQ(d->HubRole(1), "standby");
  ClientThread b(d->ClientFor("b"), RecordEffects);
  ClientThread a(d->ClientFor("a"));

  constexpr int kCount = 20000;
  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<int> failed{0};
  std::atomic<int64_t> last_ack_us{0};
  auto now_us = [] {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  a.Call([&](client::Client& c) {
    for (int i = 0; i < kCount; ++i)
      c.Publish(Note("b", std::to_string(i)), [&, i](const absl::Status& s) {
        std::lock_guard<std::mutex> lock(mu);
        if (s.ok()) {
          acked.insert(std::to_string(i));
          last_ack_us = now_us();
        } else {
          ++failed;
        }
      });
    return 0;
  });
  auto acked_count = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return acked.size();
  };
  std::set<std::string> acked_before_a_kill;
  for (size_t after : {2000u, 8000u, 14000u}) {
    ASSERT_TRUE(WaitFor([&] { return acked_count() >= after; }, 60000)) << acked_count();
    const int active = ActiveHub(*d);
    ASSERT_GE(active, 0);
    const int64_t killed_us = now_us();
    d->KillHub(active);
    {
      std::lock_guard<std::mutex> lock(mu);
      ASSERT_LT(acked.size(), static_cast<size_t>(kCount)) << "the hub died too late";
      acked_before_a_kill = acked;
    }
    const int other = 1 - active;
    ASSERT_TRUE(WaitFor([&] { return d->HubRole(other) == "active"; }, 20000))
        << "hub " << other << " did not take over";
    const int64_t took_us = now_us();
    ASSERT_TRUE(WaitFor([&] { return last_ack_us > took_us || acked_count() == kCount; }, 30000))
        << "no Ack from the new active hub";
    std::cerr << "kill " << after << ": standby active after " << (took_us - killed_us) / 1000
              << " ms, first Ack after " << (last_ack_us - killed_us) / 1000 << " ms\n";
    ASSERT_OK(d->StartHub(active));  // back, as the standby
    EXPECT_EQ(d->HubRole(active), "standby");
  }
  ASSERT_TRUE(WaitFor([&] { return acked_count() == static_cast<size_t>(kCount); }, 120000))
      << acked_count();
  ASSERT_TRUE(WaitFor([&] { return b.Stats().received >= static_cast<uint64_t>(kCount); }, 60000))
      << b.Stats().received;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // room for a late duplicate
  EXPECT_EQ(failed, 0);
  const Effects e = ReadEffects(d->ClientFor("b").db_path);
  EXPECT_EQ(std::set<std::string>(e.ids.begin(), e.ids.end()).size(), e.ids.size())
      << "an envelope id was applied twice";
  const std::set<std::string> applied(e.bodies.begin(), e.bodies.end());
  for (const std::string& body : acked_before_a_kill)
    ASSERT_TRUE(applied.count(body)) << "acknowledged before a kill, never applied: " << body;
  std::vector<std::string> want;
  for (int i = 0; i < kCount; ++i) want.push_back(std::to_string(i));
  EXPECT_EQ(e.bodies, want);
  EXPECT_GE(a.Stats().hub_switches, 3u);
}

// An active hub whose lead connection is cut stops at once (exit 75), and
// the standby takes over; clients follow it.
TEST(Failover, ActiveThatLosesTheDatabaseStepsDown) {
  auto d = PgDistrict();
  ASSERT_OK(d->StartHub(0));
  ASSERT_OK(d->StartHub(1));
  ClientThread b(d->ClientFor("b"), RecordEffects);
  ClientThread a(d->ClientFor("a"));
  a.Call([](client::Client& c) {
    c.Publish(Note("b", "before"));
    return 0;
  });
  ASSERT_TRUE(WaitFor([&] { return b.Stats().received == 1; }));
  ASSERT_OK(TerminateLeadSession(*d, /*holder=*/true));
  ASSERT_TRUE(WaitFor([&] { return !d->HubRunning(0); }, 10000)) << "hub 0 kept running";
  ASSERT_TRUE(WaitFor([&] { return d->HubRole(1) == "active"; }, 20000));
  a.Call([](client::Client& c) {
    c.Publish(Note("b", "after"));
    return 0;
  });
  ASSERT_TRUE(WaitFor([&] { return b.Stats().received == 2; }, 30000));
  EXPECT_EQ(ReadEffects(d->ClientFor("b").db_path).bodies,
            (std::vector<std::string>{"before", "after"}));
}

// GET `target` on hub i's monitoring port: status and body.
std::pair<int, std::string> HubHttp(TestDistrict& d, int i, const std::string& target) {
  auto r = HttpCall("127.0.0.1", d.metrics_port(i), "GET", target);
  if (!r.ok()) return {0, std::string(r.status().message())};
  return {r->status, r->body};
}

// A standby is seen by monitoring as alive and standing by, not as a dead
// hub: /healthz 200, /readyz 503 naming the lead, /metrics with
// concord_hub_standby 1 and the active hub's term; the active one says
// concord_hub_standby 0. Once it takes over, its port says it is active.
TEST(Failover, StandbyAnswersItsMonitoringPort) {
  auto d = PgDistrict();
  ASSERT_OK(d->StartHub(0));
  ASSERT_OK(d->StartHub(1));
  ASSERT_EQ(d->HubRole(1), "standby");
  ASSERT_GT(d->metrics_port(1), 0) << "the standby's ready file names its monitoring port";
  EXPECT_EQ(HubHttp(*d, 1, "/healthz").first, 200);
  auto ready = HubHttp(*d, 1, "/readyz");
  EXPECT_EQ(ready.first, 503) << ready.second;
  EXPECT_NE(ready.second.find("\"lead\":false"), std::string::npos) << ready.second;
  // The term is read on the standby's next try of the lead (every 250 ms).
  std::string metrics;
  EXPECT_TRUE(WaitFor([&] {
    metrics = HubHttp(*d, 1, "/metrics").second;
    return metrics.find("concord_hub_lead_term 1\n") != std::string::npos;
  })) << metrics;
  EXPECT_NE(metrics.find("concord_hub_standby 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("concord_hub_build_info"), std::string::npos) << metrics;
  auto status = HubHttp(*d, 1, "/status");
  EXPECT_NE(status.second.find("\"role\":\"standby\""), std::string::npos) << status.second;
  EXPECT_NE(status.second.find(d->endpoint(0)), std::string::npos) << "names the active hub";
  const std::string active = HubHttp(*d, 0, "/metrics").second;
  EXPECT_NE(active.find("concord_hub_standby 0\n"), std::string::npos) << active;
  EXPECT_NE(active.find("concord_hub_lead_term 1\n"), std::string::npos) << active;

  d->KillHub(0);
  ASSERT_TRUE(WaitFor([&] { return d->HubRole(1) == "active"; }, 20000));
  metrics = HubHttp(*d, 1, "/metrics").second;
  EXPECT_NE(metrics.find("concord_hub_standby 0\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("concord_hub_lead_term 2\n"), std::string::npos) << metrics;
  EXPECT_EQ(HubHttp(*d, 1, "/readyz").first, 200);
}

// A standby that has lost its database connection does not take the lead
// when the active hub dies: it stops (exit 75) instead; started again while
// the database answers, it takes over.
TEST(Failover, StandbyWithoutTheDatabaseDoesNotTakeTheLead) {
  auto d = PgDistrict();
  ASSERT_OK(d->StartHub(0));
  ASSERT_OK(d->StartHub(1));
  ASSERT_EQ(d->HubRole(1), "standby");
  ASSERT_OK(TerminateLeadSession(*d, /*holder=*/false));
  d->KillHub(0);
  ASSERT_TRUE(WaitFor([&] { return !d->HubRunning(1); }, 10000)) << "the standby kept running";
  EXPECT_EQ(ActiveHub(*d), -1);
  // Nothing took the lead: the term is still the one hub 0 took.
  auto conn = pg::Conn::Open(d->pg_conninfo(), "concord-test");
  ASSERT_TRUE(conn.ok()) << conn.status();
  EXPECT_EQ(*conn->QueryInt("SELECT term FROM hub.lead WHERE id = 1"), 1);
  ASSERT_OK(d->StartHub(1));
  EXPECT_EQ(d->HubRole(1), "active");
  EXPECT_EQ(*conn->QueryInt("SELECT term FROM hub.lead WHERE id = 1"), 2);
}

// The standby machine is down when the active hub restarts (and takes the
// lead again, a newer term at the same address): clients that went to the
// dead standby's address come back to it.
TEST(Failover, ClientsComeBackWhenTheStandbyIsDown) {
  auto d = PgDistrict();
  ASSERT_OK(d->StartHub(0));
  ASSERT_OK(d->StartHub(1));
  ClientThread b(d->ClientFor("b"), RecordEffects);
  ClientThread a(d->ClientFor("a"));
  ASSERT_TRUE(WaitFor([&] { return a.Stats().connected && b.Stats().connected; }));
  d->KillHub(1);
  d->KillHub(0);
  ASSERT_OK(d->StartHub(0));
  EXPECT_EQ(d->HubRole(0), "active");
  a.Call([](client::Client& c) {
    c.Publish(Note("b", "after the restart"));
    return 0;
  });
  ASSERT_TRUE(WaitFor([&] { return b.Stats().received == 1; }, 30000))
      << "a on " << a.Stats().endpoint << ", b on " << b.Stats().endpoint;
  EXPECT_EQ(a.Stats().endpoint, d->endpoint(0));
}

}  // namespace
}  // namespace concord::testing

// `concordctl store copy` (issue 17): a hub moved from its SQLite file to a
// PostgreSQL server started for the test, with messages still queued for an
// offline agency; the hub on PostgreSQL delivers them, once, in order, and
// its audit chain goes on from the copied head.
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "hub/audit/audit.h"
#include "tests/support/district.h"
#include "tests/support/effects.h"
#include "tests/support/hub_audit.h"

namespace concord::testing {
namespace {

std::vector<std::string> Bodies(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(absl::StrCat(prefix, i));
  return out;
}

void PublishAll(ClientThread& a, const std::vector<std::string>& bodies) {
  auto acked = std::make_shared<std::atomic<size_t>>(0);
  a.Call([&](client::Client& c) {
    for (const auto& b : bodies)
      c.Publish(Note("b", b), [acked](const absl::Status& s) {
        EXPECT_TRUE(s.ok()) << s;
        ++*acked;
      });
    return 0;
  });
  ASSERT_TRUE(WaitFor([&] { return *acked == bodies.size(); }, 30000)) << *acked;
}

// Copied while 20 messages wait for b: b, back on the PostgreSQL hub, gets
// those 20 and nothing it had already; a second copy into the same database
// is refused; a copy while the hub runs is refused.
TEST(StoreCopy, QueuedMessagesAndTheChainMoveToPostgresql) {
  unsetenv("CONCORD_TEST_STORE");
  TestDistrict d({"a", "b"});
  ASSERT_EQ(d.store_kind(), "sqlite");
  ASSERT_TRUE(d.StartHub().ok());
  {
    ClientThread a(d.ClientFor("a"));
    {
      ClientThread b(d.ClientFor("b"), RecordEffects);
      ASSERT_NO_FATAL_FAILURE(PublishAll(a, Bodies("before-", 30)));
      ASSERT_TRUE(WaitFor([&] { return b.Stats().received == 30; })) << b.Stats().received;
    }
    ASSERT_NO_FATAL_FAILURE(PublishAll(a, Bodies("queued-", 20)));  // b is offline
  }
  d.UsePostgresql();
  ASSERT_TRUE(d.PrepareStore().ok());
  const std::string copy =
      absl::StrCat("store copy --from ", d.hub_db(), " --to '", d.pg_conninfo(), "'");
  CommandResult running = RunConcordctl(copy);
  EXPECT_EQ(running.exit_code, 2) << running.out;
  EXPECT_NE(running.out.find("stop it first"), std::string::npos) << running.out;
  d.StopHub();

  CommandResult r = RunConcordctl(copy);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("messages: 50 "), std::string::npos) << r.out;
  // (mailbox rows of acknowledged messages stay until the hub compacts them)
  CommandResult again = RunConcordctl(copy);
  EXPECT_EQ(again.exit_code, 2) << again.out;
  EXPECT_NE(again.out.find("already holds a hub"), std::string::npos) << again.out;

  const size_t lines_copied = HubAuditLines(d).size();
  ASSERT_GT(lines_copied, 0u);
  ASSERT_TRUE(d.StartHub().ok());
  ClientThread b(d.ClientFor("b"), RecordEffects);
  ASSERT_TRUE(WaitFor([&] { return b.Stats().received == 20; }, 30000)) << b.Stats().received;
  std::vector<std::string> want = Bodies("before-", 30);
  for (auto& s : Bodies("queued-", 20)) want.push_back(s);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // nothing more comes
  const Effects e = ReadEffects(d.ClientFor("b").db_path);
  EXPECT_EQ(e.bodies, want);
  EXPECT_EQ(std::set<std::string>(e.ids.begin(), e.ids.end()).size(), e.ids.size());

  // The chain on PostgreSQL is the copied one, continued: every line's hash
  // follows from the one before, across the copy.
  d.StopHub();
  const std::vector<HubAuditLine> lines = HubAuditLines(d);
  EXPECT_GT(lines.size(), lines_copied);
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i].n, static_cast<int64_t>(i + 1));
  EXPECT_EQ(HubAuditLines(d, "start").size(), 2u);
}

}  // namespace
}  // namespace concord::testing

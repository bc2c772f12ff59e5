#include "hub/audit/audit.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "hub/broker/store.h"

namespace concord::hub {
namespace {

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/audit_test_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    std::filesystem::remove(path_);
    std::filesystem::remove(AuditHeadPath(path_));
    const std::string prefix =
        std::filesystem::path(AuditHeadPath(path_)).filename().string() + ".mismatch-";
    for (auto& f : std::filesystem::directory_iterator(::testing::TempDir()))
      if (f.path().filename().string().rfind(prefix, 0) == 0) std::filesystem::remove(f.path());
    auto store = OpenSqliteStore(path_, "FULL");
    ASSERT_TRUE(store.ok()) << store.status();
    WriteBatch b;
    for (int i = 0; i < 10; ++i)
      b.audit.push_back({1700000000000 + i, "accept", "a", "line " + std::to_string(i)});
    ASSERT_TRUE((*store)->Commit(b).ok());
    WriteBatch b2;
    b2.audit.push_back({1700000000100, "ack", "b", "more"});
    ASSERT_TRUE((*store)->Commit(b2).ok());
    auto db = sql::Db::Open(path_);
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
  }
  std::string path_;
  sql::Db db_;
};

// An untouched chain verifies, across commits.
TEST_F(AuditTest, IntactChainVerifies) {
  auto r = VerifyAuditChain(db_);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok) << r->reason;
  EXPECT_EQ(r->lines, 11);
}

// A changed line is named.
TEST_F(AuditTest, ChangedLineIsNamed) {
  ASSERT_TRUE(
      db_.Exec("UPDATE audit SET line = replace(line, 'line 4', 'line X') WHERE n = 5").ok());
  auto r = VerifyAuditChain(db_);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->first_bad, 5);
}

// A deleted line is named.
TEST_F(AuditTest, DeletedLineIsNamed) {
  ASSERT_TRUE(db_.Exec("DELETE FROM audit WHERE n = 7").ok());
  auto r = VerifyAuditChain(db_);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->first_bad, 7);
}

// Removing the last lines leaves no gap; the head file beside hub.db names them.
TEST_F(AuditTest, DeletedLastLinesAreNamed) {
  ASSERT_TRUE(VerifyAuditChain(db_, AuditHeadPath(path_))->ok);
  ASSERT_TRUE(db_.Exec("DELETE FROM audit WHERE n >= 10").ok());
  EXPECT_TRUE(VerifyAuditChain(db_)->ok) << "without the head file this is undetectable";
  auto r = VerifyAuditChain(db_, AuditHeadPath(path_));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->first_bad, 10);
  EXPECT_NE(r->reason.find("10..11"), std::string::npos) << r->reason;
}

// Deleting the head file as well as the tail does not make the chain pass:
// a missing head is named as such.
TEST_F(AuditTest, MissingHeadFileIsReported) {
  ASSERT_TRUE(db_.Exec("DELETE FROM audit WHERE n >= 10").ok());
  ASSERT_EQ(::unlink(AuditHeadPath(path_).c_str()), 0);
  auto r = VerifyAuditChain(db_, AuditHeadPath(path_));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->ok);
  EXPECT_NE(r->reason.find("head file"), std::string::npos) << r->reason;
  EXPECT_NE(r->reason.find("缺失"), std::string::npos) << r->reason;
}

// A chain rebuilt from scratch with valid hashes does not reach the recorded head.
TEST_F(AuditTest, RewrittenChainDoesNotMatchTheHead) {
  std::string prev(64, '0');
  auto up = db_.Prepare("UPDATE audit SET line = ?, hash = ? WHERE n = ?");
  ASSERT_TRUE(up.ok());
  for (int n = 1; n <= 11; ++n) {
    const std::string line = std::to_string(n) + "\t2023-11-14T22:13:20.000Z\taccept\ta\tforged";
    prev = AuditChain::HashLine(prev, line);
    up->BindAll(line, prev, n);
    ASSERT_TRUE(up->Run().ok());
  }
  EXPECT_TRUE(VerifyAuditChain(db_)->ok);
  auto r = VerifyAuditChain(db_, AuditHeadPath(path_));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->first_bad, 11);
}

// Lines removed while the hub was down: on restart the head file is kept aside
// (not overwritten) and the next audit line records the mismatch.
TEST_F(AuditTest, RestartAfterRemovedLinesKeepsTheEvidence) {
  ASSERT_TRUE(db_.Exec("DELETE FROM audit WHERE n = 11").ok());
  auto store = OpenSqliteStore(path_, "FULL");
  ASSERT_TRUE(store.ok()) << store.status();
  WriteBatch b;
  b.audit.push_back({1700000000200, "start", "", "restart"});
  ASSERT_TRUE((*store)->Commit(b).ok());
  auto st = db_.Prepare("SELECT line FROM audit WHERE n = 11");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(*st->Step());
  EXPECT_NE(st->Text(0).find("audit_head_mismatch"), std::string::npos) << st->Text(0);
  int kept = 0;
  const std::string prefix =
      std::filesystem::path(AuditHeadPath(path_)).filename().string() + ".mismatch-";
  for (auto& f : std::filesystem::directory_iterator(std::filesystem::path(path_).parent_path()))
    if (f.path().filename().string().rfind(prefix, 0) == 0) ++kept;
  EXPECT_EQ(kept, 1);
}

// A line rewritten with a recomputed hash still breaks the next link.
TEST_F(AuditTest, RehashedLineBreaksNextLink) {
  auto st = db_.Prepare("SELECT hash FROM audit WHERE n = 2");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(*st->Step());
  const std::string prev = st->Text(0);
  const std::string forged = "3\t2023-11-14T22:13:20.002Z\taccept\ta\tforged";
  auto up = db_.Prepare("UPDATE audit SET line = ?, hash = ? WHERE n = 3");
  ASSERT_TRUE(up.ok());
  up->BindAll(forged, AuditChain::HashLine(prev, forged));
  ASSERT_TRUE(up->Run().ok());
  auto r = VerifyAuditChain(db_);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->first_bad, 4);
}

}  // namespace
}  // namespace concord::hub

namespace concord::hub {
namespace {

// What a client says (its Hello's client name, a refused id) reaches audit
// lines: tabs and line ends become spaces, other control bytes \xHH, so a
// NUL cannot make a PostgreSQL text column refuse every later commit.
TEST(AuditLineText, ControlBytesAreEscaped) {
  const std::string line =
      AuditChain::FormatLine(7, {0, "connect", "a\tb", std::string("client=x\0y\x1b\nz", 13)});
  EXPECT_EQ(line.find('\0'), std::string::npos);
  EXPECT_NE(line.find("client=x\\x00y\\x1b z"), std::string::npos) << line;
  EXPECT_NE(line.find("\ta b\t"), std::string::npos) << line;
}

}  // namespace
}  // namespace concord::hub

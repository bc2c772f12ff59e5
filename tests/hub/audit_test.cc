#include "hub/broker/audit.h"

#include <gtest/gtest.h>

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
    auto store = OpenSqliteStore(path_, "FULL");
    ASSERT_TRUE(store.ok()) << store.status();
    WriteBatch b;
    for (int i = 0; i < 10; ++i) b.audit.push_back({1700000000000 + i, "accept", "a", "line " + std::to_string(i)});
    ASSERT_TRUE((*store)->Commit(b).ok());
    WriteBatch b2;
    b2.audit.push_back({1700000000100, "ack", "b", "more"});
    ASSERT_TRUE((*store)->Commit(b2).ok());
    auto db = sqlite::Db::Open(path_);
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
  }
  std::string path_;
  sqlite::Db db_;
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
  ASSERT_TRUE(db_.Exec("UPDATE audit SET line = replace(line, 'line 4', 'line X') WHERE n = 5").ok());
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

// sqlite::Db keeps the statements it prepared: a statement comes back reset
// with its bindings cleared, one still in use is never handed out twice,
// only a statement that is its whole text is kept, a schema change is seen,
// and a statement outliving Close() is still finalized safely.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/sqlite.h"
#include "tests/support/temp_folder.h"

namespace concord::sqlite {
namespace {

class StmtCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Db::Open(dir_.File("t.db"));
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    ASSERT_TRUE(db_.Exec("CREATE TABLE t(a INTEGER); INSERT INTO t VALUES (1), (2), (3)").ok());
  }
  void TearDown() override { db_.Close(); }
  // Statements the connection holds (kept ones included).
  int Statements() const {
    int n = 0;
    for (sqlite3_stmt* s = sqlite3_next_stmt(db_.raw(), nullptr); s;
         s = sqlite3_next_stmt(db_.raw(), s))
      ++n;
    return n;
  }
  concord::testing::TempFolder dir_{"stmt_cache"};
  Db db_;
};

TEST_F(StmtCacheTest, ReusedResetWithBindingsCleared) {
  {
    auto st = db_.Prepare("SELECT ?1 + 1");
    ASSERT_TRUE(st.ok());
    st->Bind(1, int64_t{41});
    ASSERT_TRUE(*st->Step());
    EXPECT_EQ(st->Int(0), 42);
  }  // returned mid-result
  EXPECT_EQ(Statements(), 1) << "kept";
  auto again = db_.Prepare("SELECT ?1 + 1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Statements(), 1) << "the kept one, not a new one";
  ASSERT_TRUE(*again->Step());
  EXPECT_TRUE(again->IsNull(0)) << "the old binding is gone";
  EXPECT_EQ(*db_.QueryInt("SELECT count(*) FROM t WHERE a > ?", int64_t{1}), 2);
  EXPECT_EQ(*db_.QueryInt("SELECT count(*) FROM t WHERE a > ?", int64_t{2}), 1) << "bound again";
}

TEST_F(StmtCacheTest, InUseNeverHandedOutTwice) {
  auto outer = db_.Prepare("SELECT a FROM t ORDER BY a");
  ASSERT_TRUE(outer.ok());
  int64_t sum = 0;
  while (*outer->Step()) {
    auto inner =
        db_.Prepare("SELECT a FROM t ORDER BY a");  // the same text, while the outer one steps
    ASSERT_TRUE(inner.ok());
    ASSERT_TRUE(*inner->Step());
    EXPECT_EQ(inner->Int(0), 1);
    sum += outer->Int(0);
  }
  EXPECT_EQ(sum, 6) << "the outer iteration was not disturbed";
  EXPECT_EQ(Statements(), 2);
}

TEST_F(StmtCacheTest, OnlyWholeTextsAreKept) {
  { ASSERT_TRUE(db_.Prepare("SELECT 1; SELECT 2").ok()); }
  EXPECT_EQ(Statements(), 0) << "a text with more after its statement is not a key";
  { ASSERT_TRUE(db_.Prepare("SELECT 1").ok()); }
  EXPECT_EQ(Statements(), 1);
}

TEST_F(StmtCacheTest, SchemaChangeIsSeen) {
  { ASSERT_TRUE(db_.Prepare("SELECT * FROM t").ok()); }
  ASSERT_TRUE(db_.Exec("ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'").ok());
  auto st = db_.Prepare("SELECT * FROM t");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(*st->Step());
  EXPECT_EQ(st->Text(1), "x");
}

TEST_F(StmtCacheTest, StatementOutlivingCloseIsFinalized) {
  auto st = db_.Prepare("SELECT a FROM t");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(*st->Step());
  db_.Close();   // the connection waits for the statement still out
  *st = Stmt();  // finalized, not kept: no crash, nothing leaks into a closed cache
  EXPECT_FALSE(st->valid());
}

}  // namespace
}  // namespace concord::sqlite

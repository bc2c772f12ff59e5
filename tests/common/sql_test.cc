// common/sql.h: the rewrites for PostgreSQL, and the same statements giving
// the same answers on SQLite and on a real PostgreSQL server (pg.SqlBook.*).
#include "common/sql.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "tests/support/test_book.h"

namespace concord::sql {
namespace {

std::string Rewrite(std::string_view sql) { return RewriteForPostgresql(sql, nullptr); }

TEST(SqlRewrite, PlaceholdersNumberedOutsideQuotesAndComments) {
  int n = 0;
  EXPECT_EQ(RewriteForPostgresql("SELECT a FROM t WHERE b = ? AND c = '?' -- ?\n AND d = ?", &n),
            "SELECT a FROM t WHERE b = $1 AND c = '?' -- ?\n AND d = $2");
  EXPECT_EQ(n, 2);
  EXPECT_EQ(RewriteForPostgresql("UPDATE t SET a = ?3 WHERE b = ?1 AND c = ?12", &n),
            "UPDATE t SET a = $3 WHERE b = $1 AND c = $12");
  EXPECT_EQ(n, 12);
}

TEST(SqlRewrite, InsertOrIgnoreAndInstr) {
  EXPECT_EQ(Rewrite("INSERT OR IGNORE INTO t(a) VALUES(?);"),
            "INSERT INTO t(a) VALUES($1) ON CONFLICT DO NOTHING");
  EXPECT_EQ(Rewrite("  insert or ignore into t(a) VALUES(?) RETURNING a"),
            "  INSERT into t(a) VALUES($1) ON CONFLICT DO NOTHING RETURNING a");
  EXPECT_EQ(Rewrite("SELECT instr(s.text, ?) > 0, xinstr(a) FROM s"),
            "SELECT strpos(s.text, $1) > 0, xinstr(a) FROM s");
  // Words inside a literal stay as they are.
  EXPECT_EQ(Rewrite("SELECT 'INSERT OR IGNORE', 'instr(' FROM t"),
            "SELECT 'INSERT OR IGNORE', 'instr(' FROM t");
}

class SqlBook : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/sql_book_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    auto db = testing::OpenTestBook(path_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    ASSERT_TRUE(db_.Exec("DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS concord_schema").ok());
    ASSERT_TRUE(db_.Migrate("t",
                            {"CREATE TABLE t(k TEXT PRIMARY KEY, n INTEGER NOT NULL, b BLOB, "
                             "r REAL)"},
                            {"CREATE TABLE t(k TEXT PRIMARY KEY, n BIGINT NOT NULL, b BYTEA, "
                             "r DOUBLE PRECISION)"})
                    .ok());
  }
  std::string path_;
  Db db_;
};

TEST_F(SqlBook, SameAnswersOnEitherEngine) {
  EXPECT_EQ(db_.is_postgresql(), testing::BooksOnPostgresql());
  auto put = *db_.Prepare("INSERT OR IGNORE INTO t(k, n, b, r) VALUES(?,?,?,?)");
  const std::string bytes("a\0b\xff", 4);
  put.BindAll("one", int64_t{1});
  put.BindBlob(3, bytes);
  put.Bind(4, 2.5);
  ASSERT_TRUE(put.Run().ok());
  EXPECT_EQ(db_.Changes(), 1);
  put.BindAll("one", int64_t{9});
  ASSERT_TRUE(put.Run().ok());
  EXPECT_EQ(db_.Changes(), 0);  // ignored: the key is there
  auto replace = *db_.Prepare("INSERT OR REPLACE INTO t(k, n) VALUES(?, ?)");
  replace.BindAll("two", 2);
  ASSERT_TRUE(replace.Run().ok());
  replace.BindAll("two", 3);
  ASSERT_TRUE(replace.Run().ok());
  EXPECT_EQ(*db_.QueryInt("SELECT n FROM t WHERE k = ?", "two"), 3);
  EXPECT_EQ(*db_.QueryInt("SELECT count(*) FROM t"), 2);
  EXPECT_EQ(*db_.QueryInt("SELECT sum(n) FROM t"), 4);
  EXPECT_EQ(*db_.QueryInt("SELECT n > 2 FROM t WHERE k = 'two'"), 1);  // a boolean on PostgreSQL

  auto get = *db_.Prepare("SELECT k, n, b, r FROM t WHERE k = ?");
  get.Bind(1, "one");
  ASSERT_TRUE(*get.Step());
  EXPECT_EQ(get.Text(0), "one");
  EXPECT_EQ(get.Int(1), 1);
  EXPECT_EQ(get.Blob(2), bytes);
  EXPECT_DOUBLE_EQ(get.Double(3), 2.5);
  EXPECT_FALSE(*get.Step());
  get.Reset();
  get.Bind(1, "two");
  ASSERT_TRUE(*get.Step());
  EXPECT_TRUE(get.IsNull(2));
  EXPECT_EQ(get.Blob(2), "");
}

TEST_F(SqlBook, TransactionsAndSavepoints) {
  {
    auto txn = *Txn::Begin(db_);
    ASSERT_TRUE(db_.InTransaction());
    ASSERT_TRUE(db_.Exec("INSERT INTO t(k, n) VALUES('kept', 1)").ok());
    {
      Savepoint sp(db_);
      ASSERT_TRUE(sp.ok());
      ASSERT_TRUE(db_.Exec("INSERT INTO t(k, n) VALUES('undone', 1)").ok());
      // A failed statement: on PostgreSQL it spoils only the savepoint.
      auto dup = *db_.Prepare("INSERT INTO t(k, n) VALUES(?, 1)");
      dup.Bind(1, "kept");
      EXPECT_TRUE(absl::IsAlreadyExists(dup.Run()));
    }
    ASSERT_TRUE(txn.Commit().ok());
  }
  EXPECT_FALSE(db_.InTransaction());
  EXPECT_EQ(*db_.QueryInt("SELECT count(*) FROM t"), 1);
  {
    auto txn = *Txn::Begin(db_);
    ASSERT_TRUE(db_.Exec("INSERT INTO t(k, n) VALUES('rolled back', 1)").ok());
  }
  EXPECT_EQ(*db_.QueryInt("SELECT count(*) FROM t"), 1);
  {
    Savepoint alone(db_);  // outside a transaction: one of its own on PostgreSQL
    ASSERT_TRUE(alone.ok());
    ASSERT_TRUE(db_.Exec("INSERT INTO t(k, n) VALUES('released', 1)").ok());
    ASSERT_TRUE(alone.Release().ok());
  }
  EXPECT_EQ(*db_.QueryInt("SELECT count(*) FROM t"), 2);
}

// A statement the server will not prepare (a parameter it cannot type, a
// wrong name) fails alone: the transaction around it goes on.
TEST_F(SqlBook, RefusedStatementLeavesTheTransactionUsable) {
  auto txn = *Txn::Begin(db_);
  ASSERT_TRUE(db_.Exec("INSERT INTO t(k, n) VALUES('a', 1)").ok());
  auto unused = *db_.Prepare("UPDATE t SET n = ?3 WHERE k = ?1");  // ?2 named nowhere
  unused.Bind(1, "a").Bind(2, "not used").Bind(3, 7);
  ASSERT_TRUE(unused.Run().ok());
  auto untyped = *db_.Prepare("SELECT count(*) FROM t WHERE ? IS NULL");
  untyped.Bind(1, "x");
  ASSERT_TRUE(*untyped.Step());
  EXPECT_EQ(untyped.Int(0), 0);
  untyped.Reset();
  auto bad = db_.Prepare("SELECT nonsense FROM nowhere");  // SQLite refuses it here
  EXPECT_FALSE(bad.ok() && bad->Step().ok());
  ASSERT_TRUE(db_.Exec("INSERT INTO t(k, n) VALUES('b', 2)").ok());
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(*db_.QueryInt("SELECT sum(n) FROM t"), 9);
}

// A failed statement left unhandled inside a transaction: on PostgreSQL the
// transaction is spoilt and its COMMIT says so (PostgreSQL itself would
// answer ROLLBACK without an error); nothing of it is kept.
TEST_F(SqlBook, CommitAfterAnUnhandledFailureFailsOnPostgresql) {
  auto txn = *Txn::Begin(db_);
  ASSERT_TRUE(db_.Exec("INSERT INTO t(k, n) VALUES('kept?', 1)").ok());
  EXPECT_FALSE(db_.Exec("INSERT INTO t(k, n) VALUES('kept?', 2)").ok());  // the key is taken
  const absl::Status st = txn.Commit();
  if (db_.is_postgresql()) {
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(*db_.QueryInt("SELECT count(*) FROM t"), 0);
  } else {  // SQLite undoes the statement only
    EXPECT_TRUE(st.ok()) << st;
    EXPECT_EQ(*db_.QueryInt("SELECT count(*) FROM t"), 1);
  }
  EXPECT_FALSE(db_.InTransaction());
}

TEST_F(SqlBook, RealsKeepEveryDigit) {
  auto put = *db_.Prepare("INSERT INTO t(k, n, r) VALUES(?, 0, ?)");
  put.Bind(1, "r").Bind(2, 1234567.891);
  ASSERT_TRUE(put.Run().ok());
  auto get = *db_.Prepare("SELECT r FROM t WHERE k = 'r'");
  ASSERT_TRUE(*get.Step());
  EXPECT_EQ(get.Double(0), 1234567.891);
}

TEST_F(SqlBook, OneLeadPerSchemaOnPostgresql) {
  if (!db_.is_postgresql()) {
    EXPECT_FALSE(db_.TryTakeLead().ok());
    return;
  }
  auto standby = testing::OpenTestBook(path_);  // the same schema, another session
  ASSERT_TRUE(standby.ok());
  ASSERT_TRUE(db_.TryTakeLead().ok());
  EXPECT_TRUE(*db_.TryTakeLead());
  ASSERT_TRUE(standby->TryTakeLead().ok());
  EXPECT_FALSE(*standby->TryTakeLead());
  db_.Close();  // the active one's session ends: the lead is free
  bool taken = false;
  for (int i = 0; i < 100 && !taken; ++i) {
    auto got = standby->TryTakeLead();
    ASSERT_TRUE(got.ok()) << got.status();
    taken = *got;
    if (!taken) usleep(20'000);
  }
  EXPECT_TRUE(taken);
}

}  // namespace
}  // namespace concord::sql

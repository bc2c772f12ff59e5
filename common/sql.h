// One database handle for the books that may live in a SQLite file or in a
// schema of a shared PostgreSQL cluster (docs/storage.md, "PostgreSQL"): the
// bus client's inbox and outbox and the agents' own tables, so that "apply a
// message and remember it" stays one transaction on either engine.
//
// The API is common/sqlite.h's: Prepare, Bind (1-based), Step, Run, Int,
// Text, Blob, Txn, Savepoint, Migrate. On SQLite every call goes straight to
// sqlite::Db and sqlite::Stmt. On PostgreSQL the same SQL text is accepted and
// rewritten once per text:
//   * `?` becomes $1, $2, ... (outside quotes and comments);
//   * `INSERT OR IGNORE` becomes INSERT ... ON CONFLICT DO NOTHING;
//   * `INSERT OR REPLACE INTO t(cols)` becomes INSERT ... ON CONFLICT (t's
//     primary key) DO UPDATE SET each other column = excluded.column;
//   * instr( becomes strpos(.
// What has no such rewrite (schemas, triggers, full-text search, JSON) is
// written for each engine by its owner: Migrate() takes both lists, and
// engine() tells a caller which one it talks to.
//
// PostgreSQL specifics: values are sent apart from the text (integers as
// bigint, reals as double precision, byte strings as bytea, text untyped so
// the server takes the column's type); results come back as text and are
// read like SQLite's (Int of a boolean is 0 or 1, of a numeric its integer
// part; Blob and Text of a bytea column its bytes). Each statement text is
// prepared once per connection and parameter types. Errors map as in
// common/pg.h (a lost connection is Unavailable). Unlike SQLite, a failed
// statement inside a transaction spoils the transaction: its COMMIT then
// fails (Internal) and nothing of it is kept; callers that must go on after
// an error wrap the statement in a Savepoint.
//
// Threading: as sqlite::Db, one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/sqlite.h"

namespace concord::sql {

enum class Engine { kSqlite, kPostgresql };

namespace internal {
struct PgConn;
struct PgStmt;
}  // namespace internal

class Stmt {
 public:
  Stmt();
  explicit Stmt(sqlite::Stmt lite);
  explicit Stmt(std::unique_ptr<internal::PgStmt> pg);
  Stmt(Stmt&& o) noexcept;
  Stmt& operator=(Stmt&& o) noexcept;
  ~Stmt();

  Stmt& Bind(int i, int64_t v) {
    if (pg_) return PgBindInt(i, v);
    lite_.Bind(i, v);
    return *this;
  }
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, uint64_t v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, uint32_t v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, double v) {
    if (pg_) return PgBindDouble(i, v);
    lite_.Bind(i, v);
    return *this;
  }
  Stmt& Bind(int i, std::string_view v) {
    if (pg_) return PgBindText(i, v);
    lite_.Bind(i, v);
    return *this;
  }
  Stmt& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Stmt& BindBlob(int i, std::string_view v) {
    if (pg_) return PgBindBlob(i, v);
    lite_.BindBlob(i, v);
    return *this;
  }
  Stmt& BindNull(int i) {
    if (pg_) return PgBindNull(i);
    lite_.BindNull(i);
    return *this;
  }
  template <typename... Args>
  Stmt& BindAll(Args&&... args) {
    int i = 0;
    (Bind(++i, std::forward<Args>(args)), ...);
    return *this;
  }

  // Steps once: true if a row is ready, false when done (the next Step runs
  // the statement again with the same values).
  absl::StatusOr<bool> Step() { return pg_ ? PgStep() : lite_.Step(); }
  // Runs to the end, then resets (values cleared).
  absl::Status Run() { return pg_ ? PgRun() : lite_.Run(); }
  void Reset() {
    if (pg_)
      PgReset();
    else
      lite_.Reset();
  }

  int64_t Int(int col) const { return pg_ ? PgInt(col) : lite_.Int(col); }
  double Double(int col) const { return pg_ ? PgDouble(col) : lite_.Double(col); }
  bool IsNull(int col) const { return pg_ ? PgIsNull(col) : lite_.IsNull(col); }
  std::string Text(int col) const { return pg_ ? PgText(col) : lite_.Text(col); }
  std::string Blob(int col) const { return pg_ ? PgText(col) : lite_.Blob(col); }
  bool valid() const { return pg_ != nullptr || lite_.valid(); }

 private:
  Stmt& PgBindInt(int i, int64_t v);
  Stmt& PgBindDouble(int i, double v);
  Stmt& PgBindText(int i, std::string_view v);
  Stmt& PgBindBlob(int i, std::string_view v);
  Stmt& PgBindNull(int i);
  absl::StatusOr<bool> PgStep();
  absl::Status PgRun();
  void PgReset();
  int64_t PgInt(int col) const;
  double PgDouble(int col) const;
  bool PgIsNull(int col) const;
  std::string PgText(int col) const;

  sqlite::Stmt lite_;
  std::unique_ptr<internal::PgStmt> pg_;
};

// Where a PostgreSQL book lives: the cluster and the schema (made if
// missing) that holds this process's tables, so that every agent and the
// hub can share one database.
struct PostgresqlTarget {
  std::string conninfo;  // a libpq connection string or postgresql:// URI
  std::string schema;    // e.g. "ledger"
  std::string application_name = "concord";
};

class Db {
 public:
  Db();
  Db(Db&& o) noexcept;
  Db& operator=(Db&& o) noexcept;
  ~Db();

  // A SQLite file (sqlite::Db::Open).
  static absl::StatusOr<Db> Open(const std::string& path, const sqlite::OpenOptions& opts = {});
  // Wraps an open SQLite connection.
  static Db Wrap(sqlite::Db lite);
  // A schema on a PostgreSQL server; Unavailable when it cannot be reached.
  static absl::StatusOr<Db> OpenPostgresql(const PostgresqlTarget& target);

  Engine engine() const { return pg_ ? Engine::kPostgresql : Engine::kSqlite; }
  bool is_postgresql() const { return pg_ != nullptr; }
  // Where it lives, for messages: the file, or "postgresql schema <s>".
  std::string where() const;

  absl::Status Exec(std::string_view sql);
  absl::StatusOr<Stmt> Prepare(std::string_view sql);
  // Rows the last INSERT/UPDATE/DELETE touched.
  int64_t Changes() const;
  absl::StatusOr<int64_t> QueryInt(std::string_view sql);
  template <typename A, typename... Args>
  absl::StatusOr<int64_t> QueryInt(std::string_view sql, A&& a, Args&&... args) {
    auto stmt = Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindAll(std::forward<A>(a), std::forward<Args>(args)...);
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    return *row ? stmt->Int(0) : 0;
  }

  // Runs the schema changes of `component` for this engine (numbered apart
  // per engine). On PostgreSQL with no list: Unimplemented, naming it.
  absl::Status Migrate(const std::string& component, const std::vector<std::string>& sqlite,
                       const std::vector<std::string>& postgresql);
  // SQLite only (the component has no PostgreSQL schema): Unimplemented on
  // PostgreSQL.
  absl::Status Migrate(const std::string& component, const std::vector<std::string>& sqlite) {
    return Migrate(component, sqlite, {});
  }

  // Takes the lead of this schema if it is free (PostgreSQL: a session-level
  // advisory lock named by the schema): held while this connection lives, so
  // what commits on it is the lead's. FailedPrecondition on SQLite.
  absl::StatusOr<bool> TryTakeLead();
  // True while inside BEGIN ... COMMIT.
  bool InTransaction() const;
  // COMMIT; on PostgreSQL an error when an earlier failed statement had
  // aborted the transaction (PostgreSQL itself rolls back and says COMMIT
  // succeeded).
  absl::Status Commit();

  // The SQLite connection (nullptr on PostgreSQL): for what only SQLite has
  // (online backup, integrity check, FTS5).
  sqlite::Db* lite() { return pg_ ? nullptr : &lite_; }
  void Close();

 private:
  sqlite::Db lite_;
  std::unique_ptr<internal::PgConn> pg_;
};

// As sqlite::Txn: BEGIN (IMMEDIATE on SQLite) ... COMMIT, rolled back when
// destroyed uncommitted.
class Txn {
 public:
  static absl::StatusOr<Txn> Begin(Db& db, bool immediate = true);
  Txn(Txn&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
  Txn& operator=(Txn&&) = delete;
  Txn(const Txn&) = delete;
  ~Txn() {
    if (db_) (void)db_->Exec("ROLLBACK");
  }
  absl::Status Commit();

 private:
  explicit Txn(Db* db) : db_(db) {}
  Db* db_;
};

// As sqlite::Savepoint; on PostgreSQL outside a transaction it is one
// (BEGIN ... COMMIT), since a savepoint needs one there.
class Savepoint {
 public:
  explicit Savepoint(Db& db);
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  absl::Status Release();
  bool ok() const { return ok_; }

 private:
  Db& db_;
  bool ok_ = false, released_ = false, own_txn_ = false;
};

// The SQL text as PostgreSQL takes it (the rewrites above but the one that
// needs the catalogue); `params` gets the number of `?`. For tests.
std::string RewriteForPostgresql(std::string_view sql, int* params);

}  // namespace concord::sql

// Thin, move-only RAII wrappers over the SQLite C API.
//
// Db owns one sqlite3 connection; Stmt owns one prepared statement and must
// not outlive its Db; Txn is a scoped transaction that rolls back unless
// Commit() succeeded. A connection belongs to one thread at a time.
//
// Db::Prepare keeps the statements it made: a Stmt, when destroyed, is reset
// and returned to its Db, and the next Prepare of the same SQL text takes it
// back instead of compiling it again (a few per text, a few hundred texts at
// most; beyond that statements are finalized as before). So a Stmt, like its
// Db, is used and destroyed on the thread that owns the Db.
//
// Errors come back as absl::Status: SQLITE_BUSY/LOCKED -> Unavailable (retry),
// SQLITE_CONSTRAINT -> AlreadyExists, SQLITE_FULL/IOERR -> Unavailable,
// anything else -> Internal.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace concord::sqlite {

absl::Status FromCode(int rc, sqlite3* db, std::string_view what);

// The statements a Db prepared and may hand out again, by SQL text.
struct StmtCache {
  static constexpr size_t kPerText = 4, kTexts = 512;
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> free;
  bool closed = false;
  // Keeps `s` for reuse (reset, bindings cleared), or finalizes it.
  void Return(sqlite3_stmt* s) noexcept;
  void FinalizeAll();
};

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* s, std::shared_ptr<StmtCache> cache = nullptr)
      : db_(db), s_(s), cache_(std::move(cache)) {}
  Stmt(Stmt&& o) noexcept
      : db_(o.db_), s_(std::exchange(o.s_, nullptr)), cache_(std::move(o.cache_)) {}
  Stmt& operator=(Stmt&& o) noexcept {
    if (this != &o) {
      Release();
      db_ = o.db_;
      s_ = std::exchange(o.s_, nullptr);
      cache_ = std::move(o.cache_);
    }
    return *this;
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { Release(); }

  // Bind helpers; index is 1-based as in SQLite.
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, uint64_t v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, uint32_t v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Stmt& BindBlob(int i, std::string_view v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindNull(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
  }
  template <typename... Args>
  Stmt& BindAll(Args&&... args) {
    int i = 0;
    (Bind(++i, std::forward<Args>(args)), ...);
    return *this;
  }

  // Steps once: true if a row is ready, false when done.
  absl::StatusOr<bool> Step();
  // Steps until done (for statements that return no rows), then resets.
  absl::Status Run();
  // Resets and clears bindings so the statement can be reused.
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }

  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  double Double(int col) const { return sqlite3_column_double(s_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  // The column's type in this row (SQLITE_INTEGER, _FLOAT, _TEXT, _BLOB, _NULL).
  int Type(int col) const { return sqlite3_column_type(s_, col); }
  std::string Text(int col) const {
    const auto* p = sqlite3_column_text(s_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s_, col))
             : std::string();
  }
  std::string Blob(int col) const {
    const void* p = sqlite3_column_blob(s_, col);
    return p ? std::string(static_cast<const char*>(p), sqlite3_column_bytes(s_, col))
             : std::string();
  }
  bool valid() const { return s_ != nullptr; }

 private:
  void Release() {
    if (!s_) return;
    if (cache_)
      cache_->Return(std::exchange(s_, nullptr));
    else
      sqlite3_finalize(std::exchange(s_, nullptr));
  }
  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
  std::shared_ptr<StmtCache> cache_;  // where it goes back to (none: finalized)
};

struct OpenOptions {
  bool read_only = false;
  // PRAGMA synchronous: "FULL" makes a commit durable before it returns.
  std::string synchronous = "FULL";
  int busy_timeout_ms = 5000;
};

class Db {
 public:
  Db() = default;
  Db(Db&& o) noexcept : db_(std::exchange(o.db_, nullptr)), cache_(std::move(o.cache_)) {}
  Db& operator=(Db&& o) noexcept {
    if (this != &o) {
      Close();
      db_ = std::exchange(o.db_, nullptr);
      cache_ = std::move(o.cache_);
    }
    return *this;
  }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() { Close(); }

  // Opens (creating if needed) `path` in WAL mode with the given options.
  static absl::StatusOr<Db> Open(const std::string& path, const OpenOptions& opts = {});

  absl::Status Exec(std::string_view sql);
  absl::StatusOr<Stmt> Prepare(std::string_view sql);
  int64_t Changes() const { return sqlite3_changes64(db_); }
  int64_t LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
  // Runs one query returning a single integer (0 when no row); with
  // arguments, bound to its parameters in order (values belong there, not in
  // the text: the text is the statement's cache key).
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

  // Runs `migrations[i]` for every i >= the version recorded for `component`
  // in the table concord_schema(component, version), each in its own
  // transaction with the version bump. Migrations are numbered from 1. Several
  // components (the client library, an adapter, an agent) can share one file.
  absl::Status Migrate(const std::string& component, const std::vector<std::string>& migrations);

  sqlite3* raw() const { return db_; }
  void Close() {
    if (cache_) cache_->FinalizeAll();  // statements still out are finalized when destroyed
    cache_.reset();
    if (db_) sqlite3_close_v2(db_);
    db_ = nullptr;
  }

 private:
  explicit Db(sqlite3* db) : db_(db), cache_(std::make_shared<StmtCache>()) {}
  sqlite3* db_ = nullptr;
  std::shared_ptr<StmtCache> cache_;
};

// Copies the whole database behind `from` into the file `to_path` (made or
// replaced) with SQLite's online backup API, in one step: the copy is the
// snapshot of one read transaction, so it is consistent even while other
// connections and processes keep writing (in WAL mode they are not blocked;
// checkpoints wait for the copy). The copy is written in rollback-journal
// mode with synchronous=FULL and is whole when this returns OK.
// Unavailable when the source stays locked past its busy timeout.
absl::Status BackupTo(Db& from, const std::string& to_path);

// Runs `PRAGMA integrity_check`: OK, or DataLoss with SQLite's first findings.
absl::Status IntegrityCheck(Db& db);

// Scoped transaction. `BEGIN IMMEDIATE` by default, so that writers queue on
// the lock at the start rather than failing at commit.
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

// A savepoint around one operation, nested inside the caller's transaction
// (an agent's inbox transaction) or standing alone: rolled back when
// destroyed unless released, so a refused operation leaves no trace.
class Savepoint {
 public:
  explicit Savepoint(Db& db) : db_(db) { ok_ = db_.Exec("SAVEPOINT concord_op").ok(); }
  ~Savepoint() {
    if (ok_ && !released_) {
      (void)db_.Exec("ROLLBACK TO concord_op");
      (void)db_.Exec("RELEASE concord_op");
    }
  }
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  absl::Status Release() {
    released_ = true;
    return db_.Exec("RELEASE concord_op");
  }
  bool ok() const { return ok_; }

 private:
  Db& db_;
  bool ok_ = false, released_ = false;
};

}  // namespace concord::sqlite

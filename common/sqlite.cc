#include "common/sqlite.h"

#include "absl/strings/str_cat.h"

namespace concord::sqlite {

absl::Status FromCode(int rc, sqlite3* db, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return absl::OkStatus();
  std::string msg =
      absl::StrCat(std::string(what), ": ", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
      return absl::UnavailableError(msg);
    case SQLITE_CONSTRAINT:
      return absl::AlreadyExistsError(msg);
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return absl::FailedPreconditionError(msg);
    default:
      return absl::InternalError(msg);
  }
}

absl::StatusOr<bool> Stmt::Step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  absl::Status st = FromCode(rc, db_, sqlite3_sql(s_));
  sqlite3_reset(s_);
  return st;
}

absl::Status Stmt::Run() {
  int rc;
  while ((rc = sqlite3_step(s_)) == SQLITE_ROW) {
  }
  absl::Status st = FromCode(rc, db_, sqlite3_sql(s_));
  Reset();
  return st;
}

absl::StatusOr<Db> Db::Open(const std::string& path, const OpenOptions& opts) {
  sqlite3* raw = nullptr;
  int flags = opts.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status st = FromCode(rc, raw, absl::StrCat("open ", path));
    sqlite3_close_v2(raw);
    return st;
  }
  Db db(raw);
  sqlite3_busy_timeout(raw, opts.busy_timeout_ms);
  if (!opts.read_only) {
    if (auto st = db.Exec("PRAGMA journal_mode=WAL"); !st.ok()) return st;
  }
  if (auto st = db.Exec(absl::StrCat("PRAGMA synchronous=", opts.synchronous)); !st.ok()) return st;
  (void)db.Exec("PRAGMA foreign_keys=ON");
  // Reads through a memory map (up to 256 MiB of the file) instead of a
  // pread() copy of each page, and a 32 MiB page cache rather than 2: the
  // ledger's reads over 100,000 items spent a third of their CPU in the
  // kernel copying pages. Both are ceilings, used only as a file needs them.
  (void)db.Exec("PRAGMA mmap_size=268435456");
  (void)db.Exec("PRAGMA cache_size=-32768");
  return db;
}

absl::Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string s(sql);
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    absl::Status st = FromCode(rc, db_, s.substr(0, 80));
    sqlite3_free(err);
    return st;
  }
  return absl::OkStatus();
}

void StmtCache::Return(sqlite3_stmt* s) noexcept {
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (!closed) {
    try {
      const char* text = sqlite3_sql(s);
      auto it = free.find(text);
      if (it == free.end()) {
        if (free.size() >= kTexts)  // full: drop the texts with nothing kept
          std::erase_if(free, [](const auto& entry) { return entry.second.empty(); });
        if (free.size() < kTexts) it = free.emplace(text, std::vector<sqlite3_stmt*>()).first;
      }
      if (it != free.end() && it->second.size() < kPerText) {
        it->second.push_back(s);
        return;
      }
    } catch (...) {  // out of memory: finalized below
    }
  }
  sqlite3_finalize(s);
}

void StmtCache::FinalizeAll() {
  for (auto& [text, stmts] : free)
    for (sqlite3_stmt* s : stmts) sqlite3_finalize(s);
  free.clear();
  closed = true;
}

absl::StatusOr<Stmt> Db::Prepare(std::string_view sql) {
  if (cache_) {
    // Heterogeneous lookup would save this copy; the compile it replaces costs far more.
    auto it = cache_->free.find(std::string(sql));
    if (it != cache_->free.end() && !it->second.empty()) {
      sqlite3_stmt* s = it->second.back();
      it->second.pop_back();
      return Stmt(db_, s, cache_);
    }
  }
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK)
    return FromCode(rc, db_, absl::StrCat("prepare ", std::string(sql.substr(0, 80))));
  // Kept for reuse only when the statement is the whole text (its key).
  const bool whole = s != nullptr && sql == std::string_view(sqlite3_sql(s));
  return Stmt(db_, s, whole ? cache_ : nullptr);
}

absl::StatusOr<int64_t> Db::QueryInt(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  return *row ? stmt->Int(0) : 0;
}

absl::Status Db::Migrate(const std::string& component, const std::vector<std::string>& migrations) {
  if (auto st = Exec("CREATE TABLE IF NOT EXISTS concord_schema("
                     "component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
      !st.ok())
    return st;
  auto get = Prepare("SELECT version FROM concord_schema WHERE component=?");
  if (!get.ok()) return get.status();
  get->Bind(1, component);
  auto row = get->Step();
  if (!row.ok()) return row.status();
  const int64_t version = *row ? get->Int(0) : 0;
  get->Reset();
  for (size_t i = static_cast<size_t>(version); i < migrations.size(); ++i) {
    auto txn = Txn::Begin(*this);
    if (!txn.ok()) return txn.status();
    if (auto st = Exec(migrations[i]); !st.ok()) return st;
    auto put = Prepare("INSERT OR REPLACE INTO concord_schema(component, version) VALUES(?,?)");
    if (!put.ok()) return put.status();
    put->BindAll(component, static_cast<int64_t>(i + 1));
    if (auto st = put->Run(); !st.ok()) return st;
    if (auto st = txn->Commit(); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status BackupTo(Db& from, const std::string& to_path) {
  sqlite3* to = nullptr;
  int rc =
      sqlite3_open_v2(to_path.c_str(), &to,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status st = FromCode(rc, to, absl::StrCat("open ", to_path));
    sqlite3_close_v2(to);
    return st;
  }
  sqlite3_busy_timeout(to, 5000);
  sqlite3_exec(to, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
  absl::Status st;
  sqlite3_backup* b = sqlite3_backup_init(to, "main", from.raw(), "main");
  if (b == nullptr) {
    st = FromCode(sqlite3_errcode(to), to, absl::StrCat("backup to ", to_path));
  } else {
    // One step of every page: one read transaction on the source, so a write
    // by another process cannot restart the copy halfway.
    while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED)
      sqlite3_sleep(50);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) st = FromCode(rc, to, absl::StrCat("backup to ", to_path));
  }
  if (st.ok()) st = FromCode(sqlite3_errcode(to), to, absl::StrCat("backup to ", to_path));
  // The copy is read as a plain file (checksums, restore): no WAL beside it.
  if (st.ok() && sqlite3_exec(to, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr) != 0)
    st = FromCode(sqlite3_errcode(to), to, absl::StrCat("journal_mode ", to_path));
  sqlite3_close_v2(to);
  return st;
}

absl::Status IntegrityCheck(Db& db) {
  auto stmt = db.Prepare("PRAGMA integrity_check(10)");
  if (!stmt.ok()) return stmt.status();
  std::string found;
  while (true) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (stmt->Text(0) != "ok") absl::StrAppend(&found, found.empty() ? "" : "; ", stmt->Text(0));
  }
  stmt->Reset();
  if (found.empty()) return absl::OkStatus();
  return absl::DataLossError(found);
}

absl::StatusOr<Txn> Txn::Begin(Db& db, bool immediate) {
  if (auto st = db.Exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN"); !st.ok()) return st;
  return Txn(&db);
}

absl::Status Txn::Commit() {
  absl::Status st = db_->Exec("COMMIT");
  if (st.ok()) db_ = nullptr;
  return st;
}

}  // namespace concord::sqlite

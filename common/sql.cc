#include "common/sql.h"

#include <libpq-fe.h>
#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/pg.h"
#include "common/status_macros.h"

namespace concord::sql {
namespace internal {

constexpr Oid kUnknownOid = 0, kBoolOid = 16, kByteaOid = 17, kInt8Oid = 20, kTextOid = 25,
              kFloat8Oid = 701;

// One SQL text as PostgreSQL takes it, and the server-side statements made
// of it on this connection (one per list of parameter types).
struct Rewritten {
  std::string sql;
  int params = 0;
  std::vector<bool> named;         // [k]: the text names $k+1
  bool savepoint_command = false;  // SAVEPOINT, RELEASE or ROLLBACK: sent as it is
  std::map<std::vector<Oid>, std::string> prepared;  // parameter types -> name
};

struct PgConn {
  pg::Conn conn;
  std::string schema;
  int64_t changes = 0;
  int64_t statements = 0;  // names given to prepared statements
  std::unordered_map<std::string, std::shared_ptr<Rewritten>> rewrites;
};

struct Value {
  Oid type = kUnknownOid;
  std::string bytes;
  bool null = true;
};

struct PgStmt {
  PgConn* c = nullptr;
  std::shared_ptr<Rewritten> text;
  std::vector<Value> values;
  pg::Result result;
  int row = -1;
  bool executed = false;

  Value& At(int i) {
    if (executed) {
      result = pg::Result();
      executed = false;
    }
    if (i < 1) i = 1;
    if (static_cast<size_t>(i) > values.size()) values.resize(static_cast<size_t>(i));
    return values[static_cast<size_t>(i) - 1];
  }
};

}  // namespace internal

namespace {

using internal::PgConn;
using internal::PgStmt;

std::string Head(std::string_view sql) {
  std::string s(sql.substr(0, 60));
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

bool IsWordChar(char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; }

// The position just past the words `words` (case-insensitive, any spaces
// between them) at `at`, or npos.
size_t MatchWords(std::string_view s, size_t at, std::initializer_list<std::string_view> words) {
  if (at >= s.size()) return std::string_view::npos;
  size_t i = at;
  for (std::string_view w : words) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (s.size() - i < w.size() || strncasecmp(s.data() + i, w.data(), w.size()) != 0)
      return std::string_view::npos;
    i += w.size();
    if (IsWordChar(w.back()) && i < s.size() && IsWordChar(s[i])) return std::string_view::npos;
  }
  return i;
}

// Finds `word` at the top level of `s` (outside quotes, comments and
// brackets), from the end; npos if none.
size_t FindTopLevelWord(std::string_view s, std::string_view word) {
  size_t found = std::string_view::npos;
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char ch = s[i];
    if (ch == '\'' || ch == '"') {
      const size_t end = s.find(ch, i + 1);
      if (end == std::string_view::npos) break;
      i = end;
    } else if (ch == '(') {
      ++depth;
    } else if (ch == ')') {
      --depth;
    } else if (depth == 0 && (i == 0 || !IsWordChar(s[i - 1])) &&
               MatchWords(s, i, {word}) != std::string_view::npos) {
      found = i;
    }
  }
  return found;
}

// The statement with `clause` added before a top-level RETURNING, or at its
// end (a trailing ';' and spaces dropped).
std::string AppendClause(std::string sql, std::string_view clause) {
  while (!sql.empty() &&
         (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back()))))
    sql.pop_back();
  const size_t returning = FindTopLevelWord(sql, "RETURNING");
  if (returning == std::string_view::npos) return sql + " " + std::string(clause);
  return sql.substr(0, returning) + std::string(clause) + " " + sql.substr(returning);
}

absl::StatusOr<std::vector<std::string>> PrimaryKey(pg::Conn& conn, const std::string& table) {
  ASSIGN_OR_RETURN(auto r,
                   conn.Query("SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON "
                              "a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                              "WHERE i.indrelid = to_regclass($1) AND i.indisprimary",
                              pg::Params::Of(table)));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.Bytes(i, 0));
  if (out.empty())
    return absl::InternalError(
        absl::StrCat("postgresql: INSERT OR REPLACE into ", table, ": no primary key"));
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

int HexDigit(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return 0;
}

// Prepares `text` with these parameter types on `c` under a new name. A
// parameter the text never names, or whose type it does not tell (`? IS
// NULL`), is text. Inside a transaction the attempt runs in a savepoint, so
// that a statement the server refuses does not spoil the caller's work.
absl::StatusOr<std::string> PgPrepare(PgConn& c, const internal::Rewritten& text,
                                      std::vector<Oid> types) {
  for (size_t i = 0; i < types.size() && i < text.named.size(); ++i)
    if (types[i] == internal::kUnknownOid && !text.named[i]) types[i] = internal::kTextOid;
  PGconn* conn = c.conn.raw();
  const bool in_txn = PQtransactionStatus(conn) != PQTRANS_IDLE;
  if (in_txn) RETURN_IF_ERROR(c.conn.Exec("SAVEPOINT concord_prepare"));
  const std::string name = absl::StrCat("q", c.statements++);
  const int n = static_cast<int>(types.size());
  pg::Result r(PQprepare(conn, name.c_str(), text.sql.c_str(), n, types.data()));
  const char* state = r.get() ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
  if (state && std::string_view(state) == "42P18") {
    if (in_txn) RETURN_IF_ERROR(c.conn.Exec("ROLLBACK TO concord_prepare"));
    for (auto& t : types)
      if (t == internal::kUnknownOid) t = internal::kTextOid;
    r = pg::Result(PQprepare(conn, name.c_str(), text.sql.c_str(), n, types.data()));
  }
  if (!r.get() || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    absl::Status st = pg::StatusOf(r.get(), conn, Head(text.sql));
    if (in_txn) (void)c.conn.Exec("ROLLBACK TO concord_prepare; RELEASE concord_prepare");
    return st;
  }
  if (in_txn) RETURN_IF_ERROR(c.conn.Exec("RELEASE concord_prepare"));
  return name;
}

}  // namespace

std::string RewriteForPostgresql(std::string_view sql, int* params) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char ch = sql[i];
    if (ch == '\'' || ch == '"') {
      size_t end = sql.find(ch, i + 1);
      if (end == std::string_view::npos) end = sql.size() - 1;
      out.append(sql.substr(i, end - i + 1));
      i = end;
    } else if (ch == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      if (end == std::string_view::npos) end = sql.size() - 1;
      out.append(sql.substr(i, end - i + 1));
      i = end;
    } else if (ch == '?') {
      // ?NNN: that parameter; ? alone: the one after the highest so far.
      size_t end = i + 1;
      while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end]))) ++end;
      if (end > i + 1) {
        const int k = std::atoi(std::string(sql.substr(i + 1, end - i - 1)).c_str());
        n = std::max(n, k);
        absl::StrAppend(&out, "$", k);
        i = end - 1;
      } else {
        absl::StrAppend(&out, "$", ++n);
      }
    } else if ((i == 0 || !IsWordChar(sql[i - 1])) &&
               MatchWords(sql, i, {"instr", "("}) != std::string_view::npos) {
      out += "strpos";
      i += 4;  // "instr" (the bracket follows as it is)
    } else {
      out += ch;
    }
  }
  if (params) *params = n;
  // INSERT OR IGNORE: the statement's start only.
  size_t start = out.find_first_not_of(" \t\r\n");
  if (start != std::string::npos) {
    const size_t after = MatchWords(out, start, {"INSERT", "OR", "IGNORE"});
    if (after != std::string_view::npos) {
      out = absl::StrCat(out.substr(0, start), "INSERT", out.substr(after));
      out = AppendClause(std::move(out), "ON CONFLICT DO NOTHING");
    }
  }
  return out;
}

// ---------------------------------------------------------------- Stmt

Stmt::Stmt() = default;
Stmt::Stmt(sqlite::Stmt lite) : lite_(std::move(lite)) {}
Stmt::Stmt(std::unique_ptr<internal::PgStmt> pg) : pg_(std::move(pg)) {}
Stmt::Stmt(Stmt&& o) noexcept = default;
Stmt& Stmt::operator=(Stmt&& o) noexcept = default;
Stmt::~Stmt() = default;

Stmt& Stmt::PgBindInt(int i, int64_t v) {
  auto& value = pg_->At(i);
  value = {internal::kInt8Oid, std::to_string(v), false};
  return *this;
}

Stmt& Stmt::PgBindDouble(int i, double v) {
  auto& value = pg_->At(i);
  value = {internal::kFloat8Oid, absl::StrFormat("%.17g", v), false};
  return *this;
}

Stmt& Stmt::PgBindText(int i, std::string_view v) {
  auto& value = pg_->At(i);
  // PostgreSQL's text holds no NUL: such a value is the caller's bytes.
  value = {v.find('\0') == std::string_view::npos ? internal::kUnknownOid : internal::kByteaOid,
           std::string(v), false};
  return *this;
}

Stmt& Stmt::PgBindBlob(int i, std::string_view v) {
  auto& value = pg_->At(i);
  value = {internal::kByteaOid, std::string(v), false};
  return *this;
}

Stmt& Stmt::PgBindNull(int i) {
  auto& value = pg_->At(i);
  value = {};
  return *this;
}

absl::StatusOr<bool> Stmt::PgStep() {
  PgStmt& s = *pg_;
  if (!s.executed) {
    PgConn& c = *s.c;
    if (!c.conn.raw()) return absl::UnavailableError("postgresql: not connected");
    const int n = std::max<int>(s.text->params, static_cast<int>(s.values.size()));
    s.values.resize(static_cast<size_t>(n));
    std::vector<Oid> types;
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
    for (const auto& v : s.values) {
      types.push_back(v.type);
      values.push_back(v.null ? nullptr : v.bytes.data());
      lengths.push_back(static_cast<int>(v.bytes.size()));
      formats.push_back(v.type == internal::kByteaOid ? 1 : 0);
    }
    pg::Result r;
    if (n == 0 &&
        (s.text->savepoint_command || PQtransactionStatus(c.conn.raw()) == PQTRANS_INERROR)) {
      // Savepoint commands (and anything in a transaction an error has
      // aborted, where nothing prepares) are sent as they are, so that
      // ROLLBACK TO can still mend an aborted transaction.
      r = pg::Result(PQexec(c.conn.raw(), s.text->sql.c_str()));
    } else {
      auto name = s.text->prepared.find(types);
      if (name == s.text->prepared.end()) {
        ASSIGN_OR_RETURN(std::string prepared, PgPrepare(c, *s.text, types));
        name = s.text->prepared.emplace(types, std::move(prepared)).first;
      }
      r = pg::Result(PQexecPrepared(c.conn.raw(), name->second.c_str(), n, values.data(),
                                    lengths.data(), formats.data(), 0));
    }
    const ExecStatusType status = r.get() ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      return pg::StatusOf(r.get(), c.conn.raw(), Head(s.text->sql));
    const std::string_view command = PQcmdStatus(r.get());
    if (command.starts_with("INSERT") || command.starts_with("UPDATE") ||
        command.starts_with("DELETE"))
      c.changes = r.Affected();
    s.result = std::move(r);
    s.executed = true;
    s.row = -1;
  }
  if (++s.row < s.result.rows()) return true;
  s.executed = false;  // done: the next Step runs it again
  s.result = pg::Result();
  return false;
}

absl::Status Stmt::PgRun() {
  pg_->executed = false;
  auto st = PgStep();
  PgReset();
  return st.status();
}

void Stmt::PgReset() {
  pg_->result = pg::Result();
  pg_->executed = false;
  pg_->row = -1;
  pg_->values.clear();
}

bool Stmt::PgIsNull(int col) const {
  const auto& s = *pg_;
  return !s.executed || s.row < 0 || s.result.IsNull(s.row, col);
}

int64_t Stmt::PgInt(int col) const {
  if (PgIsNull(col)) return 0;
  const char* p = PQgetvalue(pg_->result.get(), pg_->row, col);
  const Oid type = PQftype(pg_->result.get(), col);
  if (type == internal::kBoolOid) return p[0] == 't' ? 1 : 0;
  if (type == internal::kFloat8Oid) return static_cast<int64_t>(std::strtod(p, nullptr));
  return std::strtoll(p, nullptr, 10);
}

double Stmt::PgDouble(int col) const {
  if (PgIsNull(col)) return 0;
  const char* p = PQgetvalue(pg_->result.get(), pg_->row, col);
  if (PQftype(pg_->result.get(), col) == internal::kBoolOid) return p[0] == 't' ? 1 : 0;
  return std::strtod(p, nullptr);
}

std::string Stmt::PgText(int col) const {
  if (PgIsNull(col)) return std::string();
  const PGresult* r = pg_->result.get();
  const char* p = PQgetvalue(r, pg_->row, col);
  const size_t len = static_cast<size_t>(PQgetlength(r, pg_->row, col));
  if (PQftype(r, col) != internal::kByteaOid || len < 2 || p[0] != '\\' || p[1] != 'x')
    return std::string(p, len);
  std::string out;
  out.reserve((len - 2) / 2);
  for (size_t i = 2; i + 1 < len; i += 2)
    out += static_cast<char>(HexDigit(p[i]) << 4 | HexDigit(p[i + 1]));
  return out;
}

// ---------------------------------------------------------------- Db

Db::Db() = default;
Db::Db(Db&& o) noexcept = default;
Db& Db::operator=(Db&& o) noexcept = default;
Db::~Db() = default;

absl::StatusOr<Db> Db::Open(const std::string& path, const sqlite::OpenOptions& opts) {
  ASSIGN_OR_RETURN(auto lite, sqlite::Db::Open(path, opts));
  return Wrap(std::move(lite));
}

Db Db::Wrap(sqlite::Db lite) {
  Db db;
  db.lite_ = std::move(lite);
  return db;
}

absl::StatusOr<Db> Db::OpenPostgresql(const PostgresqlTarget& target) {
  if (target.schema.empty()) return absl::InvalidArgumentError("postgresql: no schema named");
  ASSIGN_OR_RETURN(auto conn, pg::Conn::Open(target.conninfo, target.application_name));
  const std::string schema = pg::QuoteIdent(target.schema);
  // Two processes starting together: one makes the schema, the other waits.
  if (auto st = conn.Exec(absl::StrCat("BEGIN; SELECT pg_advisory_xact_lock(7283001); "
                                       "CREATE SCHEMA IF NOT EXISTS ",
                                       schema, "; COMMIT"));
      !st.ok()) {
    (void)conn.Exec("ROLLBACK");
    return st;
  }
  RETURN_IF_ERROR(
      conn.Exec(absl::StrCat("SET search_path TO ", schema, "; SET bytea_output = hex")));
  Db db;
  db.pg_ = std::make_unique<PgConn>();
  db.pg_->conn = std::move(conn);
  db.pg_->schema = target.schema;
  return db;
}

std::string Db::where() const {
  if (pg_) return absl::StrCat("postgresql schema ", pg_->schema);
  const char* file = lite_.raw() ? sqlite3_db_filename(lite_.raw(), "main") : nullptr;
  return file ? file : "";
}

absl::Status Db::Exec(std::string_view sql) {
  if (!pg_) return lite_.Exec(sql);
  return pg_->conn.Exec(sql);
}

absl::StatusOr<Stmt> Db::Prepare(std::string_view sql) {
  if (!pg_) {
    ASSIGN_OR_RETURN(auto lite, lite_.Prepare(sql));
    return Stmt(std::move(lite));
  }
  PgConn& c = *pg_;
  auto it = c.rewrites.find(std::string(sql));
  if (it == c.rewrites.end()) {
    auto text = std::make_shared<internal::Rewritten>();
    text->sql = RewriteForPostgresql(sql, &text->params);
    const size_t start = text->sql.find_first_not_of(" \t\r\n");
    const size_t after = start == std::string::npos
                             ? std::string_view::npos
                             : MatchWords(text->sql, start, {"INSERT", "OR", "REPLACE", "INTO"});
    if (after != std::string_view::npos) {
      // INSERT OR REPLACE INTO t(a, b, ...): an upsert on t's primary key.
      std::string_view rest = std::string_view(text->sql).substr(after);
      const size_t open = rest.find('('), close = rest.find(')');
      if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return absl::InvalidArgumentError(
            absl::StrCat("postgresql: INSERT OR REPLACE needs its columns: ", Head(sql)));
      const std::string table = Trim(rest.substr(0, open));
      std::vector<std::string> columns;
      std::string_view list = rest.substr(open + 1, close - open - 1);
      while (!list.empty()) {
        const size_t comma = std::min(list.find(','), list.size());
        columns.push_back(Trim(list.substr(0, comma)));
        list.remove_prefix(std::min(list.size(), comma + 1));
      }
      ASSIGN_OR_RETURN(auto key, PrimaryKey(c.conn, table));
      std::vector<std::string> sets;
      for (const auto& col : columns)
        if (std::find(key.begin(), key.end(), col) == key.end())
          sets.push_back(absl::StrCat(col, " = excluded.", col));
      const std::string conflict =
          sets.empty() ? absl::StrCat("ON CONFLICT (", absl::StrJoin(key, ", "), ") DO NOTHING")
                       : absl::StrCat("ON CONFLICT (", absl::StrJoin(key, ", "), ") DO UPDATE SET ",
                                      absl::StrJoin(sets, ", "));
      text->sql =
          AppendClause(text->sql.substr(0, start) + "INSERT INTO" + std::string(rest), conflict);
    }
    text->named.assign(static_cast<size_t>(text->params), false);
    for (size_t at = text->sql.find('$'); at != std::string::npos;
         at = text->sql.find('$', at + 1)) {
      const int k = std::atoi(text->sql.c_str() + at + 1);
      if (k >= 1 && k <= text->params) text->named[static_cast<size_t>(k) - 1] = true;
    }
    const size_t first = text->sql.find_first_not_of(" \t\r\n");
    for (std::string_view word : {"SAVEPOINT", "RELEASE", "ROLLBACK"})
      if (MatchWords(text->sql, first, {word}) != std::string_view::npos)
        text->savepoint_command = true;
    it = c.rewrites.emplace(std::string(sql), std::move(text)).first;
  }
  auto stmt = std::make_unique<PgStmt>();
  stmt->c = &c;
  stmt->text = it->second;
  return Stmt(std::move(stmt));
}

void Db::Close() {
  lite_.Close();
  pg_.reset();
}

int64_t Db::Changes() const { return pg_ ? pg_->changes : lite_.Changes(); }

absl::StatusOr<int64_t> Db::QueryInt(std::string_view sql) {
  if (!pg_) return lite_.QueryInt(sql);
  ASSIGN_OR_RETURN(auto stmt, Prepare(sql));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

absl::Status Db::Migrate(const std::string& component, const std::vector<std::string>& sqlite,
                         const std::vector<std::string>& postgresql) {
  if (!pg_) return lite_.Migrate(component, sqlite);
  if (postgresql.empty())
    return absl::UnimplementedError(
        absl::StrCat(component,
                     " 尚不支持 PostgreSQL / has no PostgreSQL schema yet: use [store] kind = "
                     "\"sqlite\""));
  return pg_->conn.Migrate(component, postgresql);
}

absl::StatusOr<bool> Db::TryTakeLead() {
  if (!pg_) return absl::FailedPreconditionError("a lead is taken on PostgreSQL only");
  ASSIGN_OR_RETURN(int64_t got,
                   QueryInt("SELECT pg_try_advisory_lock(7283003, hashtext(current_schema()))"));
  return got != 0;
}

absl::Status Db::Commit() {
  if (!pg_) return lite_.Exec("COMMIT");
  PGconn* conn = pg_->conn.raw();
  if (!conn) return absl::UnavailableError("postgresql: not connected");
  // A transaction an error aborted answers COMMIT with ROLLBACK, and no
  // error: said here, so that nothing of it is taken as done.
  if (PQtransactionStatus(conn) == PQTRANS_INERROR) {
    (void)pg_->conn.Exec("ROLLBACK");
    return absl::InternalError(
        "postgresql: the transaction was aborted by an earlier error; rolled back");
  }
  pg::Result r(PQexec(conn, "COMMIT"));
  if (!r.get() || PQresultStatus(r.get()) != PGRES_COMMAND_OK)
    return pg::StatusOf(r.get(), conn, "COMMIT");
  if (std::string_view(PQcmdStatus(r.get())) != "COMMIT")
    return absl::InternalError(absl::StrCat("postgresql: COMMIT ended in ", PQcmdStatus(r.get())));
  return absl::OkStatus();
}

bool Db::InTransaction() const {
  if (!pg_) return lite_.raw() && sqlite3_get_autocommit(lite_.raw()) == 0;
  return pg_->conn.raw() && PQtransactionStatus(pg_->conn.raw()) != PQTRANS_IDLE;
}

// ---------------------------------------------------------------- Txn, Savepoint

absl::StatusOr<Txn> Txn::Begin(Db& db, bool immediate) {
  if (db.is_postgresql()) {
    // (PostgreSQL only warns; the inner COMMIT would end the outer one.)
    if (db.InTransaction())
      return absl::FailedPreconditionError("postgresql: BEGIN inside a transaction");
    RETURN_IF_ERROR(db.Exec("BEGIN"));
  } else {
    RETURN_IF_ERROR(db.Exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  }
  return Txn(&db);
}

absl::Status Txn::Commit() {
  absl::Status st = db_->Commit();
  if (st.ok() || db_->is_postgresql()) db_ = nullptr;  // PostgreSQL ends it either way
  return st;
}

Savepoint::Savepoint(Db& db) : db_(db) {
  if (db_.is_postgresql() && !db_.InTransaction()) {
    own_txn_ = true;
    ok_ = db_.Exec("BEGIN").ok();
  } else {
    ok_ = db_.Exec("SAVEPOINT concord_op").ok();
  }
}

Savepoint::~Savepoint() {
  if (!ok_ || released_) return;
  if (own_txn_) {
    (void)db_.Exec("ROLLBACK");
  } else {
    (void)db_.Exec("ROLLBACK TO concord_op");
    (void)db_.Exec("RELEASE concord_op");
  }
}

absl::Status Savepoint::Release() {
  released_ = true;
  return own_txn_ ? db_.Commit() : db_.Exec("RELEASE concord_op");
}

}  // namespace concord::sql

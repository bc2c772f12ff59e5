#include "common/pg.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace concord::pg {
namespace {

constexpr Oid kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kOidOid = 26;

absl::Status FromResult(const PGresult* r, PGconn* c, std::string_view what) {
  std::string state, message;
  if (r) {
    const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (s) state = s;
    message = PQresultErrorMessage(r);
  }
  if (message.empty() && c) message = PQerrorMessage(c);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  const std::string text = absl::StrCat("postgresql: ", std::string(what), ": ", message,
                                        state.empty() ? "" : absl::StrCat(" (", state, ")"));
  if (state.empty() || (c && PQstatus(c) != CONNECTION_OK)) return absl::UnavailableError(text);
  if (state == "23505") return absl::AlreadyExistsError(text);
  const std::string_view cls = std::string_view(state).substr(0, 2);
  if (cls == "08" || cls == "53" || state == "40001" || state == "40P01" || state == "57P01" ||
      state == "57P02" || state == "57P03" || state == "25P03")
    return absl::UnavailableError(text);
  return absl::InternalError(text);
}

constexpr Oid kByteaOid = 17, kTextOid = 25;

void PutInt32(std::string& out, uint32_t v) {
  v = htonl(v);
  out.append(reinterpret_cast<const char*>(&v), 4);
}

// array_send's format: ndim, has-nulls flag, element type, then per
// dimension its length and lower bound, then each element as length + bytes.
std::string ArrayHeader(Oid element, size_t n) {
  std::string out;
  PutInt32(out, n ? 1 : 0);
  PutInt32(out, 0);
  PutInt32(out, element);
  if (n) {
    PutInt32(out, static_cast<uint32_t>(n));
    PutInt32(out, 1);
  }
  return out;
}

std::string BinaryArray(Oid element, const std::vector<std::string_view>& values) {
  size_t bytes = 20;
  for (auto v : values) bytes += 4 + v.size();
  std::string out = ArrayHeader(element, values.size());
  out.reserve(bytes);
  for (auto v : values) {
    PutInt32(out, static_cast<uint32_t>(v.size()));
    out.append(v.data(), v.size());
  }
  return out;
}

bool ResultOk(const PGresult* r) {
  const ExecStatusType s = PQresultStatus(r);
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_SINGLE_TUPLE;
}

std::string Head(std::string_view sql) {
  std::string s(sql.substr(0, 60));
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

}  // namespace

Params& Params::Add(int64_t v) { return AddText(std::to_string(v)); }

Params& Params::Add(double v) { return AddText(absl::StrCat(v)); }

Params& Params::AddText(std::string_view text) {
  values_.emplace_back(text);
  formats_.push_back(0);
  null_.push_back(false);
  return *this;
}

Params& Params::AddBytes(std::string_view bytes) {
  values_.emplace_back(bytes);
  formats_.push_back(1);
  null_.push_back(false);
  return *this;
}

Params& Params::AddBytes(std::string&& bytes) {
  values_.push_back(std::move(bytes));
  formats_.push_back(1);
  null_.push_back(false);
  return *this;
}

Params& Params::AddNull() {
  values_.emplace_back();
  formats_.push_back(0);
  null_.push_back(true);
  return *this;
}

Params& Params::AddIntArray(const std::vector<int64_t>& values) {
  return AddText(absl::StrCat("{", absl::StrJoin(values, ","), "}"));
}

Params& Params::AddInt64Array(const std::vector<int64_t>& values) {
  std::string out = ArrayHeader(kInt8Oid, values.size());
  out.reserve(out.size() + values.size() * 12);
  for (int64_t v : values) {
    PutInt32(out, 8);
    const uint64_t u = static_cast<uint64_t>(v);
    PutInt32(out, static_cast<uint32_t>(u >> 32));
    PutInt32(out, static_cast<uint32_t>(u));
  }
  return AddBytes(std::move(out));
}

Params& Params::AddTextArray(const std::vector<std::string_view>& values) {
  return AddBytes(BinaryArray(kTextOid, values));
}

Params& Params::AddBytesArray(const std::vector<std::string_view>& values) {
  return AddBytes(BinaryArray(kByteaOid, values));
}

Params::Raw Params::raw() const {
  Raw r;
  r.values.reserve(values_.size());
  for (size_t i = 0; i < values_.size(); ++i) {
    r.values.push_back(null_[i] ? nullptr : values_[i].data());
    r.lengths.push_back(static_cast<int>(values_[i].size()));
  }
  r.formats = formats_;
  return r;
}

int64_t Result::Int(int row, int col) const {
  if (PQgetisnull(r_, row, col)) return 0;
  const char* p = PQgetvalue(r_, row, col);
  const int len = PQgetlength(r_, row, col);
  if (PQfformat(r_, col) == 0) return std::strtoll(p, nullptr, 10);
  const Oid type = PQftype(r_, col);
  if (type == kInt8Oid && len == 8) {
    uint32_t hi, lo;
    std::memcpy(&hi, p, 4);
    std::memcpy(&lo, p + 4, 4);
    return static_cast<int64_t>((static_cast<uint64_t>(ntohl(hi)) << 32) | ntohl(lo));
  }
  if ((type == kInt4Oid || type == kOidOid) && len == 4) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return type == kOidOid ? static_cast<int64_t>(ntohl(v))
                           : static_cast<int64_t>(static_cast<int32_t>(ntohl(v)));
  }
  if (type == kInt2Oid && len == 2) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return static_cast<int16_t>(ntohs(v));
  }
  if (type == kBoolOid && len == 1) return p[0] != 0;
  return std::strtoll(std::string(p, static_cast<size_t>(len)).c_str(), nullptr, 10);
}

std::string Result::Bytes(int row, int col) const {
  if (PQgetisnull(r_, row, col)) return std::string();
  return std::string(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
}

int64_t Result::Affected() const {
  const char* n = r_ ? PQcmdTuples(r_) : nullptr;
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

absl::StatusOr<Conn> Conn::Open(const std::string& conninfo, const std::string& application_name) {
  // A peer that vanishes (machine off, network cut) is noticed within
  // seconds, not TCP's minutes; the connection string may say otherwise
  // (it comes after these and wins).
  const char* keys[] = {"keepalives",       "keepalives_idle",  "keepalives_interval",
                        "keepalives_count", "tcp_user_timeout", "connect_timeout",
                        "dbname",           "application_name", nullptr};
  const char* values[] = {
      "1", "5", "1", "3", "5000", "5", conninfo.c_str(), application_name.c_str(), nullptr};
  // expand_dbname=1: `dbname` may be a whole connection string or URI.
  PGconn* c = PQconnectdbParams(keys, values, 1);
  if (c == nullptr) return absl::ResourceExhaustedError("postgresql: out of memory");
  Conn conn(c);
  if (PQstatus(c) != CONNECTION_OK) {
    std::string m = PQerrorMessage(c);
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return absl::UnavailableError(absl::StrCat("postgresql: cannot connect: ", m));
  }
  if (auto st = conn.Exec("SET synchronous_commit = on; SET client_min_messages = warning");
      !st.ok())
    return st;
  // The server's side of the same: a client that vanished is noticed in
  // seconds, and its session (with any advisory lock it held) ends. Over a
  // Unix socket these do nothing; a server that does not know them is left
  // with its own settings.
  (void)conn.Exec(
      "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 1; "
      "SET tcp_keepalives_count = 3; SET tcp_user_timeout = 5000");
  return conn;
}

absl::Status Conn::Exec(std::string_view sql) {
  if (!c_) return absl::UnavailableError("postgresql: not connected");
  Result r(PQexec(c_, std::string(sql).c_str()));
  if (!r.get() || !ResultOk(r.get())) return FromResult(r.get(), c_, Head(sql));
  return absl::OkStatus();
}

absl::StatusOr<Result> Conn::Query(std::string_view sql, const Params& params) {
  if (!c_) return absl::UnavailableError("postgresql: not connected");
  const Params::Raw p = params.raw();
  Result r(PQexecParams(c_, std::string(sql).c_str(), params.size(), nullptr, p.values.data(),
                        p.lengths.data(), p.formats.data(), 1));
  if (!r.get() || !ResultOk(r.get())) return FromResult(r.get(), c_, Head(sql));
  return r;
}

absl::StatusOr<int64_t> Conn::QueryInt(std::string_view sql, const Params& params) {
  auto r = Query(sql, params);
  if (!r.ok()) return r.status();
  return r->rows() > 0 ? r->Int(0, 0) : 0;
}

absl::Status Conn::Prepare(const std::string& name, std::string_view sql) {
  if (!c_) return absl::UnavailableError("postgresql: not connected");
  if (std::find(prepared_.begin(), prepared_.end(), name) != prepared_.end())
    return absl::OkStatus();
  Result r(PQprepare(c_, name.c_str(), std::string(sql).c_str(), 0, nullptr));
  if (!r.get() || !ResultOk(r.get()))
    return FromResult(r.get(), c_, absl::StrCat("prepare ", name));
  prepared_.push_back(name);
  return absl::OkStatus();
}

absl::StatusOr<Result> Conn::Run(const std::string& name, const Params& params) {
  if (!c_) return absl::UnavailableError("postgresql: not connected");
  const Params::Raw p = params.raw();
  Result r(PQexecPrepared(c_, name.c_str(), params.size(), p.values.data(), p.lengths.data(),
                          p.formats.data(), 1));
  if (!r.get() || !ResultOk(r.get())) return FromResult(r.get(), c_, name);
  return r;
}

absl::Status Conn::Migrate(const std::string& component,
                           const std::vector<std::string>& migrations) {
  // Two daemons starting at once on an empty database would both create the
  // table: the lock comes first, then the table.
  if (auto st = Exec("BEGIN; SELECT pg_advisory_xact_lock(7283001); "
                     "CREATE TABLE IF NOT EXISTS concord_schema("
                     "component TEXT PRIMARY KEY, version INTEGER NOT NULL); COMMIT");
      !st.ok()) {
    (void)Exec("ROLLBACK");
    return st;
  }
  for (;;) {
    if (auto st = Exec("BEGIN; SELECT pg_advisory_xact_lock(7283001)"); !st.ok()) {
      (void)Exec("ROLLBACK");
      return st;
    }
    auto version = QueryInt("SELECT version::bigint FROM concord_schema WHERE component = $1",
                            Params::Of(component));
    if (!version.ok()) {
      (void)Exec("ROLLBACK");
      return version.status();
    }
    const size_t i = static_cast<size_t>(*version);
    if (i >= migrations.size()) return Exec("COMMIT");
    absl::Status st = Exec(migrations[i]);
    if (st.ok()) {
      auto put = Query(
          "INSERT INTO concord_schema(component, version) VALUES($1, $2) "
          "ON CONFLICT (component) DO UPDATE SET version = excluded.version",
          Params::Of(component, static_cast<int64_t>(i + 1)));
      st = put.status();
    }
    if (st.ok()) st = Exec("COMMIT");
    if (!st.ok()) {
      (void)Exec("ROLLBACK");
      return absl::Status(st.code(),
                          absl::StrCat(component, " migration ", i + 1, ": ", st.message()));
    }
  }
}

Pipeline::Pipeline(Conn& conn) : conn_(conn) {
  entered_ = conn_.raw() && PQenterPipelineMode(conn_.raw()) == 1;
}

Pipeline::~Pipeline() {
  if (!entered_) return;
  if (queued_ > 0) (void)Sync();
  PQexitPipelineMode(conn_.raw());
}

absl::Status Pipeline::Queued(int sent, std::string_view what) {
  if (sent != 1)
    return absl::UnavailableError(
        absl::StrCat("postgresql: send ", std::string(what), ": ", PQerrorMessage(conn_.raw())));
  if (++queued_ >= kFlushEvery) {
    auto r = Sync();
    if (!r.ok()) {
      if (error_.ok()) error_ = r.status();
    } else {
      for (auto& x : *r) done_.push_back(std::move(x));
    }
  }
  return absl::OkStatus();
}

absl::Status Pipeline::Send(const std::string& name, const Params& params) {
  if (!entered_) return absl::UnavailableError("postgresql: not connected (pipeline)");
  const Params::Raw p = params.raw();
  return Queued(PQsendQueryPrepared(conn_.raw(), name.c_str(), params.size(), p.values.data(),
                                    p.lengths.data(), p.formats.data(), 1),
                name);
}

absl::Status Pipeline::SendSql(std::string_view sql, const Params& params) {
  if (!entered_) return absl::UnavailableError("postgresql: not connected (pipeline)");
  const Params::Raw p = params.raw();
  return Queued(PQsendQueryParams(conn_.raw(), std::string(sql).c_str(), params.size(), nullptr,
                                  p.values.data(), p.lengths.data(), p.formats.data(), 1),
                Head(sql));
}

absl::Status Pipeline::Flush() {
  if (!entered_) return absl::UnavailableError("postgresql: not connected (pipeline)");
  if (PQflush(conn_.raw()) != 0)
    return absl::UnavailableError(
        absl::StrCat("postgresql: pipeline flush: ", PQerrorMessage(conn_.raw())));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Result>> Pipeline::Sync() {
  if (!entered_) return absl::UnavailableError("postgresql: not connected (pipeline)");
  PGconn* c = conn_.raw();
  std::vector<Result> out = std::move(done_);
  done_.clear();
  absl::Status first = std::exchange(error_, absl::OkStatus());
  const int expected = queued_;
  queued_ = 0;
  if (PQpipelineSync(c) != 1)
    return absl::UnavailableError(absl::StrCat("postgresql: pipeline sync: ", PQerrorMessage(c)));
  int seen = 0;
  for (;;) {
    PGresult* raw = PQgetResult(c);
    if (raw == nullptr) {
      // The end of one statement's results; a lost connection ends them all.
      if (PQstatus(c) != CONNECTION_OK) return FromResult(nullptr, c, "pipeline");
      continue;
    }
    Result r(raw);
    const ExecStatusType s = PQresultStatus(raw);
    if (s == PGRES_PIPELINE_SYNC) break;
    ++seen;
    if (s == PGRES_PIPELINE_ABORTED) {
      if (first.ok()) first = absl::UnavailableError("postgresql: pipeline aborted");
    } else if (!ResultOk(raw)) {
      if (first.ok()) first = FromResult(raw, c, "pipeline");
    }
    out.push_back(std::move(r));
  }
  if (!first.ok()) return first;
  if (seen != expected)
    return absl::InternalError(
        absl::StrCat("postgresql: pipeline: ", seen, " results for ", expected, " statements"));
  return out;
}

absl::Status StatusOf(const PGresult* r, PGconn* c, std::string_view what) {
  return FromResult(r, c, what);
}

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char ch : name) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

}  // namespace concord::pg

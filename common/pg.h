// Thin, move-only RAII wrappers over libpq (PostgreSQL's C client), for the
// stores that run on a shared PostgreSQL cluster instead of a SQLite file
// (docs/storage.md, "PostgreSQL").
//
// Conn owns one connection; Result owns one PGresult. A connection belongs to
// one thread at a time. Statements are sent with the extended protocol: the
// values travel apart from the SQL text ($1, $2, ...), text values as text,
// byte strings (bytea) as binary; results come back in binary format, so
// Result::Int reads int2/int4/int8/bool columns (cast anything else, such as
// count(*)::bigint is already int8, sums to ::bigint) and Result::Bytes
// returns text and bytea columns as they are stored.
//
// Pipeline sends many statements and reads their results with one round
// trip: a group commit of a thousand INSERTs costs about what one costs.
//
// Errors come back as absl::Status by SQLSTATE: a lost connection (class 08),
// the server shutting down (57P01..57P03), serialization failure or deadlock
// (40001, 40P01), no space (53xxx) -> Unavailable (retry, possibly after
// reconnecting); unique violation (23505) -> AlreadyExists; anything else ->
// Internal. The message names the statement and the server's own words.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace concord::pg {

// The values of one statement's parameters, in order ($1 first).
class Params {
 public:
  Params() = default;
  template <typename... Args>
  static Params Of(Args&&... args) {
    Params p;
    (p.Add(std::forward<Args>(args)), ...);
    return p;
  }
  Params& Add(int64_t v);
  Params& Add(int v) { return Add(static_cast<int64_t>(v)); }
  Params& Add(uint32_t v) { return Add(static_cast<int64_t>(v)); }
  Params& Add(uint64_t v) { return Add(static_cast<int64_t>(v)); }
  Params& Add(bool v) { return AddText(v ? "true" : "false"); }
  Params& Add(double v);
  Params& Add(std::string_view text) { return AddText(text); }
  Params& Add(const char* text) { return AddText(text); }
  Params& Add(const std::string& text) { return AddText(text); }
  Params& AddText(std::string_view text);
  // A bytea value, sent in binary: any bytes, NUL included.
  Params& AddBytes(std::string_view bytes);
  Params& AddBytes(std::string&& bytes);  // taken, not copied (the arrays below)
  Params& AddNull();
  // A bigint[] value ("{1,2,3}").
  Params& AddIntArray(const std::vector<int64_t>& values);
  // One-dimensional arrays in PostgreSQL's binary array format, for a
  // parameter cast to bigint[], text[] or bytea[]: many rows in one
  // statement (INSERT ... SELECT ... FROM unnest($1::bigint[], $2::bytea[])).
  Params& AddInt64Array(const std::vector<int64_t>& values);
  Params& AddTextArray(const std::vector<std::string_view>& values);
  Params& AddBytesArray(const std::vector<std::string_view>& values);

  int size() const { return static_cast<int>(values_.size()); }
  // Pointer arrays for libpq, valid until the next Add.
  struct Raw {
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
  };
  Raw raw() const;

 private:
  std::vector<std::string> values_;
  std::vector<int> formats_;  // 0 text, 1 binary
  std::vector<bool> null_;
};

class Result {
 public:
  Result() = default;
  explicit Result(PGresult* r) : r_(r) {}
  Result(Result&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
  Result& operator=(Result&& o) noexcept {
    if (this != &o) {
      if (r_) PQclear(r_);
      r_ = std::exchange(o.r_, nullptr);
    }
    return *this;
  }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result() {
    if (r_) PQclear(r_);
  }

  int rows() const { return r_ ? PQntuples(r_) : 0; }
  bool IsNull(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  // An int2/int4/int8/oid/bool column (0 when NULL).
  int64_t Int(int row, int col) const;
  // A text, varchar or bytea column, as stored ("" when NULL).
  std::string Bytes(int row, int col) const;
  // Rows an INSERT/UPDATE/DELETE touched.
  int64_t Affected() const;
  PGresult* get() const { return r_; }

 private:
  PGresult* r_ = nullptr;
};

class Conn {
 public:
  Conn() = default;
  Conn(Conn&& o) noexcept : c_(std::exchange(o.c_, nullptr)), prepared_(std::move(o.prepared_)) {}
  Conn& operator=(Conn&& o) noexcept {
    if (this != &o) {
      Close();
      c_ = std::exchange(o.c_, nullptr);
      prepared_ = std::move(o.prepared_);
    }
    return *this;
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() { Close(); }

  // Connects with a libpq connection string ("host=... port=... dbname=...
  // user=..." or a postgresql:// URI), with synchronous_commit on (a COMMIT
  // returns once the transaction is durable, on the synchronous standby too
  // when the cluster names one) and `application_name` as given.
  // Unavailable when the server cannot be reached.
  static absl::StatusOr<Conn> Open(const std::string& conninfo,
                                   const std::string& application_name = "concord");

  // One or more statements with no parameters (simple protocol).
  absl::Status Exec(std::string_view sql);
  // One statement, with parameters; binary results.
  absl::StatusOr<Result> Query(std::string_view sql, const Params& params = {});
  // The first column of the first row as an integer (0 when no row).
  absl::StatusOr<int64_t> QueryInt(std::string_view sql, const Params& params = {});
  // Prepares `sql` under `name` on this connection (once; later calls with
  // the same name do nothing), then runs it.
  absl::Status Prepare(const std::string& name, std::string_view sql);
  absl::StatusOr<Result> Run(const std::string& name, const Params& params);

  // Runs `migrations[i]` for every i >= the version recorded for `component`
  // in concord_schema(component, version), each in its own transaction with
  // the version bump, holding a transaction-level advisory lock so that two
  // daemons starting at once migrate one after the other.
  absl::Status Migrate(const std::string& component, const std::vector<std::string>& migrations);

  // False once the connection is lost (the server went away, a network cut).
  bool ok() const { return c_ && PQstatus(c_) == CONNECTION_OK; }
  // The server's process id for this connection (pg_backend_pid()).
  int backend_pid() const { return c_ ? PQbackendPID(c_) : 0; }
  PGconn* raw() const { return c_; }
  void Close() {
    if (c_) PQfinish(c_);
    c_ = nullptr;
    prepared_.clear();
  }

 private:
  explicit Conn(PGconn* c) : c_(c) {}
  PGconn* c_ = nullptr;
  std::vector<std::string> prepared_;  // statement names prepared on c_
};

// Statements sent back to back and their results read together. Results are
// read (and the first error returned) by Sync(); a pipeline used inside an
// explicit transaction (BEGIN sent first) keeps it open across syncs, so a
// transaction may read results half way (to decide the rest) and go on.
// Every kFlushEvery statements the pipeline syncs by itself, so that
// neither side's socket buffer can fill while the other waits.
class Pipeline {
 public:
  static constexpr int kFlushEvery = 2000;
  explicit Pipeline(Conn& conn);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Queues a statement prepared on the connection (Conn::Prepare), or SQL text.
  absl::Status Send(const std::string& name, const Params& params);
  absl::Status SendSql(std::string_view sql, const Params& params = {});
  // Sends what is queued so far, so that the server starts on it while the
  // caller prepares the rest (Sync still reads the results).
  absl::Status Flush();
  // Reads the results of everything queued since the last Sync, in order.
  absl::StatusOr<std::vector<Result>> Sync();

 private:
  absl::Status Queued(int sent, std::string_view what);
  Conn& conn_;
  bool entered_ = false;
  int queued_ = 0;
  std::vector<Result> done_;  // read by an automatic sync, not yet returned
  absl::Status error_;        // the first error of an automatic sync
};

// The status of a failed statement (`r` may be null: the connection's
// error), mapped by SQLSTATE as above; `what` names the statement.
absl::Status StatusOf(const PGresult* r, PGconn* c, std::string_view what);

// Quotes an identifier (a database or role name) for SQL text.
std::string QuoteIdent(std::string_view name);

}  // namespace concord::pg

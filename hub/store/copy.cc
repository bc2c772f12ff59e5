#include "hub/store/copy.h"

#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/pg.h"
#include "common/sqlite.h"
#include "common/status_macros.h"
#include "hub/store/schema.h"

namespace concord::hub {
namespace {

// Rows go over in chunks: one INSERT ... SELECT FROM unnest(arrays) each.
constexpr int kChunk = 2000;

// A table's columns: `int` ones travel as bigint[], `text` as text[],
// `bytes` as bytea[]. The same names on both sides.
struct Column {
  std::string name;
  enum Kind { kInt, kText, kBytes } kind;
};

struct Table {
  std::string name;
  std::vector<Column> columns;
  std::string order;  // a stable order to read it in
};

const std::vector<Table>& Tables() {
  using C = Column;
  static const std::vector<Table> k = {
      {"recipients", {{"id", C::kInt}, {"name", C::kText}, {"acked_through", C::kInt}}, "id"},
      {"messages",
       {{"seq", C::kInt},
        {"id", C::kText},
        {"sender", C::kText},
        {"created_ms", C::kInt},
        {"expires_ms", C::kInt},
        {"stored_ms", C::kInt},
        {"envelope", C::kBytes}},
       "seq"},
      {"mailbox", {{"recipient", C::kInt}, {"seq", C::kInt}}, "recipient, seq"},
      {"subscriptions", {{"topic", C::kText}, {"recipient", C::kInt}}, "topic, recipient"},
      {"dead_letters",
       {{"id", C::kInt},
        {"recipient", C::kText},
        {"seq", C::kInt},
        {"message_id", C::kText},
        {"sender", C::kText},
        {"attempts", C::kInt},
        {"reason", C::kText},
        {"at_ms", C::kInt},
        {"envelope", C::kBytes},
        {"replayed", C::kInt}},
       "id"},
      {"audit", {{"n", C::kInt}, {"line", C::kText}, {"hash", C::kText}}, "n"},
      {"seq_floor", {{"id", C::kInt}, {"seq", C::kInt}}, "id"},
  };
  return k;
}

// INSERT INTO hub.<t>(cols) SELECT ... FROM unnest($1::bigint[], ...).
std::string InsertSql(const Table& t) {
  std::string cols, args, select;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const Column& c = t.columns[i];
    const char* type = c.kind == Column::kInt    ? "bigint[]"
                       : c.kind == Column::kText ? "text[]"
                                                 : "bytea[]";
    absl::StrAppend(&cols, i ? "," : "", c.name);
    absl::StrAppend(&args, i ? "," : "", "$", i + 1, "::", type);
    // replayed is boolean on PostgreSQL, 0/1 in SQLite.
    absl::StrAppend(&select, i ? "," : "",
                    c.name == "replayed" ? absl::StrCat("c", i, " <> 0") : absl::StrCat("c", i));
  }
  std::string alias;
  for (size_t i = 0; i < t.columns.size(); ++i) absl::StrAppend(&alias, i ? "," : "", "c", i);
  return absl::StrCat("INSERT INTO hub.", t.name, "(", cols, ") SELECT ", select, " FROM unnest(",
                      args, ") AS x(", alias, ")");
}

// Copies one table in chunks; returns its row count.
absl::StatusOr<int64_t> CopyTable(sqlite::Db& from, pg::Conn& to, const Table& t) {
  std::string cols;
  for (size_t i = 0; i < t.columns.size(); ++i)
    absl::StrAppend(&cols, i ? "," : "", t.columns[i].name);
  ASSIGN_OR_RETURN(auto read, from.Prepare(absl::StrCat("SELECT ", cols, " FROM ", t.name,
                                                        " ORDER BY ", t.order)));
  const std::string insert = InsertSql(t);
  int64_t total = 0;
  bool more = true;
  while (more) {
    std::vector<std::vector<int64_t>> ints(t.columns.size());
    std::vector<std::vector<std::string>> strs(t.columns.size());
    int n = 0;
    while (n < kChunk) {
      ASSIGN_OR_RETURN(bool row, read.Step());
      if (!row) {
        more = false;
        break;
      }
      for (size_t i = 0; i < t.columns.size(); ++i) {
        if (t.columns[i].kind == Column::kInt)
          ints[i].push_back(read.Int(static_cast<int>(i)));
        else if (t.columns[i].kind == Column::kText)
          strs[i].push_back(read.Text(static_cast<int>(i)));
        else
          strs[i].push_back(read.Blob(static_cast<int>(i)));
      }
      ++n;
    }
    if (n == 0) break;
    pg::Params p;
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (t.columns[i].kind == Column::kInt) {
        p.AddInt64Array(ints[i]);
      } else {
        std::vector<std::string_view> v(strs[i].begin(), strs[i].end());
        if (t.columns[i].kind == Column::kText)
          p.AddTextArray(v);
        else
          p.AddBytesArray(v);
      }
    }
    RETURN_IF_ERROR(to.Query(insert, p).status());
    total += n;
  }
  return total;
}

}  // namespace

absl::StatusOr<CopyReport> CopyHubToPostgres(const std::string& sqlite_path,
                                             const std::string& conninfo) {
  sqlite::OpenOptions ro;
  ro.read_only = true;
  ASSIGN_OR_RETURN(sqlite::Db from, sqlite::Db::Open(sqlite_path, ro));
  ASSIGN_OR_RETURN(int64_t version,
                   from.QueryInt("SELECT coalesce(max(version),0) FROM concord_schema "
                                 "WHERE component = 'hub'"));
  if (version != static_cast<int64_t>(HubMigrations().size()))
    return absl::FailedPreconditionError(absl::StrCat(
        sqlite_path, " 的表结构版本为 ", version,
        "，请先用本版本的 concord-hub 启动一次 / has schema version ", version, ", not ",
        HubMigrations().size(), ": start this version's concord-hub on it once first"));
  ASSIGN_OR_RETURN(pg::Conn to, pg::Conn::Open(conninfo, "concordctl store copy"));
  RETURN_IF_ERROR(to.Migrate("hub", HubPostgresMigrations()));
  ASSIGN_OR_RETURN(int64_t present,
                   to.QueryInt("SELECT ((SELECT count(*) FROM hub.messages) + (SELECT count(*) "
                               "FROM hub.recipients) + (SELECT count(*) FROM hub.audit))::bigint"));
  if (present > 0)
    return absl::FailedPreconditionError(
        "目标数据库已有枢纽数据，未写入任何内容 / the target database already holds a hub "
        "(messages, recipients or audit lines): nothing was written");

  CopyReport report;
  RETURN_IF_ERROR(from.Exec("BEGIN"));  // one snapshot of the source
  RETURN_IF_ERROR(to.Exec("BEGIN"));
  absl::Status st = [&]() -> absl::Status {
    for (const Table& t : Tables()) {
      ASSIGN_OR_RETURN(int64_t n, CopyTable(from, to, t));
      report.rows[t.name] = n;
    }
    // New rows after the copied ones.
    RETURN_IF_ERROR(
        to.Exec("SELECT setval(pg_get_serial_sequence('hub.recipients','id'), "
                "coalesce((SELECT max(id) FROM hub.recipients), 0) + 1, false); "
                "SELECT setval(pg_get_serial_sequence('hub.dead_letters','id'), "
                "coalesce((SELECT max(id) FROM hub.dead_letters), 0) + 1, false)"));
    // Both sides the same: counts and the chain's head.
    for (const Table& t : Tables()) {
      ASSIGN_OR_RETURN(int64_t n, to.QueryInt(absl::StrCat("SELECT count(*) FROM hub.", t.name)));
      if (n != report.rows[t.name])
        return absl::DataLossError(absl::StrCat("hub.", t.name, ": ", n, " rows after the copy, ",
                                                report.rows[t.name], " in ", sqlite_path));
    }
    ASSIGN_OR_RETURN(auto src, from.Prepare("SELECT n, hash FROM audit ORDER BY n DESC LIMIT 1"));
    ASSIGN_OR_RETURN(bool has, src.Step());
    ASSIGN_OR_RETURN(pg::Result dst,
                     to.Query("SELECT n, hash FROM hub.audit ORDER BY n DESC LIMIT 1"));
    if (has != (dst.rows() > 0) ||
        (has && (src.Int(0) != dst.Int(0, 0) || src.Text(1) != dst.Bytes(0, 1))))
      return absl::DataLossError(
          "审计链链头不一致 / the audit chain's head differs after the copy");
    if (has) {
      report.audit_last_n = src.Int(0);
      report.audit_last_hash = src.Text(1);
    }
    return to.Exec("COMMIT");
  }();
  (void)from.Exec("COMMIT");
  if (!st.ok()) {
    (void)to.Exec("ROLLBACK");
    return st;
  }
  return report;
}

}  // namespace concord::hub

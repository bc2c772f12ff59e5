#include "hub/store/copy.h"

#include <sodium.h>

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
  std::string order;  // a stable order to read it in (the same on both sides)
};

// A digest of a table's rows in order, fed value by value the same way on
// both sides: the copy is checked against what was read, not counted.
class RowDigest {
 public:
  RowDigest() { crypto_generichash_init(&st_, nullptr, 0, crypto_generichash_BYTES); }
  void Int(int64_t v) {
    const std::string s = absl::StrCat("i", v, ";");
    Feed(s);
  }
  void Bytes(std::string_view v) {
    Feed(absl::StrCat("b", v.size(), ":"));
    Feed(v);
  }
  std::string Done() {
    unsigned char out[crypto_generichash_BYTES];
    crypto_generichash_final(&st_, out, sizeof out);
    return std::string(reinterpret_cast<char*>(out), sizeof out);
  }

 private:
  void Feed(std::string_view v) {
    crypto_generichash_update(&st_, reinterpret_cast<const unsigned char*>(v.data()), v.size());
  }
  crypto_generichash_state st_;
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
      {"subscriptions",
       {{"topic", C::kText}, {"recipient", C::kInt}},
       "topic COLLATE \"C\", recipient"},
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

std::string ColumnList(const Table& t) {
  std::string cols;
  for (size_t i = 0; i < t.columns.size(); ++i)
    absl::StrAppend(&cols, i ? "," : "", t.columns[i].name);
  return cols;
}

// Copies one table in chunks; its row count, and the digest of what was read.
absl::StatusOr<std::pair<int64_t, std::string>> CopyTable(sqlite::Db& from, pg::Conn& to,
                                                          const Table& t) {
  // SQLite compares text byte by byte: COLLATE "C" is PostgreSQL's word for it.
  std::string order = t.order;
  if (auto c = order.find(" COLLATE \"C\""); c != std::string::npos) order.erase(c, 12);
  ASSIGN_OR_RETURN(auto read, from.Prepare(absl::StrCat("SELECT ", ColumnList(t), " FROM ", t.name,
                                                        " ORDER BY ", order)));
  RowDigest digest;
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
        if (t.columns[i].kind == Column::kInt) {
          ints[i].push_back(read.Int(static_cast<int>(i)));
          digest.Int(ints[i].back());
        } else {
          strs[i].push_back(t.columns[i].kind == Column::kText ? read.Text(static_cast<int>(i))
                                                               : read.Blob(static_cast<int>(i)));
          digest.Bytes(strs[i].back());
        }
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
  return std::make_pair(total, digest.Done());
}

// The same digest over what the target now holds, read back in chunks
// through a cursor.
absl::StatusOr<std::pair<int64_t, std::string>> ReadBack(pg::Conn& to, const Table& t) {
  RETURN_IF_ERROR(
      to.Exec(absl::StrCat("DECLARE concord_copy NO SCROLL CURSOR FOR SELECT ", ColumnList(t),
                           " FROM hub.", t.name, " ORDER BY ", t.order)));
  RowDigest digest;
  int64_t total = 0;
  for (;;) {
    ASSIGN_OR_RETURN(pg::Result r, to.Query(absl::StrCat("FETCH ", kChunk, " FROM concord_copy")));
    if (r.rows() == 0) break;
    for (int row = 0; row < r.rows(); ++row)
      for (size_t i = 0; i < t.columns.size(); ++i) {
        if (t.columns[i].kind == Column::kInt)
          digest.Int(r.Int(row, static_cast<int>(i)));
        else
          digest.Bytes(r.Bytes(row, static_cast<int>(i)));
      }
    total += r.rows();
  }
  RETURN_IF_ERROR(to.Exec("CLOSE concord_copy"));
  return std::make_pair(total, digest.Done());
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
    std::map<std::string, std::string> digests;
    for (const Table& t : Tables()) {
      ASSIGN_OR_RETURN(auto copied, CopyTable(from, to, t));
      report.rows[t.name] = copied.first;
      digests[t.name] = copied.second;
    }
    // New rows after the copied ones.
    RETURN_IF_ERROR(
        to.Exec("SELECT setval(pg_get_serial_sequence('hub.recipients','id'), "
                "coalesce((SELECT max(id) FROM hub.recipients), 0) + 1, false); "
                "SELECT setval(pg_get_serial_sequence('hub.dead_letters','id'), "
                "coalesce((SELECT max(id) FROM hub.dead_letters), 0) + 1, false)"));
    // Both sides the same: every row and value, read back, and the chain's head.
    for (const Table& t : Tables()) {
      ASSIGN_OR_RETURN(auto back, ReadBack(to, t));
      if (back.first != report.rows[t.name] || back.second != digests[t.name])
        return absl::DataLossError(absl::StrCat(
            "hub.", t.name, " 复制后与源不一致 / differs from ", sqlite_path, " after the copy (",
            back.first, " rows read back, ", report.rows[t.name], " copied)"));
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

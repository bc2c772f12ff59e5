#include "tools/concordctl/book_copy.h"

#include <sqlite3.h>

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agents/aid/applications.h"
#include "agents/aid/registry.h"
#include "agents/conference/agent.h"
#include "agents/conference/conference.h"
#include "agents/ledger/ledger.h"
#include "agents/risk/risk.h"
#include "common/pg.h"
#include "common/sql.h"
#include "common/sqlite.h"
#include "common/status_macros.h"
#include "hub/client/client.h"

namespace concord::ctl {
namespace {

using Migrations = const std::vector<std::string>& (*)();

// What may live in a book, with its schema on each engine.
struct Component {
  const char* name;
  Migrations sqlite, postgresql;
};
const Component kComponents[] = {
    {"client", client::ClientMigrations, client::ClientPostgresqlMigrations},
    {"ledger", ledger::Ledger::Schema, ledger::Ledger::PostgresqlSchema},
    {"aid", aid::RegistryMigrations, aid::RegistryPostgresqlMigrations},
    {"aid_applications", aid::ApplicationMigrations, aid::ApplicationPostgresqlMigrations},
    {"risk", risk::RiskBook::Schema, risk::RiskBook::PostgresqlSchema},
    {"conference", conference::Conferences::Schema, conference::Conferences::PostgresqlSchema},
    {"conference_agent", conference::AgentTableMigrations,
     conference::AgentTablePostgresqlMigrations},
};

// The ledger's gram index (FTS5 and its bookkeeping): SQLite's only; a
// search on PostgreSQL reads item_search.
bool SqliteOnly(const std::string& table) { return table.rfind("item_grams", 0) == 0; }

// Binds column `col` of `from`'s row to parameter `i` of `to`, keeping its type.
void BindColumn(const sqlite::Stmt& from, int col, sql::Stmt& to, int i) {
  switch (from.Type(col)) {
    case SQLITE_INTEGER:
      to.Bind(i, from.Int(col));
      break;
    case SQLITE_FLOAT:
      to.Bind(i, from.Double(col));
      break;
    case SQLITE_TEXT:
      to.Bind(i, from.Text(col));
      break;
    case SQLITE_BLOB:
      to.BindBlob(i, from.Blob(col));
      break;
    default:
      to.BindNull(i);
  }
}

absl::StatusOr<std::vector<std::string>> LiteStrings(sqlite::Db& db, const std::string& sql,
                                                     int col = 0) {
  ASSIGN_OR_RETURN(auto q, db.Prepare(sql));
  std::vector<std::string> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(q.Text(col));
  }
  return out;
}

struct PgColumn {
  std::string name;
  bool identity = false;
};

absl::StatusOr<std::vector<PgColumn>> PgColumns(sql::Db& db, const std::string& table) {
  ASSIGN_OR_RETURN(auto q,
                   db.Prepare("SELECT column_name::text, is_identity::text FROM "
                              "information_schema.columns WHERE table_schema = "
                              "current_schema() AND table_name = ? ORDER BY ordinal_position"));
  q.Bind(1, table);
  std::vector<PgColumn> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back({q.Text(0), q.Text(1) == "YES"});
  }
  return out;
}

// Copies `table`'s rows; returns how many.
absl::StatusOr<int64_t> CopyTable(sqlite::Db& from, sql::Db& to, const std::string& table,
                                  const std::vector<PgColumn>& target) {
  ASSIGN_OR_RETURN(
      auto columns,
      LiteStrings(from, absl::StrCat("PRAGMA table_info(", pg::QuoteIdent(table), ")"), 1));
  auto has = [&](const std::string& c) {
    return std::any_of(target.begin(), target.end(),
                       [&](const PgColumn& t) { return t.name == c; });
  };
  for (const auto& c : columns)
    if (!has(c))
      return absl::FailedPreconditionError(absl::StrCat("表 ", table, " 的列 ", c,
                                                        " 在 PostgreSQL 上没有 / column ", table,
                                                        ".", c, " has no place on PostgreSQL"));
  // SQLite's implicit rowid, where the PostgreSQL table keeps it as a column.
  if (has("rowid") && std::find(columns.begin(), columns.end(), "rowid") == columns.end() &&
      from.Prepare(absl::StrCat("SELECT rowid FROM ", pg::QuoteIdent(table), " LIMIT 0")).ok())
    columns.push_back("rowid");
  std::vector<std::string> quoted, marks;
  for (const auto& c : columns) {
    quoted.push_back(pg::QuoteIdent(c));
    marks.push_back("?");
  }
  const std::string list = absl::StrJoin(quoted, ", ");
  ASSIGN_OR_RETURN(auto rows,
                   from.Prepare(absl::StrCat("SELECT ", list, " FROM ", pg::QuoteIdent(table))));
  ASSIGN_OR_RETURN(auto put, to.Prepare(absl::StrCat("INSERT INTO ", pg::QuoteIdent(table), "(",
                                                     list, ") OVERRIDING SYSTEM VALUE VALUES(",
                                                     absl::StrJoin(marks, ","), ")")));
  int64_t n = 0;
  while (true) {
    ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    for (size_t i = 0; i < columns.size(); ++i)
      BindColumn(rows, static_cast<int>(i), put, static_cast<int>(i + 1));
    RETURN_IF_ERROR(put.Run());
    ++n;
  }
  // Identity counters go on after the ids copied.
  for (const auto& c : target)
    if (c.identity)
      RETURN_IF_ERROR(to.QueryInt(absl::StrCat("SELECT setval(pg_get_serial_sequence(?, ?), "
                                               "coalesce((SELECT max(",
                                               pg::QuoteIdent(c.name), ") FROM ",
                                               pg::QuoteIdent(table), "), 0) + 1, false)"),
                                  table, c.name)
                          .status());
  return n;
}

}  // namespace

absl::StatusOr<BookCopyReport> CopyBookToPostgres(const std::string& sqlite_path,
                                                  const std::string& conninfo,
                                                  const std::string& schema) {
  BookCopyReport report;
  report.schema = schema;
  ASSIGN_OR_RETURN(auto from, sqlite::Db::Open(sqlite_path, {.read_only = true}));
  // Which components the file holds, each at its newest version.
  auto versions = from.Prepare("SELECT component, version FROM concord_schema ORDER BY component");
  if (!versions.ok())
    return absl::FailedPreconditionError(absl::StrCat(
        sqlite_path,
        " 不是代理的数据库 / is not an agent's database: ", versions.status().message()));
  std::vector<const Component*> components;
  while (true) {
    ASSIGN_OR_RETURN(bool row, versions->Step());
    if (!row) break;
    const std::string name = versions->Text(0);
    const int64_t version = versions->Int(1);
    const Component* c = nullptr;
    for (const auto& k : kComponents)
      if (name == k.name) c = &k;
    if (!c)
      return absl::FailedPreconditionError(
          absl::StrCat("组成部分 ", name, " 没有 PostgreSQL 表结构 / component ", name,
                       " has no PostgreSQL schema (adapters keep their SQLite file)"));
    if (version != static_cast<int64_t>(c->sqlite().size()))
      return absl::FailedPreconditionError(
          absl::StrCat(name, " 的版本为 ", version, "，最新为 ", c->sqlite().size(),
                       "：请先在 SQLite 上启动一次代理以升级 / is at version ", version, " of ",
                       c->sqlite().size(), ": start the agent once on SQLite to upgrade it first"));
    components.push_back(c);
    report.components.push_back(name);
  }
  if (components.empty())
    return absl::FailedPreconditionError(absl::StrCat(sqlite_path, " 中没有账本 / holds no book"));

  ASSIGN_OR_RETURN(auto to, sql::Db::OpenPostgresql({.conninfo = conninfo,
                                                     .schema = schema,
                                                     .application_name = "concordctl store copy"}));
  // An agent already running on the target (its standby started early)
  // holds the schema's lead: the copy would race it.
  ASSIGN_OR_RETURN(bool free, to.TryTakeLead());
  if (!free)
    return absl::FailedPreconditionError(absl::StrCat("代理正在使用 PostgreSQL 模式 ", schema,
                                                      "，请先停止 / an agent runs on schema ",
                                                      schema, ": stop it (and its standby) first"));
  // The target's tables are made first (again after a copy that failed:
  // they are there, empty); a schema that holds any row is not written to.
  for (const Component* c : components)
    RETURN_IF_ERROR(to.Migrate(c->name, c->sqlite(), c->postgresql()));
  ASSIGN_OR_RETURN(auto target_tables, to.Prepare("SELECT table_name::text FROM "
                                                  "information_schema.tables WHERE table_schema = "
                                                  "current_schema() AND table_name != "
                                                  "'concord_schema'"));
  std::vector<std::string> held;
  while (true) {
    ASSIGN_OR_RETURN(bool row, target_tables.Step());
    if (!row) break;
    held.push_back(target_tables.Text(0));
  }
  for (const std::string& table : held) {
    ASSIGN_OR_RETURN(int64_t rows,
                     to.QueryInt(absl::StrCat("SELECT count(*) FROM (SELECT 1 FROM ",
                                              pg::QuoteIdent(table), " LIMIT 1) AS any_row")));
    if (rows > 0)
      return absl::FailedPreconditionError(
          absl::StrCat("PostgreSQL 模式 ", schema, " 已有数据（表 ", table, "）/ schema ", schema,
                       " already holds a book (table ", table, " has rows): nothing was written"));
  }

  ASSIGN_OR_RETURN(auto tables, LiteStrings(from,
                                            "SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' AND name != "
                                            "'concord_schema' ORDER BY name"));
  ASSIGN_OR_RETURN(auto txn, sql::Txn::Begin(to));
  for (const std::string& table : tables) {
    ASSIGN_OR_RETURN(auto target, PgColumns(to, table));
    if (target.empty()) {
      if (SqliteOnly(table)) {
        report.skipped.push_back(table);
        continue;
      }
      return absl::FailedPreconditionError(absl::StrCat(
          "表 ", table, " 在 PostgreSQL 上没有 / table ", table, " has no place on PostgreSQL"));
    }
    ASSIGN_OR_RETURN(report.rows[table], CopyTable(from, to, table, target));
  }
  // Read back before COMMIT: each table holds what the file held.
  for (const auto& [table, n] : report.rows) {
    ASSIGN_OR_RETURN(int64_t there,
                     to.QueryInt(absl::StrCat("SELECT count(*) FROM ", pg::QuoteIdent(table))));
    ASSIGN_OR_RETURN(int64_t here,
                     from.QueryInt(absl::StrCat("SELECT count(*) FROM ", pg::QuoteIdent(table))));
    if (here != n || there != n)
      return absl::DataLossError(absl::StrCat("表 ", table, " 复制后不一致 / table ", table,
                                              " differs after the copy: ", n, " read, ", there,
                                              " in PostgreSQL"));
  }
  RETURN_IF_ERROR(txn.Commit());
  return report;
}

}  // namespace concord::ctl

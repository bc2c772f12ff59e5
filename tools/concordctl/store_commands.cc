// `concordctl store copy`: a district moved from its SQLite files to a
// PostgreSQL database (docs/operations.md §10.5): the hub's store
// (hub/store/copy.h) and each agent's book (book_copy.h), told apart by what
// the file holds.
//
//   systemctl stop concord-hub concord-agent@ledger ...
//   concordctl store copy --from /var/lib/concord/hub/hub.db
//     --to "host=10.1.0.11 dbname=concord user=concord"
//   concordctl store copy --from /var/lib/concord/ledger/ledger.db --to "..."
//     (schema "ledger", the file's name; --schema to say otherwise)
//   # then [store] kind = "postgresql" in each config, and start them
//
// Exit codes: 0 copied and checked; 1 the copy differed from the source
// (rolled back, nothing kept); 2 usage or input error (the hub still runs on
// the file, the target is not empty, an old schema); 3 the database could
// not be reached.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_join.h"
#include "common/daemon.h"
#include "common/sqlite.h"
#include "hub/store/copy.h"
#include "tools/concordctl/book_copy.h"
#include "tools/concordctl/commands.h"

namespace concord::ctl {
namespace {

int ExitFor(const absl::Status& st) {
  std::cerr << "复制失败 / copy failed: " << st.message() << "\n";
  if (absl::IsUnavailable(st)) return 3;
  if (absl::IsDataLoss(st)) return 1;
  return 2;
}

// True when `path` is a hub's store (its migrations are component "hub").
bool IsHubStore(const std::string& path) {
  auto db = sqlite::Db::Open(path, {.read_only = true});
  if (!db.ok()) return false;
  auto n = db->QueryInt("SELECT count(*) FROM concord_schema WHERE component = 'hub'");
  return n.ok() && *n > 0;
}

int CmdBookCopy(const std::string& from, const std::string& to, const std::string& schema) {
  auto report = CopyBookToPostgres(from, to, schema);
  if (!report.ok()) return ExitFor(report.status());
  std::cout << "已复制 / copied " << from << " -> PostgreSQL (schema " << report->schema << "; "
            << absl::StrJoin(report->components, ", ") << ")\n";
  for (const auto& [table, n] : report->rows)
    std::cout << "  " << table << ": " << n << " 行 / rows\n";
  if (!report->skipped.empty())
    std::cout << "  仅 SQLite 使用、未复制 / SQLite's own, not copied: "
              << absl::StrJoin(report->skipped, ", ") << "\n";
  std::cout << "下一步 / next: the agent's config [store] kind = \"postgresql\", postgresql = "
               "\"...\", schema = \""
            << report->schema << "\"; start it (and its standby)\n";
  return 0;
}

int CmdStoreCopy(const std::string& from, const std::string& to, std::string schema) {
  // A daemon still running on the file would go on writing what the copy misses.
  auto lock = DatabaseLock::Acquire(from, "concordctl store copy");
  if (!lock.ok()) {
    std::cerr << "守护进程仍在运行，请先停止 / a daemon still runs on " << from
              << "; stop it first: " << lock.status().message() << "\n";
    return 2;
  }
  if (!IsHubStore(from)) {
    if (schema.empty()) schema = std::filesystem::path(from).stem().string();
    return CmdBookCopy(from, to, schema);
  }
  auto report = hub::CopyHubToPostgres(from, to);
  if (!report.ok()) return ExitFor(report.status());
  std::cout << "已复制 / copied " << from << " -> PostgreSQL (schema hub)\n";
  for (const auto& [table, n] : report->rows)
    std::cout << "  " << table << ": " << n << " 行 / rows\n";
  std::cout << "  审计链链头 / audit chain head: line " << report->audit_last_n << " "
            << report->audit_last_hash << " (两边一致 / the same on both sides)\n"
            << "下一步 / next: hub.toml [store] kind = \"postgresql\", postgresql = \"...\"; "
               "start concord-hub\n";
  return 0;
}

}  // namespace

void AddStoreCommands(CLI::App& app, Commands& commands) {
  struct Args {
    std::string from, to, schema;
  };
  auto a = std::make_shared<Args>();
  auto* store = app.add_subcommand("store", "存储 / the hub's store and the agents' books");
  store->require_subcommand(1);
  auto* copy = store->add_subcommand(
      "copy",
      "把枢纽或代理的账本从 SQLite 复制到 PostgreSQL（须先停止）/ copy the hub's store or an "
      "agent's book from SQLite to an empty PostgreSQL schema (the daemon stopped)");
  copy->add_option("--from", a->from, "hub.db, ledger.db, aid.db, risk.db, conference.db")
      ->required()
      ->check(CLI::ExistingFile);
  copy->add_option("--schema", a->schema,
                   "代理账本的模式名（默认为文件名）/ an agent book's schema (default: the file's "
                   "name, e.g. ledger)");
  copy->add_option("--to", a->to,
                   "libpq 连接串 / a libpq connection string, e.g. \"host=10.1.0.11 "
                   "dbname=concord user=concord_hub\"")
      ->required();
  commands.On(copy, [a] { return CmdStoreCopy(a->from, a->to, a->schema); });
}

}  // namespace concord::ctl

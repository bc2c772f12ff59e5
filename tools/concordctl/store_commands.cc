// `concordctl store copy`: a hub's store moved from its SQLite file to a
// PostgreSQL database (hub/store/copy.h; docs/operations.md §10.5).
//
//   systemctl stop concord-hub
//   concordctl store copy --from /var/lib/concord/hub/hub.db
//     --to "host=10.1.0.11 dbname=concord user=concord_hub"
//   # then [store] kind = "postgresql" in hub.toml, and start the hub
//
// Exit codes: 0 copied and checked; 1 the copy differed from the source
// (rolled back, nothing kept); 2 usage or input error (the hub still runs on
// the file, the target is not empty, an old schema); 3 the database could
// not be reached.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "common/daemon.h"
#include "hub/store/copy.h"
#include "tools/concordctl/commands.h"

namespace concord::ctl {
namespace {

int CmdStoreCopy(const std::string& from, const std::string& to) {
  // A hub still running on the file would go on writing what the copy misses.
  auto lock = DatabaseLock::Acquire(from, "concordctl store copy");
  if (!lock.ok()) {
    std::cerr << "枢纽仍在运行，请先停止 / the hub still runs on " << from
              << "; stop it first: " << lock.status().message() << "\n";
    return 2;
  }
  auto report = hub::CopyHubToPostgres(from, to);
  if (!report.ok()) {
    std::cerr << "复制失败 / copy failed: " << report.status().message() << "\n";
    if (absl::IsUnavailable(report.status())) return 3;
    if (absl::IsDataLoss(report.status())) return 1;
    return 2;
  }
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
    std::string from, to;
  };
  auto a = std::make_shared<Args>();
  auto* store = app.add_subcommand("store", "枢纽存储 / the hub's store");
  store->require_subcommand(1);
  auto* copy = store->add_subcommand(
      "copy",
      "把枢纽从 SQLite 复制到 PostgreSQL（须先停止枢纽）/ copy the hub from SQLite to "
      "an empty PostgreSQL database (hub stopped)");
  copy->add_option("--from", a->from, "hub.db")->required()->check(CLI::ExistingFile);
  copy->add_option("--to", a->to,
                   "libpq 连接串 / a libpq connection string, e.g. \"host=10.1.0.11 "
                   "dbname=concord user=concord_hub\"")
      ->required();
  commands.On(copy, [a] { return CmdStoreCopy(a->from, a->to); });
}

}  // namespace concord::ctl

// `concordctl audit ...`: the hub's audit chain (hub/audit/audit.h), read
// from hub.db directly (read-only).
//
//   concordctl audit verify --db data/hub/hub.db     # exit 1 when the chain is broken
//                                                      # or the stored state departs from it
//   concordctl audit show --db data/hub/hub.db [--tail 20]
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "common/sqlite.h"
#include "hub/audit/audit.h"
#include "hub/audit/audit_state.h"
#include "tools/concordctl/commands.h"
#include "tools/concordctl/ctl_util.h"

namespace concord::ctl {
namespace {

int CmdAuditVerify(const std::string& db_path) {
  sqlite::OpenOptions ro;
  ro.read_only = true;
  auto db = sqlite::Db::Open(db_path, ro);
  if (!db.ok()) return Fail(2, std::string(db.status().message()));
  auto r = hub::VerifyAuditChain(*db, hub::AuditHeadPath(db_path));
  if (!r.ok()) return Fail(2, std::string(r.status().message()));
  if (!r->ok) {
    std::cout << "审计链损坏 / audit chain BROKEN at line " << r->first_bad << ": " << r->reason
              << "\n";
    return 1;
  }
  std::cout << "审计链完整 / audit chain intact: " << r->lines << " 行 lines\n";
  // The stored envelopes, cursors, mailboxes and dead letters against it.
  auto state = hub::VerifyStoredState(*db);
  if (!state.ok()) return Fail(2, std::string(state.status().message()));
  if (state->ok) {
    std::cout << "存储状态与审计链一致 / stored state matches the chain: " << state->envelopes
              << " 条消息摘要相符 envelopes, " << state->queued << " 条待投递 queued, "
              << state->dead_letters << " 条死信 dead letters\n";
    return 0;
  }
  std::cout << "存储状态与审计链不符 / stored state does NOT match the chain: " << state->problems
            << " 处 faults\n";
  for (const auto& f : state->faults) std::cout << "  " << f << "\n";
  if (state->problems > static_cast<int64_t>(state->faults.size()))
    std::cout << "  ……另有 / and " << state->problems - state->faults.size() << " more\n";
  return 1;
}

int CmdAuditShow(const std::string& db_path, int tail) {
  sqlite::OpenOptions ro;
  ro.read_only = true;
  auto db = sqlite::Db::Open(db_path, ro);
  if (!db.ok()) return Fail(2, std::string(db.status().message()));
  auto st = db->Prepare(
      "SELECT line FROM (SELECT n, line FROM audit ORDER BY n DESC LIMIT ?) ORDER BY n");
  if (!st.ok()) return Fail(2, std::string(st.status().message()));
  st->Bind(1, tail);
  while (true) {
    auto row = st->Step();
    if (!row.ok() || !*row) break;
    std::cout << st->Text(0) << "\n";
  }
  return 0;
}

}  // namespace

void AddAuditCommands(CLI::App& app, Commands& commands) {
  struct Args {
    std::string db_path;
    int tail = 20;
  };
  auto a = std::make_shared<Args>();
  auto* audit = app.add_subcommand("audit", "审计链 / audit chain");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand("verify", "校验审计链 / verify the chain");
  verify->add_option("--db", a->db_path, "hub.db")->required();
  commands.On(verify, [a] { return CmdAuditVerify(a->db_path); });
  auto* show = audit->add_subcommand("show", "显示最近的审计行 / print the last lines");
  show->add_option("--db", a->db_path, "hub.db")->required();
  show->add_option("--tail", a->tail);
  commands.On(show, [a] { return CmdAuditShow(a->db_path, a->tail); });
}

}  // namespace concord::ctl

#include "adapters/accounts/action_log.h"

#include <algorithm>

#include "adapters/accounts/schema.h"
#include "common/status_macros.h"

namespace concord::accounts {

absl::StatusOr<std::unique_ptr<ActionLog>> ActionLog::Open(sql::Db& db, const Clock& clock) {
  RETURN_IF_ERROR(MigrateAccountTables(db));
  return std::unique_ptr<ActionLog>(new ActionLog(db, clock));
}

absl::Status ActionLog::Record(const ActionRecord& r) {
  if (r.action.empty())
    return absl::InvalidArgumentError("操作记录缺少操作名 / action record without an action");
  if (r.outcome != "ok" && r.outcome != "refused")
    return absl::InvalidArgumentError("操作结果须为 ok 或 refused / outcome must be ok or refused");
  ASSIGN_OR_RETURN(sql::Stmt put,
                   db_.Prepare("INSERT INTO console_actions(at_ms, login, actor, action, target, "
                               "outcome, reason, remote) VALUES(?,?,?,?,?,?,?,?)"));
  put.BindAll(r.at_ms != 0 ? r.at_ms : clock_.NowMs(), r.login, r.actor, r.action, r.target,
              r.outcome, r.reason, r.remote);
  return put.Run();
}

absl::StatusOr<std::vector<ActionRecord>> ActionLog::Recent(int limit, const std::string& login) {
  limit = std::clamp(limit, 1, 1000);
  ASSIGN_OR_RETURN(
      sql::Stmt q,
      db_.Prepare(login.empty()
                      ? "SELECT at_ms, login, actor, action, target, outcome, reason, remote "
                        "FROM console_actions ORDER BY n DESC LIMIT ?"
                      : "SELECT at_ms, login, actor, action, target, outcome, reason, remote "
                        "FROM console_actions WHERE login = ? ORDER BY n DESC LIMIT ?"));
  if (login.empty())
    q.BindAll(static_cast<int64_t>(limit));
  else
    q.BindAll(login, static_cast<int64_t>(limit));
  std::vector<ActionRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back({.at_ms = q.Int(0),
                   .login = q.Text(1),
                   .actor = q.Text(2),
                   .action = q.Text(3),
                   .target = q.Text(4),
                   .outcome = q.Text(5),
                   .reason = q.Text(6),
                   .remote = q.Text(7)});
  }
  return out;
}

}  // namespace concord::accounts

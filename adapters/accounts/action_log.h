// ActionLog: what the console's users did, one row per action, in the
// agency's SQLite file (table console_actions, schema.h). The console
// records every action a user tries (outcome "ok" or "refused", with the
// reason), the login attempts included; Accounts records every change to an
// account ("account.add", "account.passwd", ...) by itself.
//
// Never put a password, a session token or a CSRF token in a record.
//
// Ownership and threads: an ActionLog borrows the Db and the Clock, which
// must outlive it, and is used on the Db's thread. Errors are the Db's
// (Unavailable: retry; Internal), InvalidArgument for a malformed record.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/sql.h"

namespace concord::accounts {

struct ActionRecord {
  int64_t at_ms = 0;    // filled by Record when 0
  std::string login;    // who acted: a console login, or "concordctl:<user>", or "system"
  std::string actor;    // how histories name them: "承办人 李某" (Account::Title)
  std::string action;   // "login", "petition.register", "account.add", ...
  std::string target;   // what it acted on: a login, a ledger number, ...
  std::string outcome;  // "ok" | "refused"
  std::string reason;   // why it was refused, or what changed ("roles=handler,head")
  std::string remote;   // the client's address, "" from concordctl
};

class ActionLog {
 public:
  static absl::StatusOr<std::unique_ptr<ActionLog>> Open(sql::Db& db, const Clock& clock);

  // Appends `r` (inside the caller's transaction, if any). InvalidArgument
  // when action is empty or outcome is neither "ok" nor "refused".
  absl::Status Record(const ActionRecord& r);
  // The newest `limit` records (1..1000), newest first; only those of
  // `login` when it is given.
  absl::StatusOr<std::vector<ActionRecord>> Recent(int limit, const std::string& login = "");

 private:
  ActionLog(sql::Db& db, const Clock& clock) : db_(db), clock_(clock) {}
  sql::Db& db_;
  const Clock& clock_;
};

}  // namespace concord::accounts

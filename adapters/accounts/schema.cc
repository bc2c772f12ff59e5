#include "adapters/accounts/schema.h"

namespace concord::accounts {

absl::Status MigrateAccountTables(sql::Db& db) {
  // IF NOT EXISTS: the adapter and concordctl may both run it on a new file at once.
  return db.Migrate("accounts", {R"sql(
CREATE TABLE IF NOT EXISTS console_accounts(
  login TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  department TEXT NOT NULL,
  roles TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until_ms INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  last_login_ms INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS console_sessions(
  token_hash BLOB PRIMARY KEY,
  login TEXT NOT NULL,
  csrf TEXT NOT NULL,
  remote TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS console_sessions_login ON console_sessions(login);
CREATE TABLE IF NOT EXISTS console_actions(
  n INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  login TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  outcome TEXT NOT NULL,
  reason TEXT NOT NULL,
  remote TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS console_actions_login ON console_actions(login, n);
)sql"});
}

}  // namespace concord::accounts

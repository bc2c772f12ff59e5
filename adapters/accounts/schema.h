// The console's three tables in the agency's SQLite file (`agency.db`),
// created by one numbered migration of the component "accounts"
// (sql::Db::Migrate). Accounts, Sessions and ActionLog each run it when
// opened, so any of them may be opened first; it is idempotent.
//
//   CREATE TABLE console_accounts(
//     login TEXT PRIMARY KEY,            -- [a-z0-9._-]{2,32}
//     name TEXT NOT NULL,                -- 李某
//     department TEXT NOT NULL,          -- 控告申诉检察部
//     roles TEXT NOT NULL,               -- English role names, comma-separated, in Role order
//     password_hash TEXT NOT NULL,       -- crypto_pwhash_str (Argon2id), never the password
//     disabled INTEGER NOT NULL,
//     failed_logins INTEGER NOT NULL,    -- wrong passwords in a row
//     locked_until_ms INTEGER NOT NULL,  -- 0: not locked
//     created_ms INTEGER NOT NULL,
//     last_login_ms INTEGER NOT NULL);
//   CREATE TABLE console_sessions(
//     token_hash BLOB PRIMARY KEY,       -- BLAKE2b-256 of the token, never the token
//     login TEXT NOT NULL, csrf TEXT NOT NULL, remote TEXT NOT NULL,
//     created_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL);
//   CREATE TABLE console_actions(
//     n INTEGER PRIMARY KEY AUTOINCREMENT,
//     at_ms INTEGER NOT NULL, login TEXT NOT NULL, actor TEXT NOT NULL,
//     action TEXT NOT NULL, target TEXT NOT NULL, outcome TEXT NOT NULL,
//     reason TEXT NOT NULL, remote TEXT NOT NULL);
#pragma once

#include "absl/status/status.h"
#include "common/sql.h"

namespace concord::accounts {

// Runs the "accounts" migrations on `db` (not inside a transaction).
absl::Status MigrateAccountTables(sql::Db& db);

}  // namespace concord::accounts

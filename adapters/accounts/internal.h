// What accounts.cc, sessions.cc and action_log.cc share inside the accounts
// library; not part of the console's interface.
#pragma once

#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "common/sql.h"

namespace concord::accounts {

// sodium_init, once per process (thread-safe); aborts if libsodium cannot start.
void InitSodium();

// One change that commits as a whole: a BEGIN IMMEDIATE transaction of its
// own, or a savepoint when the caller already holds a transaction (the
// console's request transaction). Rolled back unless Commit() succeeded.
class Write {
 public:
  explicit Write(sql::Db& db);
  Write(const Write&) = delete;
  Write& operator=(const Write&) = delete;
  // Not OK when the transaction or savepoint could not start.
  const absl::Status& status() const { return status_; }
  absl::Status Commit();

 private:
  std::optional<sql::Txn> txn_;
  std::unique_ptr<sql::Savepoint> savepoint_;
  absl::Status status_;
};

}  // namespace concord::accounts

#include "adapters/accounts/internal.h"

#include <sodium.h>

#include <cstdlib>

namespace concord::accounts {

void InitSodium() {
  static const bool ready = [] { return sodium_init() >= 0; }();
  if (!ready) std::abort();  // no entropy source: nothing here can run safely
}

Write::Write(sql::Db& db) {
  if (!db.InTransaction()) {
    auto txn = sql::Txn::Begin(db);
    if (txn.ok())
      txn_.emplace(std::move(*txn));
    else
      status_ = txn.status();
  } else {
    savepoint_ = std::make_unique<sql::Savepoint>(db);
    if (!savepoint_->ok()) status_ = absl::InternalError("SAVEPOINT failed");
  }
}

absl::Status Write::Commit() {
  if (!status_.ok()) return status_;
  return txn_ ? txn_->Commit() : savepoint_->Release();
}

}  // namespace concord::accounts

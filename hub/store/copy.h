// A hub's store copied from its SQLite file (hub.db) into an empty
// PostgreSQL database, so that a district can move to the shared store
// (docs/operations.md §10.5): `concordctl store copy`.
//
// The hub must be stopped (its lock on hub.db is checked by the caller).
// Every table is copied as it is, row ids included: recipients keep their
// ids (mailboxes, cursors and subscriptions refer to them), dead letters
// theirs, the audit chain its lines and hashes (it verifies unchanged). One
// PostgreSQL transaction: the target has all of it or none. The source is
// read inside one SQLite read transaction (one snapshot); before COMMIT every
// table is read back from the target and its rows' digest compared with
// what was read from the file. The target's empty tables are made first
// (the hub's migrations) even when the copy is then refused.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace concord::hub {

struct CopyReport {
  std::map<std::string, int64_t> rows;  // table -> rows copied
  int64_t audit_last_n = 0;
  std::string audit_last_hash;  // the chain's head, the same on both sides
};

// FailedPrecondition: the target already holds a hub (messages, recipients
// or audit lines): nothing is written. Unavailable: the server cannot be
// reached. DataLoss: after the copy the two sides differ (rolled back).
absl::StatusOr<CopyReport> CopyHubToPostgres(const std::string& sqlite_path,
                                             const std::string& conninfo);

}  // namespace concord::hub

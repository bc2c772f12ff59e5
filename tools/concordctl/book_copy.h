// An agent's book copied from its SQLite file (ledger.db, aid.db, risk.db,
// conference.db) into its schema on PostgreSQL: the other half of
// `concordctl store copy` (docs/operations.md §10.5), so that a district's
// agents move with its hub and can then run as active and standby.
//
// The agent must be stopped (its lock on the file is checked by the
// caller). The file's components (concord_schema: "client" for the inbox and
// outbox, "ledger", "aid", ...) must be at their newest SQLite version, and
// each must have a PostgreSQL schema: their PostgreSQL migrations make the
// target's tables first. Then every table is copied row by row, column by
// column by name (SQLite's own rowid too, where the PostgreSQL table keeps
// it as a column), ids kept and identity counters moved past them, in one
// PostgreSQL transaction; before COMMIT each table's row count is read back
// and compared. Tables that only SQLite has (the ledger's FTS5 search
// index, rebuilt from item_search on SQLite and not needed on PostgreSQL)
// are named in the report as skipped.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace concord::ctl {

struct BookCopyReport {
  std::string schema;
  std::map<std::string, int64_t> rows;  // table -> rows copied
  std::vector<std::string> components;  // as they were in concord_schema
  std::vector<std::string> skipped;     // SQLite-only tables
};

// FailedPrecondition: the target schema already holds a book, a component
// is not at its newest version or has no PostgreSQL schema, a table or
// column has no place there. Unavailable: the server cannot be reached.
// DataLoss: a table's rows differ after the copy (rolled back).
absl::StatusOr<BookCopyReport> CopyBookToPostgres(const std::string& sqlite_path,
                                                  const std::string& conninfo,
                                                  const std::string& schema);

}  // namespace concord::ctl

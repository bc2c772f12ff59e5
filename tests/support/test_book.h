// Test support: the database a unit test of a book (the ledger, the aid
// registry, the risk book, the conferences) runs on. By default a SQLite
// file; with CONCORD_TEST_STORE=postgresql (the pg.* copies of a suite,
// concord_test(... ALSO_ON_POSTGRESQL)) a schema of its own on a PostgreSQL
// server: CONCORD_TEST_PG_CONNINFO's, or one started for this process
// (tests/support/pg_server.h) and stopped when it exits.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/sql.h"

namespace concord::testing {

// True when the books of this run are on PostgreSQL.
bool BooksOnPostgresql();

// Opens the book that `sqlite_path` names: that file, or on PostgreSQL a
// schema named after the path (the same path opens the same schema again;
// the first open in a process starts it empty, as a removed file would).
absl::StatusOr<sql::Db> OpenTestBook(const std::string& sqlite_path);

}  // namespace concord::testing

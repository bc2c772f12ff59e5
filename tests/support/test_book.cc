#include "tests/support/test_book.h"

#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/pg.h"
#include "common/status_macros.h"
#include "tests/support/pg_server.h"

namespace concord::testing {
namespace {

absl::StatusOr<std::string> BookServer() {
  static std::unique_ptr<PgServer> server;
  if (const char* given = std::getenv("CONCORD_TEST_PG_CONNINFO"); given && *given) return given;
  if (!server) {
    ASSIGN_OR_RETURN(server, PgServer::Start());
    RETURN_IF_ERROR(server->CreateDatabase("concord"));
  }
  return server->conninfo();
}

}  // namespace

bool BooksOnPostgresql() {
  const char* store = std::getenv("CONCORD_TEST_STORE");
  return store && std::string(store) == "postgresql";
}

absl::StatusOr<sql::Db> OpenTestBook(const std::string& sqlite_path) {
  if (!BooksOnPostgresql()) return sql::Db::Open(sqlite_path);
  ASSIGN_OR_RETURN(std::string conninfo, BookServer());
  // Named by this process and the path: test binaries sharing a server
  // (CONCORD_TEST_PG_CONNINFO, ctest -j) never meet.
  const std::string schema =
      absl::StrFormat("book_%d_%016x", getpid(), std::hash<std::string>{}(sqlite_path));
  static std::set<std::string> opened;
  if (opened.insert(schema).second) {
    ASSIGN_OR_RETURN(auto conn, pg::Conn::Open(conninfo));
    RETURN_IF_ERROR(conn.Exec(absl::StrCat("DROP SCHEMA IF EXISTS ", schema, " CASCADE")));
  }
  return sql::Db::OpenPostgresql({.conninfo = conninfo, .schema = schema});
}

}  // namespace concord::testing

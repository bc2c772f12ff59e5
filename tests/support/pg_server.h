// Test support: a PostgreSQL server of the test's own. initdb makes a cluster
// in a temporary folder, `postgres` serves it on 127.0.0.1 at a free port of
// its own (and on a Unix socket in that folder), and the destructor stops it
// and removes the folder. Run as root (as CI does), the server runs as the
// `postgres` user that Debian's postgresql package creates: PostgreSQL
// refuses to run as root.
//
// Nothing here mocks the server: the binaries are Debian's
// (/usr/lib/postgresql/<version>/bin), with fsync and synchronous_commit on.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace concord::testing {

class PgServer {
 public:
  // Makes and starts a cluster in a new folder under the test temp dir.
  // FailedPrecondition when PostgreSQL's binaries are not installed.
  static absl::StatusOr<std::unique_ptr<PgServer>> Start();
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // A libpq connection string for database `db` as the cluster's superuser
  // `concord` (trust authentication on 127.0.0.1 only).
  std::string conninfo(const std::string& db = "concord") const;
  // Makes a new empty database `db` (dropping one of that name first).
  absl::Status CreateDatabase(const std::string& db);
  uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }
  // The server's own log (startup, errors).
  std::string log() const;

  // SIGKILL to the postmaster (its backends follow): a crash of the database
  // machine's server. Start it again with Restart().
  void Kill();
  // Starts the server again on the same folder and port; waits until it answers.
  absl::Status Restart();
  // Fast shutdown (pg_ctl stop -m fast): what an operator's restart does.
  void Stop();
  pid_t pid() const { return pid_; }

 private:
  PgServer() = default;
  absl::Status Launch();
  std::string bin_dir_, dir_, data_dir_, log_file_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
};

}  // namespace concord::testing

// Test support: a daemon of the district (concord-adapter, concord-aid-agent,
// ...) as a real child process with its own config file, keys and data
// folder, driven through its loopback HTTP API; with a DaemonPlace, in a
// network namespace of its own and with a key made for it there.
#pragma once

#include <sys/types.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/http_client.h"
#include "common/sql.h"
#include "tests/support/district.h"

namespace concord::testing {

std::string ReadFile(const std::string& path);

// Sets a daemon's FileClock ([...] clock_file) to `unix_ms`, atomically.
void SetFileClock(const std::string& path, int64_t unix_ms);

// Where a daemon runs, when not as the district's principal on this host.
struct DaemonPlace {
  // Network namespace (netns.h) it runs in, its HTTP API reached there; "": here.
  std::string netns;
  // Its secret key file (made where it runs, e.g. by `concordctl keys gen`);
  // "": the district's key pair for its name, written to <dir>/keys/.
  std::string secret_key;
  // A second process of the same principal (an agent's standby, sharing its
  // book on PostgreSQL): its config, data folder and log get this suffix.
  std::string instance = "";
};

// One daemon process for principal `name` of a TestDistrict: binary `bin`
// (found with BinPath), config <dir>/<name>.<bin>.toml with `extra_toml`
// appended (e.g. an [aid] section), data folder <dir>/<bin>-<name>/. An
// agent of a district on PostgreSQL (TestDistrict::store_kind) keeps its book
// there ([store], schema named after its database file) unless `extra_toml`
// says otherwise. Stopped with SIGTERM (then SIGKILL) when destroyed.
class DaemonProcess {
 public:
  DaemonProcess(const TestDistrict& d, const std::string& name,
                const std::string& bin = "concord-adapter", const std::string& extra_toml = "",
                const std::string& db_file = "agency.db", DaemonPlace place = {});
  ~DaemonProcess() { Stop(); }
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // SIGTERM, then waits; returns the exit status (SIGKILL after 5 s: -1).
  int Stop();
  // SIGKILL, then waits (a crash: nothing is flushed or shut down).
  void Kill();
  // Waits for the process to end by itself: its exit status (-1: killed by
  // a signal), or nullopt if it still runs after `timeout_ms`.
  std::optional<int> WaitExit(int timeout_ms);

  bool ok() const { return port_ != 0; }
  // A standby agent waiting for the lead of its book (ready file "role=standby").
  bool standby() const { return standby_; }
  // Waits until the ready file names an HTTP port (a standby that took the
  // lead writes it then); true if it did within `timeout_ms`.
  bool WaitActive(int timeout_ms);
  // Starts the process again with the same config (after Kill or Stop).
  void Restart() { Start(); }
  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  // The web console's port (an adapter with [console]), else 0.
  uint16_t console_port() const { return console_port_; }
  const std::string& db_path() const { return db_path_; }
  // Its database: the SQLite file at db_path(), or its schema on the
  // district's PostgreSQL server (an agent of a district on PostgreSQL).
  absl::StatusOr<sql::Db> OpenBook() const;
  const std::string& data_dir() const { return data_dir_; }
  std::string log() const { return ReadFile(log_); }
  // Its API token (the district's, TestDistrict::api_token), which Call() sends.
  const std::string& token() const { return token_; }

  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& body = "") const;
  // GET and parse; a JSON null when the call or the parse fails.
  nlohmann::json Get(const std::string& target) const;
  HttpResult Post(const std::string& target, const nlohmann::json& body) const;
  // Publishes `payload` of `type` to `to` through this adapter and waits for
  // the answer of `reply_type` to it (its correlation id); a JSON null when
  // none comes within `timeout_ms`.
  // The DeadlineAlerts this adapter received: "ledger_no|rule|kind" -> how many.
  std::map<std::string, int> AlertsSeen() const;
  nlohmann::json Ask(const std::string& to, const std::string& type, const nlohmann::json& payload,
                     const std::string& reply_type, int timeout_ms = 15000) const;

 private:
  void Start();
  void ReadReady();

  std::string name_, bin_, config_, data_dir_, db_path_, log_, token_;
  std::string book_conninfo_, book_schema_;  // set when its book is on PostgreSQL
  DaemonPlace place_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
  bool standby_ = false;
  uint16_t port_ = 0;
  uint16_t console_port_ = 0;
};

}  // namespace concord::testing

// Test support: a throw-away district on 127.0.0.1.
//
// TestDistrict makes a temp folder with real CurveZMQ keys for the hub and
// each principal, a registry, an ACL and hub.toml, and runs the real
// concord-hub binary as a child process (found through CONCORD_BIN_DIR), so
// tests can SIGKILL and restart it. ClientThread runs a real hub/client
// Client on an io_context thread of its own. PlaceHub puts the hub on another
// "machine": a network namespace made by TestNetwork (netns.h).
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "hub/client/client.h"
#include "hub/transport/curve_keys.h"

namespace concord::testing {

class PgServer;

// A TCP port on 127.0.0.1 that nothing listens on now.
uint16_t FreeTcpPort();

// Path of a built binary (CONCORD_BIN_DIR, else the test binary's folder).
std::string BinPath(const std::string& name);

// Starts `bin` with `args` as a child process, its stdout and stderr appended
// to `log_path`. Returns the child's pid.
pid_t SpawnLogged(const std::string& bin, const std::vector<std::string>& args,
                  const std::string& log_path);

// What a command printed (stdout and stderr together) and its exit code (-1
// when it could not start or did not exit), as a user at a shell sees them.
struct CommandResult {
  int exit_code = -1;
  std::string out;
};
// Runs `command` with /bin/sh and waits for it.
CommandResult RunCommand(const std::string& command);
// Runs the built concordctl with `args` (shell words).
CommandResult RunConcordctl(const std::string& args);

// Polls `pred` every 10 ms until it is true or `timeout_ms` passes.
bool WaitFor(const std::function<bool()>& pred, int timeout_ms = 10000);

class TestDistrict {
 public:
  // Principals get roles {"agency"} unless given "name:role1,role2".
  explicit TestDistrict(std::vector<std::string> principals = {"a", "b", "c"});
  ~TestDistrict();

  const std::string& dir() const { return dir_; }
  // Extra lines for hub.toml's [limits] section, e.g. "ack_timeout_ms = 200".
  void SetLimits(std::string lines) { limits_ = std::move(lines); }
  // Runs the hub in network namespace `ns` (netns.h), its CurveZMQ endpoint
  // bound on `address` there; HubHttp and Metric then reach it there too.
  void PlaceHub(std::string ns, std::string address) {
    hub_netns_ = std::move(ns);
    hub_address_ = std::move(address);
  }
  const std::string& hub_netns() const { return hub_netns_; }
  // Replaces the ACL file (default: everybody may send anything anywhere).
  void WriteAcl(const std::string& toml);

  // Hub i (0: the district's hub). Hubs 1, 2, ... share hub 0's store (on
  // PostgreSQL: active and standby, hub/broker/lead.h), keys, registry and
  // ACL, each with its own config (hub<i>.toml), data folder, endpoint and
  // log (hub<i>.log). On PostgreSQL every hub's endpoint is a fixed port
  // picked at its first start, so that a standby that takes over binds the
  // address its clients know.
  absl::Status StartHub(int i = 0);
  void KillHub(int i = 0);  // SIGKILL
  void StopHub(int i = 0);  // SIGTERM, then wait
  bool HubRunning(int i = 0);
  pid_t hub_pid(int i = 0) const { return hubs_.at(i).pid; }
  // "active" or "standby" as its ready file says now ("" on SQLite, or not
  // started); reading it also takes up a metrics port written since.
  std::string HubRole(int i = 0);
  int hub_count() const { return static_cast<int>(hubs_.size()); }

  std::string endpoint(int i = 0) const { return hubs_.at(i).endpoint; }
  uint16_t metrics_port(int i = 0) const { return hubs_.at(i).metrics_port; }
  std::string hub_db() const { return dir_ + "/hub/hub.db"; }
  std::string registry_file() const { return dir_ + "/registry.toml"; }
  const std::string& hub_public_key() const { return hub_keys_.public_z85; }
  const CurveKeyPair& KeyOf(const std::string& name) const { return keys_.at(name); }
  // A key pair for `name`, not yet in the registry (ClientFor works with it).
  void MakeKey(const std::string& name);
  // Adds a principal to the registry file (the hub reloads it on change),
  // with the key MakeKey made, or a new one.
  void AddPrincipal(const std::string& name, const std::vector<std::string>& roles);
  void Revoke(const std::string& name);
  // Writes each principal's `sign_key` (derived from its CurveZMQ key) into
  // the registry, as `concordctl district init` does: the hub then refuses
  // what they do not sign, and senders seal payloads to them
  // (hub/transport/payload_seal.h).
  void RegisterSignKeys();

  // Options for a client of `name`, with its SQLite file in the district.
  // With more than one hub started, the others are its standby_endpoints.
  client::ClientOptions ClientFor(const std::string& name) const;

  // The API token of the hub and of every DaemonProcess (keys/api.token;
  // $CONCORD_API_TOKEN_FILE names it for concordctl).
  const std::string& api_token() const { return api_token_; }
  std::string api_token_file() const { return dir_ + "/keys/api.token"; }

  // The hub's store: "sqlite" (hub.db in its data folder), or "postgresql"
  // when the environment says CONCORD_TEST_STORE=postgresql (ctest runs the
  // hub's suites a second time so, named pg.<Suite>.<Test>): the district
  // then starts a PostgreSQL server of its own with the hub's first start
  // (pg_server.h) and the hub keeps its tables there; unless
  // CONCORD_TEST_PG_CONNINFO names a database (empty, on a server someone
  // else runs: a benchmark's), which the hub then uses.
  const std::string& store_kind() const { return store_kind_; }
  // From now on the hub keeps its store on PostgreSQL (a district moved
  // from SQLite, e.g. after `concordctl store copy`).
  void UsePostgresql() { store_kind_ = "postgresql"; }
  // Starts the district's PostgreSQL server and database if it has none yet
  // (StartHub does it at the first start); on SQLite nothing.
  absl::Status PrepareStore();
  PgServer* pg() const { return pg_.get(); }
  // The hub's database on PostgreSQL ("" before the hub's first start, or on SQLite).
  const std::string& pg_conninfo() const { return pg_conninfo_; }

  // GET on the hub's HTTP port, with the API token.
  std::string HubHttp(const std::string& target, int hub = 0) const;
  // A counter or gauge from /metrics (-1 when missing).
  double Metric(const std::string& series, int hub = 0) const;

 private:
  void WriteHubToml(int i, const std::string& endpoint);
  void ReadReady(int i);

  std::string dir_;
  std::string api_token_;
  std::string limits_;
  std::string hub_netns_;
  std::string hub_address_ = "127.0.0.1";
  CurveKeyPair hub_keys_;
  std::map<std::string, CurveKeyPair> keys_;
  struct HubProcess {
    pid_t pid = -1;
    std::string endpoint;
    uint16_t metrics_port = 0;
  };
  std::vector<HubProcess> hubs_{1};
  std::string HubFile(int i, const std::string& suffix) const;
  std::string store_kind_ = "sqlite";
  std::unique_ptr<PgServer> pg_;
  std::string pg_conninfo_;
};

// A Client running on its own thread. Call() runs a function on that thread
// and waits for its result.
class ClientThread {
 public:
  explicit ClientThread(client::ClientOptions options,
                        std::function<void(client::Client&)> before_start = {});
  ~ClientThread();

  template <typename F>
  auto Call(F&& f) -> decltype(f(std::declval<client::Client&>())) {
    using R = decltype(f(std::declval<client::Client&>()));
    std::packaged_task<R()> task([&] { return f(*client_); });
    auto fut = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return fut.get();
  }
  client::ClientStats Stats() {
    return Call([](client::Client& c) { return c.stats(); });
  }
  bool ok() const { return client_ != nullptr; }
  const absl::Status& create_status() const { return create_status_; }

 private:
  boost::asio::io_context io_;
  std::unique_ptr<client::Client> client_;
  absl::Status create_status_;
  std::thread thread_;
};

}  // namespace concord::testing

// The skeleton every agent runs on. An agent is its logic, a class derived
// from agent::Agent, and a main() of a few lines:
//
//   int main(int argc, char** argv) {
//     return concord::agent::Run(argc, argv, {
//         .name = "ledger",
//         .title = "concord-ledger-agent: 信访台账与期限监督 / petition ledger and deadline clock",
//         .create = concord::ledger::CreateAgent});
//   }
//
// Run() parses the command line (-c/--config FILE, --ready-file FILE,
// --check-config: build the agent on a scratch database and exit; --version),
// starts
// the logs ("<name>-agent"), loads the config file (the bus sections of
// hub/client/client_config.h; the SQLite file is <data_dir>/<name>.db, or
// with [store] kind = "postgresql" the schema <name> on a shared server:
// then Run() first waits for the schema's lead, as a standby, writing
// "role=standby" to the ready file, and once it holds it stops with exit 75
// as soon as that database connection is lost; docs/operations.md §10.6),
// picks the clock (`clock_file` in the agent's own table [<name>]: a drill
// clock, common/file_clock.h; else the system's), opens the bus client and
// calls `create`. The agent reads its table, runs its migrations on
// client.db() (common/sql.h: SQLite or PostgreSQL), adds its HTTP routes and
// returns itself. Run() then hands it
// every delivery, serves its routes with GET /health, /healthz (alive),
// /readyz (hub session and database) and /metrics on [http] address and
// port, starts the client, calls Started(), writes "http_port=N" to the
// ready file (the deploy scripts and tests wait for it), tells systemd
// READY=1 (Type=notify units; common/daemon.h) and runs until SIGINT or
// SIGTERM.
//
// Exit codes: 0 after a signal; 2 a bad command line or config (create
// returned InvalidArgument or NotFound: a missing calendar, a bad value);
// 1 the database, the bus or the HTTP port.
// Threading: everything, the agent's calls included, runs on one
// io_context thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/http_router.h"
#include "concord/v1/envelope.pb.h"
#include "hub/client/client.h"
#include "hub/client/client_config.h"

namespace concord::agent {

// What an agent is made from; all of it outlives the agent.
struct AgentContext {
  const client::ProcessConfig& config;  // the whole file is config.file
  ConfigSection section;                // the agent's own table, [<name>]
  const Clock& clock;                   // the agent's time (a drill clock in drills)
  boost::asio::io_context& io;          // for the agent's timers
  client::Client& client;               // the bus; client.db() is the agent's SQLite file
  HttpRouter& http;                     // the agent's routes, added by create
};

class Agent {
 public:
  virtual ~Agent() = default;
  // One delivery, inside the transaction that records it in the inbox. An
  // error rolls the delivery back and the hub sends it again: return one
  // only for what a retry can mend (the database); answer bad requests.
  virtual absl::Status Handle(const v1::Envelope& envelope) = 0;
  // Once the bus client has started: timers, a first scan.
  virtual void Started() {}
  // The agent's figures in GET /health's object (beside "connected").
  virtual void AddHealth(nlohmann::json& health) {}
  // The agent's series in GET /metrics (Prometheus text, common/metrics.h).
  virtual void AddMetrics(std::string& out) {}
};

// Calls `tick` every `period` on the io thread, from Start() until it is
// destroyed: an agent's deadline scans and sweeps.
class Periodic {
 public:
  Periodic(boost::asio::io_context& io, std::chrono::milliseconds period,
           std::function<void()> tick)
      : timer_(io), period_(period), tick_(std::move(tick)) {}
  void Start();

 private:
  boost::asio::steady_timer timer_;
  const std::chrono::milliseconds period_;
  const std::function<void()> tick_;
};

// True for what a retry can mend (the database: Unavailable, Internal,
// Unknown, DataLoss): Handle() returns it, and the hub delivers again. Any
// other error is the request's: the agent answers it with the reason.
bool ShouldRetry(const absl::Status& status);

struct AgentSpec {
  std::string name;   // "ledger": its table [ledger], ledger.db, logs as ledger-agent
  std::string title;  // the --help line, Chinese / English
  std::function<absl::StatusOr<std::unique_ptr<Agent>>(AgentContext& context)> create;
};

// The agent's whole process; returns main's exit code.
int Run(int argc, char** argv, const AgentSpec& spec);

}  // namespace concord::agent

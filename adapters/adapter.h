// Adapter: the per-agency daemon behind `concord-adapter`. It owns, on one
// io_context thread (STYLE.md habit 7):
//   * the bus Client (CurveZMQ to the hub, SQLite file <data_dir>/agency.db);
//   * the Mailbox (the adapter's own tables in that same file);
//   * the loopback HttpServer, which serves GET /health and GET /metrics
//     itself and whatever routes the connectors add;
//   * the connectors named in AdapterOptions, made from a ConnectorRegistry;
//   * the clerks' web console ([console], adapters/console/console.h).
//
// Lifetime: Start() returns a running adapter; Stop() (or the destructor)
// stops the connectors, the HTTP server and the client. Destroy it on the
// io thread or after io.run() has returned. Pending publishes stay in the
// outbox and are sent by the next start.
// Threading: every method runs on the io_context thread.
// Errors: Start() returns InvalidArgument for a bad config, NotFound for an
// unknown connector kind, Unavailable when the HTTP port cannot be bound,
// and the database's error when the SQLite file is unusable.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/adapter_config.h"
#include "adapters/bus_reads.h"
#include "adapters/bus_requests.h"
#include "adapters/connector.h"
#include "adapters/console/console.h"
#include "adapters/mailbox.h"
#include "common/http_router.h"
#include "common/http_server.h"
#include "hub/client/client.h"

namespace concord::adapter {

struct AdapterOptions {
  std::vector<std::string> connectors = {"rest"};  // kinds, started in this order
};

class Adapter {
 public:
  static absl::StatusOr<std::unique_ptr<Adapter>> Start(boost::asio::io_context& io,
                                                        AdapterConfig config,
                                                        const ConnectorRegistry& registry,
                                                        AdapterOptions options = {});
  ~Adapter();
  Adapter(const Adapter&) = delete;
  Adapter& operator=(const Adapter&) = delete;

  void Stop();

  uint16_t http_port() const { return http_->port(); }
  // The web console's port, 0 when [console] is off.
  uint16_t console_port() const { return console_ ? console_->port() : 0; }
  const AdapterConfig& config() const { return config_; }
  client::Client& client() { return *client_; }
  Mailbox& mailbox() { return *mailbox_; }

 private:
  Adapter(boost::asio::io_context& io, AdapterConfig config)
      : io_(io), config_(std::move(config)) {}

  HttpResponse Health();
  HttpResponse Metrics();

  // Constant after Start().
  boost::asio::io_context& io_;
  const AdapterConfig config_;
  // Declared in dependency order: destroyed connectors first, client last.
  std::unique_ptr<client::Client> client_;
  std::unique_ptr<Mailbox> mailbox_;
  HttpRouter router_;
  std::unique_ptr<HttpServer> http_;
  std::vector<std::unique_ptr<Connector>> connectors_;
  std::unique_ptr<BusRequests> bus_;
  std::unique_ptr<Console> console_;     // borrows the router, the mailbox and bus_
  std::unique_ptr<BusReads> bus_reads_;  // borrows the router and bus_
  // Expires with the adapter; HTTP sessions still open then answer 503.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  bool stopped_ = false;
};

}  // namespace concord::adapter

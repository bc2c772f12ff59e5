// Connector: one way an agency's own system talks to its adapter. The REST
// connector serves the loopback JSON API; a CSV drop-folder connector comes
// next. A connector only turns the agency system's input into Mailbox calls
// and Mailbox state into the agency system's output; the Mailbox owns the
// data and the bus.
//
// Connectors are named factories kept in a ConnectorRegistry that
// RegisterAllConnectors() fills explicitly (STYLE.md habit 9: static
// self-registration is dropped by static libraries). The Adapter creates the
// kinds its config names and starts them in order.
//
// Ownership: a connector borrows everything in its ConnectorContext; the
// Adapter keeps all of it alive until the connector is destroyed.
// Threading: Start(), Stop() and every callback run on the io_context thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/adapter_config.h"
#include "adapters/mailbox.h"
#include "common/http_router.h"
#include "hub/client/client.h"

namespace concord::adapter {

// What a connector may use; all borrowed from the Adapter.
struct ConnectorContext {
  const AdapterConfig& config;  // the typed config every kind reads from
  boost::asio::io_context& io;
  client::Client& client;  // read-only use (stats); send through the mailbox
  Mailbox& mailbox;
  HttpRouter& http;  // routes must be added in Start()
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual std::string_view kind() const = 0;
  // Registers routes, timers, watchers. An error stops the adapter's start.
  virtual absl::Status Start() = 0;
  virtual void Stop() = 0;
};

using ConnectorFactory =
    std::function<absl::StatusOr<std::unique_ptr<Connector>>(const ConnectorContext& context)>;

class ConnectorRegistry {
 public:
  // AlreadyExists when `kind` is registered.
  absl::Status Register(const std::string& kind, ConnectorFactory factory);
  // NotFound for a kind nobody registered.
  absl::StatusOr<std::unique_ptr<Connector>> Create(const std::string& kind,
                                                    const ConnectorContext& context) const;
  std::vector<std::string> Kinds() const;

 private:
  std::map<std::string, ConnectorFactory> factories_;
};

// Sends `envelope` (stamped here) together with the row `record` writes for
// it (given the envelope id), in one transaction, so that the request and its
// outbox entry stand or fall together; then 202 {"id", "status": "sent"}.
HttpResponse SendRecorded(client::Client& client, concord::v1::Envelope envelope,
                          const std::function<absl::Status(const std::string& id)>& record);

// Registers every connector kind this build has ("rest", ...).
void RegisterAllConnectors(ConnectorRegistry& registry);

}  // namespace concord::adapter

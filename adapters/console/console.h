// Console: the clerks' web console that each agency's daemon serves, in
// simplified Chinese, to the people of that agency only.
//
// - Reachable from the agency's LAN over HTTPS ([console] cert and key);
//   plain HTTP only on loopback (common/web_server.h holds the server
//   against a LAN: connection cap, size limits, Host checks).
// - Personal accounts with roles (adapters/accounts): every page needs a
//   session; every form carries the session's CSRF token; every action and
//   every refusal is written to the action log (console_actions) with the
//   person, and the person travels to the hub on the envelope
//   (client::ActingAs) into the shared history.
// - Writes go through the adapter's own API in process (the connectors'
//   routes, so the checks are the same as for the agency's systems); reads
//   of the shared ledger travel over the bus (BusRequests), so every page
//   works when the agents run on another machine.
//
// Ownership: borrows everything in ConsoleContext from the Adapter, which
// outlives it. Threading: the io_context thread, like the Adapter.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "adapters/adapter_config.h"
#include "adapters/bus_requests.h"
#include "adapters/mailbox.h"
#include "common/http_router.h"
#include "hub/client/client.h"

namespace concord::adapter {

struct ConsoleContext {
  const AdapterConfig& config;
  boost::asio::io_context& io;
  client::Client& client;
  Mailbox& mailbox;
  const HttpRouter& api;  // the adapter's own routes, called in process
  BusRequests& bus;
};

class Console {
 public:
  // InvalidArgument for a bad [console] section (plain HTTP off loopback, a
  // certificate that does not load); Unavailable when the port is taken.
  static absl::StatusOr<std::unique_ptr<Console>> Start(const ConsoleContext& context);
  virtual ~Console() = default;
  virtual void Stop() = 0;
  virtual uint16_t port() const = 0;
};

}  // namespace concord::adapter

// Broker: the hub's message loop (concord-hub).
//
// One ROUTER socket with CurveZMQ, a ZAP handler that maps each client key to
// a principal from the registry, a socket monitor that audits failed
// handshakes, and a writer thread that commits group batches to the Store.
// The loop: decode a frame, dispatch to one handler per frame kind, add the
// effects to the pending batch; when the writer is idle the pending batch is
// handed over; when it is committed, publishers get their Acks and recipients
// their Delivers. Housekeeping (retries, heartbeats, registry reload,
// compaction) runs on a timer.
//
// Threading: all public methods must be called on the io_context's thread,
// except that construction happens before io.run(). The writer thread only
// talks to the loop through boost::asio::post().
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "hub/broker/config.h"
#include "hub/registry/registry.h"

namespace concord::hub {

class Broker {
 public:
  // Opens the store under config.data_dir, loads the registry and keys, binds
  // the ROUTER and the metrics HTTP port. The loop starts with io.run().
  static absl::StatusOr<std::unique_ptr<Broker>> Start(boost::asio::io_context& io,
                                                       HubConfig config,
                                                       const Clock& clock = SystemClock::Get());
  virtual ~Broker() = default;

  // The bound ROUTER endpoint (with the real port when configured as :0 / *).
  virtual std::string endpoint() const = 0;
  virtual uint16_t metrics_port() const = 0;
  // Stops accepting, commits what is pending, joins the writer.
  virtual void Shutdown() = 0;
};

}  // namespace concord::hub

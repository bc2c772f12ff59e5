// A standby hub's one duty while another hub holds the lead (lead.h): it
// binds the hub's endpoint with the hub's CurveZMQ key and answers every
// frame with Nack{UNAVAILABLE, active_endpoint}, so a client that came here
// (its first endpoint, or after the active hub went silent) learns where to
// go. It holds no session, reads no store and routes nothing.
//
// It has no ZAP handler: any client that completes the CURVE handshake with
// the hub's public key is answered, and learns only the active hub's address.
//
// ServeHttp opens the hub's monitoring port for the standby: /healthz 200,
// /readyz 503 (check "lead": not held), /metrics (concord_hub_standby 1, the
// active hub's term, frames answered, build info) and /status, so that a
// monitor tells a live standby from a dead hub.
//
// Threading: the io_context's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <zmq.hpp>

#include "absl/status/statusor.h"
#include "common/http_server.h"
#include "hub/transport/zmq_watcher.h"

namespace concord::hub {

class StandbyResponder {
 public:
  // Binds `endpoint` with the CurveZMQ secret key in `secret_key_file`
  // (curve = false: plain TCP, as in the hub's unit tests).
  static absl::StatusOr<std::unique_ptr<StandbyResponder>> Start(boost::asio::io_context& io,
                                                                 const std::string& endpoint,
                                                                 const std::string& secret_key_file,
                                                                 bool curve);
  ~StandbyResponder();

  // Where the answers send clients ("" while no hub holds the lead), and
  // that hub's lead term.
  void set_active(std::string endpoint, int64_t term) {
    active_ = std::move(endpoint);
    term_ = term;
  }
  const std::string& endpoint() const { return endpoint_; }
  uint64_t answered() const { return answered_; }
  // Serves the monitoring endpoints above on `address:port` (0: a free port)
  // until destroyed; http_port() is the port bound.
  absl::Status ServeHttp(const std::string& address, uint16_t port);
  uint16_t http_port() const { return http_ ? http_->port() : 0; }

 private:
  explicit StandbyResponder(boost::asio::io_context& io) : io_(io) {}
  void OnReadable();

  boost::asio::io_context& io_;
  zmq::context_t ctx_;
  zmq::socket_t router_;
  std::unique_ptr<ZmqWatcher> watcher_;
  std::unique_ptr<HttpServer> http_;
  std::string endpoint_, active_;
  int64_t term_ = 0;
  uint64_t answered_ = 0;
};

}  // namespace concord::hub

// What every agent's main() shares after its own set-up: the clock it runs
// on, and serving its loopback HTTP until SIGINT/SIGTERM with the bus client
// started and the ready file written (the deploy scripts and the tests wait
// for it).
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>

#include "hub/client/client.h"
#include "hub/client/client_config.h"
#include "hub/common/clock.h"
#include "hub/common/file_clock.h"
#include "hub/common/http_server.h"

namespace concord::client {

// The system clock, or a FileClock when `clock_file` is set (drills and
// process-level tests only; logged as such).
class AgentClock {
 public:
  explicit AgentClock(const std::string& clock_file);
  const Clock& get() const { return file_ ? static_cast<const Clock&>(*file_) : SystemClock::Get(); }

 private:
  std::unique_ptr<FileClock> file_;
};

// 404 with the error in Chinese / English, for paths a handler does not serve.
HttpResponse NotFoundResponse();

// Serves `handler` at the config's HTTP address (GET /health answers
// {"connected"} unless the handler answers it), starts `client`, calls
// `started`, writes "http_port=N" to `ready_file` (if any), then runs `io`
// until SIGINT/SIGTERM. The process's exit code: 0, or 1 when the HTTP
// server cannot start.
int ServeUntilSignal(boost::asio::io_context& io, Client& client, const ProcessConfig& config,
                     const std::string& ready_file, HttpHandler handler, const std::function<void()>& started = {});

}  // namespace concord::client

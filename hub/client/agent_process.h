// What every agent's main() shares: its command line, the way it stops on a
// set-up error, the clock it runs on, and serving its loopback HTTP until
// SIGINT/SIGTERM with the bus client started and the ready file written (the
// deploy scripts and the tests wait for it).
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hub/client/client.h"
#include "hub/client/client_config.h"
#include "common/clock.h"
#include "common/file_clock.h"
#include "common/http_server.h"

namespace concord::client {

// Every agent's command line: -c/--config FILE (required), --ready-file FILE.
struct AgentArgs {
  std::string config_path, ready_file;
};
// Parses it under `title`; nullopt after --help or a bad argument (printed),
// with main's exit code in `exit_code`.
std::optional<AgentArgs> ParseAgentArgs(int argc, char** argv, const std::string& title, int* exit_code);

// Prints `prefix` and `st`'s message on stderr and returns `exit_code`: main's
// early return on a set-up error (2: the config; 1: the database or the bus).
int ExitWith(const absl::Status& st, int exit_code, std::string_view prefix = "");

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

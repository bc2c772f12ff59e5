#include "hub/client/agent_process.h"

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/files.h"
#include "common/log.h"

namespace concord::client {

std::optional<AgentArgs> ParseAgentArgs(int argc, char** argv, const std::string& title, int* exit_code) {
  CLI::App app{title};
  AgentArgs args;
  app.add_option("-c,--config", args.config_path, "配置文件 / config file")->required();
  app.add_option("--ready-file", args.ready_file, "启动后写入 HTTP 端口 / write the HTTP port here");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    *exit_code = app.exit(e);
    return std::nullopt;
  }
  return args;
}

int ExitWith(const absl::Status& st, int exit_code, std::string_view prefix) {
  fprintf(stderr, "%.*s%.*s\n", static_cast<int>(prefix.size()), prefix.data(), static_cast<int>(st.message().size()),
          st.message().data());
  return exit_code;
}

AgentClock::AgentClock(const std::string& clock_file) {
  if (clock_file.empty()) return;
  file_ = std::make_unique<FileClock>(clock_file);
  LOG_WARN("演练时钟 / drill clock: time is read from {}", clock_file);
}

HttpResponse NotFoundResponse() {
  HttpResponse r;
  r.status = 404;
  r.body = "{\"error\": \"未找到 / not found\"}";
  return r;
}

int ServeUntilSignal(boost::asio::io_context& io, Client& client, const ProcessConfig& config,
                     const std::string& ready_file, HttpHandler handler, const std::function<void()>& started) {
  auto http = HttpServer::Start(io, config.http_address, static_cast<uint16_t>(config.http_port),
                                [&](const HttpRequest& req) {
    HttpResponse r = handler(req);
    if (r.status == 404 && req.Path() == "/health") {
      r.status = 200;
      r.body = nlohmann::json{{"connected", client.stats().connected}}.dump();
    }
    return r;
  });
  if (!http.ok()) {
    fprintf(stderr, "HTTP: %s\n", http.status().ToString().c_str());
    return 1;
  }
  client.Start();
  if (started) started();
  if (!ready_file.empty())
    (void)WriteFileAtomically(ready_file, "http_port=" + std::to_string((*http)->port()) + "\n");
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    client.Stop();
    (*http)->Stop();
    io.stop();
  });
  io.run();
  return 0;
}

}  // namespace concord::client

// concord-hub: the broker daemon.
//   concord-hub --config /etc/concord/hub.toml
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>

#include "common/files.h"
#include "common/log.h"
#include "hub/broker/broker.h"

int main(int argc, char** argv) {
  // A file-size limit (ulimit -f) must fail the write, which the store
  // retries, not kill the hub with SIGXFSZ.
  signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"concord-hub: 政法协同消息枢纽 / Concord message hub"};
  std::string config_path;
  std::string ready_file;
  app.add_option("-c,--config", config_path, "hub.toml 配置文件 / config file")->required();
  app.add_option(
      "--ready-file", ready_file,
      "启动后写入 endpoint 与 metrics 端口 / write endpoint and metrics port here once up");
  CLI11_PARSE(app, argc, argv);
  concord::InitLogging("hub");

  auto config = concord::hub::LoadHubConfig(config_path);
  if (!config.ok()) {
    fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  boost::asio::io_context io;
  auto broker = concord::hub::Broker::Start(io, *config);
  if (!broker.ok()) {
    fprintf(stderr, "启动失败 / cannot start: %s\n", broker.status().ToString().c_str());
    return 1;
  }
  LOG_INFO("hub listening on {}, metrics on http://127.0.0.1:{}/metrics", (*broker)->endpoint(),
           (*broker)->metrics_port());
  if (!ready_file.empty())
    (void)concord::WriteFileAtomically(
        ready_file, "endpoint=" + (*broker)->endpoint() +
                        "\nmetrics_port=" + std::to_string((*broker)->metrics_port()) + "\n");
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    LOG_INFO("signal {}: shutting down", sig);
    (*broker)->Shutdown();
    io.stop();
  });
  io.run();
  return 0;
}

// concord-hub: the broker daemon.
//   concord-hub --config /etc/concord/hub.toml [--ready-file FILE]
//   concord-hub --config /etc/concord/hub.toml --check-config
//   concord-hub --version
// Under systemd (Type=notify) it reports READY=1 once it listens and
// STOPPING=1 on SIGTERM, and feeds the watchdog when WatchdogSec= is set.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>

#include "common/daemon.h"
#include "common/files.h"
#include "common/log.h"
#include "hub/broker/broker.h"

int main(int argc, char** argv) {
  // A file-size limit (ulimit -f) must fail the write, which the store
  // retries, not kill the hub with SIGXFSZ.
  signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"concord-hub: 政法协同消息枢纽 / Concord message hub"};
  app.set_version_flag("--version", concord::VersionLine("concord-hub"),
                       "打印版本 / print the version");
  std::string config_path;
  std::string ready_file;
  bool check_only = false;
  app.add_option("-c,--config", config_path, "hub.toml 配置文件 / config file")->required();
  app.add_option(
      "--ready-file", ready_file,
      "启动后写入 endpoint 与 metrics 端口 / write endpoint and metrics port here once up");
  app.add_flag("--check-config", check_only,
               "只检查配置、密钥、登记表与访问控制，不启动 / check the config, key, registry and "
               "ACL, then exit");
  CLI11_PARSE(app, argc, argv);
  concord::InitLogging("hub");

  auto config = concord::hub::LoadHubConfig(config_path);
  if (!config.ok()) {
    fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  if (check_only) {
    if (auto st = concord::hub::CheckHubConfig(*config); !st.ok()) {
      fprintf(stderr, "配置有误 / config error: %s\n", std::string(st.message()).c_str());
      return 2;
    }
    printf("配置无误 / config OK: %s\n", config_path.c_str());
    return 0;
  }
  // One hub on its database: the unit's, or one started by hand, not both.
  auto lock = concord::DatabaseLock::Acquire(config->data_dir + "/hub.db", "concord-hub");
  if (!lock.ok()) {
    fprintf(stderr, "启动失败 / cannot start: %s\n", std::string(lock.status().message()).c_str());
    return 1;
  }
  boost::asio::io_context io;
  auto broker = concord::hub::Broker::Start(io, *config);
  if (!broker.ok()) {
    fprintf(stderr, "启动失败 / cannot start: %s\n", broker.status().ToString().c_str());
    return 1;
  }
  LOG_INFO("hub {} listening on {}, metrics on http://{}:{}/metrics",
           concord::VersionLine("concord-hub"), (*broker)->endpoint(), config->metrics_address,
           (*broker)->metrics_port());
  if (!ready_file.empty())
    (void)concord::WriteFileAtomically(
        ready_file, "endpoint=" + (*broker)->endpoint() +
                        "\nmetrics_port=" + std::to_string((*broker)->metrics_port()) + "\n");
  concord::NotifyServiceManager("READY=1\nSTATUS=listening on " + (*broker)->endpoint());
  concord::ServiceWatchdog watchdog(io);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    LOG_INFO("signal {}: shutting down", sig);
    concord::NotifyServiceManager("STOPPING=1");
    (*broker)->Shutdown();
    io.stop();
  });
  io.run();
  return 0;
}

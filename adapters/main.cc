// concord-adapter: one agency's adapter daemon.
//   concord-adapter --config court.toml [--ready-file FILE]
//   concord-adapter --config court.toml --check-config
//   concord-adapter --version
// Under systemd (Type=notify) it reports READY=1 once its ports are open and
// STOPPING=1 on SIGTERM, and feeds the watchdog when WatchdogSec= is set.
// The config is read by LoadAdapterConfig (adapters/adapter_config.h); the
// SQLite file is <data_dir>/agency.db.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>

#include "adapters/adapter.h"
#include "adapters/adapter_config.h"
#include "adapters/connector.h"
#include "common/daemon.h"
#include "common/files.h"
#include "common/log.h"

int main(int argc, char** argv) {
  CLI::App app{"concord-adapter: 政法机关适配器 / Concord agency adapter"};
  app.set_version_flag("--version", concord::VersionLine("concord-adapter"),
                       "打印版本 / print the version");
  std::string config_path;
  std::string ready_file;
  bool check_only = false;
  app.add_option("-c,--config", config_path, "机关配置文件 / agency config file")->required();
  app.add_option("--ready-file", ready_file,
                 "启动后写入 HTTP 端口 / write the HTTP port here once listening");
  app.add_flag("--check-config", check_only,
               "只检查配置与密钥，不启动 / check the config and keys, then exit");
  CLI11_PARSE(app, argc, argv);
  concord::InitLogging("adapter");

  auto config = concord::adapter::LoadAdapterConfig(config_path);
  if (!config.ok()) {
    fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  if (check_only) {
    if (auto st = concord::adapter::CheckAdapterConfig(*config); !st.ok()) {
      fprintf(stderr, "配置有误 / config error: %s\n", std::string(st.message()).c_str());
      return 2;
    }
    printf("配置无误 / config OK: %s (%s)\n", config_path.c_str(), config->agency.c_str());
    return 0;
  }
  concord::SetLogField("agency", config->agency);
  auto lock = concord::DatabaseLock::Acquire(config->client.db_path, "concord-adapter");
  if (!lock.ok()) {
    fprintf(stderr, "启动失败 / cannot start: %s\n", std::string(lock.status().message()).c_str());
    return 1;
  }
  concord::adapter::ConnectorRegistry registry;
  concord::adapter::RegisterAllConnectors(registry);

  boost::asio::io_context io;
  concord::adapter::AdapterOptions options;
  if (!config->aid.linkage_key.empty()) options.connectors.push_back("aid");  // judicial aid
  if (!config->petitions.ledger.empty()) {
    options.connectors.push_back("petition");   // petition intake and handling
    options.connectors.push_back("reception");  // reception days, three-zero incidents
  }
  auto adapter = concord::adapter::Adapter::Start(io, *std::move(config), registry, options);
  if (!adapter.ok()) {
    fprintf(stderr, "启动失败 / cannot start: %s\n", adapter.status().ToString().c_str());
    return 1;
  }
  if (!ready_file.empty())
    (void)concord::WriteFileAtomically(
        ready_file, "http_port=" + std::to_string((*adapter)->http_port()) +
                        "\nconsole_port=" + std::to_string((*adapter)->console_port()) +
                        "\nagency=" + (*adapter)->config().agency + "\n");
  concord::NotifyServiceManager("READY=1\nSTATUS=" + (*adapter)->config().agency);
  concord::ServiceWatchdog watchdog(io);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    LOG_INFO("signal {}: shutting down", sig);
    concord::NotifyServiceManager("STOPPING=1");
    (*adapter)->Stop();
    io.stop();
  });
  io.run();
  adapter->reset();  // on this thread, after the loop stopped
  return 0;
}

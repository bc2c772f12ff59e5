// concord-hub: the broker daemon.
//   concord-hub --config /etc/concord/hub.toml [--ready-file FILE]
//   concord-hub --config /etc/concord/hub.toml --check-config
//   concord-hub --version
// Under systemd (Type=notify) it reports READY=1 once it listens and
// STOPPING=1 on SIGTERM, and feeds the watchdog when WatchdogSec= is set.
//
// On PostgreSQL ([store] kind = "postgresql") it first takes the lead
// (hub/broker/lead.h). While another hub holds it, this one is a standby:
// it answers clients with where the active hub is (standby.h), tries again
// every 250 ms, and becomes active the moment it gets the lead. An active
// hub that cannot reach its lead connection any more stops at once (exit 75:
// systemd starts it again, as a standby if another hub took over).
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "common/daemon.h"
#include "common/files.h"
#include "common/log.h"
#include "hub/broker/broker.h"
#include "hub/broker/lead.h"
#include "hub/broker/standby.h"

namespace {

// The lead checked and kept, or (not yet held) waited for as a standby.
constexpr auto kLeadPoll = std::chrono::milliseconds(250);

void WriteReady(const std::string& file, const std::string& text) {
  if (!file.empty()) (void)concord::WriteFileAtomically(file, text);
}

}  // namespace

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
  // (On PostgreSQL, the lead keeps one hub active among several machines;
  // the lock file still keeps two on one machine's data folder apart.)
  auto lock = concord::DatabaseLock::Acquire(config->data_dir + "/hub.db", "concord-hub");
  if (!lock.ok()) {
    fprintf(stderr, "启动失败 / cannot start: %s\n", std::string(lock.status().message()).c_str());
    return 1;
  }
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  std::unique_ptr<concord::hub::HubLead> lead;
  if (config->store_kind == "postgresql") {
    auto connected = concord::hub::HubLead::Connect(config->postgresql);
    if (!connected.ok()) {
      fprintf(stderr, "启动失败 / cannot start: %s\n", connected.status().ToString().c_str());
      return 1;
    }
    lead = std::move(*connected);
    const std::string advertise = config->advertise.empty() ? config->endpoint : config->advertise;
    auto taken = lead->TryTake(advertise, concord::SystemClock::Get().NowMs());
    if (!taken.ok()) {
      fprintf(stderr, "启动失败 / cannot start: %s\n", taken.status().ToString().c_str());
      return 1;
    }
    if (!*taken) {
      // Standby until the lead is ours.
      auto standby = concord::hub::StandbyResponder::Start(io, config->endpoint,
                                                           config->secret_key_file, config->curve);
      if (!standby.ok()) {
        fprintf(stderr, "启动失败 / cannot start: %s\n", standby.status().ToString().c_str());
        return 1;
      }
      if (auto http = (*standby)->ServeHttp(config->metrics_address,
                                            static_cast<uint16_t>(config->metrics_port));
          !http.ok()) {
        fprintf(stderr, "启动失败 / cannot start: %s\n", http.ToString().c_str());
        return 1;
      }
      LOG_INFO("standby on {}: another hub holds the lead; metrics on http://{}:{}/metrics",
               (*standby)->endpoint(), config->metrics_address, (*standby)->http_port());
      WriteReady(ready_file, "role=standby\nendpoint=" + (*standby)->endpoint() +
                                 "\nmetrics_port=" + std::to_string((*standby)->http_port()) +
                                 "\n");
      concord::NotifyServiceManager("READY=1\nSTATUS=standby on " + (*standby)->endpoint());
      bool stop = false;
      concord::ServiceWatchdog standby_watchdog(io);
      signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (ec) return;  // cancelled: this hub became active
        LOG_INFO("signal {}: standby stops", sig);
        stop = true;
        io.stop();
      });
      boost::asio::steady_timer poll(io);
      absl::Status failed;
      std::function<void()> try_lead = [&] {
        auto got = lead->TryTake(advertise, concord::SystemClock::Get().NowMs());
        if (!got.ok()) {
          failed = got.status();  // the database is gone: start again from scratch
          io.stop();
          return;
        }
        if (*got) {
          io.stop();
          return;
        }
        if (auto active = lead->ActiveHub(); active.ok())
          (*standby)->set_active(active->endpoint, active->term);
        poll.expires_after(kLeadPoll);
        poll.async_wait([&](const boost::system::error_code& ec) {
          if (!ec) try_lead();
        });
      };
      try_lead();
      io.run();
      if (stop) {
        concord::NotifyServiceManager("STOPPING=1");
        return 0;
      }
      if (!failed.ok()) {
        LOG_ERROR("standby: lost the database: {}; stopping (exit 75)", failed.ToString());
        return 75;
      }
      standby->reset();  // unbinds the endpoint and the HTTP port for the broker
      io.restart();
      signals.cancel();
    }
    config->lead_term = lead->term();
    LOG_INFO("holding the lead (term {}) as {}", lead->term(), advertise);
  }
  auto broker = concord::hub::Broker::Start(io, *config);
  if (!broker.ok()) {
    fprintf(stderr, "启动失败 / cannot start: %s\n", broker.status().ToString().c_str());
    return 1;
  }
  LOG_INFO("hub {} listening on {}, metrics on http://{}:{}/metrics",
           concord::VersionLine("concord-hub"), (*broker)->endpoint(), config->metrics_address,
           (*broker)->metrics_port());
  WriteReady(ready_file, std::string(lead ? "role=active\n" : "") +
                             "endpoint=" + (*broker)->endpoint() +
                             "\nmetrics_port=" + std::to_string((*broker)->metrics_port()) + "\n");
  concord::NotifyServiceManager("READY=1\nSTATUS=listening on " + (*broker)->endpoint());
  concord::ServiceWatchdog watchdog(io);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    LOG_INFO("signal {}: shutting down", sig);
    concord::NotifyServiceManager("STOPPING=1");
    (*broker)->Shutdown();
    io.stop();
  });
  // The lead's connection answers, or this hub stops before another takes
  // over. Its own thread: a slow or cut database (a query that waits for TCP
  // to give up) must not hold up the loop's heartbeats and deliveries.
  std::mutex lead_mu;
  std::condition_variable lead_cv;
  bool lead_done = false;
  std::thread lead_watch;
  if (lead)
    lead_watch = std::thread([&] {
      pthread_setname_np(pthread_self(), "lead");
      std::unique_lock<std::mutex> hold(lead_mu);
      while (!lead_cv.wait_for(hold, kLeadPoll, [&] { return lead_done; })) {
        hold.unlock();
        const bool held = lead->StillHeld();
        hold.lock();
        if (!held && !lead_done) {
          LOG_ERROR("lost the lead's database connection; stopping (exit 75)");
          // Flushed, not shut down: the loop and the writer may be logging.
          if (auto logger = spdlog::default_logger()) logger->flush();
          std::_Exit(75);
        }
      }
    });
  io.run();
  if (lead_watch.joinable()) {
    {
      std::lock_guard<std::mutex> hold(lead_mu);
      lead_done = true;
    }
    lead_cv.notify_all();
    lead_watch.join();
  }
  return 0;
}

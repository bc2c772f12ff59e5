#include "agents/runtime/runtime.h"

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "common/daemon.h"
#include "common/file_clock.h"
#include "common/files.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/metrics.h"

namespace concord::agent {
namespace {

int ExitWith(const absl::Status& st, int exit_code, const char* prefix = "") {
  fprintf(stderr, "%s%s\n", prefix, std::string(st.message()).c_str());
  return exit_code;
}

// A config error is the operator's to mend (2); anything else is the machine's (1).
int ExitCodeFor(const absl::Status& st) {
  return absl::IsInvalidArgument(st) || absl::IsNotFound(st) ? 2 : 1;
}

std::string MetricsText(const client::ClientStats& s) {
  std::string out;
  RenderGauge("concord_agent_connected", "1 while the session with the hub is up.",
              s.connected ? 1 : 0, out);
  RenderCounter("concord_agent_received_total", "Deliveries applied.", s.received, out);
  RenderCounter("concord_agent_published_total", "Envelopes the hub acknowledged.", s.published,
                out);
  RenderGauge("concord_agent_outbox", "Envelopes staged and not yet acknowledged.",
              static_cast<double>(s.outbox), out);
  RenderCounter("concord_agent_handler_errors_total", "Deliveries rolled back to be sent again.",
                s.handler_errors, out);
  return out;
}

// --check-config: everything create() reads (the agent's table, calendars,
// factor files) is read for real, on a scratch copy of the database in a
// temporary folder, so the agent's own data is not touched and no port is
// opened or connection made.
int CheckConfig(const client::ProcessConfig& config, const AgentSpec& spec,
                const std::string& config_path) {
  if (auto st = CheckWritableFolder(config.data_dir, "[storage] data_dir"); !st.ok())
    return ExitWith(st, 2, "配置有误 / config error: ");
  char scratch_template[] = "/tmp/concord-check-XXXXXX";
  const char* scratch = mkdtemp(scratch_template);
  if (scratch == nullptr)
    return ExitWith(absl::InternalError("mkdtemp"), 1, "无法检查 / cannot check: ");
  int code = 0;
  {
    client::ProcessConfig copy = config;
    copy.client.db_path = std::string(scratch) + "/" + spec.name + ".db";
    copy.client.postgresql = {};  // the config is checked, not the shared database
    boost::asio::io_context io;
    auto client = client::Client::Create(io, copy.client);
    if (!client.ok()) {
      code = ExitWith(client.status(), 1, "无法检查 / cannot check: ");
    } else {
      HttpRouter router;
      AgentContext context{copy, copy.file[spec.name], SystemClock::Get(), io, **client, router};
      auto agent = spec.create(context);
      if (!agent.ok())
        code = ExitWith(agent.status(), ExitCodeFor(agent.status()), "配置有误 / config error: ");
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
  if (code == 0)
    printf("配置无误 / config OK: %s (%s)\n", config_path.c_str(), config.agency.c_str());
  return code;
}

volatile std::sig_atomic_t g_stop_waiting = 0;
extern "C" void StopWaiting(int) { g_stop_waiting = 1; }

// A book on PostgreSQL is shared by this agent and its standby on another
// machine: the one that holds the schema's lead (a session advisory lock on
// the very connection its transactions run on) works; the other waits here,
// trying every 250 ms, until the lead is free (the active one stopped, died
// or lost the database) or a signal comes. So what commits in the book is
// the lead's: a connection that lost the lock has lost its session too.
absl::StatusOr<std::optional<sql::Db>> WaitForLead(const client::ProcessConfig& config,
                                                   const std::string& ready_file) {
  struct sigaction action {};
  action.sa_handler = StopWaiting;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  bool said = false;
  uint64_t tries = 0;
  std::optional<sql::Db> db;
  absl::Status last;
  while (!g_stop_waiting) {
    if (!db) {
      auto opened = sql::Db::OpenPostgresql(config.client.postgresql);
      if (opened.ok()) {
        db = std::move(*opened);
      } else if (!absl::IsUnavailable(opened.status())) {
        return opened.status();
      } else if (last.message() != opened.status().message()) {
        last = opened.status();
        LOG_WARN("数据库不可达 / database unreachable: {}", last.ToString());
      }
    }
    if (db) {
      auto got = db->TryTakeLead();
      if (got.ok() && *got) break;
      if (!got.ok()) {
        LOG_WARN("lead: {}", got.status().ToString());
        db.reset();  // reconnect
      }
    }
    if (!said) {
      said = true;
      LOG_INFO("备用 / standby: another {} holds the lead of {}; waiting", config.client.name,
               config.client.postgresql.schema);
      if (!ready_file.empty()) (void)WriteFileAtomically(ready_file, "role=standby\n");
      NotifyServiceManager("READY=1\nSTATUS=standby");
    }
    // (The unit's watchdog waits for a sign of life from a standby too.)
    if (++tries % 40 == 0) NotifyServiceManager("WATCHDOG=1");
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  if (g_stop_waiting) return std::optional<sql::Db>();
  LOG_INFO("主用 / active: holds the lead of {}", config.client.postgresql.schema);
  return db;
}

}  // namespace

bool ShouldRetry(const absl::Status& st) {
  return absl::IsUnavailable(st) || absl::IsInternal(st) || absl::IsUnknown(st) ||
         absl::IsDataLoss(st);
}

void Periodic::Start() {
  timer_.expires_after(period_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the agent is going
    tick_();
    Start();
  });
}

int Run(int argc, char** argv, const AgentSpec& spec) {
  CLI::App app{spec.title};
  std::string config_path, ready_file;
  app.add_option("-c,--config", config_path, "配置文件 / config file")->required();
  app.add_option("--ready-file", ready_file, "启动后写入 HTTP 端口 / write the HTTP port here");
  const std::string program = "concord-" + spec.name + "-agent";
  app.set_version_flag("--version", VersionLine(program), "打印版本 / print the version");
  bool check_only = false;
  app.add_flag("--check-config", check_only,
               "只检查配置（在临时数据库上建立代理），不启动 / check the config by building the "
               "agent on a scratch database, then exit");
  CLI11_PARSE(app, argc, argv);
  InitLogging(spec.name + "-agent");

  auto config = client::LoadProcessConfig(config_path, spec.name + ".db");
  if (!config.ok()) return ExitWith(config.status(), 2);
  if (check_only) return CheckConfig(*config, spec, config_path);
  SetLogField("agency", config->agency);
  const bool shared = !config->client.postgresql.conninfo.empty();
  std::optional<DatabaseLock> lock;  // a SQLite file: this process's alone
  std::optional<sql::Db> book;
  if (shared) {
    auto lead = WaitForLead(*config, ready_file);
    if (!lead.ok()) return ExitWith(lead.status(), 1, "启动失败 / cannot start: ");
    if (!lead->has_value()) return 0;  // stopped while standing by
    book = std::move(**lead);
  } else {
    auto acquired = DatabaseLock::Acquire(config->client.db_path, program);
    if (!acquired.ok()) return ExitWith(acquired.status(), 1, "启动失败 / cannot start: ");
    lock.emplace(std::move(*acquired));
  }
  const ConfigSection section = config->file[spec.name];
  // A drill clock (drills and process-level tests only, and logged as such).
  std::unique_ptr<FileClock> drill;
  if (const std::string clock_file = section.Path("clock_file"); !clock_file.empty()) {
    drill = std::make_unique<FileClock>(clock_file);
    LOG_WARN("演练时钟 / drill clock: time is read from {}", clock_file);
  }
  const Clock& clock = drill ? static_cast<const Clock&>(*drill) : SystemClock::Get();

  boost::asio::io_context io;
  auto client = book ? client::Client::Create(io, config->client, std::move(*book))
                     : client::Client::Create(io, config->client);
  if (!client.ok()) return ExitWith(client.status(), 1, "启动失败 / cannot start: ");
  HttpRouter router;
  AgentContext context{*config, section, clock, io, **client, router};
  auto agent = spec.create(context);
  if (!agent.ok()) return ExitWith(agent.status(), ExitCodeFor(agent.status()));
  (*client)->OnMessage([&](const v1::Envelope& env, sql::Db&) { return (*agent)->Handle(env); });

  (void)router.Add("GET", "/healthz", [](const HttpRequest&) { return LivenessResponse(); });
  // Ready: a session with the hub, and the agent's database answers.
  (void)router.Add("GET", "/readyz", [&](const HttpRequest&) {
    return ReadinessResponse(
        {{"hub_connected", [&] { return (*client)->stats().connected; }},
         {"database", [&] { return (*client)->db().QueryInt("SELECT 1").ok(); }}});
  });
  (void)router.Add("GET", "/health", [&](const HttpRequest&) {
    nlohmann::json health = {{"connected", (*client)->stats().connected}};
    (*agent)->AddHealth(health);
    return JsonResponse(200, health);
  });
  (void)router.Add("GET", "/metrics", [&](const HttpRequest&) {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = MetricsText((*client)->stats());
    (*agent)->AddMetrics(r.body);
    RenderBuildInfo("concord_" + spec.name + "_agent", r.body);
    return r;
  });
  auto http = HttpServer::Start(io, config->http,
                                [&](const HttpRequest& req) { return router.Dispatch(req); });
  if (!http.ok()) return ExitWith(http.status(), 1, "HTTP: ");

  (*client)->Start();
  (*agent)->Started();
  if (!ready_file.empty())
    (void)WriteFileAtomically(ready_file, "http_port=" + std::to_string((*http)->port()) +
                                              (shared ? "\nrole=active\n" : "\n"));
  // The lead is this connection's: once it is gone (the database stopped,
  // the network cut, the session ended), so is the lead, and the standby may
  // already hold it. Stop at once (75: systemd starts it again, as a standby).
  // The check asks the server whether this session still holds the lock
  // (a connection pooler in transaction mode would hand out sessions that
  // do not: the agents need a direct session, operations.md §10.6).
  Periodic lead_check(io, std::chrono::milliseconds(500), [&] {
    auto held = (*client)->db().QueryInt(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
        "pid = pg_backend_pid() AND classid = 7283003");
    if (held.ok() && *held > 0) return;
    LOG_ERROR("失去数据库连接，交出主用 / lost the database: giving up the lead");
    std::fflush(nullptr);
    std::_Exit(75);
  });
  if (shared) lead_check.Start();
  NotifyServiceManager("READY=1\nSTATUS=" + config->agency);
  ServiceWatchdog watchdog(io);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    LOG_INFO("signal {}: shutting down", sig);
    NotifyServiceManager("STOPPING=1");
    (*client)->Stop();
    (*http)->Stop();
    io.stop();
  });
  io.run();
  return 0;
}

}  // namespace concord::agent

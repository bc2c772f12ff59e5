// concord-ledger-agent: the cross-agency petition ledger and its deadline
// clock on the bus (proto/concord/v1/petition.proto, agents/ledger/ledger.h).
//
//   concord-ledger-agent --config ledger.toml [--ready-file FILE]
//
// Each PetitionRegister / PetitionAct is applied, answered (PetitionReply) and
// fanned out (PetitionEvent to every agency that handled the item) in the
// transaction that records the delivery in the inbox. Every few seconds the
// clock scans the deadlines; its alerts (DeadlineAlert) and their sent marks
// are one transaction too, so a restart neither loses nor repeats one.
//
// Config, beside the usual [agency] [hub] [keys] [storage] [http]:
//   [ledger]
//   calendar = "calendar/cn-holidays.txt"
//   petition_office = "shangzhou.petition"      # its items owe the 15-day transfer rule
//   supervisors = ["shangzhou.plc"]              # escalations of overdue items also go here
//   scan_seconds = 5
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "absl/strings/str_cat.h"
#include "agents/ledger/ledger.h"
#include "concord/v1/envelope.pb.h"
#include "concord/v1/petition.pb.h"
#include "hub/client/client_config.h"
#include "hub/common/clock.h"
#include "hub/common/files.h"
#include "hub/common/http_server.h"
#include "hub/common/log.h"
#include "hub/common/status_macros.h"

namespace concord::ledger {
namespace {

struct AgentConfig {
  std::string calendar, petition_office;
  std::vector<std::string> supervisors;
  int scan_seconds = 5;
};

absl::StatusOr<AgentConfig> LoadAgentConfig(const std::string& path) {
  AgentConfig c;
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError(absl::StrCat("配置文件错误 / config error in ", path, ": ",
                                                   std::string(e.description())));
  }
  const auto base = std::filesystem::path(path).parent_path();
  std::string cal = t["ledger"]["calendar"].value_or(std::string());
  if (cal.empty())
    return absl::InvalidArgumentError(absl::StrCat(path, ": 需要 [ledger] calendar / [ledger] calendar is required"));
  c.calendar = std::filesystem::path(cal).is_absolute() ? cal : (base / cal).string();
  c.petition_office = t["ledger"]["petition_office"].value_or(std::string());
  c.scan_seconds = t["ledger"]["scan_seconds"].value_or(5);
  if (auto* arr = t["ledger"]["supervisors"].as_array())
    for (auto& v : *arr)
      if (auto s = v.value<std::string>()) c.supervisors.push_back(*s);
  return c;
}

class Agent {
 public:
  Agent(client::Client& client, Ledger& ledger, AgentConfig config, boost::asio::io_context& io)
      : client_(client), ledger_(ledger), config_(std::move(config)), timer_(io) {}

  absl::Status Handle(const v1::Envelope& env) {
    if (v1::PetitionRegister r; env.payload().UnpackTo(&r)) return OnRegister(env, r);
    if (v1::PetitionAct a; env.payload().UnpackTo(&a)) return OnAct(env, a);
    return absl::OkStatus();  // not ours
  }

  void ScheduleScan() {
    timer_.expires_after(std::chrono::seconds(config_.scan_seconds));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      ScanNow();
      ScheduleScan();
    });
  }

  void ScanNow() {
    auto txn = sqlite::Txn::Begin(client_.db());
    if (!txn.ok()) return;
    for (const Alert& a : ledger_.Scan(SystemClock::Get().NowMs())) {
      v1::DeadlineAlert out;
      out.set_ledger_no(a.ledger_no);
      out.set_rule(a.rule);
      out.set_kind(a.kind == Alert::kWarning ? "warning" : a.kind == Alert::kOverdue ? "overdue" : "escalation");
      out.set_due_ms(a.due_ms);
      out.set_text(a.text);
      out.set_agency(a.agency);
      std::vector<std::string> to = {a.agency};
      if (a.kind == Alert::kEscalation)
        to.insert(to.end(), config_.supervisors.begin(), config_.supervisors.end());
      (void)client_.Stage(client::MakeEnvelope(to, out));
      ++alerts_;
      LOG_INFO("deadline {}: {}", out.kind(), a.text);
    }
    if (txn->Commit().ok()) client_.Flush();
  }

  nlohmann::json OpenJson() {
    nlohmann::json items = nlohmann::json::array();
    const int64_t now = SystemClock::Get().NowMs();
    if (auto open = ledger_.OpenItems(now); open.ok())
      for (const auto& i : *open)
        items.push_back({{"ledger_no", i.ledger_no},
                         {"agency", i.agency},
                         {"status", i.status},
                         {"matter", i.matter},
                         {"group", i.group},
                         {"anonymous", i.anonymous},
                         {"received", FormatDate(DateOf(i.received_ms))},
                         {"next_due", i.next_due_ms ? FormatDate(DateOf(i.next_due_ms)) : ""},
                         {"next_due_ms", i.next_due_ms},
                         {"overdue", i.overdue}});
    return {{"now_ms", now}, {"items", items}};
  }

  HttpResponse StatsJson(const std::string& month) {
    HttpResponse r;
    auto s = ledger_.Stats(month, SystemClock::Get().NowMs());
    if (!s.ok()) {
      r.status = 400;
      r.body = nlohmann::json{{"error", std::string(s.status().message())}}.dump();
      return r;
    }
    r.body = nlohmann::json{{"month", s->month},
                            {"channels", s->channels},
                            {"received", s->received},
                            {"group", s->group},
                            {"anonymous", s->anonymous},
                            {"repeat", s->repeat},
                            {"transferred", s->transferred},
                            {"closed", s->closed},
                            {"procedural_due", s->procedural_due},
                            {"procedural_on_time", s->procedural_on_time},
                            {"substantive_due", s->substantive_due},
                            {"substantive_on_time", s->substantive_on_time},
                            {"overdue_now", s->overdue_now}}
                 .dump();
    return r;
  }

  uint64_t alerts() const { return alerts_; }

 private:
  absl::Status Reply(const v1::Envelope& env, v1::PetitionReply reply) {
    v1::Envelope out = client::MakeEnvelope({env.from()}, reply);
    out.set_correlation_id(env.id());
    return client_.Stage(std::move(out)).status();
  }

  absl::Status OnRegister(const v1::Envelope& env, const v1::PetitionRegister& r) {
    PetitionInput p;
    p.agency = env.from();
    p.intake_id = r.intake_id();
    p.channel = r.channel();
    p.received_ms = r.received_ms();
    p.petitioner = r.petitioner();
    p.contact = r.contact();
    p.anonymous = r.anonymous();
    p.matter = r.matter();
    p.case_ref = r.case_ref();
    p.people = std::max(1, r.people());
    p.petition_office = env.from() == config_.petition_office;
    v1::PetitionReply reply;
    reply.set_intake_id(r.intake_id());
    auto no = ledger_.Register(p);
    if (!no.ok() && !absl::IsInvalidArgument(no.status())) return no.status();  // database: retried
    reply.set_ok(no.ok());
    if (no.ok()) {
      reply.set_ledger_no(*no);
      reply.set_status(StatusName(Status::kReceived));
    } else {
      reply.set_reason(std::string(no.status().message()));
    }
    return Reply(env, reply);
  }

  absl::Status OnAct(const v1::Envelope& env, const v1::PetitionAct& a) {
    v1::PetitionReply reply;
    reply.set_ledger_no(a.ledger_no());
    const auto action = ActionFromName(a.action());
    if (!action) {
      reply.set_reason(absl::StrCat("未知的办理动作 / unknown action '", a.action(), "'"));
      return Reply(env, reply);
    }
    const int64_t at = a.at_ms() ? a.at_ms() : SystemClock::Get().NowMs();
    auto st = ledger_.Apply(a.ledger_no(), env.from(), *action, at, a.note(), a.to_agency());
    if (!st.ok() && (absl::IsUnavailable(st.status()) || absl::IsInternal(st.status())))
      return st.status();  // the database: the hub re-sends
    reply.set_ok(st.ok());
    if (!st.ok()) {
      reply.set_reason(std::string(st.status().message()));
      return Reply(env, reply);
    }
    reply.set_status(StatusName(*st));
    RETURN_IF_ERROR(Reply(env, reply));
    // Everyone who handled the item sees the same history.
    ASSIGN_OR_RETURN(std::string responsible, ledger_.Responsible(a.ledger_no()));
    ASSIGN_OR_RETURN(auto involved, ledger_.Involved(a.ledger_no()));
    v1::PetitionEvent ev;
    ev.set_ledger_no(a.ledger_no());
    ev.set_agency(env.from());
    ev.set_action(a.action());
    ev.set_to_status(StatusName(*st));
    ev.set_note(a.note());
    ev.set_at_ms(at);
    ev.set_responsible(responsible);
    return client_.Stage(client::MakeEnvelope(involved, ev)).status();
  }

  client::Client& client_;
  Ledger& ledger_;
  AgentConfig config_;
  boost::asio::steady_timer timer_;
  uint64_t alerts_ = 0;
};

}  // namespace
}  // namespace concord::ledger

int main(int argc, char** argv) {
  using namespace concord;
  CLI::App app{"concord-ledger-agent: 信访台账与期限监督 / petition ledger and deadline clock"};
  std::string config_path, ready_file;
  app.add_option("-c,--config", config_path, "配置文件 / config file")->required();
  app.add_option("--ready-file", ready_file, "启动后写入 HTTP 端口 / write the HTTP port here");
  CLI11_PARSE(app, argc, argv);
  InitLogging("ledger-agent");
  auto config = client::LoadProcessConfig(config_path, "ledger.db");
  auto agent_config = ledger::LoadAgentConfig(config_path);
  if (!config.ok() || !agent_config.ok()) {
    fprintf(stderr, "%s\n", std::string((config.ok() ? agent_config.status() : config.status()).message()).c_str());
    return 2;
  }
  auto calendar = ledger::HolidayCalendar::Load(agent_config->calendar);
  if (!calendar.ok()) {
    fprintf(stderr, "%s\n", std::string(calendar.status().message()).c_str());
    return 2;
  }
  if (!calendar->Covers(ledger::DateOf(SystemClock::Get().NowMs())))
    LOG_WARN("the holiday calendar does not cover this year: weekends only until it is added ({})",
             agent_config->calendar);
  boost::asio::io_context io;
  auto client = client::Client::Create(io, config->client);
  if (!client.ok()) {
    fprintf(stderr, "启动失败 / cannot start: %s\n", client.status().ToString().c_str());
    return 1;
  }
  auto ledger = ledger::Ledger::Open((*client)->db(), *calendar);
  if (!ledger.ok()) {
    fprintf(stderr, "%s\n", ledger.status().ToString().c_str());
    return 1;
  }
  ledger::Agent agent(**client, **ledger, *agent_config, io);
  (*client)->OnMessage([&](const v1::Envelope& env, sqlite::Db&) { return agent.Handle(env); });
  auto http = HttpServer::Start(io, config->http_address, static_cast<uint16_t>(config->http_port),
                                [&](const HttpRequest& req) {
    HttpResponse r;
    if (req.Path() == "/ledger/open") {
      r.body = agent.OpenJson().dump();
    } else if (req.Path() == "/ledger/stats") {
      r = agent.StatsJson(req.Query("month"));
    } else if (req.Path() == "/health") {
      r.body = nlohmann::json{{"connected", (*client)->stats().connected}, {"alerts", agent.alerts()}}.dump();
    } else {
      r.status = 404;
      r.body = "{\"error\": \"未找到 / not found\"}";
    }
    return r;
  });
  if (!http.ok()) {
    fprintf(stderr, "HTTP: %s\n", http.status().ToString().c_str());
    return 1;
  }
  (*client)->Start();
  agent.ScheduleScan();
  if (!ready_file.empty())
    (void)WriteFileAtomically(ready_file, "http_port=" + std::to_string((*http)->port()) + "\n");
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    (*client)->Stop();
    (*http)->Stop();
    io.stop();
  });
  io.run();
  return 0;
}

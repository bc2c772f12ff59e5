// concord-risk-agent: risk assessment and early warning (风险评估预警) and the
// monthly hidden-risk screening (隐患月排查) on the bus (proto/concord/v1/risk.proto,
// agents/risk/risk.h).
//
//   concord-risk-agent --config risk.toml [--ready-file FILE]
//
// Each PetitionSnapshot (from the ledger agent) and RiskReport (a handler's
// risk form) re-assesses its case in the transaction that records the
// delivery. A changed level goes to the responsible agency (RiskAssessment);
// a rise to red also goes, as a RiskWarning proposing a joint conference, to
// the supervisors (the political-legal committee) and the convenors. On the
// first working day of each month the screening is held and each agency gets
// its report (RiskScreening).
//
// Config, beside the usual [agency] [hub] [keys] [storage] [http]:
//   [risk]
//   factors = "risk/factors.toml"              # factors, weights, levels
//   calendar = "calendar/cn-holidays.txt"      # the first working day of the month
//   supervisors = ["shangzhou.plc"]            # told at once of a rise to red
//   convenors = ["shangzhou.procuratorate"]    # may convene the proposed joint conference
//   ledger = "shangzhou.agent.ledger"          # the only sender of PetitionSnapshots (required)
//   scan_seconds = 60                          # how often the screening date is checked
//   clock_file = ""                            # drills and tests only: FileClock
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "absl/strings/str_cat.h"
#include "agents/risk/risk.h"
#include "concord/v1/envelope.pb.h"
#include "concord/v1/petition.pb.h"
#include "concord/v1/risk.pb.h"
#include "hub/client/agent_process.h"
#include "hub/client/client_config.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace concord::risk {
namespace {

struct AgentConfig {
  std::string factors, calendar, clock_file, ledger;
  std::vector<std::string> supervisors, convenors;
  int scan_seconds = 60;
};

std::vector<std::string> Strings(const toml::node_view<toml::node>& n) {
  std::vector<std::string> out;
  if (auto* arr = n.as_array())
    for (auto& v : *arr)
      if (auto s = v.value<std::string>()) out.push_back(*s);
  return out;
}

absl::StatusOr<AgentConfig> LoadAgentConfig(const std::string& path) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError(absl::StrCat("配置文件错误 / config error in ", path, ": ",
                                                   std::string(e.description())));
  }
  const auto base = std::filesystem::path(path).parent_path();
  auto rel = [&](std::string p) {
    return p.empty() || std::filesystem::path(p).is_absolute() ? p : (base / p).string();
  };
  AgentConfig c;
  auto r = t["risk"];
  c.factors = rel(r["factors"].value_or(std::string()));
  c.calendar = rel(r["calendar"].value_or(std::string()));
  if (c.factors.empty() || c.calendar.empty())
    return absl::InvalidArgumentError(absl::StrCat(path, ": 需要 [risk] factors 与 calendar / [risk] factors and "
                                                   "calendar are required"));
  c.supervisors = Strings(r["supervisors"]);
  c.ledger = r["ledger"].value_or(std::string());
  if (c.ledger.empty())
    return absl::InvalidArgumentError(absl::StrCat(path, ": 需要 [risk] ledger（台账代理）/ [risk] ledger, the ledger "
                                                   "agent's principal, is required"));
  c.convenors = Strings(r["convenors"]);
  c.scan_seconds = r["scan_seconds"].value_or(60);
  if (c.scan_seconds < 1) return absl::InvalidArgumentError(absl::StrCat(path, ": scan_seconds 须为正数 / must be positive"));
  c.clock_file = rel(r["clock_file"].value_or(std::string()));
  return c;
}

v1::RiskAssessment ToProto(const CaseRisk& c, const FactorTable& table, int64_t now_ms) {
  v1::RiskAssessment a;
  a.set_case_key(c.case_key);
  a.set_agency(c.agency);
  a.set_level(LevelName(c.assessment.level));
  if (c.previous) a.set_previous_level(LevelName(*c.previous));
  a.set_score(c.assessment.score);
  for (const auto& f : c.assessment.factors) {
    v1::RiskFactor* p = a.add_factors();
    p->set_id(f.id);
    p->set_name(f.name);
    p->set_weight(f.weight);
    p->set_reason(f.reason);
  }
  a.set_required(table.Required(c.assessment.level));
  a.set_at_ms(now_ms);
  a.set_matter(c.matter);
  return a;
}

nlohmann::json ToJson(const CaseRisk& c, const FactorTable& table) {
  nlohmann::json factors = nlohmann::json::array();
  for (const auto& f : c.assessment.factors)
    factors.push_back({{"id", f.id}, {"name", f.name}, {"weight", f.weight}, {"reason", f.reason}});
  return {{"case_key", c.case_key}, {"agency", c.agency},   {"matter", c.matter},
          {"handler", c.handler},   {"level", LevelName(c.assessment.level)},
          {"level_zh", table.LevelTitle(c.assessment.level)}, {"score", c.assessment.score},
          {"factors", factors},     {"required", table.Required(c.assessment.level)},
          {"open", c.open},         {"since", ledger::FormatDate(ledger::DateOf(c.level_since_ms))}};
}

class Agent {
 public:
  Agent(client::Client& client, RiskBook& book, AgentConfig config, const Clock& clock, boost::asio::io_context& io)
      : client_(client), book_(book), config_(std::move(config)), clock_(clock), timer_(io) {}

  absl::Status Handle(const v1::Envelope& env) {
    if (v1::PetitionSnapshot s; env.payload().UnpackTo(&s)) return OnSnapshot(env, s);
    if (v1::RiskReport r; env.payload().UnpackTo(&r)) return OnReport(env, r);
    return absl::OkStatus();
  }

  void ScheduleScan() {
    timer_.expires_after(std::chrono::seconds(config_.scan_seconds));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      ScreenIfDue();
      ScheduleScan();
    });
  }

  // The monthly screening, once, on the first working day (or the first start after it).
  void ScreenIfDue() {
    const int64_t now = clock_.NowMs();
    auto txn = sqlite::Txn::Begin(client_.db());
    if (!txn.ok()) return;
    auto month = book_.ScreeningDue(now);
    if (!month.ok() || month->empty()) return;
    auto screenings = book_.Screen(*month, now);
    if (!screenings.ok()) {
      LOG_ERROR("screening {}: {}", *month, screenings.status().ToString());
      return;
    }
    for (const Screening& s : *screenings) {
      v1::RiskScreening out;
      out.set_month(s.month);
      out.set_agency(s.agency);
      out.set_open(s.open);
      out.set_new_risks(s.new_risks);
      out.set_resolved(s.resolved);
      out.set_long_overdue(s.long_overdue);
      out.set_markdown(s.markdown);
      out.set_csv(s.csv);
      if (auto st = client_.Stage(client::MakeEnvelope({s.agency}, out)); !st.ok()) {
        LOG_ERROR("screening {} for {} not sent: {}; tried again later", *month, s.agency, st.status().ToString());
        return;  // rolled back: the month is not marked held
      }
    }
    if (txn->Commit().ok()) {
      client_.Flush();
      LOG_INFO("隐患月排查 / monthly screening {}: {} agencies", *month, screenings->size());
    }
  }

  HttpResponse OpenJson(const std::string& agency) {
    HttpResponse r;
    auto open = book_.OpenRisks(agency);
    if (!open.ok()) return Error(500, open.status());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& c : *open) items.push_back(ToJson(c, book_.table()));
    r.body = nlohmann::json{{"risks", items}}.dump();
    return r;
  }

  HttpResponse CaseJson(const std::string& key) {
    auto c = book_.Find(key);
    if (!c.ok()) return Error(500, c.status());
    if (!*c) return Error(404, absl::NotFoundError(absl::StrCat("没有风险记录 / no risk record for ", key)));
    HttpResponse r;
    r.body = ToJson(**c, book_.table()).dump();
    return r;
  }

  HttpResponse ScreeningJson(const std::string& month, const std::string& agency) {
    auto s = book_.FindScreening(month, agency);
    if (!s.ok()) return Error(500, s.status());
    if (!*s)
      return Error(404, absl::NotFoundError(absl::StrCat("没有 ", month, " ", agency, " 的排查 / no screening")));
    HttpResponse r;
    r.body = nlohmann::json{{"month", month}, {"agency", agency}, {"open", (*s)->open},
                            {"new_risks", (*s)->new_risks}, {"resolved", (*s)->resolved},
                            {"long_overdue", (*s)->long_overdue}, {"markdown", (*s)->markdown}, {"csv", (*s)->csv}}
                 .dump();
    return r;
  }

 private:
  static HttpResponse Error(int status, const absl::Status& st) {
    HttpResponse r;
    r.status = status;
    r.body = nlohmann::json{{"error", std::string(st.message())}}.dump();
    return r;
  }

  absl::Status OnSnapshot(const v1::Envelope& env, const v1::PetitionSnapshot& p) {
    if (env.from() != config_.ledger) {  // only the ledger says what an item is
      LOG_WARN("PetitionSnapshot from {} ignored: not the ledger agent", env.from());
      return absl::OkStatus();
    }
    Snapshot s;
    s.ledger_no = p.ledger_no();
    s.agency = p.agency();
    s.matter = p.matter();
    s.case_ref = p.case_ref();
    s.status = p.status();
    s.handler = p.handler();
    s.people = std::max(1, p.people());
    s.repeats = p.repeats();
    s.overdue = p.overdue();
    s.overdue_since_ms = p.overdue_since_ms();
    s.contested = p.contested();
    s.major = p.major();
    s.open = p.open();
    auto c = book_.Update(s, clock_.NowMs());
    if (!c.ok()) {
      if (absl::IsInvalidArgument(c.status())) {
        LOG_WARN("snapshot from {} refused: {}", env.from(), std::string(c.status().message()));
        return absl::OkStatus();
      }
      return c.status();  // the database: the hub re-sends
    }
    return Tell(*c);
  }

  absl::Status OnReport(const v1::Envelope& env, const v1::RiskReport& r) {
    Report in;
    in.agency = env.from();
    for (const auto* list : {&config_.supervisors, &config_.convenors})
      in.oversees |= std::find(list->begin(), list->end(), env.from()) != list->end();
    in.case_key = r.case_key();
    in.factors.assign(r.factors().begin(), r.factors().end());
    in.no_risk = r.no_risk();
    in.note = r.note();
    in.matter = r.matter();
    auto c = book_.Update(in, clock_.NowMs());
    if (!c.ok() && !absl::IsInvalidArgument(c.status()) && !absl::IsPermissionDenied(c.status()) &&
        !absl::IsFailedPrecondition(c.status()))
      return c.status();  // the database: the hub re-sends
    v1::PetitionReply reply;  // the answer to the form: ok and the level, or the reason
    reply.set_intake_id(r.case_key());
    reply.set_ok(c.ok());
    if (c.ok()) reply.set_status(LevelName(c->assessment.level));
    else reply.set_reason(std::string(c.status().message()));
    v1::Envelope out = client::MakeEnvelope({env.from()}, reply);
    out.set_correlation_id(env.id());
    RETURN_IF_ERROR(client_.Stage(std::move(out)).status());
    return c.ok() ? Tell(*c) : absl::OkStatus();
  }

  // A changed level goes to the responsible agency; a rise to red is an early
  // warning to the agency, the supervisors and the convenors at once.
  absl::Status Tell(const CaseRisk& c) {
    if (!c.changed() && !c.moved()) return absl::OkStatus();
    const int64_t now = clock_.NowMs();
    v1::RiskAssessment a = ToProto(c, book_.table(), now);
    RETURN_IF_ERROR(client_.Stage(client::MakeEnvelope({c.agency}, a)).status());
    if (!c.rose_to_red()) return absl::OkStatus();
    v1::RiskWarning w;
    *w.mutable_assessment() = a;
    w.set_conference_proposed(true);
    std::string names;
    for (const auto& f : c.assessment.factors) absl::StrAppend(&names, names.empty() ? "" : "、", f.name);
    w.set_text(absl::StrCat("风险预警：", c.case_key, "（", c.matter, "）升为", book_.table().LevelTitle(c.assessment.level),
                            "，", c.assessment.score, " 分（", names, "）。", book_.table().Required(c.assessment.level),
                            " / risk warning: ", c.case_key, " rose to red (score ", c.assessment.score,
                            "); a joint conference is proposed"));
    std::vector<std::string> to = {c.agency};
    for (const auto& list : {config_.supervisors, config_.convenors})
      for (const auto& s : list)
        if (std::find(to.begin(), to.end(), s) == to.end()) to.push_back(s);
    LOG_INFO("{}", w.text());
    return client_.Stage(client::MakeEnvelope(to, w)).status();
  }

  client::Client& client_;
  RiskBook& book_;
  AgentConfig config_;
  const Clock& clock_;
  boost::asio::steady_timer timer_;
};

}  // namespace
}  // namespace concord::risk

int main(int argc, char** argv) {
  using namespace concord;
  int exit_code = 0;
  const auto args = client::ParseAgentArgs(
      argc, argv, "concord-risk-agent: 风险评估预警与隐患月排查 / risk warning and monthly screening", &exit_code);
  if (!args) return exit_code;
  InitLogging("risk-agent");
  auto config = client::LoadProcessConfig(args->config_path, "risk.db");
  if (!config.ok()) return client::ExitWith(config.status(), 2);
  auto agent_config = risk::LoadAgentConfig(args->config_path);
  if (!agent_config.ok()) return client::ExitWith(agent_config.status(), 2);
  auto table = risk::FactorTable::Load(agent_config->factors);
  auto calendar = ledger::HolidayCalendar::Load(agent_config->calendar);
  if (!table.ok() || !calendar.ok()) {
    fprintf(stderr, "%s\n", std::string((table.ok() ? calendar.status() : table.status()).message()).c_str());
    return 2;
  }
  const client::AgentClock clock(agent_config->clock_file);
  boost::asio::io_context io;
  auto client = client::Client::Create(io, config->client);
  if (!client.ok()) return client::ExitWith(client.status(), 1, "启动失败 / cannot start: ");
  auto book = risk::RiskBook::Open((*client)->db(), *std::move(table), *std::move(calendar));
  if (!book.ok()) return client::ExitWith(book.status(), 1);
  risk::Agent agent(**client, **book, *agent_config, clock.get(), io);
  (*client)->OnMessage([&](const v1::Envelope& env, sqlite::Db&) { return agent.Handle(env); });
  return client::ServeUntilSignal(io, **client, *config, args->ready_file, [&](const HttpRequest& req) {
    if (req.Path() == "/risk/open") return agent.OpenJson(req.Query("agency"));
    if (req.Path() == "/risk/case") return agent.CaseJson(req.Query("key"));
    if (req.Path() == "/risk/screening") return agent.ScreeningJson(req.Query("month"), req.Query("agency"));
    return client::NotFoundResponse();
  }, [&] {
    agent.ScreenIfDue();
    agent.ScheduleScan();
  });
}

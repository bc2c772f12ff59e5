#include "agents/risk/agent.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace concord::risk {
namespace {

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
  return {{"case_key", c.case_key},
          {"agency", c.agency},
          {"matter", c.matter},
          {"handler", c.handler},
          {"level", LevelName(c.assessment.level)},
          {"level_zh", table.LevelTitle(c.assessment.level)},
          {"score", c.assessment.score},
          {"factors", factors},
          {"required", table.Required(c.assessment.level)},
          {"open", c.open},
          {"since", FormatDate(DateOf(c.level_since_ms))}};
}

}  // namespace

absl::StatusOr<AgentConfig> LoadAgentConfig(const ConfigSection& r) {
  const std::string& path = r.file_path();
  AgentConfig c;
  c.factors = r.Path("factors");
  c.calendar = r.Path("calendar");
  if (c.factors.empty() || c.calendar.empty())
    return absl::InvalidArgumentError(
        absl::StrCat(path,
                     ": 需要 [risk] factors 与 calendar / [risk] factors and "
                     "calendar are required"));
  c.supervisors = r.Strings("supervisors");
  c.ledger = r.String("ledger");
  if (c.ledger.empty())
    return absl::InvalidArgumentError(
        absl::StrCat(path,
                     ": 需要 [risk] ledger（台账代理）/ [risk] ledger, the ledger "
                     "agent's principal, is required"));
  c.convenors = r.Strings("convenors");
  c.scan_seconds = r.Int("scan_seconds", 60);
  if (c.scan_seconds < 1)
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": scan_seconds 须为正数 / must be positive"));
  return c;
}

Agent::Agent(agent::AgentContext& context, std::unique_ptr<RiskBook> book, AgentConfig config)
    : client_(context.client),
      book_(std::move(book)),
      config_(std::move(config)),
      clock_(context.clock),
      scan_(context.io, std::chrono::seconds(config_.scan_seconds), [this] { ScreenIfDue(); }) {}

absl::Status Agent::Handle(const v1::Envelope& env) {
  if (v1::PetitionSnapshot s; env.payload().UnpackTo(&s)) return OnSnapshot(env, s);
  if (v1::RiskReport r; env.payload().UnpackTo(&r)) return OnReport(env, r);
  if (v1::RiskQuery q; env.payload().UnpackTo(&q)) return OnQuery(env, q);
  return absl::OkStatus();
}

void Agent::Started() {
  ScreenIfDue();
  scan_.Start();
}

// The monthly screening, once, on the first working day (or the first start after it).
void Agent::ScreenIfDue() {
  const int64_t now = clock_.NowMs();
  auto txn = sql::Txn::Begin(client_.db());
  if (!txn.ok()) return;
  auto month = book_->ScreeningDue(now);
  if (!month.ok() || month->empty()) return;
  auto screenings = book_->Screen(*month, now);
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
      LOG_ERROR("screening {} for {} not sent: {}; tried again later", *month, s.agency,
                st.status().ToString());
      return;  // rolled back: the month is not marked held
    }
  }
  if (txn->Commit().ok()) {
    client_.Flush();
    LOG_INFO("隐患月排查 / monthly screening {}: {} agencies", *month, screenings->size());
  }
}

HttpResponse Agent::OpenJson(const std::string& agency) {
  HttpResponse r;
  auto open = book_->OpenRisks(agency);
  if (!open.ok()) return ErrorResponse(500, std::string(open.status().message()));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& c : *open) items.push_back(ToJson(c, book_->table()));
  r.body = nlohmann::json{{"risks", items}}.dump();
  return r;
}

HttpResponse Agent::CaseJson(const std::string& key) {
  auto c = book_->Find(key);
  if (!c.ok()) return ErrorResponse(500, std::string(c.status().message()));
  if (!*c) return ErrorResponse(404, absl::StrCat("没有风险记录 / no risk record for ", key));
  HttpResponse r;
  r.body = ToJson(**c, book_->table()).dump();
  return r;
}

HttpResponse Agent::ScreeningJson(const std::string& month, const std::string& agency) {
  auto s = book_->FindScreening(month, agency);
  if (!s.ok()) return ErrorResponse(500, std::string(s.status().message()));
  if (!*s)
    return ErrorResponse(404, absl::StrCat("没有 ", month, " ", agency, " 的排查 / no screening"));
  HttpResponse r;
  r.body = nlohmann::json{{"month", month},
                          {"agency", agency},
                          {"open", (*s)->open},
                          {"new_risks", (*s)->new_risks},
                          {"resolved", (*s)->resolved},
                          {"long_overdue", (*s)->long_overdue},
                          {"markdown", (*s)->markdown},
                          {"csv", (*s)->csv}}
               .dump();
  return r;
}

absl::Status Agent::OnQuery(const v1::Envelope& env, const v1::RiskQuery& q) {
  const bool all = std::find(config_.supervisors.begin(), config_.supervisors.end(), env.from()) !=
                       config_.supervisors.end() ||
                   std::find(config_.convenors.begin(), config_.convenors.end(), env.from()) !=
                       config_.convenors.end();
  HttpResponse view;
  if (q.view() == "open") {
    view = OpenJson(all ? "" : env.from());
  } else if (q.view() == "case") {
    view = CaseJson(q.key());
    if (view.status == 200 && !all) {
      auto c = nlohmann::json::parse(view.body, nullptr, false);
      if (!c.is_object() || c.value("agency", "") != env.from())
        view = ErrorResponse(403,
                             "无权查看该案件的风险记录：它不由本机关负责 / not a case of "
                             "your agency");
    }
  } else if (q.view() == "screening") {
    view = ScreeningJson(q.month(), env.from());
  } else if (q.view() == "factors") {
    nlohmann::json factors = nlohmann::json::array();
    for (const auto& f : book_->table().FormFactors())
      factors.push_back({{"id", f.id}, {"name", f.name}, {"weight", f.weight}});
    view.body = nlohmann::json{{"factors", factors}}.dump();
  } else {
    view = ErrorResponse(400, absl::StrCat("未知的查询 / unknown view '", q.view(),
                                           "' (open, case, screening, factors)"));
  }
  if (view.status >= 500) return absl::UnavailableError(view.body);  // the database: re-sent
  v1::RiskQueryReply reply;
  reply.set_ok(view.status == 200);
  if (view.status == 200) {
    reply.set_json(view.body);
  } else {
    auto e = nlohmann::json::parse(view.body, nullptr, false);
    reply.set_reason(e.is_object() ? e.value("error", view.body) : view.body);
  }
  v1::Envelope out = client::MakeReply(env, reply);
  client_.Stamp(out);
  out.set_expires_at_ms(out.created_at_ms() + 60'000);
  return client_.Stage(std::move(out)).status();
}

absl::Status Agent::OnSnapshot(const v1::Envelope& env, const v1::PetitionSnapshot& p) {
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
  auto c = book_->Update(s, clock_.NowMs());
  if (!c.ok()) {
    if (absl::IsInvalidArgument(c.status())) {
      LOG_WARN("snapshot from {} refused: {}", env.from(), std::string(c.status().message()));
      return absl::OkStatus();
    }
    return c.status();  // the database: the hub re-sends
  }
  return Tell(*c);
}

absl::Status Agent::OnReport(const v1::Envelope& env, const v1::RiskReport& r) {
  Report in;
  in.agency = env.from();
  for (const auto* list : {&config_.supervisors, &config_.convenors})
    in.oversees |= std::find(list->begin(), list->end(), env.from()) != list->end();
  in.case_key = r.case_key();
  in.factors.assign(r.factors().begin(), r.factors().end());
  in.no_risk = r.no_risk();
  in.note = r.note();
  in.matter = r.matter();
  auto c = book_->Update(in, clock_.NowMs());
  if (!c.ok() && !absl::IsInvalidArgument(c.status()) && !absl::IsPermissionDenied(c.status()) &&
      !absl::IsFailedPrecondition(c.status()))
    return c.status();      // the database: the hub re-sends
  v1::PetitionReply reply;  // the answer to the form: ok and the level, or the reason
  reply.set_intake_id(r.case_key());
  reply.set_ok(c.ok());
  if (c.ok())
    reply.set_status(LevelName(c->assessment.level));
  else
    reply.set_reason(std::string(c.status().message()));
  RETURN_IF_ERROR(client_.Stage(client::MakeReply(env, reply)).status());
  return c.ok() ? Tell(*c) : absl::OkStatus();
}

// A changed level goes to the responsible agency; a rise to red is an early
// warning to the agency, the supervisors and the convenors at once.
absl::Status Agent::Tell(const CaseRisk& c) {
  if (!c.changed() && !c.moved()) return absl::OkStatus();
  const int64_t now = clock_.NowMs();
  v1::RiskAssessment a = ToProto(c, book_->table(), now);
  RETURN_IF_ERROR(client_.Stage(client::MakeEnvelope({c.agency}, a)).status());
  if (!c.rose_to_red()) return absl::OkStatus();
  v1::RiskWarning w;
  *w.mutable_assessment() = a;
  w.set_conference_proposed(true);
  std::string names;
  for (const auto& f : c.assessment.factors)
    absl::StrAppend(&names, names.empty() ? "" : "、", f.name);
  w.set_text(absl::StrCat("风险预警：", c.case_key, "（", c.matter, "）升为",
                          book_->table().LevelTitle(c.assessment.level), "，", c.assessment.score,
                          " 分（", names, "）。", book_->table().Required(c.assessment.level),
                          " / risk warning: ", c.case_key, " rose to red (score ",
                          c.assessment.score, "); a joint conference is proposed"));
  std::vector<std::string> to = {c.agency};
  for (const auto& list : {config_.supervisors, config_.convenors})
    for (const auto& s : list)
      if (std::find(to.begin(), to.end(), s) == to.end()) to.push_back(s);
  LOG_INFO("{}", w.text());
  return client_.Stage(client::MakeEnvelope(to, w)).status();
}

absl::StatusOr<std::unique_ptr<agent::Agent>> CreateAgent(agent::AgentContext& context) {
  ASSIGN_OR_RETURN(AgentConfig config, LoadAgentConfig(context.section));
  ASSIGN_OR_RETURN(FactorTable table, FactorTable::Load(config.factors));
  ASSIGN_OR_RETURN(HolidayCalendar calendar, HolidayCalendar::Load(config.calendar));
  auto book = RiskBook::Open(context.client.db(), std::move(table), std::move(calendar));
  if (!book.ok()) return absl::UnavailableError(book.status().message());
  auto agent = std::make_unique<Agent>(context, *std::move(book), std::move(config));
  Agent* a = agent.get();
  HttpRouter& http = context.http;
  RETURN_IF_ERROR(http.Add("GET", "/risk/open", [a](const HttpRequest& req) {
    return a->OpenJson(req.Query("agency"));
  }));
  RETURN_IF_ERROR(http.Add("GET", "/risk/case",
                           [a](const HttpRequest& req) { return a->CaseJson(req.Query("key")); }));
  RETURN_IF_ERROR(http.Add("GET", "/risk/screening", [a](const HttpRequest& req) {
    return a->ScreeningJson(req.Query("month"), req.Query("agency"));
  }));
  return agent;
}

}  // namespace concord::risk

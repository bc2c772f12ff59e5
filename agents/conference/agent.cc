#include "agents/conference/agent.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agents/conference/plan_document.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "concord/v1/petition.pb.h"
#include "domain/calendar.h"
#include "domain/rules.h"

namespace concord::conference {
namespace {

// A query's answer is for the console that is waiting for it: after this long
// the hub drops it rather than deliver a stale page.
constexpr int64_t kQueryReplyTtlMs = 60 * 1000;
constexpr int kDefaultListLimit = 50;
constexpr int kMaxListLimit = 200;

// The person behind an envelope (Envelope.actor, as the agency sent it).
Person PersonOf(const v1::Envelope& env) {
  return {env.actor().login(), env.actor().name(), env.actor().role()};
}

bool Has(const std::vector<std::string>& list, const std::string& x) {
  return std::find(list.begin(), list.end(), x) != list.end();
}

v1::ConferencePlan PlanToProto(const std::string& id, const Plan& p) {
  v1::ConferencePlan out;
  out.set_conference_id(id);
  out.set_summary(p.summary);
  out.set_core_demand(p.core_demand);
  out.set_risk_level(p.risk_level);
  out.set_lead_leader(p.lead_leader);
  out.set_closing_criteria(p.closing_criteria);
  for (int64_t v : p.follow_ups_ms) out.add_follow_ups_ms(v);
  for (const Task& t : p.tasks) {
    v1::ConferenceTask* x = out.add_tasks();
    x->set_task_id(t.task_id);
    x->set_agency(t.agency);
    x->set_person(t.person);
    x->set_measure(t.measure);
    x->set_detail(t.detail);
    x->set_due_ms(t.due_ms);
    x->set_status(t.status);
  }
  return out;
}

nlohmann::json ToJson(const Conference& c) {
  nlohmann::json plans = nlohmann::json::array();
  for (const Plan& p : c.plans) {
    nlohmann::json tasks = nlohmann::json::array();
    for (const Task& t : p.tasks)
      tasks.push_back({{"task_id", t.task_id},
                       {"agency", t.agency},
                       {"person", t.person},
                       {"measure", t.measure},
                       {"measure_zh", MeasureChinese(t.measure)},
                       {"detail", t.detail},
                       {"due_ms", t.due_ms},
                       {"status", t.status},
                       {"last_note", t.last_note}});
    plans.push_back({{"version", p.version},
                     {"summary", p.summary},
                     {"lead_leader", p.lead_leader},
                     {"tasks", tasks}});
  }
  nlohmann::json inputs = nlohmann::json::array();
  for (const Input& i : c.inputs) {
    nlohmann::json measures = nlohmann::json::array();
    for (const Measure& m : i.measures)
      measures.push_back({{"measure", m.measure}, {"detail", m.detail}});
    inputs.push_back({{"agency", i.agency}, {"assessment", i.assessment}, {"measures", measures}});
  }
  nlohmann::json signatures = nlohmann::json::array();
  for (const Signature& s : c.signatures)
    signatures.push_back({{"agency", s.agency},
                          {"version", s.version},
                          {"approved", s.approved},
                          {"note", s.note},
                          {"signer", s.signer.name}});
  return {{"id", c.id},
          {"case_key", c.case_key},
          {"case_refs", c.case_refs},
          {"title", c.title},
          {"convenor", c.convenor},
          {"invited", c.invited},
          {"status", c.status},
          {"inputs", inputs},
          {"plans", plans},
          {"signatures", signatures},
          {"signed_latest", c.signed_latest},
          {"pending_latest", c.pending_latest},
          {"outcome", c.outcome}};
}

}  // namespace

absl::StatusOr<AgentConfig> LoadAgentConfig(const ConfigSection& conf) {
  const std::string& path = conf.file_path();
  AgentConfig c;
  c.convenors = conf.Strings("convenors");
  if (c.convenors.empty())
    return absl::InvalidArgumentError(
        absl::StrCat(path,
                     ": 需要 [conference] convenors / [conference] convenors "
                     "is required"));
  c.agencies = conf.Strings("agencies");
  c.hearing_hosts = conf.Strings("hearing_hosts");
  c.ledger = conf.String("ledger");
  c.aid = conf.String("aid");
  c.aid_timeout_seconds = conf.Int("aid_timeout_seconds", 300);
  if (c.aid_timeout_seconds < 1)
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": aid_timeout_seconds 须为正数 / must be positive"));
  c.names = conf.StringMap("names");
  return c;
}

Agent::Agent(agent::AgentContext& context, std::unique_ptr<Conferences> book, AgentConfig config)
    : client_(context.client),
      book_(std::move(book)),
      config_(std::move(config)),
      clock_(context.clock),
      sweep_(context.io, std::chrono::seconds(std::min(30, config_.aid_timeout_seconds)),
             [this] { SweepAidWaits(); }) {}

void Agent::SweepAidWaits() {
  auto txn = sql::Txn::Begin(client_.db());
  if (!txn.ok()) return;
  auto old = client_.db().Prepare(
      "SELECT query_id, request_json FROM conference_aid_waits WHERE parked_ms < ?");
  auto drop = client_.db().Prepare("DELETE FROM conference_aid_waits WHERE query_id=?");
  if (!old.ok() || !drop.ok()) return;
  old->Bind(1, static_cast<int64_t>(clock_.NowMs() - config_.aid_timeout_seconds * int64_t{1000}));
  std::vector<std::pair<std::string, std::string>> expired;
  while (true) {
    auto row = old->Step();
    if (!row.ok() || !*row) break;
    expired.emplace_back(old->Text(0), old->Blob(1));
  }
  old->Reset();
  for (const auto& [query_id, bytes] : expired) {
    drop->Bind(1, query_id);
    if (!drop->Run().ok()) return;
    v1::Envelope request;
    v1::ConferenceTaskUpdate m;
    if (!request.ParseFromString(bytes) || !request.payload().UnpackTo(&m)) continue;
    if (!Answer(request,
                absl::UnavailableError(
                    "救助代理未及时答复查重结果，请稍后重试 / the aid agent did not "
                    "answer in time: send the update again"),
                m.conference_id(), 0, /*final=*/true)
             .ok())
      return;
  }
  if (txn->Commit().ok() && !expired.empty()) client_.Flush();
}

absl::Status Agent::Handle(const v1::Envelope& env) {
  if (v1::ConferenceConvene m; env.payload().UnpackTo(&m)) return OnConvene(env, m);
  if (v1::ConferenceInput m; env.payload().UnpackTo(&m)) return OnInput(env, m);
  if (v1::ConferencePlan m; env.payload().UnpackTo(&m)) return OnPlan(env, m);
  if (v1::ConferenceSign m; env.payload().UnpackTo(&m)) return OnSign(env, m);
  if (v1::ConferenceQuery q; env.payload().UnpackTo(&q)) return OnQuery(env, q);
  if (v1::ConferenceTaskUpdate m; env.payload().UnpackTo(&m)) return OnTask(env, m);
  if (v1::ConferenceClose m; env.payload().UnpackTo(&m)) return OnClose(env, m);
  if (v1::HearingSchedule m; env.payload().UnpackTo(&m)) return OnHearing(env, m);
  if (v1::HearingRecord m; env.payload().UnpackTo(&m)) return OnHearingRecord(env, m);
  if (v1::HearingNominee m; env.payload().UnpackTo(&m)) return OnNominee(env, m);
  if (v1::AidStatus m; env.payload().UnpackTo(&m)) return OnAidStatus(env, m);
  return absl::OkStatus();
}

// The lead leader's view: every open conference with its open tasks and due dates.
HttpResponse Agent::LeaderJson(const std::string& name, const std::string& invited) {
  HttpResponse r;
  auto list = book_->ForLeader(name);
  if (!list.ok()) return ErrorResponse(500, std::string(list.status().message()));
  const int64_t now = clock_.NowMs();
  nlohmann::json items = nlohmann::json::array();
  for (const Conference& c : *list) {
    if (!invited.empty() && !Has(c.invited, invited)) continue;
    nlohmann::json tasks = nlohmann::json::array();
    for (const Task& t : c.plans.back().tasks)
      if (t.status != "done")
        tasks.push_back({{"task_id", t.task_id},
                         {"agency", t.agency},
                         {"person", t.person},
                         {"measure_zh", MeasureChinese(t.measure)},
                         {"detail", t.detail},
                         {"due", FormatDate(DateOf(t.due_ms))},
                         {"overdue", now > t.due_ms}});
    items.push_back({{"id", c.id},
                     {"title", c.title},
                     {"case_key", c.case_key},
                     {"status", c.status},
                     {"pending_signatures", c.pending_latest},
                     {"open_tasks", tasks}});
  }
  r.body = nlohmann::json{{"lead_leader", name}, {"conferences", items}, {"names", config_.names}}
               .dump();
  return r;
}

HttpResponse Agent::Json(const std::string& id, bool html) {
  HttpResponse r;
  if (html) {
    auto doc = PlanHtml(*book_, id, config_.names);
    if (doc.ok()) {
      r.content_type = "text/html; charset=utf-8";
      r.body = *doc;
      return r;
    }
    return ErrorResponse(absl::IsNotFound(doc.status()) ? 404 : 409,
                         std::string(doc.status().message()));
  }
  auto c = book_->Get(id);
  if (!c.ok())
    return ErrorResponse(absl::IsNotFound(c.status()) ? 404 : 500,
                         std::string(c.status().message()));
  nlohmann::json j = ToJson(*c);
  auto hearings = book_->Hearings(id);
  if (!hearings.ok()) return ErrorResponse(500, std::string(hearings.status().message()));
  j["hearings"] = nlohmann::json::array();
  for (const Hearing& h : *hearings) {
    nlohmann::json people = nlohmann::json::array();
    for (const Participant& p : h.participants)
      people.push_back({{"role", p.role},
                        {"name", p.name},
                        {"attended", p.attended},
                        {"opinion", p.opinion},
                        {"arranged_by", p.arranged_by}});
    j["hearings"].push_back({{"hearing_id", h.hearing_id},
                             {"starts", FormatDateTime(h.starts_ms)},
                             {"place", h.place},
                             {"chair", h.chair},
                             {"participants", people},
                             {"outcome", h.outcome}});
  }
  j["names"] = config_.names;  // the agencies' names, for people reading it
  r.body = j.dump();
  return r;
}

// Answers the request; a database failure is returned instead (the hub re-sends).
// `final`: answer even an Unavailable (the sweep's "try again").
absl::Status Agent::Answer(const v1::Envelope& env, const absl::Status& st, const std::string& id,
                           int version, bool final) {
  if (agent::ShouldRetry(st) && !final) return st;
  v1::ConferenceReply reply;
  reply.set_ok(st.ok());
  if (!st.ok()) reply.set_reason(std::string(st.message()));
  reply.set_conference_id(id);
  reply.set_version(version);
  if (auto c = book_->Get(id); c.ok()) reply.set_status(c->status);
  return client_.Stage(client::MakeReply(env, reply)).status();
}

// Answers a request that succeeded, with the conference as it now is.
absl::Status Agent::Answer(const v1::Envelope& env, const Conference& c, int version) {
  v1::ConferenceReply reply;
  reply.set_ok(true);
  reply.set_conference_id(c.id);
  reply.set_version(version);
  reply.set_status(c.status);
  return client_.Stage(client::MakeReply(env, reply)).status();
}

// A notice about `c` (its status as it now is) to `to`.
absl::Status Agent::Notify(const Conference& c, std::vector<std::string> to,
                           const std::string& text) {
  v1::ConferenceNotice n;
  n.set_conference_id(c.id);
  n.set_status(c.status);
  n.set_text(text);
  return client_.Stage(client::MakeEnvelope(std::move(to), n)).status();
}

absl::Status Agent::OnConvene(const v1::Envelope& env, const v1::ConferenceConvene& m) {
  if (std::find(config_.convenors.begin(), config_.convenors.end(), env.from()) ==
      config_.convenors.end())
    return Answer(env,
                  absl::PermissionDeniedError(absl::StrCat(
                      env.from(),
                      " 不能召集联席会议（由检察院或政法委召集）/ may not convene: the "
                      "procuratorate or the political-legal committee convenes")),
                  "");
  std::vector<std::string> invited(m.invited().begin(), m.invited().end());
  for (const auto& [agency, text] : m.case_file_for())  // a mistyped name would send the whole file
    if (agency != env.from() && std::find(invited.begin(), invited.end(), agency) == invited.end())
      return Answer(
          env,
          absl::InvalidArgumentError(absl::StrCat("case_file_for 中的 ", agency, " 未受邀 / ",
                                                  agency, " in case_file_for is not invited")),
          "");
  if (!config_.agencies.empty())
    for (const auto& a : invited)
      if (std::find(config_.agencies.begin(), config_.agencies.end(), a) == config_.agencies.end())
        return Answer(
            env,
            absl::InvalidArgumentError(absl::StrCat("未知的机关 / unknown agency '", a, "' (",
                                                    absl::StrJoin(config_.agencies, ", "), ")")),
            "");
  bool created = false;
  auto id = book_->Convene(env.from(), m.request_id(), m.case_key(), m.title(), invited,
                           m.inputs_due_ms(), clock_.NowMs(), &created);
  if (!id.ok()) return Answer(env, id.status(), "");
  auto more_refs =
      book_->AddCaseRefs(*id, env.from(), {m.case_refs().begin(), m.case_refs().end()});
  if (!more_refs.ok()) return Answer(env, more_refs.status(), *id);
  ASSIGN_OR_RETURN(Conference c, book_->Get(*id));
  RETURN_IF_ERROR(Answer(env, c));
  // Convened before and nothing new: invited before. New case numbers: every
  // invited agency gets the invitation again, with them.
  if (!created && !*more_refs) return absl::OkStatus();
  for (const std::string& agency : c.invited) {
    v1::ConferenceInvitation inv;
    inv.set_conference_id(c.id);
    inv.set_case_key(c.case_key);
    inv.set_title(c.title);
    inv.set_convenor(c.convenor);
    for (const auto& a : c.invited) inv.add_invited(a);
    inv.set_inputs_due_ms(c.inputs_due_ms);
    for (const auto& r : c.case_refs) inv.add_case_refs(r);
    auto own = m.case_file_for().find(agency);  // only the part this agency may see
    inv.set_case_file(own != m.case_file_for().end() ? own->second : m.case_file());
    RETURN_IF_ERROR(client_.Stage(client::MakeEnvelope({agency}, inv)).status());
  }
  return absl::OkStatus();
}

absl::Status Agent::OnInput(const v1::Envelope& env, const v1::ConferenceInput& m) {
  Input in;
  in.agency = env.from();
  in.assessment = m.assessment();
  for (const auto& x : m.measures()) in.measures.push_back({x.measure(), x.detail()});
  return Answer(env, book_->SubmitInput(m.conference_id(), in, clock_.NowMs()), m.conference_id());
}

absl::Status Agent::OnPlan(const v1::Envelope& env, const v1::ConferencePlan& m) {
  Plan p;
  p.summary = m.summary();
  p.core_demand = m.core_demand();
  p.risk_level = m.risk_level();
  p.lead_leader = m.lead_leader();
  p.closing_criteria = m.closing_criteria();
  p.follow_ups_ms.assign(m.follow_ups_ms().begin(), m.follow_ups_ms().end());
  for (const auto& t : m.tasks()) {
    Task x;
    x.task_id = t.task_id();
    x.agency = t.agency();
    x.person = t.person();
    x.measure = t.measure();
    x.detail = t.detail();
    x.due_ms = t.due_ms();
    p.tasks.push_back(std::move(x));
  }
  bool created = false;
  auto version =
      book_->ProposePlan(m.conference_id(), env.from(), std::move(p), clock_.NowMs(), &created);
  RETURN_IF_ERROR(Answer(env, version.status(), m.conference_id(), version.ok() ? *version : 0));
  if (!version.ok() || !created) return absl::OkStatus();
  ASSIGN_OR_RETURN(Conference c, book_->Get(m.conference_id()));
  return Issue(c);
}

absl::Status Agent::OnSign(const v1::Envelope& env, const v1::ConferenceSign& m) {
  auto after = book_->Sign(m.conference_id(), env.from(), m.version(), m.approve(), m.note(),
                           clock_.NowMs(), PersonOf(env));
  if (!after.ok()) return Answer(env, after.status(), m.conference_id(), m.version());
  const Conference& c = *after;
  RETURN_IF_ERROR(Answer(env, c, m.version()));
  if (c.status == "final") {
    // The tasks go on the ledger's clock: reminders before, escalation after.
    for (const Task& t : c.plans.back().tasks) RETURN_IF_ERROR(Track(c, t, false));
    return Issue(c);  // the final plan, to everyone
  }
  if (!m.approve()) {
    return Notify(c, {c.convenor},  // the convenor drafts the next version
                  absl::StrCat(env.from(), " 要求修改第 ", m.version(), " 版：", m.note(), " / ",
                               env.from(), " asks for changes to version ", m.version()));
  }
  return absl::OkStatus();
}

// A read by an agency's console: one conference in full, or the list of its
// own, and only conferences the asker takes part in.
absl::Status Agent::OnQuery(const v1::Envelope& env, const v1::ConferenceQuery& q) {
  v1::ConferenceQueryReply reply;
  reply.set_may_convene(Has(config_.convenors, env.from()));
  absl::Status st;
  if (!q.conference_id().empty()) {
    auto c = book_->Get(q.conference_id());
    st = c.status();
    if (c.ok() && !Has(c->invited, env.from()))
      st = absl::PermissionDeniedError("无权查看该联席会议 / not a conference of your agency");
    if (st.ok() && q.plan_document()) {
      auto doc = PlanHtml(*book_, q.conference_id(), config_.names);
      st = doc.status();
      if (doc.ok()) reply.set_plan_html(*std::move(doc));
    } else if (st.ok()) {
      auto view = View(*c, env.from(), true);
      st = view.status();
      if (view.ok()) *reply.add_conferences() = *std::move(view);
    }
  } else if (!q.lead_leader().empty()) {
    HttpResponse view = LeaderJson(q.lead_leader(), env.from());
    if (view.status == 200)
      reply.set_leader_json(view.body);
    else
      st = absl::UnavailableError(view.body);
  } else if (q.mine()) {
    const int limit = q.limit() == 0 ? kDefaultListLimit : q.limit();
    if (limit < 1 || limit > kMaxListLimit) {
      st = absl::InvalidArgumentError(absl::StrCat("limit 须在 1 到 ", kMaxListLimit,
                                                   " 之间 / limit must be 1..", kMaxListLimit));
    } else {
      auto list = book_->ForAgency(env.from(), limit);
      st = list.status();
      for (const Conference& c : list.ok() ? *list : std::vector<Conference>{}) {
        auto view = View(c, env.from(), false);
        if (!view.ok()) {
          st = view.status();
          break;
        }
        *reply.add_conferences() = *std::move(view);
      }
    }
  } else {
    st = absl::InvalidArgumentError(
        "请指定会议编号，或查询本机关的会议（mine）/ name a conference_id, or set mine");
  }
  if (agent::ShouldRetry(st)) return st;  // the database: the hub re-sends
  reply.set_ok(st.ok());
  if (!st.ok()) {
    reply.set_reason(std::string(st.message()));
    reply.set_code(static_cast<int32_t>(st.code()));
    reply.clear_conferences();
  }
  v1::Envelope out = client::MakeReply(env, reply);
  client_.Stamp(out);  // created_at_ms on the bus's clock, which the hub's expiry reads too
  out.set_expires_at_ms(out.created_at_ms() + kQueryReplyTtlMs);
  return client_.Stage(std::move(out)).status();
}

absl::StatusOr<v1::ConferenceView> Agent::View(const Conference& c, const std::string& asker,
                                               bool full) {
  ASSIGN_OR_RETURN(std::vector<Hearing> hearings, book_->Hearings(c.id));
  const int64_t now = clock_.NowMs();
  v1::ConferenceView v;
  v.set_conference_id(c.id);
  v.set_case_key(c.case_key);
  for (const auto& r : c.case_refs) v.add_case_refs(r);
  v.set_title(c.title);
  v.set_convenor(c.convenor);
  for (const auto& a : c.invited) v.add_invited(a);
  v.set_status(c.status);
  v.set_inputs_due_ms(c.inputs_due_ms);
  v.set_convened_ms(c.convened_ms);
  v.set_outcome(c.outcome);
  for (const auto& a : c.signed_latest) v.add_signed_latest(a);
  for (const auto& a : c.pending_latest) v.add_pending_latest(a);
  for (const Input& in : c.inputs) v.add_inputs_from(in.agency);
  const bool is_final = c.status == "final";
  bool my_open_task = false;
  int open = 0;
  int64_t next_due = 0;
  if (!c.plans.empty()) {
    const Plan& latest = c.plans.back();
    v.set_latest_version(latest.version);
    v.set_lead_leader(latest.lead_leader);
    if (is_final)
      for (const Task& t : latest.tasks) {
        if (t.status == "done") continue;
        ++open;
        if (next_due == 0 || t.due_ms < next_due) next_due = t.due_ms;
        my_open_task |= t.agency == asker;
      }
  }
  v.set_open_tasks(open);
  v.set_next_due_ms(next_due);

  // What the rules let the asker do now (conference.h says why).
  const bool open_for_plan = c.status == "collecting" || c.status == "signing";
  const bool invited = Has(c.invited, asker);
  if (invited && open_for_plan) v.add_allowed("input");
  if (asker == c.convenor && open_for_plan) v.add_allowed("plan");
  if (c.status == "signing" && Has(c.pending_latest, asker)) v.add_allowed("sign");
  if (is_final && my_open_task) v.add_allowed("task");
  if (c.status != "closed" && book_->MayHostHearing(c, asker)) v.add_allowed("hearing");
  bool record = false, nominee = false;
  for (const Hearing& h : hearings) {
    if (!h.outcome.empty()) continue;
    record |= h.host == asker && now >= h.starts_ms;
    for (const Participant& p : h.participants) nominee |= p.arranged_by == asker && p.name.empty();
  }
  if (record) v.add_allowed("hearing_record");
  if (nominee) v.add_allowed("nominee");
  if (asker == c.convenor && is_final && open == 0) v.add_allowed("close");
  if (!full) return v;

  for (const Input& in : c.inputs) {
    v1::ConferenceInputView* x = v.add_inputs();
    x->set_agency(in.agency);
    x->set_assessment(in.assessment);
    x->set_at_ms(in.at_ms);
    for (const Measure& m : in.measures) {
      v1::ConferenceMeasure* y = x->add_measures();
      y->set_measure(m.measure);
      y->set_detail(m.detail);
    }
  }
  for (const Plan& p : c.plans) {
    v1::ConferencePlanVersion* x = v.add_plans();
    x->set_version(p.version);
    x->set_at_ms(p.at_ms);
    *x->mutable_plan() = PlanToProto(c.id, p);
    for (size_t i = 0; i < p.tasks.size(); ++i) {
      x->mutable_plan()->mutable_tasks(static_cast<int>(i))->set_last_note(p.tasks[i].last_note);
      x->mutable_plan()->mutable_tasks(static_cast<int>(i))->set_done_ms(p.tasks[i].done_ms);
    }
  }
  for (const Signature& s : c.signatures) {
    v1::ConferenceSignatureView* x = v.add_signatures();
    x->set_agency(s.agency);
    x->set_version(s.version);
    x->set_approved(s.approved);
    x->set_note(s.note);
    x->set_at_ms(s.at_ms);
    if (!s.signer.empty()) {
      x->mutable_signer()->set_login(s.signer.login);
      x->mutable_signer()->set_name(s.signer.name);
      x->mutable_signer()->set_role(s.signer.role);
    }
  }
  for (const Hearing& h : hearings) {
    v1::HearingView* x = v.add_hearings();
    x->set_hearing_id(h.hearing_id);
    x->set_starts_ms(h.starts_ms);
    x->set_place(h.place);
    x->set_chair(h.chair);
    x->set_outcome(h.outcome);
    x->set_recorded_ms(h.recorded_ms);
    x->set_host(h.host);
    for (const Participant& p : h.participants) {
      v1::HearingParticipant* y = x->add_participants();
      y->set_role(p.role);
      y->set_name(p.name);
      y->set_attended(p.attended);
      y->set_opinion(p.opinion);
      y->set_arranged_by(p.arranged_by);
    }
  }
  return v;
}

absl::Status Agent::OnTask(const v1::Envelope& env, const v1::ConferenceTaskUpdate& m) {
  if (m.done() && !config_.aid.empty()) {
    // A judicial-aid task is done only once its grant passed the duplicate check.
    ASSIGN_OR_RETURN(Conference c, book_->Get(m.conference_id()));
    for (const Task& t : c.plans.empty() ? std::vector<Task>{} : c.plans.back().tasks)
      if (t.task_id == m.task_id() && t.measure == "judicial_aid" && t.agency == env.from()) {
        if (m.aid_record_id().empty())
          return Answer(
              env,
              absl::InvalidArgumentError(
                  "司法救助任务须先查重：请注明救助记录编号 / an aid task names the grant record "
                  "that passed the duplicate check (aid_record_id)"),
              m.conference_id());
        if (m.aid_case_tokens().empty())
          return Answer(
              env,
              absl::InvalidArgumentError(
                  "司法救助任务须经本机关适配器报送（附案号令牌）/ send an aid task's update "
                  "through "
                  "your adapter: it adds the case tokens that tie the grant to this case"),
              m.conference_id());
        return AskAid(env, m);
      }
  }
  return ApplyTask(env, m);
}

// Parks the update and asks the aid agent; OnAidStatus finishes it.
absl::Status Agent::AskAid(const v1::Envelope& env, const v1::ConferenceTaskUpdate& m) {
  v1::AidStatusQuery q;
  q.set_agency(env.from());
  q.set_record_id(m.aid_record_id());
  *q.mutable_case_tokens() = m.aid_case_tokens();
  v1::Envelope out = client::MakeEnvelope({config_.aid}, q);
  client_.Stamp(out);
  ASSIGN_OR_RETURN(
      auto park,
      client_.db().Prepare(
          "INSERT INTO conference_aid_waits(query_id, request_json, parked_ms) VALUES(?,?,?)"));
  park.Bind(1, out.id());
  park.BindBlob(2, env.SerializeAsString());
  park.Bind(3, clock_.NowMs());
  RETURN_IF_ERROR(park.Run());
  return client_.Stage(std::move(out)).status();
}

absl::Status Agent::OnAidStatus(const v1::Envelope& env, const v1::AidStatus& s) {
  if (env.from() != config_.aid) {
    LOG_WARN("AidStatus from {} ignored: not the aid agent", env.from());
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(
      auto take,
      client_.db().Prepare("SELECT request_json FROM conference_aid_waits WHERE query_id=?"));
  take.Bind(1, env.correlation_id());
  ASSIGN_OR_RETURN(bool found, take.Step());
  if (!found) return absl::OkStatus();  // not ours, or answered before
  v1::Envelope request;
  if (!request.ParseFromString(take.Blob(0))) return absl::OkStatus();
  take.Reset();
  ASSIGN_OR_RETURN(auto drop,
                   client_.db().Prepare("DELETE FROM conference_aid_waits WHERE query_id=?"));
  drop.Bind(1, env.correlation_id());
  RETURN_IF_ERROR(drop.Run());
  v1::ConferenceTaskUpdate m;
  if (!request.payload().UnpackTo(&m)) return absl::OkStatus();
  // Passed: the grant is in the registry (clear, or an approved exception)
  // and is for this case (it lists one of the case's numbers).
  if (!s.found() || !s.registered() || !s.same_case()) {
    const std::string why =
        !s.found() ? absl::StrCat("救助记录 ", s.record_id(), " 未经查重 / grant ", s.record_id(),
                                  " was never checked")
        : s.registered()  // registered (clear, or an approved exception), but for another case
            ? absl::StrCat("救助记录 ", s.record_id(),
                           " 的案号不是本案，不能办结本案的救助任务 / grant ", s.record_id(),
                           " is for another case: it lists none of this case's numbers")
            : s.verdict() == v1::AID_DUPLICATE
                  ? absl::StrCat("查重发现重复救助（", s.matches(),
                                 "），任务不能办结 / the duplicate check found a "
                                 "duplicate grant (",
                                 s.matches(), "): the task stays open")
              : s.verdict() == v1::AID_OVER_CAP
                  ? absl::StrCat(
                        "救助金额超出上限，须特别审批后登记 / the amount is over the "
                        "cap: register it once specially approved")
              : s.verdict() == v1::AID_POSSIBLE_DUPLICATE
                  ? absl::StrCat("查重疑似重复（", s.matches(),
                                 "），须核实后登记 / a possible duplicate (", s.matches(),
                                 "): verify, then register")
                  : absl::StrCat("救助记录 ", s.record_id(), " 未登记（仅查询）/ grant ",
                                 s.record_id(), " was checked but not registered");
    RETURN_IF_ERROR(Answer(request, absl::FailedPreconditionError(why), m.conference_id()));
    ASSIGN_OR_RETURN(Conference c, book_->Get(m.conference_id()));
    return Notify(c, {c.convenor}, absl::StrCat("任务 ", m.task_id(), "：", why));
  }
  m.set_note(
      absl::StrCat(m.note(), "（救助记录 ", s.record_id(), " 查重通过 / duplicate check passed）"));
  return ApplyTask(request, m);
}

absl::Status Agent::ApplyTask(const v1::Envelope& env, const v1::ConferenceTaskUpdate& m) {
  auto after = book_->UpdateTask(m.conference_id(), env.from(), m.task_id(), m.note(), m.done(),
                                 clock_.NowMs());
  if (!after.ok()) return Answer(env, after.status(), m.conference_id());
  const Conference& c = *after;
  RETURN_IF_ERROR(Answer(env, c));
  if (m.done())
    for (const Task& t : c.plans.back().tasks)
      if (t.task_id == m.task_id()) RETURN_IF_ERROR(Track(c, t, true));
  return Notify(
      c, {c.convenor},
      absl::StrCat("任务 ", m.task_id(), m.done() ? " 已完成" : " 进展", "（", env.from(), "）：",
                   m.note(), " / task ", m.task_id(), m.done() ? " done" : " updated"));
}

absl::Status Agent::OnClose(const v1::Envelope& env, const v1::ConferenceClose& m) {
  absl::Status st = book_->Close(m.conference_id(), env.from(), m.outcome(), clock_.NowMs());
  if (!st.ok()) return Answer(env, st, m.conference_id());
  ASSIGN_OR_RETURN(Conference c, book_->Get(m.conference_id()));
  RETURN_IF_ERROR(Answer(env, c));
  return Notify(c, c.invited,
                absl::StrCat(c.title, " 已结案：", m.outcome(), " / closed: ", m.outcome()));
}

absl::Status Agent::OnHearing(const v1::Envelope& env, const v1::HearingSchedule& m) {
  Hearing h;
  h.hearing_id = m.hearing_id();
  h.conference_id = m.conference_id();
  h.starts_ms = m.starts_ms();
  h.place = m.place();
  h.chair = m.chair();
  for (const auto& p : m.participants())
    h.participants.push_back({p.role(), p.name(), false, "", p.arranged_by()});
  bool created = false;
  absl::Status st = book_->ScheduleHearing(env.from(), h, clock_.NowMs(), &created);
  if (!st.ok()) return Answer(env, st, m.conference_id());
  ASSIGN_OR_RETURN(Conference c, book_->Get(m.conference_id()));
  RETURN_IF_ERROR(Answer(env, c));
  if (!created) return absl::OkStatus();  // sent again: noticed before
  const std::string when = FormatDateTime(h.starts_ms);
  RETURN_IF_ERROR(Notify(
      c, c.invited,
      absl::StrCat("公开听证 ", h.hearing_id, " 定于 ", when, " 在", h.place, "举行，主持人 ",
                   h.chair, " / public hearing ", h.hearing_id, " at ", when)));
  // Each agency that provides a participant is asked to name them.
  for (const auto& p : m.participants())
    if (!p.arranged_by().empty() && p.name().empty())
      RETURN_IF_ERROR(Notify(
          c, {p.arranged_by()},
          absl::StrCat("请为公开听证 ", h.hearing_id, "（", when, "，", h.place, "）指派", p.role(),
                       "参加，并报送姓名（HearingNominee）/ please provide a ", p.role(),
                       " for hearing ", h.hearing_id, " and send the name (HearingNominee)")));
  return absl::OkStatus();
}

absl::Status Agent::OnNominee(const v1::Envelope& env, const v1::HearingNominee& m) {
  bool created = false;
  auto id = book_->NameParticipant(env.from(), m.hearing_id(), m.role(), m.name(), &created);
  if (!id.ok()) return Answer(env, id.status(), "");
  ASSIGN_OR_RETURN(Conference c, book_->Get(*id));
  RETURN_IF_ERROR(Answer(env, c));
  if (!created) return absl::OkStatus();
  return Notify(
      c, c.invited,  // every invited agency (the host too) learns who comes
      absl::StrCat(env.from(), " 指派 ", m.role(), " ", m.name(), " 参加公开听证 ", m.hearing_id(),
                   " / ", env.from(), " sends ", m.name(), " to hearing ", m.hearing_id()));
}

absl::Status Agent::OnHearingRecord(const v1::Envelope& env, const v1::HearingRecord& m) {
  std::vector<Participant> attendance;
  for (const auto& p : m.attendance())
    attendance.push_back({p.role(), p.name(), p.attended(), p.opinion()});
  absl::Status st =
      book_->RecordHearing(env.from(), m.hearing_id(), attendance, m.outcome(), clock_.NowMs());
  if (!st.ok()) return Answer(env, st, "");
  ASSIGN_OR_RETURN(std::string id, book_->HearingConference(m.hearing_id()));  // for the notice
  ASSIGN_OR_RETURN(Conference c, book_->Get(id));
  RETURN_IF_ERROR(Answer(env, c));
  return Notify(c, c.invited,
                absl::StrCat("公开听证 ", m.hearing_id(), " 已记录：", m.outcome(),
                             " / hearing recorded: ", m.outcome()));
}

// A task's due date on the ledger's clock: on the conference's ledger item,
// or on the item that has one of the case's numbers as its case reference.
absl::Status Agent::Track(const Conference& c, const Task& t, bool met) {
  if (config_.ledger.empty()) return absl::OkStatus();
  v1::TrackDeadline d;
  d.set_key(absl::StrCat(c.id, "/", t.task_id));
  if (ledger::IsLedgerNo(c.case_key)) {
    d.set_ledger_no(c.case_key);
  } else {
    d.add_case_refs(c.case_key);
    for (const auto& r : c.case_refs) d.add_case_refs(r);
  }
  d.set_agency(t.agency);
  d.set_person(t.person);
  d.set_label(absl::StrCat(c.id, " ", t.task_id, " ", MeasureChinese(t.measure), "：", t.detail));
  d.set_due_ms(t.due_ms);
  d.set_met(met);
  return client_.Stage(client::MakeEnvelope({config_.ledger}, d)).status();
}

// The latest plan, to every invited agency (for signing, or as final).
absl::Status Agent::Issue(const Conference& c) {
  if (c.plans.empty()) return absl::OkStatus();
  v1::ConferencePlanIssued out;
  *out.mutable_plan() = PlanToProto(c.id, c.plans.back());
  out.set_version(c.plans.back().version);
  out.set_final(c.status == "final" || c.status == "closed");
  for (const auto& a : c.signed_latest) out.add_signed_(a);
  for (const auto& a : c.pending_latest) out.add_pending(a);
  return client_.Stage(client::MakeEnvelope(c.invited, out)).status();
}

const std::vector<std::string>& AgentTableMigrations() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
      CREATE TABLE conference_aid_waits(      -- aid task updates waiting for the aid agent's answer
        query_id TEXT PRIMARY KEY,
        request_json BLOB NOT NULL);          -- the request envelope, serialized
      )sql",
      R"sql(
      ALTER TABLE conference_aid_waits ADD COLUMN parked_ms INTEGER NOT NULL DEFAULT 0;
      )sql"};
  return kMigrations;
}

const std::vector<std::string>& AgentTablePostgresqlMigrations() {
  static const std::vector<std::string> kMigrations = {R"sql(
      CREATE TABLE conference_aid_waits(
        query_id TEXT PRIMARY KEY,
        request_json BYTEA NOT NULL,
        parked_ms BIGINT NOT NULL DEFAULT 0);
      )sql"};
  return kMigrations;
}

absl::StatusOr<std::unique_ptr<agent::Agent>> CreateAgent(agent::AgentContext& context) {
  ASSIGN_OR_RETURN(AgentConfig config, LoadAgentConfig(context.section));
  auto book = Conferences::Open(context.client.db());
  if (!book.ok()) return absl::UnavailableError(book.status().message());
  RETURN_IF_ERROR(context.client.db().Migrate("conference_agent", AgentTableMigrations(),
                                              AgentTablePostgresqlMigrations()));
  (*book)->set_hearing_hosts(config.hearing_hosts);
  auto agent = std::make_unique<Agent>(context, *std::move(book), std::move(config));
  Agent* a = agent.get();
  HttpRouter& http = context.http;
  RETURN_IF_ERROR(http.Add("GET", "/conference", [a](const HttpRequest& req) {
    return a->Json(req.Query("id"), false);
  }));
  RETURN_IF_ERROR(http.Add("GET", "/conference/plan",
                           [a](const HttpRequest& req) { return a->Json(req.Query("id"), true); }));
  RETURN_IF_ERROR(http.Add("GET", "/conference/leader", [a](const HttpRequest& req) {
    return a->LeaderJson(req.Query("name"));
  }));
  return agent;
}

}  // namespace concord::conference

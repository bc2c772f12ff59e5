#include "agents/ledger/agent.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "concord/v1/risk.pb.h"

namespace concord::ledger {
namespace {

// A query's answer is for the console that is waiting for it: after this long
// the hub drops it rather than deliver a stale page.
constexpr int64_t kQueryReplyTtlMs = 60 * 1000;

// The person behind an envelope (Envelope.actor, as the agency sent it).
Actor ActorOf(const v1::Envelope& env) {
  return {env.actor().login(), env.actor().name(), env.actor().role()};
}

void ToProto(const ItemView& v, v1::LedgerItemView& out) {
  out.set_ledger_no(v.ledger_no);
  out.set_intake_id(v.intake_id);
  out.set_registered_by(v.registered_by);
  out.set_agency(v.agency);
  out.set_status(v.status);
  out.set_channel(v.channel);
  out.set_matter(v.matter);
  out.set_petitioner(v.petitioner);
  out.set_contact(v.contact);
  out.set_case_ref(v.case_ref);
  out.set_department(v.department);
  out.set_handler(v.handler);
  out.set_received_ms(v.received_ms);
  out.set_next_due_ms(v.next_due_ms);
  out.set_next_rule(v.next_rule);
  out.set_overdue(v.overdue);
  out.set_due_soon(v.due_soon);
  out.set_group(v.group);
  out.set_anonymous(v.anonymous);
  out.set_major(v.major);
  out.set_people(v.people);
  out.set_representatives(v.representatives);
  out.set_repeat_of(v.repeat_of);
  out.set_transferred_from(v.transferred_from);
  out.set_next_rule_text(v.next_rule_text);
}

void ToProto(const Ledger::Record& r, v1::LedgerQueryReply& out) {
  ToProto(r.item, *out.add_items());
  for (const auto& e : r.history) {
    v1::LedgerEventView* ev = out.add_history();
    ev->set_at_ms(e.at_ms);
    ev->set_agency(e.agency);
    ev->set_action(e.action);
    ev->set_from_status(e.from_status);
    ev->set_to_status(e.to_status);
    ev->set_note(e.note);
    if (!e.actor.empty()) {
      ev->mutable_actor()->set_login(e.actor.login);
      ev->mutable_actor()->set_name(e.actor.name);
      ev->mutable_actor()->set_role(e.actor.role);
    }
    ev->set_to_agency(e.to_agency);
  }
  for (const auto& d : r.deadlines) {
    v1::LedgerDeadlineView* dv = out.add_deadlines();
    dv->set_rule(d.rule);
    dv->set_agency(d.agency);
    dv->set_label(d.label);
    dv->set_person(d.person);
    dv->set_due_ms(d.due_ms);
    dv->set_met_ms(d.met_ms);
    dv->set_text(d.text);
    dv->set_lapsed(d.lapsed);
    dv->set_provisional(d.provisional);
  }
  out.set_total(1);
  for (Action a : r.allowed) out.add_allowed_actions(ActionName(a));
}

// One month's figures, as the bus (LedgerQuery.stats_months) and the
// loopback /ledger/stats both give them.
void ToProto(const MonthlyStats& m, v1::LedgerMonthStats& out) {
  out.set_month(m.month);
  for (const auto& [channel, n] : m.channels) (*out.mutable_channels())[channel] = n;
  out.set_received(m.received);
  out.set_group(m.group);
  out.set_anonymous(m.anonymous);
  out.set_repeat(m.repeat);
  out.set_transferred(m.transferred);
  out.set_closed(m.closed);
  out.set_procedural_due(m.procedural_due);
  out.set_procedural_on_time(m.procedural_on_time);
  out.set_substantive_due(m.substantive_due);
  out.set_substantive_on_time(m.substantive_on_time);
  out.set_overdue_now(m.overdue_now);
  out.set_complaints(m.complaints);
  out.set_irregular_petitions(m.irregular_petitions);
  out.set_safety_incidents(m.safety_incidents);
  for (const auto& [host, y] : m.receptions) {
    auto* year = out.add_receptions();
    year->set_agency(host);
    year->set_held(static_cast<int32_t>(y.held));
    year->set_planned(static_cast<int32_t>(y.planned));
  }
  out.set_receptions_required(kReceptionDaysPerYear);
  out.set_reception_visitors(m.reception_visitors);
}

}  // namespace

absl::StatusOr<AgentConfig> LoadAgentConfig(const ConfigSection& l) {
  const std::string& path = l.file_path();
  AgentConfig c;
  c.calendar = l.Path("calendar");
  if (c.calendar.empty())
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": 需要 [ledger] calendar / [ledger] calendar is required"));
  c.petition_office = l.String("petition_office");
  c.scan_seconds = l.Int("scan_seconds", 5);
  c.supervisors = l.Strings("supervisors");
  c.reception_hosts = l.Strings("reception_hosts");
  c.reception_bookers = l.Strings("reception_bookers");
  c.observers = l.Strings("observers");
  c.trackers = l.Strings("trackers");
  const double same_day_hours = l.Double("warn_same_day_hours", 4), days = l.Double("warn_days", 2),
               month_days = l.Double("warn_month_days", 7),
               second = l.Double("second_escalation_days", 3);
  if (same_day_hours < 0 || days < 0 || month_days < 0 || second <= 0 || c.scan_seconds < 1)
    return absl::InvalidArgumentError(absl::StrCat(
        path,
        ": [ledger] 提前量与扫描间隔须为正数 / lead times and scan_seconds must be positive"));
  c.scan.same_day_lead_ms = static_cast<int64_t>(same_day_hours * kHourMs);
  c.scan.days_lead_ms = static_cast<int64_t>(days * kDayMs);
  c.scan.months_lead_ms = static_cast<int64_t>(month_days * kDayMs);
  c.scan.second_escalation_ms = static_cast<int64_t>(second * kDayMs);
  c.rules.procedural_reply_working_days = l.Bool("procedural_reply_working_days", false);
  c.rules.kept_on_days_off = l.Strings("deadlines_kept_on_days_off");
  for (const std::string& id : c.rules.kept_on_days_off) {
    bool known = false;
    for (const DeadlineRule& r : DeadlineRules()) known = known || id == r.id;
    if (!known)
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": [ledger] deadlines_kept_on_days_off: 没有此期限规则 / no deadline rule \"", id,
          "\""));
  }
  // Each agency's kind (its clocks) and the organ above it (reviews).
  c.rules.petition_office = c.petition_office;
  c.rules.procuratorates = l.Strings("procuratorates");
  if (c.rules.procuratorates.empty())
    LOG_WARN(
        "{}: [ledger] 未列出 procuratorates：所有机关按《信访工作条例》计期限，检察院的 7 日、3 "
        "个月"
        "答复不计 / no procuratorates listed: every agency gets the regulation's clocks, none the "
        "procuratorate's 7 days and 3 months",
        path);
  c.rules.superiors = l.StringMap("superiors");
  for (const auto& [agency, superior] : c.rules.superiors) {
    if (superior.empty() || superior == agency)
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": [ledger.superiors] \"", agency,
                       "\": 上一级机关须为另一个机关 / the organ above must be another agency"));
    if (c.rules.IsAbove(agency, agency))  // a cycle would send a review back down
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": [ledger.superiors] \"", agency,
                       "\": 上下级关系成环 / the superiors form a cycle"));
  }
  c.rules.group_threshold = l.Int("group_threshold", 5);
  if (c.rules.group_threshold < 2)
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": [ledger] group_threshold 至少为 2 / must be at least 2"));
  return c;
}

Agent::Agent(agent::AgentContext& context, std::unique_ptr<Ledger> ledger, AgentConfig config)
    : client_(context.client),
      ledger_(std::move(ledger)),
      config_(std::move(config)),
      clock_(context.clock),
      scan_(context.io, std::chrono::seconds(config_.scan_seconds), [this] { ScanNow(); }) {}

absl::Status Agent::Handle(const v1::Envelope& env) {
  if (v1::PetitionRegister r; env.payload().UnpackTo(&r)) return OnRegister(env, r);
  if (v1::PetitionAct a; env.payload().UnpackTo(&a)) return OnAct(env, a);
  if (v1::PetitionIncident i; env.payload().UnpackTo(&i)) return OnIncident(env, i);
  if (v1::TrackDeadline t; env.payload().UnpackTo(&t)) return OnTrack(env, t);
  if (v1::ReceptionSlot s; env.payload().UnpackTo(&s)) return OnSlot(env, s);
  if (v1::ReceptionBooking b; env.payload().UnpackTo(&b)) return OnBooking(env, b);
  if (v1::ReceptionOutcome o; env.payload().UnpackTo(&o)) return OnOutcome(env, o);
  if (v1::LedgerQuery q; env.payload().UnpackTo(&q)) return OnQuery(env, q);
  return absl::OkStatus();  // not ours
}

void Agent::AddHealth(nlohmann::json& health) { health["alerts"] = alerts_; }

void Agent::AddMetrics(std::string& out) {
  auto figures = ledger_->FiguresByAgency(clock_.NowMs(), config_.scan);
  if (!figures.ok()) {
    LOG_WARN("metrics: {}", figures.status().ToString());
    return;
  }
  const struct {
    const char* name;
    const char* help;
    int64_t Ledger::AgencyFigures::*field;
  } kSeries[] = {
      {"concord_ledger_open_items", "Items not closed, by responsible agency.",
       &Ledger::AgencyFigures::open},
      {"concord_ledger_due_soon_items", "Open items with a deadline within its warning lead time.",
       &Ledger::AgencyFigures::due_soon},
      {"concord_ledger_overdue_items", "Open items whose next deadline has passed.",
       &Ledger::AgencyFigures::overdue},
      {"concord_ledger_escalated_items",
       "Items with an unmet deadline escalated up a level (second escalation).",
       &Ledger::AgencyFigures::escalated},
  };
  for (const auto& series : kSeries) {
    absl::StrAppend(&out, "# HELP ", series.name, " ", series.help, "\n# TYPE ", series.name,
                    " gauge\n");
    for (const auto& [agency, f] : *figures)
      absl::StrAppend(&out, series.name, "{agency=\"", agency, "\"} ", f.*(series.field), "\n");
  }
}

absl::Status Agent::ReportMajor(const std::string& ledger_no, const PetitionInput& p) {
  v1::DeadlineAlert out;
  out.set_ledger_no(ledger_no);
  out.set_rule("major_report");
  out.set_kind("report");
  out.set_due_ms(p.received_ms);
  out.set_text(absl::StrCat(ledger_no, " 重大信访事项「", p.matter,
                            "」已登记，即报本级党委和政府并通报联席会议办公室（《信访工作条例》"
                            "第二十五条）/ a major matter registered: reported at once (art. 25)"));
  out.set_agency(p.agency);
  out.set_major(true);
  std::vector<std::string> to = {p.agency};
  for (const auto& s : config_.supervisors)
    if (s != p.agency) to.push_back(s);
  ++alerts_;
  LOG_INFO("major matter reported: {}", out.text());
  return client_.Stage(client::MakeEnvelope(to, out)).status();
}

void Agent::ScanNow() {
  // (The first scan: the file as the agent started with it.)
  calendar_.ReloadIfChanged(client_.db(), [this](HolidayCalendar calendar) {
    return ledger_->Recount(std::move(calendar), clock_.NowMs());
  });
  auto txn = sql::Txn::Begin(client_.db());
  if (!txn.ok()) return;
  for (const Alert& a : ledger_->Scan(clock_.NowMs(), config_.scan)) {
    v1::DeadlineAlert out;
    out.set_ledger_no(a.ledger_no);
    out.set_rule(a.rule);
    out.set_kind(a.kind == Alert::kWarning   ? "warning"
                 : a.kind == Alert::kOverdue ? "overdue"
                                             : "escalation");
    out.set_due_ms(a.due_ms);
    out.set_text(a.text);
    out.set_agency(a.agency);
    out.set_handler(a.handler);
    out.set_major(a.major);
    // 督办: the agency's leader, then its head; a major or group item also
    // goes to the political-legal committee.
    (void)agent::StageDeadlineAlert(client_, out,
                                    a.major ? config_.supervisors : std::vector<std::string>{});
    if (a.kind == Alert::kOverdue) (void)Observe(a.ledger_no);
    ++alerts_;
  }
  if (txn->Commit().ok()) client_.Flush();
}

// The open items, filtered here (a district has many): by agency, by first
// handler, and to the due-soon and overdue ones.
nlohmann::json Agent::OpenJson(const std::string& agency, const std::string& handler,
                               bool due_only) {
  nlohmann::json items = nlohmann::json::array();
  const int64_t now = clock_.NowMs();
  if (auto open = ledger_->OpenItems(now, config_.scan); open.ok())
    for (const auto& i : *open) {
      if ((!agency.empty() && i.agency != agency) || (!handler.empty() && i.handler != handler) ||
          (due_only && !i.due_soon && !i.overdue))
        continue;
      items.push_back(
          {{"ledger_no", i.ledger_no},
           {"agency", i.agency},
           {"status", i.status},
           {"status_zh",
            StatusFromName(i.status) ? StatusChineseName(*StatusFromName(i.status)) : ""},
           {"matter", i.matter},
           {"department", i.department},
           {"handler", i.handler},
           {"group", i.group},
           {"major", i.major},
           {"anonymous", i.anonymous},
           {"received", FormatDate(DateOf(i.received_ms))},
           {"next_due", i.next_due_ms ? FormatDate(DateOf(i.next_due_ms)) : ""},
           {"next_due_ms", i.next_due_ms},
           {"next_rule", i.next_rule},
           {"due_soon", i.due_soon},
           {"overdue", i.overdue}});
    }
  return {{"now_ms", now}, {"items", items}};
}

HttpResponse Agent::StatsJson(const std::string& month) {
  auto s = ledger_->Stats(month, clock_.NowMs());
  if (!s.ok()) return ErrorResponse(400, std::string(s.status().message()));
  v1::LedgerMonthStats stats;
  ToProto(*s, stats);
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  print.always_print_primitive_fields = true;
  HttpResponse r;
  if (!google::protobuf::util::MessageToJsonString(stats, &r.body, print).ok())
    return ErrorResponse(500, "统计无法写成 JSON / the figures could not be written as JSON");
  return r;
}

// One item's whole history (件件有留痕), for concordctl ledger --item.
HttpResponse Agent::HistoryJson(const std::string& ledger_no) {
  HttpResponse r;
  auto responsible = ledger_->Responsible(ledger_no);
  auto history = ledger_->History(ledger_no);
  if (!responsible.ok() || !history.ok())
    return ErrorResponse(
        absl::IsNotFound(responsible.status()) ? 404 : 500,
        std::string((responsible.ok() ? history.status() : responsible.status()).message()));
  nlohmann::json events = nlohmann::json::array();
  for (const auto& e : *history) {
    const auto to = StatusFromName(e.to_status);
    events.push_back(
        {{"at", FormatDateTime(e.at_ms)},
         {"at_ms", e.at_ms},
         {"agency", e.agency},
         {"action", e.action},
         {"action_zh", ActionFromName(e.action)  ? ActionChineseName(*ActionFromName(e.action))
                       : e.action == "reception" ? "检察长接待日"
                                                 : ""},
         {"from_status", e.from_status},
         {"to_status", e.to_status},
         {"to_status_zh", to ? StatusChineseName(*to) : ""},
         {"note", e.note}});
    if (!e.actor.empty())
      events.back()["actor"] = {
          {"login", e.actor.login}, {"name", e.actor.name}, {"role", e.actor.role}};
  }
  nlohmann::json deadlines = nlohmann::json::array();
  if (auto ds = ledger_->Deadlines(ledger_no); ds.ok())
    for (const auto& d : *ds)
      deadlines.push_back({{"rule", d.rule},
                           {"agency", d.agency},
                           {"label", d.label},
                           {"person", d.person},
                           {"due", FormatDateTime(d.due_ms)},
                           {"due_ms", d.due_ms},
                           {"met_ms", d.met_ms},
                           {"lapsed", d.lapsed},
                           {"provisional", d.provisional}});
  r.body = nlohmann::json{{"ledger_no", ledger_no},
                          {"responsible", *responsible},
                          {"events", events},
                          {"deadlines", deadlines}}
               .dump();
  return r;
}

nlohmann::json Agent::SlotsJson() {
  nlohmann::json out = nlohmann::json::array();
  if (auto slots = ledger_->Slots(clock_.NowMs()); slots.ok())
    for (const auto& v : *slots)
      out.push_back({{"agency", v.slot.agency},
                     {"slot_id", v.slot.slot_id},
                     {"host", v.slot.host},
                     {"place", v.slot.place},
                     {"starts_ms", v.slot.starts_ms},
                     {"ends_ms", v.slot.ends_ms},
                     {"capacity", v.slot.capacity},
                     {"booked", v.booked},
                     {"cancelled", v.slot.cancelled}});
  return {{"slots", out}};
}

absl::Status Agent::Reply(const v1::Envelope& env, v1::PetitionReply reply) {
  return client_.Stage(client::MakeReply(env, reply)).status();
}

// Answers with the status's reason; only a database failure is returned
// (the delivery is rolled back and the hub sends it again).
absl::Status Agent::Answer(const v1::Envelope& env, const std::string& id, const absl::Status& st,
                           const std::string& ledger_no) {
  if (agent::ShouldRetry(st)) return st;
  v1::PetitionReply reply;
  reply.set_intake_id(id);
  reply.set_ledger_no(ledger_no);
  reply.set_ok(st.ok());
  if (!st.ok()) {
    reply.set_reason(std::string(st.message()));
    reply.set_code(static_cast<int32_t>(st.code()));
  }
  return Reply(env, reply);
}

bool Agent::In(const std::vector<std::string>& list, const std::string& who) {
  return std::find(list.begin(), list.end(), who) != list.end();
}

// Observers (the risk agent) get the item as it now stands.
absl::Status Agent::Observe(const std::string& ledger_no) {
  if (config_.observers.empty() || ledger_no.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(ItemSnapshot s, ledger_->Snapshot(ledger_no, clock_.NowMs()));
  v1::PetitionSnapshot out;
  out.set_ledger_no(s.ledger_no);
  out.set_agency(s.agency);
  out.set_channel(s.channel);
  out.set_people(s.people);
  out.set_matter(s.matter);
  out.set_case_ref(s.case_ref);
  out.set_repeats(s.repeats);
  out.set_status(s.status);
  out.set_overdue(s.overdue);
  out.set_contested(s.contested);
  out.set_major(s.major);
  out.set_open(s.open);
  out.set_handler(s.handler);
  out.set_at_ms(clock_.NowMs());
  out.set_overdue_since_ms(s.overdue_since_ms);
  return client_.Stage(client::MakeEnvelope(config_.observers, out)).status();
}

absl::Status Agent::OnRegister(const v1::Envelope& env, const v1::PetitionRegister& r) {
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
  p.representatives.assign(r.representatives().begin(), r.representatives().end());
  p.major = r.major();
  p.actor = ActorOf(env);
  v1::PetitionReply reply;
  reply.set_intake_id(r.intake_id());
  bool created = false;
  auto no = ledger_->Register(p, &created);
  if (!no.ok() && !absl::IsInvalidArgument(no.status())) return no.status();  // database: retried
  reply.set_ok(no.ok());
  if (no.ok()) {
    reply.set_ledger_no(*no);
    reply.set_status(StatusName(Status::kReceived));
    if (auto h = ledger_->History(*no); h.ok() && !h->empty())
      reply.set_status(h->front().to_status);
    RETURN_IF_ERROR(Observe(*no));
    // 条例 art. 25: a major matter is reported at once, when it is
    // registered as major, to the committee (not only when its risk turns red).
    if (created && p.major) RETURN_IF_ERROR(ReportMajor(*no, p));
  } else {
    reply.set_reason(std::string(no.status().message()));
    reply.set_code(static_cast<int32_t>(no.status().code()));
  }
  return Reply(env, reply);
}

absl::Status Agent::OnAct(const v1::Envelope& env, const v1::PetitionAct& a) {
  const LogField ledger_no("ledger_no", a.ledger_no());
  v1::PetitionReply reply;
  reply.set_ledger_no(a.ledger_no());
  const auto action = ActionFromName(a.action());
  if (!action) {
    reply.set_reason(absl::StrCat("未知的办理动作 / unknown action '", a.action(), "'"));
    reply.set_code(static_cast<int32_t>(absl::StatusCode::kInvalidArgument));
    return Reply(env, reply);
  }
  const int64_t at = a.at_ms() ? a.at_ms() : clock_.NowMs();
  auto st = ledger_->Apply(a.ledger_no(), env.from(), *action, at,
                           ActInput{.note = a.note(),
                                    .to_agency = a.to_agency(),
                                    .department = a.department(),
                                    .handler = a.handler(),
                                    .actor = ActorOf(env),
                                    .days = a.days(),
                                    .approved_by = a.approved_by(),
                                    .answer_received_ms = a.answer_received_ms()});
  if (!st.ok() && agent::ShouldRetry(st.status()))
    return st.status();  // the database: the hub re-sends
  reply.set_ok(st.ok());
  if (!st.ok()) {
    reply.set_reason(std::string(st.status().message()));
    reply.set_code(static_cast<int32_t>(st.status().code()));
    return Reply(env, reply);
  }
  reply.set_status(StatusName(*st));
  RETURN_IF_ERROR(Reply(env, reply));
  // Everyone who handled the item sees the same history.
  ASSIGN_OR_RETURN(std::string responsible, ledger_->Responsible(a.ledger_no()));
  ASSIGN_OR_RETURN(auto involved, ledger_->Involved(a.ledger_no()));
  ASSIGN_OR_RETURN(auto history, ledger_->History(a.ledger_no()));
  v1::PetitionEvent ev;
  ev.set_ledger_no(a.ledger_no());
  ev.set_agency(env.from());
  ev.set_action(a.action());
  if (!history.empty()) {
    ev.set_from_status(history.back().from_status);
    ev.set_note(history.back().note);  // as recorded (with the handler, the transfer's target)
  }
  ev.set_to_status(StatusName(*st));
  ev.set_at_ms(at);
  ev.set_responsible(responsible);
  if (*action == Action::kAccept && !a.case_ref().empty()) {
    // The accepting agency's own number beside the item's: one case, two
    // numbers, for the aid-granting agencies to link.
    ASSIGN_OR_RETURN(ItemSnapshot item, ledger_->Snapshot(a.ledger_no(), at));
    if (!item.case_ref.empty() && item.case_ref != a.case_ref()) {
      ev.set_case_ref(a.case_ref());
      ev.set_item_case_ref(item.case_ref);
    }
  }
  RETURN_IF_ERROR(Observe(a.ledger_no()));
  return client_.Stage(client::MakeEnvelope(involved, ev)).status();
}

// The district's monthly statistics (counts only: no item, no name).
absl::Status Agent::Statistics(const v1::LedgerQuery& q, int64_t now, v1::LedgerQueryReply& reply) {
  if (q.stats_months_size() > 24)
    return absl::InvalidArgumentError("统计月份至多 24 个 / stats_months: at most 24 months");
  for (const std::string& month : q.stats_months()) {
    ASSIGN_OR_RETURN(MonthlyStats m, ledger_->Stats(month, now));
    ToProto(m, *reply.add_stats());
  }
  ASSIGN_OR_RETURN(auto open, ledger_->OpenItems(now, config_.scan));
  for (const LedgerItem& item : open)
    if (item.overdue) ++(*reply.mutable_overdue_by_agency())[item.agency];
  return absl::OkStatus();
}

// A read of the ledger by an agency's console: one item, or a search, as the
// asker may see them.
absl::Status Agent::OnQuery(const v1::Envelope& env, const v1::LedgerQuery& q) {
  const Reader reader{.agency = env.from(), .supervisor = In(config_.supervisors, env.from())};
  const int64_t now = clock_.NowMs();
  v1::LedgerQueryReply reply;
  absl::Status st;
  if (q.stats_months_size() > 0) {
    st = Statistics(q, now, reply);
  } else if (q.reception()) {
    st = ReceptionView(env.from(), now, *reply.mutable_reception());
  } else if (!q.ledger_no().empty()) {
    auto record = ledger_->Read(q.ledger_no(), reader, now, config_.scan);
    st = record.status();
    if (record.ok()) ToProto(*record, reply);
  } else {
    SearchQuery search{.text = q.text(),
                       .status = q.status(),
                       .agency = q.agency(),
                       .handler = q.handler(),
                       .channel = q.channel(),
                       .received_from_ms = q.received_from_ms(),
                       .received_to_ms = q.received_to_ms(),
                       .open_only = q.open_only(),
                       .limit = q.limit(),
                       .offset = q.offset(),
                       .by_due = q.by_due()};
    auto found = ledger_->Search(search, reader, now, config_.scan);
    st = found.status();
    if (found.ok()) {
      reply.set_total(static_cast<int32_t>(found->total));
      reply.set_total_capped(found->capped);
      for (const ItemView& v : found->items) ToProto(v, *reply.add_items());
    }
  }
  if (agent::ShouldRetry(st)) return st;  // the database: the hub re-sends
  reply.set_ok(st.ok());
  reply.set_as_of_ms(now);
  if (!st.ok()) {
    reply.set_reason(std::string(st.message()));
    reply.set_code(static_cast<int32_t>(st.code()));
  }
  v1::Envelope out = client::MakeReply(env, reply);
  client_.Stamp(out);  // created_at_ms on the bus's clock, which the hub's expiry reads too
  out.set_expires_at_ms(out.created_at_ms() + kQueryReplyTtlMs);
  return client_.Stage(std::move(out)).status();
}

// Another agent's due date on this clock. Not answered: a refusal is logged
// (the tracker sends again when its task changes).
absl::Status Agent::OnTrack(const v1::Envelope& env, const v1::TrackDeadline& t) {
  if (!In(config_.trackers, env.from())) {
    LOG_WARN("TrackDeadline from {} refused: not in [ledger] trackers", env.from());
    return absl::OkStatus();
  }
  std::string no = t.ledger_no();
  if (no.empty()) {  // the item by one of the case's numbers
    ASSIGN_OR_RETURN(no, ledger_->ItemByCaseRef({t.case_refs().begin(), t.case_refs().end()}));
    if (no.empty()) {
      LOG_WARN("TrackDeadline {} from {}: no ledger item has case number {}: not tracked", t.key(),
               env.from(), absl::StrJoin(t.case_refs(), ", "));
      return absl::OkStatus();
    }
  }
  absl::Status st = ledger_->Track(t.key(), no, t.agency(), t.person(), t.label(), t.due_ms(),
                                   t.met(), clock_.NowMs());
  if (agent::ShouldRetry(st)) return st;
  if (!st.ok()) {
    LOG_WARN("TrackDeadline {} from {} refused: {}", t.key(), env.from(),
             std::string(st.message()));
    return absl::OkStatus();
  }
  return Observe(no);  // a task met may end the item's overdue state
}

absl::Status Agent::OnIncident(const v1::Envelope& env, const v1::PetitionIncident& i) {
  const auto kind = IncidentKindFromName(i.kind());
  if (!kind)
    return Answer(env, i.incident_id(),
                  absl::InvalidArgumentError(
                      absl::StrCat("未知的事件类型 / unknown incident kind '", i.kind(),
                                   "' (complaint 投诉, irregular_petition 赴省进京非正常上访, "
                                   "safety_incident 安全事故)")));
  const int64_t now = clock_.NowMs(), occurred = i.occurred_ms() ? i.occurred_ms() : now;
  if (occurred > now + kDayMs || occurred < kEarliestPlausibleMs)
    return Answer(
        env, i.incident_id(),
        absl::InvalidArgumentError(absl::StrCat(
            "发生时间不合理 / the time it occurred is implausible: ", FormatDateTime(occurred))));
  return Answer(env, i.incident_id(),
                ledger_->RecordIncident(env.from(), i.incident_id(), *kind, occurred, i.ledger_no(),
                                        i.note()),
                i.ledger_no());
}

absl::Status Agent::OnSlot(const v1::Envelope& env, const v1::ReceptionSlot& s) {
  if (!In(config_.reception_hosts, env.from()))
    return Answer(env, s.slot_id(),
                  absl::PermissionDeniedError(
                      absl::StrCat(env.from(), " 不是接待日的主办机关 / is not a reception host")));
  ReceptionSlotInput in{env.from(),    s.slot_id(), s.host(),     s.place(),
                        s.starts_ms(), s.ends_ms(), s.capacity(), s.cancelled()};
  absl::Status st = ledger_->PublishSlot(in, clock_.NowMs());
  RETURN_IF_ERROR(Answer(env, s.slot_id(), st));
  return st.ok() ? ShareSlots() : absl::OkStatus();
}

absl::Status Agent::OnBooking(const v1::Envelope& env, const v1::ReceptionBooking& b) {
  if (!In(config_.reception_bookers, env.from()) && !In(config_.reception_hosts, env.from()))
    return Answer(env, b.booking_id(),
                  absl::PermissionDeniedError(
                      absl::StrCat(env.from(), " 不能预约接待日 / may not book reception slots")));
  BookingInput in{
      env.from(),  b.booking_id(), b.slot_agency(), b.slot_id(),   b.petitioner(),
      b.contact(), b.matter(),     b.case_ref(),    b.ledger_no(), b.people() == 0 ? 1 : b.people(),
      b.cancel()};
  absl::Status st = ledger_->Book(in, clock_.NowMs());
  RETURN_IF_ERROR(Answer(env, b.booking_id(), st));
  return st.ok() ? ShareSlots() : absl::OkStatus();
}

absl::Status Agent::OnOutcome(const v1::Envelope& env, const v1::ReceptionOutcome& o) {
  bool attended = o.outcome() == "attended" || o.outcome() == "到场";
  if (!attended && o.outcome() != "no_show" && o.outcome() != "未到场")
    return Answer(env, o.booking_id(),
                  absl::InvalidArgumentError(
                      absl::StrCat("接待结果应为 attended 到场 或 no_show 未到场 / outcome must be "
                                   "attended or no_show, not '",
                                   o.outcome(), "'")));
  OutcomeInput in{env.from(), o.booked_by(), o.booking_id(), attended,
                  o.note(),   o.matter(),    o.register_(),  ActorOf(env)};
  auto raised = ledger_->RecordOutcome(in, clock_.NowMs());
  RETURN_IF_ERROR(Answer(env, o.booking_id(), raised.status(), raised.ok() ? *raised : ""));
  if (raised.ok()) RETURN_IF_ERROR(Observe(*raised));
  return raised.ok() ? ShareSlots() : absl::OkStatus();
}

// The slots as they now stand, to every host and booker.
absl::Status Agent::ShareSlots() {
  v1::ReceptionSlots out;
  RETURN_IF_ERROR(SlotsProto(clock_.NowMs(), out));
  std::vector<std::string> to = config_.reception_hosts;
  for (const auto& b : config_.reception_bookers)
    if (!In(to, b)) to.push_back(b);
  if (to.empty()) return absl::OkStatus();
  return client_.Stage(client::MakeEnvelope(to, out)).status();
}

absl::Status Agent::ReceptionView(const std::string& asker, int64_t now, v1::ReceptionSlots& out) {
  RETURN_IF_ERROR(SlotsProto(now, out));
  ASSIGN_OR_RETURN(auto bookings, ledger_->Bookings(asker, now));
  for (const BookingView& v : bookings) {
    v1::ReceptionBookingView* b = out.add_bookings();
    b->set_booked_by(v.booking.booked_by);
    b->set_booking_id(v.booking.booking_id);
    b->set_slot_agency(v.slot_agency);
    b->set_slot_id(v.booking.slot_id);
    b->set_petitioner(v.booking.petitioner);
    b->set_contact(v.booking.contact);
    b->set_matter(v.booking.matter);
    b->set_case_ref(v.booking.case_ref);
    b->set_people(v.booking.people);
    b->set_ledger_no(v.booking.ledger_no);
    b->set_cancelled(v.booking.cancel);
    b->set_outcome(v.outcome);
    b->set_outcome_note(v.outcome_note);
    b->set_outcome_ms(v.outcome_ms);
    b->set_raised_no(v.raised_no);
  }
  for (const auto& h : config_.reception_hosts) out.add_hosts(h);
  for (const auto& b : config_.reception_bookers) out.add_bookers(b);
  return absl::OkStatus();
}

absl::Status Agent::SlotsProto(int64_t now, v1::ReceptionSlots& out) {
  ASSIGN_OR_RETURN(auto slots, ledger_->Slots(now));
  ASSIGN_OR_RETURN(auto years, ledger_->ReceptionsThisYear(now));
  for (const auto& v : slots) {
    v1::ReceptionSlot* s = out.add_slots();
    s->set_slot_id(v.slot.slot_id);
    s->set_host(v.slot.host);
    s->set_starts_ms(v.slot.starts_ms);
    s->set_ends_ms(v.slot.ends_ms);
    s->set_place(v.slot.place);
    s->set_capacity(v.slot.capacity);
    s->set_cancelled(v.slot.cancelled);
    s->set_agency(v.slot.agency);
    s->set_booked(v.booked);
  }
  for (const auto& [host, y] : years) {
    auto* year = out.add_years();
    year->set_agency(host);
    year->set_held(static_cast<int32_t>(y.held));
    year->set_planned(static_cast<int32_t>(y.planned));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<agent::Agent>> CreateAgent(agent::AgentContext& context) {
  ASSIGN_OR_RETURN(AgentConfig config, LoadAgentConfig(context.section));
  ASSIGN_OR_RETURN(HolidayCalendar calendar, HolidayCalendar::Load(config.calendar));
  if (!calendar.Covers(DateOf(context.clock.NowMs())))
    LOG_WARN(
        "节假日文件没有本年度：按法定节日暂计，请载入国务院通知 / the holiday calendar does not "
        "hold this year: counted on the fixed national holidays until its notice is added ({})",
        config.calendar);
  auto ledger = Ledger::Open(context.client.db(), calendar, config.rules);
  if (!ledger.ok()) return absl::UnavailableError(ledger.status().message());
  auto agent = std::make_unique<Agent>(context, *std::move(ledger), std::move(config));
  Agent* a = agent.get();
  HttpRouter& http = context.http;
  RETURN_IF_ERROR(http.Add("GET", "/ledger/open", [a](const HttpRequest& req) {
    return JsonResponse(
        200, a->OpenJson(req.Query("agency"), req.Query("handler"), req.Query("due") == "1"));
  }));
  RETURN_IF_ERROR(http.Add("GET", "/ledger/stats", [a](const HttpRequest& req) {
    return a->StatsJson(req.Query("month"));
  }));
  RETURN_IF_ERROR(http.Add("GET", "/ledger/history", [a](const HttpRequest& req) {
    return a->HistoryJson(req.Query("ledger_no"));
  }));
  RETURN_IF_ERROR(http.Add("GET", "/ledger/slots",
                           [a](const HttpRequest&) { return JsonResponse(200, a->SlotsJson()); }));
  return agent;
}

}  // namespace concord::ledger

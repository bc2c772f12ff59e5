#include "agents/aid/applications.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace concord::aid {
namespace {

// void: 0 running or met, 1 no longer owed (ended before it was due),
// 2 lapsed (missed, then the application was withdrawn).
constexpr const char* kSchema = R"sql(
  CREATE TABLE aid_applications(
    agency TEXT NOT NULL,
    application_id TEXT NOT NULL,
    status TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    applicants INTEGER NOT NULL,
    deceased_victim INTEGER NOT NULL,
    materials_requested INTEGER NOT NULL DEFAULT 0,
    materials_due_ms INTEGER NOT NULL DEFAULT 0,  -- the applicant's 30 days
    advance_fen INTEGER NOT NULL DEFAULT 0,
    amount_fen INTEGER NOT NULL DEFAULT 0,
    ground TEXT NOT NULL DEFAULT '',
    funds_ms INTEGER NOT NULL DEFAULT 0,
    handler TEXT NOT NULL DEFAULT '',  -- who received it: the deadlines' alerts name them
    PRIMARY KEY(agency, application_id));
  CREATE TABLE aid_app_deadlines(
    id INTEGER PRIMARY KEY,
    agency TEXT NOT NULL,
    application_id TEXT NOT NULL,
    rule TEXT NOT NULL,
    anchor_ms INTEGER NOT NULL,
    due_ms INTEGER NOT NULL,
    met_ms INTEGER NOT NULL DEFAULT 0,
    void INTEGER NOT NULL DEFAULT 0,
    warned_ms INTEGER NOT NULL DEFAULT 0,
    overdue_ms INTEGER NOT NULL DEFAULT 0,
    escalated_ms INTEGER NOT NULL DEFAULT 0,
    UNIQUE(agency, application_id, rule));
  CREATE INDEX aid_app_deadlines_open ON aid_app_deadlines(due_ms) WHERE met_ms = 0 AND void = 0;
  CREATE TABLE aid_app_events(
    id INTEGER PRIMARY KEY,
    agency TEXT NOT NULL,
    application_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL);
)sql";

absl::Status Invalid(const std::string& what) { return absl::InvalidArgumentError(what); }

std::string When(int64_t ms) { return FormatDate(DateOf(ms)); }

}  // namespace

const std::vector<std::string>& ApplicationMigrations() {
  static const std::vector<std::string> kMigrations = {kSchema};
  return kMigrations;
}

const AppDeadlineRule* Applications::Rule(const std::string& id) const {
  for (const auto& r : rules_)
    if (id == r.id) return &r;
  return nullptr;
}

absl::StatusOr<AppFacts> Applications::Facts(const std::string& agency, const std::string& id) {
  ASSIGN_OR_RETURN(auto q,
                   db_->Prepare("SELECT status, materials_requested, advance_fen, funds_ms, "
                                "received_ms FROM aid_applications WHERE agency=? AND "
                                "application_id=?"));
  q.BindAll(agency, id);
  ASSIGN_OR_RETURN(bool found, q.Step());
  if (!found)
    return absl::NotFoundError(
        absl::StrCat("没有救助申请 ", id, " / no aid application ", id, " at ", agency));
  AppFacts f;
  f.status = AppStatusFromName(q.Text(0)).value_or(AppStatus::kApplied);
  f.materials_requested = q.Int(1) != 0;
  f.advanced = q.Int(2) != 0;
  f.funds_ms = q.Int(3);
  f.received_ms = q.Int(4);
  f.advance_fen = q.Int(2);
  return f;
}

absl::Status Applications::Start(const std::string& agency, const std::string& id,
                                 const char* rule_id, int64_t anchor_ms) {
  const AppDeadlineRule* rule = Rule(rule_id);
  if (!rule) return absl::InternalError(absl::StrCat("no aid rule ", rule_id));
  ASSIGN_OR_RETURN(auto ins, db_->Prepare("INSERT OR IGNORE INTO aid_app_deadlines(agency, "
                                          "application_id, rule, anchor_ms, due_ms) "
                                          "VALUES(?,?,?,?,?)"));
  ins.BindAll(agency, id, std::string(rule_id), anchor_ms, AppDueMs(*rule, anchor_ms, calendar_));
  return ins.Run();
}

absl::Status Applications::Meet(const std::string& agency, const std::string& id, AppAction action,
                                int64_t at_ms) {
  ASSIGN_OR_RETURN(auto sel, db_->Prepare("SELECT id, rule, due_ms FROM aid_app_deadlines WHERE "
                                          "agency=? AND application_id=? AND met_ms=0 AND void=0"));
  ASSIGN_OR_RETURN(auto met, db_->Prepare("UPDATE aid_app_deadlines SET met_ms=? WHERE id=?"));
  ASSIGN_OR_RETURN(auto end, db_->Prepare("UPDATE aid_app_deadlines SET void=? WHERE id=?"));
  sel.BindAll(agency, id);
  struct Row {
    int64_t id;
    std::string rule;
    int64_t due;
  };
  std::vector<Row> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool more, sel.Step());
    if (!more) break;
    rows.push_back({sel.Int(0), sel.Text(1), sel.Int(2)});
  }
  for (const Row& r : rows) {
    const AppDeadlineRule* rule = Rule(r.rule);
    if (!rule) continue;
    if (action == AppAction::kWithdraw) {  // the application ends: nothing more is owed
      end.BindAll(int64_t{at_ms > r.due ? 2 : 1}, r.id);
      RETURN_IF_ERROR(end.Run());
      end.Reset();
      continue;
    }
    if (std::find(rule->met_by.begin(), rule->met_by.end(), action) == rule->met_by.end()) continue;
    met.BindAll(at_ms, r.id);
    RETURN_IF_ERROR(met.Run());
    met.Reset();
  }
  return absl::OkStatus();
}

absl::StatusOr<AppStatus> Applications::Step(const StepInput& s, int64_t now_ms) {
  const int64_t at = s.at_ms ? s.at_ms : now_ms;
  if (s.application_id.empty() || s.application_id.size() > 64)
    return Invalid("申请编号须为 1-64 个字符 / the application number must be 1-64 characters");
  if (at > now_ms + 5 * 60'000 || at < kEarliestPlausibleMs)
    return Invalid(absl::StrCat("时间 ", FormatDateTime(at),
                                " 不合理（在将来或 2000 年以前）/ the time is in the future or "
                                "before 2000"));
  // The input's own fields, per action.
  switch (s.action) {
    case AppAction::kApply:
      if (s.applicants < 1 || s.applicants > 50)
        return Invalid("申请人数须为 1-50 / applicants must be 1-50");
      break;
    case AppAction::kRequestMaterials:
      if (s.missing.empty())
        return Invalid("须一次性列明需补充的全部材料 / list every missing material, all at once");
      break;
    case AppAction::kAdvance:
      if (s.amount_fen <= 0 || s.grounds.empty())
        return Invalid(
            "先行救助须写明金额和紧急情形（如急需医疗救治）/ advance aid needs an amount and "
            "the urgency (e.g. urgent medical care)");
      break;
    case AppAction::kGrant:
      if (s.amount_fen < 0 || s.grounds.empty())
        return Invalid("救助决定须写明金额和理由 / a grant needs its amount and grounds");
      break;
    case AppAction::kRefuse:
      if (!FindRefusalGround(s.ground)) {
        std::vector<std::string> ids;
        for (const auto& g : RefusalGrounds()) ids.push_back(absl::StrCat(g.id, " ", g.chinese));
        return Invalid(absl::StrCat("不予救助须选择法定理由之一（", absl::StrJoin(ids, "；"),
                                    "）/ a refusal names one of the grounds"));
      }
      if (s.grounds.empty())
        return Invalid("不予救助决定须写明理由 / a refusal needs its written grounds");
      break;
    default:
      break;
  }

  AppStatus from = AppStatus::kApplied, to = AppStatus::kApplied;
  if (s.action == AppAction::kApply) {
    auto existing = Facts(s.agency, s.application_id);
    if (existing.ok())
      return absl::AlreadyExistsError(
          absl::StrCat("救助申请 ", s.application_id, " 已登记 / already registered"));
    if (!absl::IsNotFound(existing.status())) return existing.status();
    to = s.complete ? AppStatus::kUnderReview : AppStatus::kApplied;
    ASSIGN_OR_RETURN(auto ins, db_->Prepare("INSERT INTO aid_applications(agency, application_id, "
                                            "status, received_ms, applicants, deceased_victim, "
                                            "handler) VALUES(?,?,?,?,?,?,?)"));
    ins.BindAll(s.agency, s.application_id, std::string(AppStatusName(to)), at,
                static_cast<int64_t>(s.applicants), int64_t{s.deceased_victim}, s.actor_name);
    RETURN_IF_ERROR(ins.Run());
    RETURN_IF_ERROR(Start(s.agency, s.application_id, "aid_materials", at));
    if (s.complete) {  // complete on receipt: nothing to ask, the decision's 10 days run
      RETURN_IF_ERROR(Meet(s.agency, s.application_id, AppAction::kMaterialsComplete, at));
      RETURN_IF_ERROR(Start(s.agency, s.application_id, "aid_decision", at));
    }
  } else {
    ASSIGN_OR_RETURN(AppFacts facts, Facts(s.agency, s.application_id));
    from = facts.status;
    ASSIGN_OR_RETURN(to, AppTransition(facts, s.action));
    if (at < facts.received_ms)
      return Invalid("时间早于收到申请 / the step is dated before the application's receipt");
    if (s.action == AppAction::kGrant && s.amount_fen < facts.advance_fen)
      return Invalid(
          "救助金额（含先行救助）不能少于已先行发放的金额 / the grant (advance included) cannot "
          "be less than the advance paid");
    RETURN_IF_ERROR(Meet(s.agency, s.application_id, s.action, at));
    std::string set;
    switch (s.action) {
      case AppAction::kRequestMaterials:
        set = "materials_requested=1, materials_due_ms=?3";
        break;
      case AppAction::kMaterialsComplete:
        RETURN_IF_ERROR(Start(s.agency, s.application_id, "aid_decision", at));
        break;
      case AppAction::kAdvance:
        set = "advance_fen=?4";
        break;
      case AppAction::kGrant:
        set = "amount_fen=?4";
        break;
      case AppAction::kRefuse:
        set = "ground=?5";
        break;
      case AppAction::kFundsArrived:
        set = "funds_ms=?6";
        RETURN_IF_ERROR(Start(s.agency, s.application_id, "aid_payment", at));
        break;
      default:
        break;
    }
    ASSIGN_OR_RETURN(auto up, db_->Prepare(absl::StrCat("UPDATE aid_applications SET status=?7",
                                                        set.empty() ? "" : ", ", set,
                                                        " WHERE agency=?1 AND application_id=?2")));
    up.Bind(1, s.agency).Bind(2, s.application_id);
    up.Bind(3, EndOfDayMs(HolidayCalendar::PlusDays(DateOf(at), kMaterialsDays)));
    up.Bind(4, s.amount_fen).Bind(5, s.ground).Bind(6, at);
    up.Bind(7, std::string(AppStatusName(to)));
    RETURN_IF_ERROR(up.Run());
  }
  std::string note = s.grounds;
  if (!s.missing.empty())
    note = absl::StrCat("需补充：", absl::StrJoin(s.missing, "、"), note.empty() ? "" : "；", note);
  if (s.action == AppAction::kRefuse)
    note = absl::StrCat(FindRefusalGround(s.ground)->chinese, "：", note);
  if (s.amount_fen) note = absl::StrCat(note, "（", s.amount_fen / 100, " 元）");
  if (s.action == AppAction::kApply)
    note = absl::StrCat(s.applicants, " 人申请",
                        s.deceased_victim ? "（被害人死亡，近亲属共同申请）" : "",
                        s.complete ? "，材料齐全" : "");
  ASSIGN_OR_RETURN(auto ev,
                   db_->Prepare("INSERT INTO aid_app_events(agency, application_id, at_ms, "
                                "action, from_status, to_status, note, actor) "
                                "VALUES(?,?,?,?,?,?,?,?)"));
  ev.BindAll(s.agency, s.application_id, at, std::string(AppActionName(s.action)),
             std::string(s.action == AppAction::kApply ? "" : AppStatusName(from)),
             std::string(AppStatusName(to)), note, s.actor);
  RETURN_IF_ERROR(ev.Run());
  return to;
}

absl::StatusOr<std::vector<v1::AidDeadline>> Applications::Deadlines(const std::string& agency,
                                                                     const std::string& id) {
  ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT rule, due_ms, met_ms, void FROM aid_app_deadlines "
                                        "WHERE agency=? AND application_id=? AND void != 1 "
                                        "ORDER BY due_ms"));
  q.BindAll(agency, id);
  std::vector<v1::AidDeadline> out;
  while (true) {
    ASSIGN_OR_RETURN(bool more, q.Step());
    if (!more) break;
    const AppDeadlineRule* rule = Rule(q.Text(0));
    v1::AidDeadline d;
    d.set_rule(q.Text(0));
    d.set_text(rule ? rule->chinese : "");
    d.set_source(rule ? rule->source : "");
    d.set_due_ms(q.Int(1));
    d.set_met_ms(q.Int(2));
    d.set_missed(q.Int(3) == 2 || q.Int(2) > q.Int(1));
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<AppAlert> Applications::Scan(int64_t now_ms, const AppScanOptions& o) {
  std::vector<AppAlert> out;
  auto sel = db_->Prepare(
      "SELECT d.id, d.agency, d.application_id, d.rule, d.due_ms, d.warned_ms, d.overdue_ms, "
      "a.handler FROM aid_app_deadlines d JOIN aid_applications a USING(agency, application_id) "
      "WHERE d.met_ms = 0 AND d.void = 0 AND d.escalated_ms = 0 AND d.due_ms <= ?");
  auto mark = db_->Prepare(
      "UPDATE aid_app_deadlines SET warned_ms = CASE WHEN ?2 THEN ?1 ELSE warned_ms END, "
      "overdue_ms = CASE WHEN ?3 THEN ?1 ELSE overdue_ms END, "
      "escalated_ms = CASE WHEN ?4 THEN ?1 ELSE escalated_ms END WHERE id = ?5");
  if (!sel.ok() || !mark.ok()) {
    LOG_ERROR("aid deadline scan: {}", (sel.ok() ? mark.status() : sel.status()).ToString());
    return out;
  }
  sel->Bind(1, now_ms + o.lead_ms);
  struct Row {
    int64_t id;
    std::string agency, app, rule;
    int64_t due, warned, overdue;
    std::string handler;
  };
  std::vector<Row> rows;
  while (true) {
    auto r = sel->Step();
    if (!r.ok() || !*r) break;
    rows.push_back({sel->Int(0), sel->Text(1), sel->Text(2), sel->Text(3), sel->Int(4), sel->Int(5),
                    sel->Int(6), sel->Text(7)});
  }
  sel->Reset();
  for (const Row& r : rows) {
    const AppDeadlineRule* rule = Rule(r.rule);
    if (!rule) continue;
    const bool warn = !r.warned && now_ms >= r.due - o.lead_ms && now_ms <= r.due;
    const bool overdue = !r.overdue && now_ms > r.due;
    const bool escalate = now_ms > r.due + o.escalation_ms;
    if (!warn && !overdue && !escalate) continue;
    const bool provisional = calendar_.IsProvisional(DateOf(r.due));
    const std::string what =
        absl::StrCat(r.app, " 司法救助「", rule->chinese, "」（", rule->source, "）",
                     provisional ? "；该年节假日安排尚未载入，按法定节日暂计 / provisional" : "");
    if (warn)
      out.push_back({AppAlert::kWarning, r.agency, r.app, r.rule, r.handler, r.due,
                     absl::StrCat(what, " 将于 ", When(r.due),
                                  " 到期 / judicial aid: ", rule->english, " due ", When(r.due))});
    if (overdue)
      out.push_back({AppAlert::kOverdue, r.agency, r.app, r.rule, r.handler, r.due,
                     absl::StrCat(what, " 已于 ", When(r.due),
                                  " 逾期，报本机关领导督办 / judicial aid: ", rule->english,
                                  " overdue since ", When(r.due), ": escalated to the leader")});
    if (escalate)
      out.push_back({AppAlert::kEscalation, r.agency, r.app, r.rule, r.handler, r.due,
                     absl::StrCat(what,
                                  " 逾期未办，报本机关主要负责人并报政法委督办 / judicial "
                                  "aid: ",
                                  rule->english,
                                  " still overdue: escalated to the head and the political-legal "
                                  "committee")});
    mark->BindAll(now_ms, int64_t{warn}, int64_t{overdue}, int64_t{escalate}, r.id);
    if (auto st = mark->Run(); !st.ok()) LOG_ERROR("aid deadline scan: {}", st.ToString());
    mark->Reset();
  }
  return out;
}

absl::StatusOr<int> Applications::Recount(HolidayCalendar calendar, int64_t now_ms) {
  ASSIGN_OR_RETURN(auto sel, db_->Prepare("SELECT id, rule, anchor_ms, due_ms FROM "
                                          "aid_app_deadlines WHERE met_ms=0 AND void=0 AND due_ms "
                                          ">= ?"));
  ASSIGN_OR_RETURN(auto up, db_->Prepare("UPDATE aid_app_deadlines SET due_ms=?, warned_ms = CASE "
                                         "WHEN ? > due_ms THEN 0 ELSE warned_ms END WHERE id=?"));
  sel.Bind(1, now_ms);
  std::vector<std::tuple<int64_t, std::string, int64_t, int64_t>> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool more, sel.Step());
    if (!more) break;
    rows.emplace_back(sel.Int(0), sel.Text(1), sel.Int(2), sel.Int(3));
  }
  int moved = 0;
  for (const auto& [id, rule_id, anchor, due] : rows) {
    const AppDeadlineRule* rule = Rule(rule_id);
    if (!rule) continue;
    const int64_t now_due = AppDueMs(*rule, anchor, calendar);
    if (now_due == due) continue;
    up.BindAll(now_due, now_due, id);
    RETURN_IF_ERROR(up.Run());
    up.Reset();
    ++moved;
  }
  calendar_ = std::move(calendar);
  return moved;
}

absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> Applications::OpenByAgency() {
  ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT agency, COUNT(*) FROM aid_applications WHERE "
                                        "status IN ('applied','needs_materials','under_review',"
                                        "'granted') GROUP BY agency ORDER BY agency"));
  std::vector<std::pair<std::string, int64_t>> out;
  while (true) {
    ASSIGN_OR_RETURN(bool more, q.Step());
    if (!more) break;
    out.emplace_back(q.Text(0), q.Int(1));
  }
  return out;
}

}  // namespace concord::aid

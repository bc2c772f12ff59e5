#include "domain/rules.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace concord::ledger {
namespace {

struct StatusInfo {
  Status status;
  const char* name;
  const char* chinese;
};
constexpr std::array<StatusInfo, 11> kStatuses = {{
    {Status::kReceived, "received", "已登记"},
    {Status::kUnderReview, "under_review", "审查中"},
    {Status::kNeedsMaterials, "needs_materials", "待补充材料"},
    {Status::kAccepted, "accepted", "已受理分流"},
    {Status::kNotAccepted, "not_accepted", "不予受理"},
    {Status::kTransferred, "transferred", "已移送"},
    {Status::kInProgress, "in_progress", "办理中"},
    {Status::kConcluded, "concluded", "已办结答复"},
    {Status::kUnderReReview, "under_re_review", "复查复核中"},
    {Status::kClosed, "closed", "息诉罢访"},
    {Status::kFinal, "final", "复核终结"},
}};

struct ActionInfo {
  Action action;
  const char* name;
  const char* chinese;
};
constexpr std::array<ActionInfo, 19> kActions = {{
    {Action::kRegister, "register", "登记"},
    {Action::kStartReview, "start_review", "开始审查"},
    {Action::kRequestMaterials, "request_materials", "一次性告知补充材料"},
    {Action::kAccept, "accept", "受理分流"},
    {Action::kNotAccept, "not_accept", "不予受理"},
    {Action::kTransfer, "transfer", "移送"},
    {Action::kObjectToTransfer, "object_to_transfer", "对移送提出异议"},
    {Action::kProceduralReply, "procedural_reply", "程序性答复"},
    {Action::kStartWork, "start_work", "开始办理"},
    {Action::kProgressNote, "progress_note", "进展记录"},
    {Action::kProgressReply, "progress_reply", "阶段性答复"},
    {Action::kExtend, "extend", "延期"},
    {Action::kSubstantiveReply, "substantive_reply", "办结答复"},
    {Action::kClose, "close", "息诉罢访"},
    {Action::kRequestReview, "request_review", "申请复查复核"},
    {Action::kReviewOpinion, "review_opinion", "复查复核意见"},
    {Action::kReopen, "reopen", "重新办理"},
    {Action::kHearing, "hearing", "复查复核听证"},
    {Action::kContactUnreachable, "contact_unreachable", "联系方式无效"},
}};

using S = Status;
using A = Action;

// The transition table: from which statuses an action is allowed and where it
// leads (nullopt: the status stays). Source: DOMAIN.md's status design from
// the rules (SPP 信访工作规定 2024; 信访工作条例 2022 arts. 22-23, 34-36).
struct Edge {
  Action action;
  std::vector<Status> from;
  std::optional<Status> to;
};
const std::vector<Edge>& Edges() {
  static const std::vector<Edge> kEdges = {
      {A::kStartReview, {S::kReceived}, S::kUnderReview},
      {A::kRequestMaterials, {S::kReceived, S::kUnderReview}, S::kNeedsMaterials},
      {A::kAccept, {S::kReceived, S::kUnderReview, S::kNeedsMaterials}, S::kAccepted},
      {A::kNotAccept, {S::kReceived, S::kUnderReview, S::kNeedsMaterials}, S::kNotAccepted},
      {A::kTransfer,
       {S::kReceived, S::kUnderReview, S::kNeedsMaterials, S::kAccepted},
       S::kTransferred},
      {A::kObjectToTransfer,
       {S::kReceived, S::kUnderReview},
       S::kUnderReview},  // back to the sender
      {A::kProceduralReply,
       {S::kReceived, S::kUnderReview, S::kNeedsMaterials, S::kAccepted, S::kNotAccepted,
        S::kTransferred, S::kInProgress},
       std::nullopt},
      {A::kStartWork, {S::kAccepted}, S::kInProgress},
      {A::kProgressNote,
       {S::kAccepted, S::kInProgress, S::kTransferred, S::kUnderReReview},
       std::nullopt},
      {A::kProgressReply, {S::kAccepted, S::kInProgress}, std::nullopt},
      {A::kExtend, {S::kAccepted, S::kInProgress}, std::nullopt},
      {A::kSubstantiveReply, {S::kAccepted, S::kInProgress}, S::kConcluded},
      {A::kClose, {S::kConcluded}, S::kClosed},
      {A::kRequestReview, {S::kConcluded}, S::kUnderReReview},
      {A::kReviewOpinion, {S::kUnderReReview}, S::kConcluded},
      {A::kReopen, {S::kClosed, S::kConcluded}, S::kInProgress},
      {A::kHearing, {S::kUnderReReview}, std::nullopt},
      {A::kContactUnreachable,
       {S::kReceived, S::kUnderReview, S::kNeedsMaterials, S::kAccepted, S::kNotAccepted,
        S::kInProgress, S::kConcluded, S::kUnderReReview},
       std::nullopt},
  };
  return kEdges;
}

absl::Status Refuse(const std::string& chinese, const std::string& english) {
  return absl::FailedPreconditionError(absl::StrCat(chinese, " / ", english));
}

}  // namespace

const char* StatusName(Status s) {
  for (const auto& i : kStatuses)
    if (i.status == s) return i.name;
  return "unknown";
}
const char* StatusChineseName(Status s) {
  for (const auto& i : kStatuses)
    if (i.status == s) return i.chinese;
  return "未知";
}
std::optional<Status> StatusFromName(const std::string& name) {
  for (const auto& i : kStatuses)
    if (name == i.name) return i.status;
  return std::nullopt;
}

const char* ActionName(Action a) {
  for (const auto& i : kActions)
    if (i.action == a) return i.name;
  return "unknown";
}
std::optional<Action> ActionFromName(const std::string& name) {
  for (const auto& i : kActions)
    if (name == i.name) return i.action;
  return std::nullopt;
}

const char* ActionChineseName(Action a) {
  for (const auto& i : kActions)
    if (i.action == a) return i.chinese;
  return "未知";
}

absl::StatusOr<Status> Transition(const ItemFacts& item, Action action, int64_t now_ms,
                                  const HolidayCalendar& calendar) {
  if (action == A::kRegister)
    return Refuse("已登记的信访件不能再次登记（同一件重复提交视为同一件）",
                  "already registered: the same petition sent again is the same item");
  const Edge* edge = nullptr;
  for (const auto& e : Edges())
    if (e.action == action) edge = &e;
  if (!edge || std::find(edge->from.begin(), edge->from.end(), item.status) == edge->from.end()) {
    std::vector<std::string> allowed;
    for (const auto& e : Edges())
      if (std::find(e.from.begin(), e.from.end(), item.status) != e.from.end())
        allowed.push_back(absl::StrCat(ActionChineseName(e.action), " ", ActionName(e.action)));
    return Refuse(absl::StrCat("当前状态「", StatusChineseName(item.status), "」不能",
                               ActionChineseName(action), "；可以：", absl::StrJoin(allowed, "、")),
                  absl::StrCat("'", ActionName(action), "' is not allowed in status '",
                               StatusName(item.status), "'"));
  }
  switch (action) {
    case A::kObjectToTransfer: {
      // 条例 art. 23: the receiving organ objects within 5 working days.
      if (item.transferred_in_ms == 0)
        return Refuse("只有移送来的信访件才能提出异议",
                      "only an item transferred in can be objected to");
      const Date last = calendar.AddWorkingDays(DateOf(item.transferred_in_ms), 5);
      if (now_ms > EndOfDayMs(last))
        return Refuse(absl::StrCat("异议须在收到后 5 个工作日内提出（截止 ", FormatDate(last),
                                   "，《信访工作条例》第二十三条）"),
                      absl::StrCat("an objection is due within 5 working days of receipt (by ",
                                   FormatDate(last), ", regulation art. 23)"));
      break;
    }
    case A::kExtend:
      // 条例 art. 34: one extension of at most 30 days, approved before the
      // 60 days end; a deadline once missed stays missed.
      if (item.extended)
        return Refuse("只能延期一次（《信访工作条例》第三十四条）",
                      "only one extension is allowed (regulation art. 34)");
      if (item.answer_due_ms == 0)
        return Refuse("没有正在计算的办理期限（受理之日起60日），无从延期",
                      "no 60-day answer deadline is running: there is nothing to extend");
      if (now_ms > item.answer_due_ms)
        return Refuse(
            absl::StrCat("办理期限已于 ", FormatDate(DateOf(item.answer_due_ms)),
                         " 届满，不能再延期：延期须在期限届满前经批准（《信访工作条例》第三十四条）"
                         "，逾期记录不予消除"),
            absl::StrCat("the answer was due ", FormatDate(DateOf(item.answer_due_ms)),
                         ": an extension is approved before the deadline passes (art. 34); the "
                         "missed deadline stays on record"));
      break;
    case A::kRequestReview: {
      // 条例 arts. 35-36: requested within 30 days of receiving the written
      // answer; after 复核 nothing more.
      if (item.reviews >= 2)
        return Refuse(
            "复核意见已作出，同一事实和理由不再受理（《信访工作条例》第三十六条）",
            "re-review is final: the same facts and reasons are not accepted again (art. 36)");
      const int64_t from = item.answer_received_ms ? item.answer_received_ms : item.answered_ms;
      // A last day off moves to the next working day (民法典 art. 203, by analogy).
      const Date last = calendar.NextWorkingDayFrom(HolidayCalendar::PlusDays(DateOf(from), 30));
      if (from && now_ms > EndOfDayMs(last))
        return Refuse(absl::StrCat("复查、复核须在收到书面答复之日起 30 日内申请（截止 ",
                                   FormatDate(last), "，《信访工作条例》第三十五、三十六条）"),
                      absl::StrCat("review must be requested within 30 days of receiving the "
                                   "written answer (by ",
                                   FormatDate(last), ", arts. 35-36)"));
      break;
    }
    case A::kReviewOpinion:
      if (item.reviews >= 1) return S::kFinal;  // the 复核 opinion ends it (art. 36)
      break;
    case A::kReopen:
      break;
    default:
      break;
  }
  return edge->to.value_or(item.status);
}

std::vector<DeadlineRule> DeadlineRules(const RuleOptions& o) {
  using K = AgencyKind;
  // The same table in docs/ledger.md ("Deadlines by agency kind"), with the sources.
  std::vector<DeadlineRule> rules = {
      {"register_review",
       "当日登记、当日审查",
       "registered and reviewed the day it arrives",
       Anchor::kReceived,
       Unit::kSameDay,
       0,
       false,
       {A::kStartReview, A::kAccept, A::kNotAccept, A::kRequestMaterials, A::kTransfer},
       "检察机关群众信访件件有回复（2019），人民检察院信访工作规定（2024）；当日登记、当日审查 "
       "[S]",
       {K::kProcuratorate}},
      {"procedural_reply",
       "7日内程序性答复",
       "procedural reply within 7 days",
       Anchor::kReceived,
       o.procedural_reply_working_days ? Unit::kWorkingDays : Unit::kDays,
       7,
       true,
       // What the procedural reply says (accepted or not, which materials, to
       // whom transferred) each of these steps tells the petitioner, with its
       // required note; a full answer within the 7 days tells more.
       {A::kProceduralReply, A::kTransfer, A::kNotAccept, A::kRequestMaterials,
        A::kSubstantiveReply},
       "群众信访件件有回复：7日内告知收悉及处理情况（自本院收到之日起）[S]",
       {K::kProcuratorate}},
      {"substantive_reply",
       "3个月内办理过程或结果答复",
       "substantive reply within 3 months",
       Anchor::kReceived,
       Unit::kMonths,
       3,
       true,
       {A::kSubstantiveReply, A::kProgressReply},
       "群众信访件件有回复：3个月内答复办理过程或结果（自本院收到之日起）[S]",
       {K::kProcuratorate}},
      {"transfer_or_assign",
       "15日内转送交办",
       "transfer or assign within 15 days",
       Anchor::kReceived,
       Unit::kDays,
       15,
       false,
       {A::kTransfer, A::kAccept},
       "信访工作条例（2022）第二十二条 [V]",
       {K::kPetitionOffice}},
      {"receipt_notice",
       "15日内书面告知接收情况",
       "written notice of receipt within 15 days",
       Anchor::kReceived,
       Unit::kDays,
       15,
       true,
       {A::kProceduralReply, A::kTransfer, A::kNotAccept, A::kSubstantiveReply},
       "信访工作条例（2022）第二十三条（直接收到或转送交办，自收到之日起）[V]",
       {K::kOther}},
      {"handle_answer",
       "60日内办结答复（可延期一次，不超过30日）",
       "answer within 60 days of acceptance (one extension of at most 30 days)",
       Anchor::kAccepted,
       Unit::kDays,
       60,
       false,
       {A::kSubstantiveReply},
       "信访工作条例（2022）第三十四条 [V]",
       {},
       30},
      {"review_opinion",
       "复查复核意见30日内作出（听证时间不计入）",
       "review opinion within 30 days (hearing time not counted)",
       Anchor::kReviewRequested,
       Unit::kDays,
       30,
       false,
       {A::kReviewOpinion},
       "信访工作条例（2022）第三十五、三十六条 [V]",
       {}},
      {"plan_task",
       "联席会议化解方案任务",
       "a joint plan's task",
       Anchor::kTracked,
       Unit::kDays,
       0,
       false,
       {},
       "一案一策化解方案，任务到期提醒、逾期督办 [S]",
       {}},
  };
  for (DeadlineRule& r : rules)
    for (const std::string& id : o.kept_on_days_off)
      if (id == r.id) r.rolls_to_working_day = false;
  return rules;
}

AgencyKind RuleOptions::KindOf(const std::string& agency) const {
  if (std::find(procuratorates.begin(), procuratorates.end(), agency) != procuratorates.end())
    return AgencyKind::kProcuratorate;
  if (!petition_office.empty() && agency == petition_office) return AgencyKind::kPetitionOffice;
  return AgencyKind::kOther;
}

std::string RuleOptions::SuperiorOf(const std::string& agency) const {
  auto it = superiors.find(agency);
  return it == superiors.end() ? "" : it->second;
}

bool RuleOptions::IsAbove(const std::string& upper, const std::string& agency) const {
  std::string up = SuperiorOf(agency);
  for (size_t level = 0; level <= superiors.size() && !up.empty(); ++level, up = SuperiorOf(up))
    if (up == upper) return true;
  return false;
}

bool Owes(const DeadlineRule& rule, AgencyKind kind) {
  return rule.kinds.empty() ||
         std::find(rule.kinds.begin(), rule.kinds.end(), kind) != rule.kinds.end();
}

int64_t DueMs(const DeadlineRule& rule, int64_t anchor_ms, const HolidayCalendar& calendar,
              int extra_days) {
  const Date start = DateOf(anchor_ms);
  const int amount = rule.amount;
  Date last = start;  // kSameDay
  switch (rule.unit) {
    case Unit::kSameDay:
      break;
    case Unit::kDays:
      last = HolidayCalendar::PlusDays(start, amount);
      break;
    case Unit::kWorkingDays:
      last = calendar.AddWorkingDays(start, amount);  // a working day already
      break;
    case Unit::kMonths:
      last = HolidayCalendar::PlusMonths(start, amount);
      break;
  }
  // 民法典 art. 203 (by analogy): a last day off moves to the next working
  // day; so does a same-day rule for a petition that arrives on a day off
  // (人民检察院信访工作规定: registered the day it arrives, i.e. the office's
  // next working day). DOMAIN.md, "Procuratorate deadlines".
  auto roll = [&](Date d) {
    return rule.rolls_to_working_day ? calendar.NextWorkingDayFrom(d) : d;
  };
  last = roll(last);
  // Extra days (an extension, a hearing) extend the period as it ended, so a
  // holiday at its end never swallows them; their own last day rolls too.
  if (extra_days > 0) last = roll(HolidayCalendar::PlusDays(last, extra_days));
  return EndOfDayMs(last);
}

constexpr std::string_view kLedgerNoPrefix = "信-";

std::string LedgerNo(int year, int64_t seq) {
  return absl::StrFormat("%s%d-%06d", kLedgerNoPrefix, year, seq);
}

bool IsLedgerNo(std::string_view key) {
  return key.substr(0, kLedgerNoPrefix.size()) == kLedgerNoPrefix;
}

}  // namespace concord::ledger

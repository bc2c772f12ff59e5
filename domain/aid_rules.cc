#include "domain/aid_rules.h"

#include <algorithm>
#include <array>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace concord::aid {
namespace {

struct StatusNames {
  AppStatus status;
  const char* name;
  const char* chinese;
};
constexpr std::array kStatuses = {
    StatusNames{AppStatus::kApplied, "applied", "已收到申请"},
    StatusNames{AppStatus::kNeedsMaterials, "needs_materials", "待补充材料"},
    StatusNames{AppStatus::kUnderReview, "under_review", "材料齐全，审查中"},
    StatusNames{AppStatus::kGranted, "granted", "决定救助"},
    StatusNames{AppStatus::kRefused, "refused", "决定不予救助"},
    StatusNames{AppStatus::kPaid, "paid", "救助金已发放"},
    StatusNames{AppStatus::kWithdrawn, "withdrawn", "已撤回"},
};

struct ActionNames {
  AppAction action;
  const char* name;
  const char* chinese;
};
constexpr std::array kActions = {
    ActionNames{AppAction::kApply, "apply", "申请"},
    ActionNames{AppAction::kRequestMaterials, "request_materials", "一次性告知补充材料"},
    ActionNames{AppAction::kMaterialsComplete, "materials_complete", "材料齐全"},
    ActionNames{AppAction::kAdvance, "advance", "先行救助"},
    ActionNames{AppAction::kGrant, "grant", "决定救助"},
    ActionNames{AppAction::kRefuse, "refuse", "决定不予救助"},
    ActionNames{AppAction::kFundsArrived, "funds_arrived", "救助金到账"},
    ActionNames{AppAction::kPay, "pay", "发放救助金"},
    ActionNames{AppAction::kWithdraw, "withdraw", "撤回申请"},
};

bool Open(AppStatus s) {
  return s == AppStatus::kApplied || s == AppStatus::kNeedsMaterials ||
         s == AppStatus::kUnderReview;
}

absl::Status Refuse(AppAction a, AppStatus s, const std::string& why) {
  return absl::FailedPreconditionError(absl::StrCat(
      "申请处于「", AppStatusChineseName(s), "」，不能", AppActionChineseName(a), "：", why));
}

}  // namespace

const char* AppStatusName(AppStatus s) {
  for (const auto& n : kStatuses)
    if (n.status == s) return n.name;
  return "";
}
const char* AppStatusChineseName(AppStatus s) {
  for (const auto& n : kStatuses)
    if (n.status == s) return n.chinese;
  return "";
}
std::optional<AppStatus> AppStatusFromName(const std::string& name) {
  for (const auto& n : kStatuses)
    if (name == n.name) return n.status;
  return std::nullopt;
}
const char* AppActionName(AppAction a) {
  for (const auto& n : kActions)
    if (n.action == a) return n.name;
  return "";
}
const char* AppActionChineseName(AppAction a) {
  for (const auto& n : kActions)
    if (n.action == a) return n.chinese;
  return "";
}
std::optional<AppAction> AppActionFromName(const std::string& name) {
  for (const auto& n : kActions)
    if (name == n.name) return n.action;
  return std::nullopt;
}

absl::StatusOr<AppStatus> AppTransition(const AppFacts& app, AppAction action) {
  const AppStatus s = app.status;
  switch (action) {
    case AppAction::kApply:
      return Refuse(action, s, "申请已登记 / the application is registered already");
    case AppAction::kRequestMaterials:
      if (s != AppStatus::kApplied || app.materials_requested)
        return Refuse(action, s,
                      "补充材料须在收到申请后一次性告知 / missing materials are asked once, "
                      "before the application is found complete");
      return AppStatus::kNeedsMaterials;
    case AppAction::kMaterialsComplete:
      if (s != AppStatus::kApplied && s != AppStatus::kNeedsMaterials)
        return Refuse(action, s, "材料已齐全或已决定 / already complete or decided");
      return AppStatus::kUnderReview;
    case AppAction::kAdvance:
      if (!Open(s) || app.advanced)
        return Refuse(action, s,
                      "先行救助只在决定前、每个申请一次 / advance aid is given once, before the "
                      "decision");
      return s;  // the procedure goes on; the decision follows
    case AppAction::kGrant:
      if (s != AppStatus::kUnderReview)
        return Refuse(action, s,
                      "须材料齐全后审查决定 / a grant is decided on a complete application");
      return AppStatus::kGranted;
    case AppAction::kRefuse:
      if (!Open(s)) return Refuse(action, s, "已作出决定或已撤回 / already decided or withdrawn");
      return AppStatus::kRefused;
    case AppAction::kFundsArrived:
      if (s != AppStatus::kGranted || app.funds_ms)
        return Refuse(action, s, "救助金在决定救助后到账一次 / funds arrive once, after the grant");
      return s;
    case AppAction::kPay:
      if (s != AppStatus::kGranted || !app.funds_ms)
        return Refuse(action, s, "救助金到账后方可发放 / paid once the granted funds have arrived");
      return AppStatus::kPaid;
    case AppAction::kWithdraw:
      if (!Open(s)) return Refuse(action, s, "已作出决定 / already decided");
      return AppStatus::kWithdrawn;
  }
  return absl::InvalidArgumentError("unknown action");
}

const std::vector<RefusalGround>& RefusalGrounds() {
  static const std::vector<RefusalGround> kGrounds = {
      {"major_fault", "对案件发生有重大过错", "2014 意见 二（一般不予救助）[S]"},
      {"refused_cooperation", "无正当理由拒绝配合查明案件事实", "2014 意见 二 [S]"},
      {"false_statement", "故意作虚伪陈述或者伪造证据，妨害诉讼", "2014 意见 二 [S]"},
      {"waived_compensation", "在诉讼中主动放弃民事赔偿请求或拒绝侵权责任人及其近亲属赔偿",
       "2014 意见 二 [S]"},
      {"hardship_not_from_case", "生活困难非案件原因所导致", "2014 意见 二 [S]"},
      {"already_compensated", "通过社会救助措施，已经得到合理补偿、救助", "2014 意见 二 [S]"},
      {"not_eligible", "不属于国家司法救助对象",
       "2014 意见 二（救助对象）；人民检察院开展国家司法救助工作细则（2021）[S]"},
      {"duplicate", "同一案件同一当事人已获国家司法救助", "2014 意见 一（一次性救助）[S]"},
  };
  return kGrounds;
}

const RefusalGround* FindRefusalGround(const std::string& id) {
  for (const auto& g : RefusalGrounds())
    if (id == g.id) return &g;
  return nullptr;
}

std::vector<AppDeadlineRule> AppDeadlineRules(int payment_working_days) {
  using A = AppAction;
  return {
      {"aid_materials",
       "一次性告知补充材料",
       "missing materials told",
       AppAnchor::kReceived,
       5,
       {A::kRequestMaterials, A::kMaterialsComplete, A::kRefuse, A::kWithdraw},
       "人民检察院开展国家司法救助工作细则（2021）：申请材料不齐全的，五个工作日内一次性告知 "
       "[S]"},
      {"aid_decision",
       "作出救助决定",
       "aid decided",
       AppAnchor::kComplete,
       10,
       {A::kGrant, A::kRefuse, A::kWithdraw},
       "2014 意见 四；人民检察院开展国家司法救助工作细则（2021）；"
       "人民法院国家司法救助案件办理程序规定（试行）（2019）：材料齐全之日起十个工作日内 [S]"},
      {"aid_payment",
       "通知领取并发放救助金",
       "applicant told and paid",
       AppAnchor::kFundsArrived,
       payment_working_days,
       {A::kPay},
       "2014 意见 四（发放）：收到救助金后二个工作日内通知申请人领取 [S]；天数按 [aid] "
       "payment_working_days"},
  };
}

int64_t AppDueMs(const AppDeadlineRule& rule, int64_t anchor_ms, const HolidayCalendar& calendar) {
  return EndOfDayMs(calendar.AddWorkingDays(DateOf(anchor_ms), rule.working_days));
}

std::string Cap::Explain() const {
  auto yuan = [](int64_t fen) { return absl::StrFormat("%d", fen / 100); };
  return absl::StrCat(wage_year, " 年全省职工月平均工资 ", yuan(monthly_wage_fen), " 元 × ",
                      kCapMonths, " = ", yuan(cap_fen), " 元",
                      latest_available ? "（上一年度数字尚未载入，暂按此年度）" : "", " / ",
                      kCapMonths, " x the province's ", wage_year, " average monthly wage",
                      latest_available ? " (the previous year's figure is not loaded yet)" : "");
}

absl::StatusOr<Cap> WageTable::CapFor(int year) const {
  auto it = monthly_fen_.lower_bound(year);  // the first year >= year
  if (it == monthly_fen_.begin())
    return absl::NotFoundError(absl::StrCat("[aid.wages] 没有 ", year - 1,
                                            " 年及以前的职工月平均工资 / no average wage for ",
                                            year - 1, " or earlier"));
  --it;  // the last year before `year`
  Cap c;
  c.wage_year = it->first;
  c.monthly_wage_fen = it->second;
  c.cap_fen = it->second * kCapMonths;
  c.latest_available = it->first != year - 1;
  return c;
}

}  // namespace concord::aid

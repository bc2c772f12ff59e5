// The judicial-aid rules in one place (DOMAIN.md, "Judicial aid"; docs/aid.md
// gives each rule with its source): an application's statuses and the steps
// the rules allow, the agency's deadlines, the refusal grounds, and the cap
// from the province's wage table. An officer checks them here; a change of
// regulation is an edit of one table in aid_rules.cc.
//
// Sources ([S] as DOMAIN.md marks them): 关于建立完善国家司法救助制度的意见
// (试行) (中央政法委等六部门, 2014); 人民检察院开展国家司法救助工作细则 (2021,
// replacing the 2016 trial rules); 人民法院国家司法救助案件办理程序规定(试行)
// (2019).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/calendar.h"

namespace concord::aid {

enum class AppStatus {
  kApplied,         // 已收到申请
  kNeedsMaterials,  // 待补充材料 (一次性告知)
  kUnderReview,     // 材料齐全，审查中
  kGranted,         // 决定救助
  kRefused,         // 决定不予救助
  kPaid,            // 救助金已发放
  kWithdrawn,       // 撤回 (or 视为撤回: materials not completed in time)
};
const char* AppStatusName(AppStatus s);         // "applied", ...
const char* AppStatusChineseName(AppStatus s);  // 已收到申请, ...
std::optional<AppStatus> AppStatusFromName(const std::string& name);

enum class AppAction {
  kApply,              // 申请 (with the materials handed in)
  kRequestMaterials,   // 一次性告知补充材料
  kMaterialsComplete,  // 材料齐全
  kAdvance,            // 先行救助 (urgent: life or health at risk)
  kGrant,              // 决定救助 (amount, grounds)
  kRefuse,             // 决定不予救助 (a ground from RefusalGrounds, grounds)
  kFundsArrived,       // 救助金到账
  kPay,                // 发放救助金 (the applicant told and paid)
  kWithdraw,           // 撤回申请 / 逾期未补充材料视为撤回
};
const char* AppActionName(AppAction a);
const char* AppActionChineseName(AppAction a);
std::optional<AppAction> AppActionFromName(const std::string& name);

// What the step check needs to know about the application.
struct AppFacts {
  AppStatus status = AppStatus::kApplied;
  bool materials_requested = false;  // 一次性告知 is once
  bool advanced = false;             // one advance per application
  int64_t funds_ms = 0;              // the funds arrived (0: not yet)
  int64_t received_ms = 0;           // no step is dated before it
  int64_t advance_fen = 0;           // a grant is never less than the advance
};

// The status after `action`, or FailedPrecondition with the reason (Chinese /
// English, naming the rule) when the rules forbid it.
absl::StatusOr<AppStatus> AppTransition(const AppFacts& app, AppAction action);

// ---- Refusal grounds (一般不予救助, 2014 意见 三(二)) ----------------------

struct RefusalGround {
  const char* id;       // "major_fault"
  const char* chinese;  // 对案件发生有重大过错
  const char* source;
};
const std::vector<RefusalGround>& RefusalGrounds();
const RefusalGround* FindRefusalGround(const std::string& id);

// ---- Deadlines ---------------------------------------------------------

enum class AppAnchor {
  kReceived,      // the application received
  kComplete,      // the materials complete (on receipt, or when completed)
  kFundsArrived,  // the funds arrived at the agency
};

struct AppDeadlineRule {
  const char* id;       // "aid_decision"
  const char* chinese;  // 作出救助决定
  const char* english;
  AppAnchor anchor;
  int working_days;
  std::vector<AppAction> met_by;
  const char* source;
};
// `payment_working_days`: the days set to tell and pay the applicant once
// the funds arrive ([aid] payment_working_days, 2 by default).
std::vector<AppDeadlineRule> AppDeadlineRules(int payment_working_days = 2);
// The last millisecond of the N-th working day after the anchor's day.
int64_t AppDueMs(const AppDeadlineRule& rule, int64_t anchor_ms, const HolidayCalendar& calendar);
// The applicant's 30 days to complete the materials once told (not the
// agency's deadline: after it the application may be taken as withdrawn).
inline constexpr int kMaterialsDays = 30;

// ---- The cap ------------------------------------------------------------

// The province's average monthly wage of employees (职工月平均工资), per
// year, as its statistics bureau publishes it ([aid.wages] "2025" = 9100).
// Aid decided in year Y is capped at 36 times the figure for Y-1 (2014 意见
// 三(三); SPP 2021 细则; SPC 2016 意见). More is granted only with special
// approval, never above what a court would award.
struct Cap {
  int64_t cap_fen = 0;
  int wage_year = 0;  // the year whose wage it is based on
  int64_t monthly_wage_fen = 0;
  bool latest_available = false;  // Y-1 is not in the table: the latest earlier year used
  std::string Explain() const;    // "2025 年职工月平均工资 9,100 元 × 36 = 327,600 元"
};
class WageTable {
 public:
  void Set(int year, int64_t monthly_wage_fen) { monthly_fen_[year] = monthly_wage_fen; }
  bool empty() const { return monthly_fen_.empty(); }
  // The cap for aid decided in `year`; NotFound when the table has no year
  // before it.
  absl::StatusOr<Cap> CapFor(int year) const;

 private:
  std::map<int, int64_t> monthly_fen_;
};
inline constexpr int kCapMonths = 36;

}  // namespace concord::aid

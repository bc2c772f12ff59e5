// The petition rules in one place (DOMAIN.md, "Petitions"): the statuses, the
// transitions the rules allow, and the deadlines with their sources. An
// officer checks them here; a change of regulation is an edit of one table
// in rules.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "domain/calendar.h"

namespace concord::ledger {

enum class Status {
  kReceived,        // 已登记
  kUnderReview,     // 审查中
  kNeedsMaterials,  // 待补充材料 (一次性告知)
  kAccepted,        // 已受理、已分流 (首办责任人)
  kNotAccepted,     // 不予受理 (理由)
  kTransferred,     // 已移送他机关 (跟踪督办)
  kInProgress,      // 办理中
  kConcluded,       // 已办结、已答复结果
  kUnderReReview,   // 复查 / 复核中
  kClosed,          // 息诉罢访
  kFinal,           // 复核终结: the same facts and reasons are not accepted again
};
// A ledger number: "信-2026-000001" (the year, then the year's sequence).
std::string LedgerNo(int year, int64_t seq);
bool IsLedgerNo(std::string_view key);  // made by LedgerNo (checked by its prefix)

const char* StatusName(Status s);         // "received", ...
const char* StatusChineseName(Status s);  // 已登记, ...
std::optional<Status> StatusFromName(const std::string& name);

enum class Action {
  kRegister,          // 登记
  kStartReview,       // 开始审查
  kRequestMaterials,  // 一次性告知补充材料
  kAccept,            // 受理并分流 (department, first handler)
  kNotAccept,         // 不予受理 (reason)
  kTransfer,          // 移送有管辖权的机关 (to agency, explanation to the petitioner)
  kObjectToTransfer,  // 接收机关提出异议 (5 working days, reasons)
  kProceduralReply,   // 程序性答复 (channel, content)
  kStartWork,         // 开始办理
  kProgressNote,      // 进展记录
  kProgressReply,     // 阶段性答复
  kExtend,            // 延期 (once, at most 30 days, head's approval, reason to the petitioner)
  kSubstantiveReply,  // 实体答复 / 办结答复
  kClose,             // 息诉罢访
  kRequestReview,     // 申请复查 / 复核 (within 30 days of the answer)
  kReviewOpinion,     // 复查 / 复核意见
  kReopen,            // 重新办理
};
const char* ActionName(Action a);
const char* ActionChineseName(Action a);
std::optional<Action> ActionFromName(const std::string& name);

// What the transition check needs to know about the item.
struct ItemFacts {
  Status status = Status::kReceived;
  bool extended = false;          // the one extension was used
  int reviews = 0;                // 0 none, 1 after 复查, 2 after 复核
  int64_t answered_ms = 0;        // last substantive answer or review opinion
  int64_t transferred_in_ms = 0;  // when it arrived here by transfer (0: not transferred in)
};

// The status after `action`, or FailedPrecondition with the reason (Chinese /
// English, naming the rule) when the rules forbid it. `now_ms` and `calendar`
// decide the windows (objection, review requests).
absl::StatusOr<Status> Transition(const ItemFacts& item, Action action, int64_t now_ms,
                                  const HolidayCalendar& calendar);

// ---- Deadlines ----------------------------------------------------------

// kTracked: a due date set by another agent (a joint plan's task), tracked
// here so that it has the same clock, warnings and escalation.
enum class Anchor { kReceived, kRegistered, kTransferredIn, kAccepted, kReviewRequested, kTracked };
enum class Unit { kSameDay, kDays, kWorkingDays, kMonths };

struct DeadlineRule {
  const char* id;       // "procedural_reply"
  const char* chinese;  // 程序性答复
  const char* english;
  Anchor anchor;
  Unit unit;
  int amount;
  bool needs_contact;          // not owed to an anonymous petitioner or one without usable contact
  std::vector<Action> met_by;  // the actions that meet it
  const char* source;          // the rule and article, with [V]/[S]/[U] as in DOMAIN.md
  int extension_days = 0;      // what one approved extension (kExtend) adds
  // A last day that is not a working day moves to the next working day
  // (民法典 art. 203, by analogy); a same-day rule on a day off is due the
  // next working day. RuleOptions::kept_on_days_off turns it off per rule.
  bool rolls_to_working_day = true;
};

// Settings that DOMAIN.md marks configurable.
struct RuleOptions {
  bool procedural_reply_working_days = false;  // 7 calendar days by default
  int group_threshold = 5;                     // 集体访: this many people or more
  // Rules (by id) whose last day stays on a day off instead of moving to the
  // next working day, e.g. {"register_review"} where a duty officer registers
  // on holidays too.
  std::vector<std::string> kept_on_days_off;
};

std::vector<DeadlineRule> DeadlineRules(const RuleOptions& options = {});

// The due moment (last millisecond of the last day) of `rule` counted from
// `anchor_ms`; `extended` adds the rule's extension.
int64_t DueMs(const DeadlineRule& rule, int64_t anchor_ms, const HolidayCalendar& calendar,
              bool extended = false);

}  // namespace concord::ledger

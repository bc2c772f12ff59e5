// The petition rules in one place (DOMAIN.md, "Petitions"): the statuses, the
// transitions the rules allow, and the deadlines with their sources. An
// officer checks them here; a change of regulation is an edit of one table
// in rules.cc.
#pragma once

#include <cstdint>
#include <map>
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
  kHearing,  // 复查复核听证 (its days are not counted in the opinion's 30 days, art. 36)
  kContactUnreachable,  // 联系方式无效: no reply is owed from now on (DOMAIN.md, "no reply owed")
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
  // The unmet 60-day answer deadline (handle_answer; 0: none running): an
  // extension is asked before it passes (art. 34).
  int64_t answer_due_ms = 0;
  // kRequestReview: when the petitioner received the written answer (its
  // delivery receipt); the 30 days run from it (arts. 35-36). 0: the answer's date.
  int64_t answer_received_ms = 0;
};

// Each kind of agency owes its own clocks (docs/ledger.md, "Deadlines by
// agency kind"): a procuratorate the SPP's 7 days and 3 months from its own
// receipt; a petition office the regulation's 15 days to transfer or assign;
// every other organ (court, police, justice bureau, committee, government)
// the regulation's 15-day written notice. All owe the 60 (+30) days from
// acceptance and the 30-day review opinion.
enum class AgencyKind { kProcuratorate, kPetitionOffice, kOther };

// The status after `action`, or FailedPrecondition with the reason (Chinese /
// English, naming the rule) when the rules forbid it. `now_ms` and `calendar`
// decide the windows (objection, review requests).
absl::StatusOr<Status> Transition(const ItemFacts& item, Action action, int64_t now_ms,
                                  const HolidayCalendar& calendar);

// ---- Deadlines ----------------------------------------------------------

// kReceived: the owing agency's own receipt (registration there, or arrival
// by transfer). kTracked: a due date set by another agent (a joint plan's
// task), tracked here so that it has the same clock, warnings and escalation.
enum class Anchor { kReceived, kAccepted, kReviewRequested, kTracked };
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
  std::vector<AgencyKind> kinds;  // the agencies that owe it (empty: every agency)
  int max_extension_days = 0;     // one approved extension (kExtend) adds up to this many
  // A last day that is not a working day moves to the next working day
  // (民法典 art. 203, by analogy); a same-day rule on a day off is due the
  // next working day. RuleOptions::kept_on_days_off turns it off per rule.
  bool rolls_to_working_day = true;
};

// Settings that DOMAIN.md marks configurable, and the district's agencies.
struct RuleOptions {
  bool procedural_reply_working_days = false;  // 7 calendar days by default
  int group_threshold = 5;                     // 集体访: this many people or more
  // Rules (by id) whose last day stays on a day off instead of moving to the
  // next working day, e.g. {"register_review"} where a duty officer registers
  // on holidays too.
  std::vector<std::string> kept_on_days_off;
  // Who is which kind ([ledger] procuratorates, petition_office); any other
  // agency is kOther.
  std::vector<std::string> procuratorates;
  std::string petition_office;
  // The organ one level above each agency ([ledger.superiors]): it reviews
  // the agency's answers (复查, art. 35), and its own superior re-reviews
  // (复核, art. 36).
  std::map<std::string, std::string> superiors;

  AgencyKind KindOf(const std::string& agency) const;
  std::string SuperiorOf(const std::string& agency) const;  // "" when none is named
  // Whether `upper` is above `agency`: its superior, or that one's, and so on
  // (a bounded walk). IsAbove(a, a) means the superiors form a cycle.
  bool IsAbove(const std::string& upper, const std::string& agency) const;
};
// Whether `rule` is owed by an agency of `kind`.
bool Owes(const DeadlineRule& rule, AgencyKind kind);

std::vector<DeadlineRule> DeadlineRules(const RuleOptions& options = {});

// The due moment (last millisecond of the last day) of `rule` counted from
// `anchor_ms`; `extra_days` are added to the period before it ends (an
// approved extension, a hearing's days that are not counted).
int64_t DueMs(const DeadlineRule& rule, int64_t anchor_ms, const HolidayCalendar& calendar,
              int extra_days = 0);

}  // namespace concord::ledger

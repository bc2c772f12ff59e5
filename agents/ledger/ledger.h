// The cross-agency petition ledger and its deadline clock: the state the
// ledger agent owns, on its SQLite file (the bus client's database, so that an
// event and its inbox entry are one transaction).
//
// - Register() enters a petition once per (agency, intake id) and gives it a
//   ledger number a clerk can read ("信-2026-000123").
// - Apply() checks an action against the rules (rules.h), records it as an
//   event in the item's one history, and starts, meets or moves deadlines. A
//   transfer keeps the item and its history; the receiving agency becomes
//   responsible and its deadlines start (条例 art. 23).
// - Scan() is the clock: warnings before each deadline (lead times by unit),
//   an escalation to the agency's leader when it passes, a second one (to the
//   chief procurator or the political-legal committee) a few days later. Each
//   alert is issued once: the sent marks are in the database, so a restarted
//   agent neither loses nor repeats them.
//
// Anonymous petitions, and petitions without usable contact, owe no reply:
// their reply clocks are never started (DOMAIN.md).
//
// Repeat petitions: a petition by the same petitioner (normalised name, and
// the same contact or case) on the same matter (case or wording) is linked to
// the earlier item (`repeat_of`, noted in the history). If the earlier item's
// re-review is final, the new one is registered as not accepted (条例 art. 36)
// and only the reply telling the petitioner is owed; if it is still being
// handled, the history notes art. 19.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agents/ledger/rules.h"
#include "hub/common/sqlite.h"

namespace concord::ledger {

struct PetitionInput {
  std::string agency;       // the registering agency (principal)
  std::string intake_id;    // the agency's own id: registration is idempotent on it
  std::string channel;      // letter | visit | online | phone | video | transferred
  int64_t received_ms = 0;
  std::string petitioner;   // name(s); empty when anonymous
  std::string contact;      // phone or address; empty when unknown
  bool anonymous = false;
  std::string matter;       // 信访事项
  std::string case_ref;     // the case it concerns, if any
  int people = 1;           // 5 or more: group petition (集体访)
  bool petition_office = false;  // registered by the petition office: 15 days to transfer or assign
};

struct Alert {
  enum Kind { kWarning, kOverdue, kEscalation };
  Kind kind;
  std::string ledger_no, rule, agency;
  int64_t due_ms = 0;
  std::string text;  // for the clerk, Chinese / English
};

struct LedgerItem {
  std::string ledger_no, agency, status, matter;
  bool group = false, anonymous = false;
  int64_t received_ms = 0;
  int64_t next_due_ms = 0;  // earliest unmet deadline (0: none)
  bool overdue = false;
};

struct ScanOptions {
  int64_t same_day_lead_ms = 4LL * 3600 * 1000;  // warn 4 h before the end of the day
  int64_t days_lead_ms = 2LL * 24 * 3600 * 1000;  // 2 days before a day-counted deadline
  int64_t months_lead_ms = 7LL * 24 * 3600 * 1000;
  int64_t second_escalation_ms = 3LL * 24 * 3600 * 1000;  // overdue this long: up a level
};

// The monthly statistics the agencies are judged on (DOMAIN.md, KPIs).
struct MonthlyStats {
  std::string month;                        // "2026-11"
  std::map<std::string, int64_t> channels;  // received per channel
  int64_t received = 0, group = 0, anonymous = 0, repeat = 0, transferred = 0, closed = 0;
  // Reply rules of the items received that month whose deadline has passed
  // (or that were met): on time / due so far.
  int64_t procedural_due = 0, procedural_on_time = 0;
  int64_t substantive_due = 0, substantive_on_time = 0;
  int64_t overdue_now = 0;  // their deadlines unmet and past due at `now`
};

class Ledger {
 public:
  // Applies the schema to `db` (which must outlive the ledger).
  static absl::StatusOr<std::unique_ptr<Ledger>> Open(sqlite::Db& db, HolidayCalendar calendar,
                                                      RuleOptions options = {});

  // The ledger number; the same (agency, intake_id) again returns the same one.
  absl::StatusOr<std::string> Register(const PetitionInput& p);

  // `to_agency` for kTransfer; `note` is kept with the event (the reason,
  // the reply's channel and content, the explanation given on transfer).
  absl::StatusOr<Status> Apply(const std::string& ledger_no, const std::string& agency, Action action,
                               int64_t now_ms, const std::string& note = "",
                               const std::string& to_agency = "");

  std::vector<Alert> Scan(int64_t now_ms, const ScanOptions& options = {});

  struct Event {
    int64_t at_ms;
    std::string agency, action, from_status, to_status, note;
  };
  absl::StatusOr<std::vector<Event>> History(const std::string& ledger_no);
  // `month` is "YYYY-MM" (CST); rates are counted as of `now_ms`.
  absl::StatusOr<MonthlyStats> Stats(const std::string& month, int64_t now_ms);

  // The agency responsible now, and every agency in the item's history.
  absl::StatusOr<std::string> Responsible(const std::string& ledger_no);
  absl::StatusOr<std::vector<std::string>> Involved(const std::string& ledger_no);

  // Every item not closed, final or not accepted, with its next deadline.
  absl::StatusOr<std::vector<LedgerItem>> OpenItems(int64_t now_ms);

 private:
  Ledger(sqlite::Db& db, HolidayCalendar calendar, RuleOptions options)
      : db_(db), calendar_(std::move(calendar)), options_(options), rules_(DeadlineRules(options)) {}
  absl::Status StartDeadline(const std::string& ledger_no, const DeadlineRule& rule,
                             const std::string& agency, int64_t anchor_ms);

  sqlite::Db& db_;
  HolidayCalendar calendar_;
  RuleOptions options_;
  std::vector<DeadlineRule> rules_;
};

}  // namespace concord::ledger

// The aid procedure's state at the aid agent (domain/aid_rules.h): each
// agency's applications by their own numbers, their steps and deadlines,
// warned, reported overdue and escalated on the district's calendar. No
// name, ID number or address: counts, amounts, dates and grounds.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/sql.h"
#include "concord/v1/aid.pb.h"
#include "domain/aid_rules.h"

namespace concord::aid {

const std::vector<std::string>& ApplicationMigrations();
// The same tables on PostgreSQL (common/sql.h).
const std::vector<std::string>& ApplicationPostgresqlMigrations();

struct StepInput {
  std::string agency, application_id;
  AppAction action = AppAction::kApply;
  int64_t at_ms = 0;  // 0: now
  bool complete = false;
  int applicants = 1;
  bool deceased_victim = false;
  int64_t amount_fen = 0;
  std::string ground, grounds;
  std::vector<std::string> missing;
  std::string actor;       // "role name (login)", from the envelope
  std::string actor_name;  // the person's name: an application's alerts name who received it
};

struct AppAlert {
  enum Kind { kWarning, kOverdue, kEscalation };
  Kind kind;
  std::string agency, application_id, rule;
  std::string handler;  // who received the application ("" : its agency's system)
  int64_t due_ms = 0;
  std::string text;
};

// Lead time before a due date, and how long overdue before the escalation.
struct AppScanOptions {
  int64_t lead_ms = kDayMs;
  int64_t escalation_ms = 3 * kDayMs;
};

class Applications {
 public:
  // `db` must outlive this and have ApplicationMigrations applied.
  Applications(sql::Db& db, HolidayCalendar calendar, int payment_working_days)
      : db_(&db), calendar_(std::move(calendar)), rules_(AppDeadlineRules(payment_working_days)) {}

  // NotFound for an application never registered.
  absl::StatusOr<AppFacts> Facts(const std::string& agency, const std::string& id);
  // One step, checked against the rules and the input's own fields: the
  // status after it, or InvalidArgument / FailedPrecondition / AlreadyExists
  // / NotFound with the reason (Chinese / English), nothing changed.
  absl::StatusOr<AppStatus> Step(const StepInput& s, int64_t now_ms);
  // The application's deadlines, in due order (void ones left out).
  absl::StatusOr<std::vector<v1::AidDeadline>> Deadlines(const std::string& agency,
                                                         const std::string& id);
  // The alerts due at `now_ms`, each once (marked in the same transaction).
  std::vector<AppAlert> Scan(int64_t now_ms, const AppScanOptions& options = {});
  // A new calendar: deadlines not yet passed are counted again from their start.
  absl::StatusOr<int> Recount(HolidayCalendar calendar, int64_t now_ms);
  // Open applications by agency (the agent's metrics).
  absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> OpenByAgency();

 private:
  const AppDeadlineRule* Rule(const std::string& id) const;
  absl::Status Start(const std::string& agency, const std::string& id, const char* rule,
                     int64_t anchor_ms);
  absl::Status Meet(const std::string& agency, const std::string& id, AppAction action,
                    int64_t at_ms);

  sql::Db* db_;
  HolidayCalendar calendar_;
  std::vector<AppDeadlineRule> rules_;
};

}  // namespace concord::aid

// The risk book: one assessment per case, kept current from the ledger's
// snapshots and the handlers' risk forms, with the history of its level, and
// the monthly hidden-risk screening (隐患月排查). SQLite tables on the risk
// agent's database (the bus client's, so an update and its inbox entry are
// one transaction).
//
// - Update() re-evaluates a case with the factor table whenever something
//   about it changes and says whether the level changed and whether it rose
//   to red (early warning: the caller tells the agency and the
//   political-legal committee and proposes a joint conference).
// - A case is resolved when the ledger closes it (closed, final, not
//   accepted); its last assessment is kept.
// - ScreeningDue()/Screen(): on the first working day of each month (CST,
//   the holiday calendar), one report per agency: its open risks by level with
//   what each requires, the new ones since the last screening, those resolved,
//   and those over a month late (reported to the deputy chief). A risk here
//   is an open case at yellow or red. New: a risk the last screening did not
//   count (a case that turned yellow is new). Resolved: a case the last
//   screening counted, or that became a risk since, and is no longer one
//   (closed, or back to green). Each screening keeps the cases it counted.
// - One case, one record: a form keyed by the agency's case reference joins
//   the ledger item with that case reference once the ledger has sent it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agents/risk/factors.h"
#include "common/sql.h"
#include "domain/calendar.h"

namespace concord::risk {

// From the ledger (PetitionSnapshot).
struct Snapshot {
  std::string ledger_no, agency, matter, case_ref, status, handler;
  int people = 1, repeats = 0;
  bool overdue = false, contested = false, major = false, open = true;
  int64_t overdue_since_ms = 0;
};

// A handler's risk form (RiskReport).
struct Report {
  std::string agency, case_key, note, matter;
  std::vector<std::string> factors;
  bool no_risk = false;
  // A supervisor or convenor (the political-legal committee, the
  // procuratorate): may report on any case. Anyone else only on the cases it
  // handles (PermissionDenied).
  bool oversees = false;
};

struct CaseRisk {
  std::string case_key, agency, matter, handler;
  Assessment assessment;
  std::optional<Level> previous;  // before this update (none: first assessment)
  std::string previous_agency;    // responsible before this update
  bool open = true;
  int64_t first_ms = 0, level_since_ms = 0, resolved_ms = 0, overdue_since_ms = 0;
  bool changed() const { return !previous || *previous != assessment.level; }
  // A new responsible agency (a transfer) must be told the level too.
  bool moved() const { return !previous_agency.empty() && previous_agency != agency; }
  bool rose_to_red() const { return assessment.level == Level::kRed && previous != Level::kRed; }
};

struct Screening {
  std::string month, agency;  // "2026-12": held on its first working day
  int open = 0, new_risks = 0, resolved = 0, long_overdue = 0;
  std::string markdown, csv;
};

class RiskBook {
 public:
  // The book's migrations (component "risk") on SQLite and on PostgreSQL.
  static const std::vector<std::string>& Schema();
  static const std::vector<std::string>& PostgresqlSchema();
  static absl::StatusOr<std::unique_ptr<RiskBook>> Open(sql::Db& db, FactorTable table,
                                                        HolidayCalendar calendar);

  absl::StatusOr<CaseRisk> Update(const Snapshot& s, int64_t now_ms);
  // InvalidArgument for an unknown factor id (naming the known ones);
  // PermissionDenied for a form from an agency that does not handle the case;
  // FailedPrecondition for a ledger number the ledger has not sent yet.
  absl::StatusOr<CaseRisk> Update(const Report& r, int64_t now_ms);

  absl::StatusOr<std::vector<CaseRisk>> OpenRisks(const std::string& agency = "");
  absl::StatusOr<std::optional<CaseRisk>> Find(const std::string& case_key);

  // The month whose screening is due at `now_ms` and not yet held ("" if none).
  absl::StatusOr<std::string> ScreeningDue(int64_t now_ms);
  // Holds the month's screening for every agency with risks (open now, or
  // new or resolved since the last one) and records it as held.
  absl::StatusOr<std::vector<Screening>> Screen(const std::string& month, int64_t now_ms);
  absl::StatusOr<std::optional<Screening>> FindScreening(const std::string& month,
                                                         const std::string& agency);

  const FactorTable& table() const { return table_; }

 private:
  RiskBook(sql::Db& db, FactorTable table, HolidayCalendar calendar)
      : db_(db), table_(std::move(table)), calendar_(std::move(calendar)) {}
  absl::StatusOr<CaseRisk> Reassess(const std::string& case_key, int64_t now_ms);
  absl::StatusOr<CaseRisk> UpdateReport(const Report& r, int64_t now_ms);
  absl::Status AddHandlingAgency(const std::string& case_key, const std::string& agency);

  sql::Db& db_;
  FactorTable table_;
  HolidayCalendar calendar_;
};

}  // namespace concord::risk

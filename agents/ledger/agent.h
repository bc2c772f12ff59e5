// The ledger agent: the cross-agency petition ledger and its deadline clock
// (ledger.h) on the bus (proto/concord/v1/petition.proto), run by
// concord-ledger-agent on the agent runtime (agents/runtime/runtime.h).
//
// Each PetitionRegister / PetitionAct is applied, answered (PetitionReply) and
// fanned out (PetitionEvent to every agency that handled the item) in the
// transaction that records the delivery in the inbox. Every few seconds the
// clock scans the deadlines; its alerts (DeadlineAlert) and their sent marks
// are one transaction too, so a restart neither loses nor repeats one.
//
// Agencies read the ledger over the bus (LedgerQuery, answered with a
// LedgerQueryReply that expires after a minute): one item with its history,
// deadlines and the actions the asker may take, or a search, each limited to
// what the asking agency sees (Ledger::Search, Ledger::Read); `[ledger]
// supervisors` see every item. The person who acted through an agency's
// console (Envelope.actor) is kept with each registration and action.
//
// It also records the three zeros' incidents (PetitionIncident) and runs the
// chief procurator's reception days (ReceptionSlot / ReceptionBooking /
// ReceptionOutcome; after each change the hosts and bookers get ReceptionSlots).
// A console reads them with LedgerQuery.reception: the slots, the bookings
// the asker made or hosts, and who hosts and who books. A petition raised at
// a reception keeps the person who recorded the outcome (Envelope.actor).
//
// Config, beside the bus sections (hub/client/client_config.h):
//   [ledger]
//   calendar = "calendar/cn-holidays.txt"
//   petition_office = "shangzhou.petition"   # its items owe the 15-day transfer rule
//   supervisors = ["shangzhou.plc"]          # second escalations of major or group items too;
//                                            #   they read every item (LedgerQuery)
//   scan_seconds = 5
//   warn_same_day_hours = 4                  # lead times of the warnings before each deadline
//   warn_days = 2                            #   (day-counted rules)
//   warn_month_days = 7                      #   (month-counted rules)
//   second_escalation_days = 3               # overdue this long: up to the agency's head
//   procedural_reply_working_days = false    # 7 working days instead of calendar days
//   deadlines_kept_on_days_off = []          # rules whose last day stays on a day off (default:
//                                            #   every one moves to the next working day)
//   group_threshold = 5                      # 集体访: this many people or more
//   reception_hosts = ["shangzhou.procuratorate"]  # may publish reception days
//   reception_bookers = ["shangzhou.petition"]     # may book petitioners (hosts may too)
//   observers = ["shangzhou.agent.risk"]     # get a PetitionSnapshot of each item that changes
//   trackers = ["shangzhou.agent.conference"]  # may track due dates here (TrackDeadline)
//   clock_file = ""                          # drills and tests only: FileClock
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agents/ledger/ledger.h"
#include "agents/runtime/deadlines.h"
#include "agents/runtime/runtime.h"
#include "concord/v1/petition.pb.h"

namespace concord::ledger {

struct AgentConfig {
  std::string calendar, petition_office;
  std::vector<std::string> supervisors, reception_hosts, reception_bookers, observers, trackers;
  int scan_seconds = 5;
  ScanOptions scan;
  RuleOptions rules;
};

// Reads [ledger]; InvalidArgument names what is wrong.
absl::StatusOr<AgentConfig> LoadAgentConfig(const ConfigSection& ledger);

class Agent final : public agent::Agent {
 public:
  Agent(agent::AgentContext& context, std::unique_ptr<Ledger> ledger, AgentConfig config);

  absl::Status Handle(const v1::Envelope& env) override;
  void Started() override { scan_.Start(); }
  void AddHealth(nlohmann::json& health) override;
  // Per agency: open, due soon, overdue and escalated items (gauges).
  void AddMetrics(std::string& out) override;

  // The HTTP views, read by concordctl ledger.
  // The open items, filtered here (a district has many): by agency, by first
  // handler, and to the due-soon and overdue ones.
  nlohmann::json OpenJson(const std::string& agency, const std::string& handler, bool due_only);
  HttpResponse StatsJson(const std::string& month);  // the monthly figures
  // One item's whole history (件件有留痕), for concordctl ledger --item.
  HttpResponse HistoryJson(const std::string& ledger_no);
  nlohmann::json SlotsJson();  // the reception days

 private:
  // The deadline clock, every scan_seconds: the alerts and their sent marks
  // in one transaction.
  void ScanNow();

  // One handler per request kind, inside the inbox transaction.
  absl::Status OnRegister(const v1::Envelope& env, const v1::PetitionRegister& r);
  absl::Status OnAct(const v1::Envelope& env, const v1::PetitionAct& a);
  // Another agent's due date on this clock. Not answered: a refusal is logged
  // (the tracker sends again when its task changes).
  absl::Status OnTrack(const v1::Envelope& env, const v1::TrackDeadline& t);
  absl::Status OnIncident(const v1::Envelope& env, const v1::PetitionIncident& i);
  absl::Status OnSlot(const v1::Envelope& env, const v1::ReceptionSlot& s);
  absl::Status OnBooking(const v1::Envelope& env, const v1::ReceptionBooking& b);
  absl::Status OnOutcome(const v1::Envelope& env, const v1::ReceptionOutcome& o);
  // Answered with a LedgerQueryReply (refusals with the reason); only a
  // database failure is returned.
  absl::Status OnQuery(const v1::Envelope& env, const v1::LedgerQuery& q);
  absl::Status Statistics(const v1::LedgerQuery& q, int64_t now, v1::LedgerQueryReply& reply);

  absl::Status Reply(const v1::Envelope& env, v1::PetitionReply reply);
  // 条例 art. 25: a major matter, as it is registered, to the registering
  // agency and the supervisors (the committee), as a DeadlineAlert "report".
  absl::Status ReportMajor(const std::string& ledger_no, const PetitionInput& p);
  // Answers with the status's reason; only a database failure is returned
  // (the delivery is rolled back and the hub sends it again).
  absl::Status Answer(const v1::Envelope& env, const std::string& id, const absl::Status& st,
                      const std::string& ledger_no = "");
  // Observers (the risk agent) get the item as it now stands.
  absl::Status Observe(const std::string& ledger_no);
  // The slots as they now stand, to every host and booker.
  absl::Status ShareSlots();
  // The slots and this year's count per host, into `out`.
  absl::Status SlotsProto(int64_t now, v1::ReceptionSlots& out);
  // LedgerQuery.reception: the slots, the bookings `asker` made or hosts,
  // and who hosts and who books.
  absl::Status ReceptionView(const std::string& asker, int64_t now, v1::ReceptionSlots& out);
  static bool In(const std::vector<std::string>& list, const std::string& who);

  client::Client& client_;
  const std::unique_ptr<Ledger> ledger_;
  const AgentConfig config_;
  const Clock& clock_;
  agent::Periodic scan_;
  uint64_t alerts_ = 0;  // deadline alerts sent since the start
  // The calendar file, recounted on (Ledger::Recount) at the first scan and
  // whenever it changes (the next year's notice). The first recount catches
  // a notice added while the agent was stopped.
  agent::CalendarFile calendar_{config_.calendar};
};

// The runtime's factory: reads [ledger] and the calendar, opens the ledger
// (its migrations) and adds the routes GET /ledger/open, /ledger/stats,
// /ledger/history and /ledger/slots.
absl::StatusOr<std::unique_ptr<agent::Agent>> CreateAgent(agent::AgentContext& context);

}  // namespace concord::ledger

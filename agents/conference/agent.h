// The conference agent: joint conferences (联席会议) and their one signed work
// plan (the rules are in conference.h) on the bus
// (proto/concord/v1/conference.proto), run by concord-conference-agent on the
// agent runtime (agents/runtime/runtime.h).
//
// Every request is applied and answered (ConferenceReply) and its fan-out
// (invitations, issued plans, notices) staged in the transaction that records
// the delivery, so nothing is half done after a crash. An agency that is
// offline gets its invitation from its hub mailbox when it comes back.
//
// Agencies read the conferences they take part in over the bus
// (ConferenceQuery, answered with a ConferenceQueryReply that expires after
// a minute): one in full, with the steps the asker may take now, or the list
// of its own; another agency's conference is refused. The person who signed
// at an agency's console (Envelope.actor) is kept with each signature.
//
// Config, beside the bus sections (hub/client/client_config.h):
//   [conference]
//   convenors = ["shangzhou.procuratorate", "shangzhou.plc"]  # who may convene
//   agencies = ["shangzhou.court", ...]     # who may be invited (default: anyone)
//   hearing_hosts = ["shangzhou.procuratorate"]  # who schedules and records public hearings
//                                                # (default: the convenor)
//   ledger = "shangzhou.agent.ledger"  # tracks the final plan's tasks on its clock (reminders,
//                                      # escalation)
//   aid = "shangzhou.agent.aid"        # an aid task is done only after its grant passed the check
//   aid_timeout_seconds = 300          # no answer from the aid agent by then: "send again"
//   clock_file = ""                    # drills and tests only: FileClock
//   [conference.names]                 # the agencies' names in the plan document
//   "shangzhou.court" = "上州区人民法院"
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agents/conference/conference.h"
#include "agents/runtime/runtime.h"
#include "concord/v1/aid.pb.h"
#include "concord/v1/conference.pb.h"

namespace concord::conference {

struct AgentConfig {
  std::vector<std::string> convenors;
  std::vector<std::string> agencies;       // who may be invited (empty: anyone)
  std::vector<std::string> hearing_hosts;  // who hosts public hearings (empty: the convenor)
  std::string ledger;                      // tracks the tasks' due dates (empty: not tracked)
  std::string aid;                         // the aid agent, asked before an aid task is done
  int aid_timeout_seconds = 300;
  std::map<std::string, std::string>
      names;  // principal -> the agency's name, for the plan document
};

// Reads [conference]; InvalidArgument names what is missing or wrong.
absl::StatusOr<AgentConfig> LoadAgentConfig(const ConfigSection& conference);

class Agent final : public agent::Agent {
 public:
  Agent(agent::AgentContext& context, std::unique_ptr<Conferences> book, AgentConfig config);

  absl::Status Handle(const v1::Envelope& env) override;
  void Started() override { sweep_.Start(); }

  // The HTTP views, read by concordctl conference.
  // The lead leader's view: every open conference with its open tasks and due dates.
  // `invited` set: only the conferences that agency is invited to (asked over the bus).
  HttpResponse LeaderJson(const std::string& name, const std::string& invited = "");
  // One conference as JSON, or (`html`) its plan document to print.
  HttpResponse Json(const std::string& id, bool html);

 private:
  // Aid-task updates the aid agent has not answered in time are answered
  // "try again" (Unavailable), so no agency waits forever.
  void SweepAidWaits();

  // Answers the request; a database failure is returned instead (the hub re-sends).
  // `final`: answer even an Unavailable (the sweep's "try again").
  absl::Status Answer(const v1::Envelope& env, const absl::Status& st, const std::string& id,
                      int version = 0, bool final = false);
  // Answers a request that succeeded, with the conference as it now is.
  absl::Status Answer(const v1::Envelope& env, const Conference& c, int version = 0);

  // A notice about `c` (its status as it now is) to `to`.
  absl::Status Notify(const Conference& c, std::vector<std::string> to, const std::string& text);
  absl::Status OnConvene(const v1::Envelope& env, const v1::ConferenceConvene& m);
  absl::Status OnInput(const v1::Envelope& env, const v1::ConferenceInput& m);
  absl::Status OnPlan(const v1::Envelope& env, const v1::ConferencePlan& m);
  absl::Status OnSign(const v1::Envelope& env, const v1::ConferenceSign& m);
  // Answered with a ConferenceQueryReply (refusals with the reason); only a
  // database failure is returned.
  absl::Status OnQuery(const v1::Envelope& env, const v1::ConferenceQuery& q);
  // `c` as the asking agency sees it (`full`: with inputs, plans,
  // signatures and hearings).
  absl::StatusOr<v1::ConferenceView> View(const Conference& c, const std::string& asker, bool full);
  absl::Status OnTask(const v1::Envelope& env, const v1::ConferenceTaskUpdate& m);

  // Parks the update and asks the aid agent; OnAidStatus finishes it.
  absl::Status AskAid(const v1::Envelope& env, const v1::ConferenceTaskUpdate& m);
  absl::Status OnAidStatus(const v1::Envelope& env, const v1::AidStatus& s);

  absl::Status ApplyTask(const v1::Envelope& env, const v1::ConferenceTaskUpdate& m);
  absl::Status OnClose(const v1::Envelope& env, const v1::ConferenceClose& m);
  absl::Status OnHearing(const v1::Envelope& env, const v1::HearingSchedule& m);
  absl::Status OnNominee(const v1::Envelope& env, const v1::HearingNominee& m);
  absl::Status OnHearingRecord(const v1::Envelope& env, const v1::HearingRecord& m);

  // A task's due date on the ledger's clock: on the conference's ledger item,
  // or on the item that has one of the case's numbers as its case reference.
  absl::Status Track(const Conference& c, const Task& t, bool met);

  // The latest plan, to every invited agency (for signing, or as final).
  absl::Status Issue(const Conference& c);

  client::Client& client_;
  const std::unique_ptr<Conferences> book_;
  const AgentConfig config_;
  const Clock& clock_;
  agent::Periodic sweep_;
};

// The runtime's factory: reads [conference], opens the book (its
// migrations and the agent's own table of aid waits) and adds the routes GET
// /conference, /conference/plan and /conference/leader.
absl::StatusOr<std::unique_ptr<agent::Agent>> CreateAgent(agent::AgentContext& context);

// The agent's own table (component "conference_agent": aid task updates
// waiting for the aid agent) on SQLite and on PostgreSQL.
const std::vector<std::string>& AgentTableMigrations();
const std::vector<std::string>& AgentTablePostgresqlMigrations();

}  // namespace concord::conference

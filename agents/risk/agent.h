// The risk agent: risk assessment and early warning (风险评估预警) and the
// monthly hidden-risk screening (隐患月排查), risk.h, on the bus
// (proto/concord/v1/risk.proto), run by concord-risk-agent on the agent
// runtime (agents/runtime/runtime.h).
//
// Each PetitionSnapshot (from the ledger agent) and RiskReport (a handler's
// risk form) re-assesses its case in the transaction that records the
// delivery. A changed level goes to the responsible agency (RiskAssessment);
// a rise to red also goes, as a RiskWarning proposing a joint conference, to
// the supervisors (the political-legal committee) and the convenors. On the
// first working day of each month the screening is held and each agency gets
// its report (RiskScreening).
//
// Config, beside the bus sections (hub/client/client_config.h):
//   [risk]
//   factors = "risk/factors.toml"              # factors, weights, levels
//   calendar = "calendar/cn-holidays.txt"      # the first working day of the month
//   supervisors = ["shangzhou.plc"]            # told at once of a rise to red
//   convenors = ["shangzhou.procuratorate"]    # may convene the proposed joint conference
//   ledger = "shangzhou.agent.ledger"          # the only sender of PetitionSnapshots (required)
//   scan_seconds = 60                          # how often the screening date is checked
//   clock_file = ""                            # drills and tests only: FileClock
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agents/risk/risk.h"
#include "agents/runtime/runtime.h"
#include "concord/v1/petition.pb.h"
#include "concord/v1/risk.pb.h"

namespace concord::risk {

struct AgentConfig {
  std::string factors, calendar, ledger;
  std::vector<std::string> supervisors, convenors;
  int scan_seconds = 60;
};

// Reads [risk]; InvalidArgument names what is missing or wrong.
absl::StatusOr<AgentConfig> LoadAgentConfig(const ConfigSection& risk);

class Agent final : public agent::Agent {
 public:
  Agent(agent::AgentContext& context, std::unique_ptr<RiskBook> book, AgentConfig config);

  absl::Status Handle(const v1::Envelope& env) override;
  // The screening if it is due, then a look every scan_seconds.
  void Started() override;

  // The HTTP views, read by concordctl risk.
  HttpResponse OpenJson(const std::string& agency);  // an agency's open risks
  HttpResponse CaseJson(const std::string& key);
  HttpResponse ScreeningJson(const std::string& month, const std::string& agency);
  // A console's read over the bus (RiskQuery), as the asking agency may see it.
  absl::Status OnQuery(const v1::Envelope& env, const v1::RiskQuery& q);

 private:
  // The monthly screening, once, on the first working day (or the first start after it).
  void ScreenIfDue();

  absl::Status OnSnapshot(const v1::Envelope& env, const v1::PetitionSnapshot& p);
  absl::Status OnReport(const v1::Envelope& env, const v1::RiskReport& r);

  // A changed level goes to the responsible agency; a rise to red is an early
  // warning to the agency, the supervisors and the convenors at once.
  absl::Status Tell(const CaseRisk& c);

  client::Client& client_;
  const std::unique_ptr<RiskBook> book_;
  const AgentConfig config_;
  const Clock& clock_;
  agent::Periodic scan_;  // is the screening due?
};

// The runtime's factory: reads [risk], the factor table and the calendar,
// opens the risk book and adds the routes GET /risk/open, /risk/case and
// /risk/screening.
absl::StatusOr<std::unique_ptr<agent::Agent>> CreateAgent(agent::AgentContext& context);

}  // namespace concord::risk

// `concordctl conference ...`: read-only views of the conference agent
// (concord-conference-agent, agents/conference/main.cc) through its loopback
// HTTP: GET /conference?id=, /conference/plan?id= and /conference/leader?name=.
//
//   concordctl conference --id 会-2026-001 [--conference-http 127.0.0.1:7193] [--json]
//   concordctl conference --id 会-2026-001 --html plan.html
//   concordctl conference --leader "检察长 周某"
//
// --id prints the conference (title, case, convenor, status, invited
// agencies), its latest plan version with who signed it and who has not, the
// plan's tasks as a table (due dates in China Standard Time) and the outcome
// once closed; with --json the agent's JSON as it is. --html writes the plan
// document the agent renders. --leader lists the lead leader's open
// conferences with their open tasks, due dates and overdue marks.
//
// Exit codes: 0 success; 2 bad arguments (nothing asked) or --html cannot be
// written; 3 the agent could not be reached, or answered with an error (no
// such conference: 404; no plan yet: 409), printed with its Chinese / English
// reason.
#pragma once

#include <string>

namespace concord::ctl {

struct ConferenceArgs {
  std::string http = "127.0.0.1:7193";  // the conference agent's HTTP host:port
  std::string id;                       // one conference (会-YYYY-NNN) ...
  std::string leader;                   // ... or one lead leader's view
  std::string html;                     // with `id`: write the plan document here
  bool json = false;                    // with `id`: the agent's JSON as it is
};
int CmdConference(const ConferenceArgs& a);

}  // namespace concord::ctl

// The agency's judicial-aid applications (the procedure, docs/aid.md "The aid
// procedure"), part of the aid connector: the application as entered (the
// victim, the applicants, the case, the materials) stays in this adapter's
// database; each step goes to the aid agent as an AidApplicationStep with
// the application's number, counts, amounts and grounds, and for a grant or
// an advance the grantee's keyed encodings (the victim's, for the relatives
// of a deceased victim), made here with the linkage key.
//
//   POST /aid/applications       {"application_id", "received_at", "complete",
//                                 "deceased_victim", "victim": {name, id_number,
//                                 birth_date, gender, phone, address},
//                                 "applicants": [{name, relation, id_number, phone}],
//                                 "case_ref", "incident_date", "crime", "materials": [...]}
//   POST /aid/applications/act   {"application_id", "action", "at", "missing": [...],
//                                 "amount_yuan", "ground", "grounds",
//                                 "approved_exception", "exception_reason"}
//   GET  /aid/applications        newest first; ?id=A one application with its steps
//   GET  /aid/applications/step?id=E   one step: sent | ok | refused (with the error)
//
// A POST answers 202 with the step's id once the step is staged; the agent's
// AidApplicationReply (ok, or why refused) is applied in its delivery's
// transaction. Bad input: 400 with the fields to mark.
#pragma once

#include <string>

#include "adapters/connector.h"
#include "domain/linkage/wire.h"

namespace concord::adapter {

class AidApplications {
 public:
  AidApplications(const ConnectorContext& context, const aid::KeyRing& keys, std::string agent)
      : ctx_(context), keys_(keys), agent_(std::move(agent)) {}
  absl::Status Start();
  // The grants this agency's applications registered (decisions and
  // advances the aid agent accepted), rebuilt from the applications as
  // entered: key rotation re-encodes them.
  absl::StatusOr<std::vector<aid::AidRecord>> RegisteredGrants();

 private:
  HttpResponse PostApplication(const HttpRequest& request);
  HttpResponse PostAct(const HttpRequest& request);
  HttpResponse Get(const HttpRequest& request);
  HttpResponse GetStep(const HttpRequest& request);
  absl::Status OnDelivery(const concord::v1::Envelope& env, sql::Db& db);
  // Stages `step` for the agent and records it (inside the caller's transaction).
  absl::StatusOr<std::string> Send(const std::string& application_id,
                                   const google::protobuf::Message& step, const std::string& action,
                                   const std::string& step_json);

  ConnectorContext ctx_;
  const aid::KeyRing& keys_;
  std::string agent_;
};

}  // namespace concord::adapter

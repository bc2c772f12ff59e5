// Case links at the agency: numbers of one case at two agencies (a police
// 立案号 and the procuratorate's number it was transferred under, ...). The
// clear numbers stay here (table aid_case_links); the aid agent gets keyed
// tokens only (AidCaseLinks, aid.proto), and judges "same case" on them.
//
//   POST /aid/case-links   {"links": [{"case_ref_a": "...", "case_ref_b": "..."}, ...]}
//                          or one {"case_ref_a": ..., "case_ref_b": ...}
//        202 {"message_id", "links"}; 400 {"error", "fields", "index"} for a
//        link with a number missing or the same number twice (nothing is sent)
//   GET  /aid/case-links   the links this agency sent, newest first, each with
//                          the agent's answer once it came
//   drop folder            a CSV whose header has case_ref_a,case_ref_b
//                          (案号甲,案号乙): its good rows are sent, bad rows
//                          reported by line (AidConnector::ImportCsv)
//   conferences            a ConferenceInvitation from [aid] conference that
//                          names several numbers (case_key, case_refs) links
//                          them, once per conference (source conference:ID)
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "adapters/connector.h"
#include "concord/v1/conference.pb.h"
#include "concord/v1/petition.pb.h"
#include "domain/linkage/wire.h"

namespace concord::adapter {

class AidCaseLinksApi {
 public:
  AidCaseLinksApi(const ConnectorContext& context, const aid::KeyRing& keys, std::string agent)
      : ctx_(context), keys_(keys), agent_(std::move(agent)) {}
  absl::Status Start();

  // Records `pairs` and stages one AidCaseLinks for the agent, inside the
  // caller's transaction; returns the message id.
  absl::StatusOr<std::string> Send(const std::vector<std::pair<std::string, std::string>>& pairs,
                                   const std::string& source);
  // Every link this agency has sent, as numbers (key rotation re-sends them).
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> All();

 private:
  HttpResponse Post(const HttpRequest& request);
  HttpResponse Get(const HttpRequest& request);
  absl::Status OnDelivery(const concord::v1::Envelope& env, sql::Db& db);
  absl::Status OnInvitation(const concord::v1::Envelope& env,
                            const concord::v1::ConferenceInvitation& invitation, sql::Db& db);
  // A petition accepted under the accepting agency's own number (the ledger
  // agent's PetitionEvent names both): the two numbers linked.
  absl::Status OnTransfer(const concord::v1::Envelope& env, const concord::v1::PetitionEvent& ev,
                          sql::Db& db);

  ConnectorContext ctx_;
  const aid::KeyRing& keys_;
  std::string agent_;
};

}  // namespace concord::adapter

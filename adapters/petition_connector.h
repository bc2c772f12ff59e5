// PetitionConnector ("petition"): the agency's petition intake and handling,
// sent to the ledger agent ([petitions] ledger = principal).
//
//   POST /petitions        {"intake_id", "channel", "received", "petitioner", "contact",
//                           "anonymous", "matter", "case_ref", "people"} (or an array)
//                          -> 202 {"petitions": [{intake_id, "status": "registering"}]}
//   GET  /petitions?intake_id=X  -> {intake_id, status: registering|registered|refused,
//                                    ledger_no, reason}; without intake_id the latest
//                                    1000: {"petitions": [...]}
//   POST /petitions/query  {"intake_ids": [...]} -> {"petitions": [...]}, those known,
//                          in the order asked (how concordctl follows a whole CSV)
//   POST /petitions/act    {"ledger_no", "action", "note", "to_agency" (transfer),
//                           "department", "handler" (accept: 分流 and 首办责任人)}
//                          -> 202 {"id"}; GET /petitions/act?id=ID -> {status: sent|done|refused,
//                                                                    item_status, reason}
//
// channel: letter 来信, visit 来访, online 网上 (12309), phone 电话, video 视频,
// transferred 转送. received: "YYYY-MM-DD HH:MM" or "YYYY-MM-DD" (China
// Standard Time), or Unix milliseconds; now when absent. Actions are the
// ledger's (start_review, accept, transfer, procedural_reply, ...): an unknown
// one is refused here, a forbidden one by the ledger, with its reason.
// The fields and their checks are adapters/petition_intake.h, shared with
// the CSV drop folder <[csv] drop_dir>/petitions/ (adapters/drop_folder.h):
// a file's good rows are registered as POST /petitions registers them, its
// bad rows listed by line in done/<file>.report.csv.
// Every request is written with its outbox entry in one transaction, so it
// reaches the ledger even when the hub is down; the ledger's replies are
// applied in their delivery's transaction (Mailbox delivery hook).
#pragma once

#include <memory>
#include <string>

#include "adapters/connector.h"
#include "adapters/drop_folder.h"
#include "concord/v1/petition.pb.h"

namespace concord::adapter {

class PetitionConnector final : public Connector {
 public:
  static constexpr std::string_view kKind = "petition";
  static absl::StatusOr<std::unique_ptr<Connector>> Create(const ConnectorContext& context);

  std::string_view kind() const override { return kKind; }
  absl::Status Start() override;
  void Stop() override {
    if (drop_) drop_->Stop();
  }

 private:
  explicit PetitionConnector(const ConnectorContext& context) : ctx_(context) {}
  HttpResponse Register(const HttpRequest& request);
  // Stores a checked petition as `entered` and stages it for the ledger, in
  // the caller's transaction; false (nothing staged) if its intake id was sent.
  absl::StatusOr<bool> Send(const concord::v1::PetitionRegister& r, const std::string& entered,
                            int64_t now);
  // <drop_dir>/petitions/, when [csv] drop_dir is set.
  absl::Status StartDropFolder();
  absl::StatusOr<DropFolder::Outcome> ImportCsv(const std::string& bytes);
  HttpResponse GetPetitions(const HttpRequest& request);
  HttpResponse QueryPetitions(const HttpRequest& request);
  HttpResponse Act(const HttpRequest& request);
  HttpResponse GetAct(const HttpRequest& request);
  absl::Status OnDelivery(const concord::v1::Envelope& envelope, sql::Db& db);

  ConnectorContext ctx_;
  std::unique_ptr<DropFolder> drop_;
};

}  // namespace concord::adapter

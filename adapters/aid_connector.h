// AidConnector ("aid"): the agency's judicial-aid grants, checked against the
// shared registry before the money goes out.
//
// Input, two ways:
//   * REST: POST /aid/grants (register the grant if the check is clear) and
//     POST /aid/checks (check only), a JSON object or an array of them with
//     the CSV's English column names (record_id, name, id_number, ...;
//     case_ref may be an array, amount_yuan a number). Answer 202 with each
//     record's status "checking"; the verdict arrives from the aid agent and
//     is read with GET /aid/grants?record_id=R (or GET /aid/grants for all).
//   * CSV drop folder ([csv] drop_dir, adapters/drop_folder.h): a file *.csv
//     dropped there (write it under another name, then rename) is imported
//     whole: its good rows in one transaction, its bad rows listed with line
//     number and reason in done/<file>.report.csv; then it moves to done/ (or
//     failed/ when the file itself is unusable, with failed/<file>.errors.txt).
//     A file already imported (same bytes) is not imported twice.
//
// Privacy: the grantee's name, ID number, phone and address stay in this
// adapter's database (aid_records). What leaves is an AidCheckRequest with
// keyed encodings made with the agencies' linkage key ([aid] linkage_key),
// which the hub and the aid agent never have.
//
// An approved exception (a duplicate the agency's leader approved in
// writing) is registered with its reason, never without one:
//   * POST /aid/grants/exception {"record_id": R, "reason": "..."}: the grant
//     R, already checked (duplicate or possible duplicate, not registered),
//     is sent again with approved_exception and the reason (the console's
//     leader form); or POST /aid/grants?approved_exception=1&exception_reason=...
//     with the grant itself. No reason: 400. The approver is the person
//     acting (client::ActingAs, the console) or ?approved_by=; the reason,
//     the approver and the time are kept in aid_records and shown by
//     GET /aid/grants (its "exception"); the reason also travels in
//     AidCheckRequest.exception_reason to the agent's check log.
//
// Uploads (the console's batch import): POST /aid/imports?name=FILE with the
// CSV's bytes as the body, read like a dropped file (same columns, UTF-8 or
// GB18030). The good rows are submitted for registration in one transaction
// and every row's outcome is kept (aid_import_rows); a row whose grant is
// already registered is not sent again. The same bytes uploaded (or dropped)
// again submit nothing: 200 with "again". An unusable file: 400, nothing
// kept. GET /aid/imports lists the latest imports; GET /aid/imports?id=H
// gives one import's rows with each grant's current status and reply.
//
// Corrections and withdrawals of a registered grant, each with its reason
// (never without one): POST /aid/grants/correct with the corrected grant (the
// same record_id) and "reason", POST /aid/grants/withdraw {"record_id",
// "reason"}. 404 for an unknown record, 409 when it is not registered (an
// unregistered grant is corrected by submitting it again) or a change of it
// is still pending; otherwise 202 and an AidGrantChange to the aid agent,
// which re-checks a corrected grant and tells the agencies whose grants it
// matched. The record before and after, the reason, the person and the
// agent's answer are kept (aid_record_changes) and shown by
// GET /aid/grants?record_id=R ("changes"; "record" is the grant as entered).
// A withdrawn grant's status is "withdrawn"; it may be submitted again.
//
// Key rotation ([aid] linkage_key_next = the new key, docs/aid.md "Key
// rotation"): at start the adapter re-encodes every grant it registered and
// every case link it sent under the new key and sends them (AidRekey); checks,
// corrections and links carry both keys until the aid agent switches.
// GET /aid/rekey shows the keys' ids and each batch with the agent's answer
// (what is still missing, by agency; "active" once switched); POST
// /aid/rekey sends everything again.
//
// Replies (AidCheckReply) and notices of other agencies' duplicates
// (AidDuplicateNotice, GET /aid/notices, newest first) are applied in the
// delivery's transaction through a Mailbox delivery hook.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "adapters/aid_case_links.h"
#include "adapters/connector.h"
#include "adapters/drop_folder.h"
#include "domain/linkage/aid_csv.h"
#include "domain/linkage/record.h"
#include "domain/linkage/tokens.h"
#include "domain/linkage/wire.h"

namespace concord::v1 {
class AidGrantChangeReply;
}  // namespace concord::v1

namespace concord::adapter {

class AidApplications;

// One grant as JSON (the CSV's English column names) -> AidRecord, with the
// CSV importer's checks and messages (InvalidArgument with the fields).
absl::StatusOr<aid::AidRecord> AidRecordFromJson(const nlohmann::json& j);

class AidConnector final : public Connector {
 public:
  static constexpr std::string_view kKind = "aid";
  static absl::StatusOr<std::unique_ptr<Connector>> Create(const ConnectorContext& context);

  std::string_view kind() const override { return kKind; }
  absl::Status Start() override;
  void Stop() override;

 private:
  AidConnector(const ConnectorContext& context, const aid::LinkageKey& key)
      : ctx_(context), keys_(key) {}

  struct ApprovedException {
    std::string reason;  // 批准理由
    std::string by;      // "院/局领导 陈某（login）"
  };
  // What became of one row of an imported file.
  struct ImportedRow {
    int line = 0;
    std::string record_id;
    std::string outcome;  // submitted | registered_before | bad
    std::string reason;   // bad: the row's errors, one a line; registered_before: why
  };

  // Stores `r` and stages its check; inside the caller's transaction.
  // AlreadyExists when the grant is registered already.
  absl::Status Submit(const aid::AidRecord& r, const std::string& record_json, bool register_grant,
                      const ApprovedException* exception, const std::string& source);
  // Submits a parsed file's good rows for registration (inside the caller's
  // transaction); every row's outcome, bad rows included, by line.
  absl::StatusOr<std::vector<ImportedRow>> SubmitRows(const aid::AidCsvResult& parsed,
                                                      const std::string& name);
  HttpResponse PostGrants(const HttpRequest& request, bool register_grant);
  HttpResponse PostException(const HttpRequest& request);
  // POST /aid/grants/correct (the corrected grant with "reason") and
  // /aid/grants/withdraw ({record_id, reason}): a registered grant's change
  // sent to the aid agent (AidGrantChange); 202, the answer arrives later.
  HttpResponse PostChange(const HttpRequest& request, bool withdraw);
  // Key rotation: every registered grant (aid_records and the applications')
  // and every sent case link, re-encoded under the next key and sent as
  // AidRekey batches of 1,000 (in one transaction); the number of grants.
  absl::StatusOr<int> SendRekey();
  // SendRekey unless the aid agent already said it runs on the next key.
  absl::StatusOr<int> RekeyIfNeeded();
  HttpResponse PostRekey(const HttpRequest& request);
  HttpResponse GetRekey(const HttpRequest& request);
  absl::Status OnChangeReply(const concord::v1::Envelope& envelope,
                             const concord::v1::AidGrantChangeReply& reply, sql::Db& db);
  HttpResponse PostImport(const HttpRequest& request);
  HttpResponse GetImports(const HttpRequest& request);
  HttpResponse GetGrants(const HttpRequest& request);
  HttpResponse GetNotices(const HttpRequest& request);
  absl::Status OnDelivery(const concord::v1::Envelope& envelope, sql::Db& db);
  // A judicial-aid task's update (ConferenceTaskUpdate with aid_record_id):
  // checks that the grant lists one of the conference's case numbers (from
  // the invitation received here) and adds their keyed tokens, so that the
  // aid agent can confirm it on the registered grant without any name.
  absl::Status AddCaseTokens(concord::v1::Envelope& envelope, sql::Db& db);
  // The drop folder's Import: the file's good rows submitted for checking.
  absl::StatusOr<DropFolder::Outcome> ImportCsv(const std::string& name, const std::string& bytes);

  ConnectorContext ctx_;
  aid::KeyRing keys_;                 // [aid] linkage_key, and linkage_key_next while rotating
  std::string agent_ = "role:aid";    // where checks go
  std::unique_ptr<DropFolder> drop_;  // when [csv] drop_dir is set
  std::unique_ptr<AidApplications> applications_;  // the procedure (aid_applications.h)
  std::unique_ptr<AidCaseLinksApi> case_links_;    // case links (aid_case_links.h)
  aid::AidColumnMap map_;                          // [csv] map, for dropped grant files
};

}  // namespace concord::adapter

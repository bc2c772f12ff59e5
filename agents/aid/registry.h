// The shared aid registry kept by the aid agent, and the pre-grant check.
//
// The registry holds, per registered grant, the granting agency, its record
// id, the kind and amount of aid and the grantee's keyed encodings (never a
// name, ID number, phone or address: see linkage/tokens.h). It lives in the
// agent's client database, so a check, its registration and its replies are
// one transaction with the inbox entry (exactly once).
//
// The rules (DOMAIN.md, judicial aid):
// - one money grant per person per case, across all agencies;
// - money for one person and case stays under the cap: 36 months of the
//   province's average wage of the year before the grant (CheckConfig::wages,
//   domain/aid_rules.h), or a lower local cap; a first grant over it is
//   AID_OVER_CAP (超出上限), granted only with special approval;
// - the same non-money kind of aid is not given twice for one case (other
//   kinds for the same case are fine: a joint plan decides them);
// - the same person aided for a different case is not a duplicate.
// Same person: the Fellegi-Sunter posterior (matcher.h) at or above
// `duplicate_probability` (duplicate) or `possible_probability` (possible
// duplicate: the two offices compare their files). Same case: RelateCases
// (domain/linkage/cases.h: numbers shared or linked, dates by distance, the
// charge by its meaning); a case unknown is a possible duplicate for the
// same kind of aid.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/sql.h"
#include "concord/v1/aid.pb.h"
#include "domain/aid_rules.h"
#include "domain/linkage/matcher.h"

namespace concord::aid {

struct CheckConfig {
  double duplicate_probability = 0.9;
  double possible_probability = 0.5;
  WageTable wages;            // [aid.wages]: the cap for a grant in year Y is 36 x wage(Y-1)
  int64_t local_cap_fen = 0;  // [aid] cap_yuan: a lower local cap (地方限额), 0: none
  // Blocking keys held by more grants are not used: a common name's block is
  // narrowed by its finer keys (name + city, name + birth year). At 1,000,000
  // grants, 100 instead of 300 loses no same-person pair in batch
  // (concord-aid-accuracy --max-block, docs/aid.md) and keeps the check's
  // slowest ones from loading hundreds of namesakes.
  size_t max_block = 150;
};

// Schema migrations for the agent's database.
const std::vector<std::string>& RegistryMigrations();
// The same tables on PostgreSQL (common/sql.h), in one step.
const std::vector<std::string>& RegistryPostgresqlMigrations();

class Registry {
 public:
  // `db` must outlive the registry and have RegistryMigrations applied.
  static absl::StatusOr<Registry> Open(sql::Db& db);

  // Registered grants sharing a blocking key with `q`.
  absl::StatusOr<std::vector<EncodedRecord>> Candidates(const EncodedRecord& q, size_t max_block);
  // Enters a grant (idempotent on agency + record_id).
  absl::Status Add(const EncodedRecord& g, int64_t now_ms);
  absl::StatusOr<bool> Has(const std::string& agency, const std::string& record_id);
  // The decided amount of a grant registered before (an advance, then the
  // decision: one grant, its whole amount).
  absl::Status SetAmount(const std::string& agency, const std::string& record_id,
                         int64_t amount_fen);
  // A duplicate registered because the agency's leader approved it.
  struct ApprovedException {
    std::string reason;       // 批准理由, as the leader wrote it
    std::string approved_by;  // "院/局领导 陈某 (login)", from the envelope's actor
  };
  // Every check is logged (PIPL: cross-agency queries are recorded), with the
  // approved exception it was registered under, if any.
  absl::Status LogCheck(const v1::AidCheckReply& reply, const std::string& agency, int64_t now_ms,
                        const ApprovedException* exception = nullptr);
  absl::StatusOr<int64_t> Count();
  // A case link (two 16-byte tokens) from `agency`; false when already kept.
  absl::StatusOr<bool> AddLink(const std::string& token_a, const std::string& token_b,
                               const std::string& agency, int64_t now_ms);
  // A registered grant with its blocking keys; nullopt when not registered.
  absl::StatusOr<std::optional<EncodedRecord>> Load(const std::string& agency,
                                                    const std::string& record_id);
  // A correction: the grant's kind, amount, date, encodings and blocking keys
  // replaced (registered when it is not).
  absl::Status Replace(const EncodedRecord& g, int64_t now_ms);
  // A withdrawal: the grant and its blocking keys leave the registry (its
  // checks and changes stay in their logs); nothing when not registered.
  absl::Status Remove(const std::string& agency, const std::string& record_id);
  // One correction or withdrawal, as logged.
  struct Change {
    std::string agency, record_id;
    v1::AidChangeKind kind = v1::AID_CHANGE_NONE;
    std::string reason;
    std::string actor;     // "部门负责人 王某 (login)", '' when none
    std::string verdict;   // the corrected grant's (AidVerdict name); '' for a withdrawal
    std::string notified;  // the agencies told, comma-separated
    int64_t at_ms = 0;     // Changes() only
  };
  absl::Status LogChange(const Change& change, int64_t now_ms);
  // A grant's changes, oldest first.
  absl::StatusOr<std::vector<Change>> Changes(const std::string& agency,
                                              const std::string& record_id);
  // ---- Key rotation (aid.proto AidRekey) ----
  // The linkage key the registry runs on ('' until the first keyed request)
  // and those it ran on before.
  struct Keys {
    std::string active;
    std::set<std::string> retired;
  };
  absl::StatusOr<Keys> LoadKeys();
  // `key_id` becomes the active key; the active one is retired.
  absl::Status Activate(const std::string& key_id, int64_t now_ms);
  // A grant's encoding under a next key (with its block keys), replacing any
  // staged before; Unstage drops a grant's staged encodings (withdrawn).
  absl::Status Stage(const std::string& key_id, const std::string& agency,
                     const std::string& record_id, const v1::AidEncoding& encoding);
  absl::Status Unstage(const std::string& agency, const std::string& record_id);
  absl::Status StageLink(const std::string& key_id, const std::string& token_a,
                         const std::string& token_b, const std::string& agency, int64_t now_ms);
  // The agencies with a registered grant or a kept link.
  absl::StatusOr<std::vector<std::string>> Agencies();
  // The keys something is staged under.
  absl::StatusOr<std::vector<std::string>> StagedKeys();
  // Registered grants with no encoding staged under `key_id`, by agency; and
  // the agencies whose case links are not yet staged under it.
  struct Missing {
    int64_t total = 0;
    std::vector<std::pair<std::string, int64_t>> by_agency;
    std::vector<std::string> link_agencies;
    bool done() const { return total == 0 && link_agencies.empty(); }
  };
  absl::StatusOr<Missing> MissingUnder(const std::string& key_id);
  // The switch, in the caller's transaction: every grant's encoding and
  // blocking keys and every case link replaced by those staged under
  // `key_id`, which becomes the active key. FailedPrecondition (nothing
  // changed) until MissingUnder(key_id) is done().
  absl::Status Rotate(const std::string& key_id, int64_t now_ms);
  // Every kept link into `links`.
  absl::Status LoadLinks(CaseLinks* links);
  // Every logged check, counted by asking agency and verdict ("AID_CLEAR",
  // "AID_POSSIBLE_DUPLICATE", "AID_DUPLICATE"): the agent's metrics.
  struct CheckCount {
    std::string agency, verdict;
    int64_t count = 0;
  };
  absl::StatusOr<std::vector<CheckCount>> CountChecks();
  // The latest check of a record, for a plan's aid task (found = false: never checked).
  // `case_tokens`: the keyed tokens of a case's numbers; same_case says
  // whether the registered grant lists one of them.
  absl::StatusOr<v1::AidStatus> Status(const std::string& agency, const std::string& record_id,
                                       const std::vector<std::string>& case_tokens = {});

 private:
  explicit Registry(sql::Db& db) : db_(&db) {}
  absl::StatusOr<std::optional<EncodedRecord>> LoadRow(int64_t id);
  absl::StatusOr<int64_t> RowId(const std::string& agency,
                                const std::string& record_id);  // 0: none
  sql::Db* db_;
  sql::Stmt find_block_, load_, insert_grant_, insert_block_, has_, log_;
};

// The verdict for `request` against registered `candidates` (pure). `links`:
// the case numbers the agencies have linked (cases.h), if any. A grant of the
// same person whose case is unknown (RelateCases) and of the same kind is
// AID_POSSIBLE_DUPLICATE, to check; one of another case is allowed.
v1::AidCheckReply Decide(const EncodedRecord& request, const std::vector<EncodedRecord>& candidates,
                         const Model& model, const CheckConfig& config,
                         const CaseLinks* links = nullptr);

}  // namespace concord::aid

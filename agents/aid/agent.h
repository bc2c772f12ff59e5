// The aid agent: the shared judicial-aid registry and the pre-grant
// duplicate check (registry.h) on the bus. Requests arrive as
// AidCheckRequest deliveries; each is answered, registered, logged and
// notified in the one transaction that records it in the inbox. A plan's aid
// task is confirmed with AidStatusQuery, from the askers named in the config.
// A granting agency corrects or withdraws its own registered grant with
// AidGrantChange (docs/aid.md, "Corrections and withdrawals").
//
// It never holds the linkage key and never sees a name, ID number, phone or
// address: only the keyed encodings the adapters send.
//
// Config, beside the bus sections (hub/client/client_config.h):
//   [aid]
//   model = "aid-model.txt"             # a Fellegi-Sunter model file (optional)
//   province = "陕西省"                  # whose wage table sets the cap
//   cap_yuan = 50000                    # optional lower local cap per person per case
//   calendar = "calendar/cn-holidays.txt"  # working days of the aid deadlines
//   payment_working_days = 2            # to tell and pay once the funds arrive
//   supervisors = ["shangzhou.committee"]  # escalations of aid deadlines
//   scan_seconds = 60
//   [aid.wages]                         # 全省职工月平均工资 (yuan), per year
//   "2025" = 8300                       # caps aid decided in 2026: 36 x 8300
//   duplicate_probability = 0.9         # same person at or above: duplicate
//   possible_probability = 0.5          #   ... or a possible duplicate
//   status_askers = ["shangzhou.agent.conference"]  # who may ask for a grant's result
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agents/aid/applications.h"
#include "agents/aid/registry.h"
#include "agents/runtime/deadlines.h"
#include "agents/runtime/runtime.h"
#include "concord/v1/aid.pb.h"

namespace concord::aid {

struct AgentConfig {
  std::string model;  // empty: Model::Default()
  CheckConfig check;
  std::vector<std::string> status_askers;
  std::string province;
  std::string calendar;  // empty: weekends and the fixed national holidays only
  int payment_working_days = 2;
  std::vector<std::string> supervisors;
  int scan_seconds = 60;
};

// Reads [aid]; InvalidArgument unless 0 < possible <= duplicate < 1 and cap > 0.
absl::StatusOr<AgentConfig> LoadAgentConfig(const ConfigSection& aid);

class Agent final : public agent::Agent {
 public:
  Agent(agent::AgentContext& context, AgentConfig config, Registry registry, Model model,
        HolidayCalendar calendar, CaseLinks links);

  absl::Status Handle(const v1::Envelope& env) override;
  void Started() override;
  void AddHealth(nlohmann::json& health) override;
  void AddMetrics(std::string& out) override;

 private:
  absl::Status OnCheck(const v1::Envelope& env);
  absl::Status OnStatusQuery(const v1::Envelope& env, const v1::AidStatusQuery& q);
  // Case links from a granting agency: kept in aid_case_links and in links_.
  absl::Status OnCaseLinks(const v1::Envelope& env, const v1::AidCaseLinks& m);
  // A correction or withdrawal of the sender's own registered grant: logged
  // with its reason and actor; a corrected grant is checked again; every
  // agency whose grant it matched before or after is told.
  absl::Status OnChange(const v1::Envelope& env, const v1::AidGrantChange& change);
  // Key rotation (aid.proto AidRekey): a batch of the sender's grants and
  // links under the next key, staged; the switch once nothing is missing.
  absl::Status OnRekey(const v1::Envelope& env, const v1::AidRekey& rekey);
  // A request's grant with the encoding the registry judges (the active
  // key's), and the one to stage under the key being rotated to, if any.
  struct KeyedGrant {
    v1::AidGrant judged;
    const v1::AidEncoding* staged = nullptr;
  };
  // False, with the reason in `why`, when neither encoding is under the
  // active key. The first keyed request makes its key the active one.
  absl::StatusOr<bool> PickKey(const v1::AidGrant& grant, const v1::AidEncoding* next,
                               KeyedGrant* out, std::string* why);
  absl::Status StageNext(const KeyedGrant& keyed, const EncodedRecord& grant);
  // Switches to `key` when every registered grant and every linking agency
  // is staged under it; the missing ones into `reply`.
  absl::StatusOr<bool> TryRotate(const std::string& key, v1::AidRekeyReply* reply);
  // One step of an aid application (the procedure, applications.h); a grant
  // or an advance is checked and registered like an AidCheckRequest first.
  absl::Status OnStep(const v1::Envelope& env, const v1::AidApplicationStep& step);
  void ScanNow();
  absl::Status Reply(const v1::Envelope& env, const google::protobuf::Message& reply);

  client::Client& client_;
  const Clock& clock_;
  const AgentConfig config_;
  const Model model_;
  Registry registry_;
  // The kept case links, closed transitively. A link enters it when its
  // message is handled; if that transaction then rolls back, the message is
  // delivered again and the link is the same one.
  CaseLinks links_;
  std::string links_key_;  // the active key links_ was read under
  Registry::Keys keys_;    // the database's keys, read at the start of each message
  Applications applications_;
  agent::CalendarFile calendar_{config_.calendar};  // recounted on at the first scan and on change
  uint64_t alerts_ = 0;
  agent::Periodic scan_;
  struct Counters {
    uint64_t registered = 0, refused = 0;  // the verdicts are counted from the check log
  } counters_;
};

// The runtime's factory (agents/runtime/runtime.h): reads [aid], migrates, opens the registry.
absl::StatusOr<std::unique_ptr<agent::Agent>> CreateAgent(agent::AgentContext& context);

}  // namespace concord::aid

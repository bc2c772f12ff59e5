#include "domain/agent_messages.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace concord {

const std::map<std::string, std::vector<std::string>>& AgentOnlyTypes() {
  static const auto* const kTable = new std::map<std::string, std::vector<std::string>>{
      {"aid",
       {"concord.v1.AidCheckReply", "concord.v1.AidDuplicateNotice", "concord.v1.AidStatus",
        "concord.v1.AidApplicationReply", "concord.v1.AidCaseLinksReply",
        "concord.v1.AidGrantChangeReply", "concord.v1.AidRekeyReply", "concord.v1.AidDeadline",
        "concord.v1.DeadlineAlert"}},
      {"ledger",
       {"concord.v1.PetitionReply", "concord.v1.PetitionEvent", "concord.v1.LedgerQueryReply",
        "concord.v1.ReceptionSlots", "concord.v1.PetitionSnapshot", "concord.v1.DeadlineAlert"}},
      {"risk",
       {"concord.v1.RiskWarning", "concord.v1.RiskScreening", "concord.v1.RiskQueryReply",
        "concord.v1.RiskAssessment", "concord.v1.PetitionReply"}},
      {"conference",
       {"concord.v1.ConferenceInvitation", "concord.v1.ConferencePlanIssued",
        "concord.v1.ConferenceReply", "concord.v1.ConferenceNotice",
        "concord.v1.ConferenceQueryReply", "concord.v1.TrackDeadline"}},
  };
  return *kTable;
}

std::map<std::string, std::set<std::string>> RolesByAgentOnlyType() {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& [role, types] : AgentOnlyTypes())
    for (const auto& t : types) out[t].insert(role);
  return out;
}

std::string ReserveRulesToml() {
  // Group the types by who may send them, in a stable order.
  std::map<std::set<std::string>, std::vector<std::string>> by_senders;
  for (const auto& [type, roles] : RolesByAgentOnlyType()) by_senders[roles].push_back(type);
  auto quoted = [](std::string* out, const std::string& s) { absl::StrAppend(out, "\"", s, "\""); };
  std::string out =
      "# 保留类型：智能体的答复与通知只能由该智能体发出，不论上面的规则如何（防止机关之间伪造）。\n"
      "# Reserved types: an agent's answers and notices may come from that agent only,\n"
      "# whatever the rules above allow (one agency cannot forge them to another).\n";
  for (const auto& [roles, types] : by_senders) {
    absl::StrAppend(
        &out, "[[reserve]]\ntypes = [", absl::StrJoin(types, ", ", quoted), "]\nfrom = [",
        absl::StrJoin(
            roles, ", ",
            [&](std::string* o, const std::string& r) { quoted(o, absl::StrCat("role:", r)); }),
        "]\n\n");
  }
  absl::StrAppend(&out,
                  "# 死信告警与审计检查点只由枢纽自身发出 / dead-letter alerts and audit\n"
                  "# checkpoints come from the hub itself only.\n"
                  "[[reserve]]\ntypes = [\"concord.v1.AuditCheckpoint\", "
                  "\"concord.v1.DeadLetterAlert\"]\nfrom = [\"hub\"]\n");
  return out;
}

}  // namespace concord

#include "adapters/agent_senders.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "domain/agent_messages.h"

namespace concord::adapter {

std::map<std::string, std::string> AgentPrincipals(const AdapterConfig& config) {
  // "demo.court" is in the district "demo"; an agency named without a
  // district (a test's "court") has agents named by their role alone.
  const size_t dot = config.agency.find('.');
  const std::string prefix =
      dot == std::string::npos ? "" : absl::StrCat(config.agency.substr(0, dot), ".agent.");
  std::map<std::string, std::string> out;
  for (const auto& [role, types] : AgentOnlyTypes()) out[role] = absl::StrCat(prefix, role);
  auto named = [&](const std::string& role, const std::string& principal) {
    if (!principal.empty() && !absl::StartsWith(principal, "role:")) out[role] = principal;
  };
  named("aid", config.aid.agent);
  named("ledger", config.petitions.ledger);
  named("risk", config.console.risk);
  named("conference", config.aid.conference);
  named("conference", config.console.conference);
  return out;
}

void GuardAgentOnlyTypes(const AdapterConfig& config, Mailbox& mailbox) {
  const std::map<std::string, std::string> principals = AgentPrincipals(config);
  // Payload type -> the principals that may send it.
  std::map<std::string, std::set<std::string>> allowed;
  for (const auto& [type, roles] : RolesByAgentOnlyType())
    for (const auto& role : roles) allowed[type].insert(principals.at(role));
  mailbox.AddInterceptor([allowed = std::move(allowed)](const concord::v1::Envelope& envelope) {
    const std::string& url = envelope.payload().type_url();
    const std::string type = url.substr(url.rfind('/') + 1);
    auto it = allowed.find(type);
    if (it == allowed.end() || it->second.count(envelope.from())) return false;
    LOG_WARN(
        "伪造的消息已丢弃：{} 只能由 {} 发出，却来自 {}（消息 {}）/ forged message dropped: {} "
        "comes from {} only, this one from {} (envelope {})",
        type, absl::StrJoin(it->second, "、"), envelope.from(), envelope.id(), type,
        absl::StrJoin(it->second, ", "), envelope.from(), envelope.id());
    return true;
  });
}

}  // namespace concord::adapter

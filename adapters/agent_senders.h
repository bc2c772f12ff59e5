// The agency's own check of who sent an agent's answer or notice
// (domain/agent_messages.h). The hub's ACL refuses such a type from anyone
// but its agent ([[reserve]]); this check at the receiver keeps a delivery
// that got past a wrong ACL from being shown as real: it is dropped (the hub
// counts it delivered, so it is not re-sent) and logged as a forgery.
//
// An agent's principal comes from the config where it names one ([aid]
// agent, [petitions] ledger, [console] risk and conference, [aid]
// conference), else from the district's naming: "<district>.agent.<role>",
// the district being the agency's name up to its first dot; an agency
// named without a district has agents named by their role ("risk").
#pragma once

#include <map>
#include <set>
#include <string>

#include "adapters/adapter_config.h"
#include "adapters/mailbox.h"

namespace concord::adapter {

// Agent role -> its principal, for this agency.
std::map<std::string, std::string> AgentPrincipals(const AdapterConfig& config);

// Adds to `mailbox` the interceptor that drops agent-only types from anyone
// but their agents. Call it before any other interceptor or hook is added.
void GuardAgentOnlyTypes(const AdapterConfig& config, Mailbox& mailbox);

}  // namespace concord::adapter

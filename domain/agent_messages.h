// The payload types only an agent may send: its answers and notices. An
// agency that could send them could forge them to another agency (issue 16,
// finding 4: a police-forged AidDuplicateNotice shown as real at the court).
// One table for both checks:
//   - the hub's: the ACL's [[reserve]] rules, which `concordctl district
//     init` writes from this table (ReserveRulesToml);
//   - each adapter's: a delivery of one of these types from anyone but the
//     agent holding that role is dropped and logged (adapters/adapter.cc).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace concord {

// Agent role ("aid", "ledger", "risk", "conference") -> the full payload type
// names only a principal holding it may send. A type may belong to several
// roles (DeadlineAlert: the ledger's and the aid agent's).
const std::map<std::string, std::vector<std::string>>& AgentOnlyTypes();

// Payload type -> the roles that may send it.
std::map<std::string, std::set<std::string>> RolesByAgentOnlyType();

// The [[reserve]] rules of an ACL file for the table above, with Chinese and
// English comments; types with the same senders share one rule.
std::string ReserveRulesToml();

}  // namespace concord

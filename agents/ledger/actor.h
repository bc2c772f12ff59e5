// The person who acted through an agency's console (Envelope.actor, vouched
// for by that agency), as the ledger keeps it with each event of an item's
// history (petition_events.actor_login/name/role).
#pragma once

#include <string>

namespace concord::ledger {

// Empty for an automated sender (a CSV drop, an agency's own system).
struct Actor {
  std::string login;  // the account at the agency
  std::string name;   // 李某
  std::string role;   // 登记员 | 承办人 | 部门负责人 | 院/局领导 | 管理员
  bool empty() const { return login.empty() && name.empty() && role.empty(); }
};

}  // namespace concord::ledger

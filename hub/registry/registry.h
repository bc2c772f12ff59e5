// The agency registry (which CurveZMQ public key is which principal, with
// its roles) and the ACL (which principal may send which payload type to
// whom): read by the hub, edited by `concordctl keys`.
//
// File formats are documented in docs/configuration.md and shown in
// deploy/district/.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace concord::hub {

struct Principal {
  std::string name;        // "shangzhou.court"
  std::string public_key;  // Z85
  std::vector<std::string> roles;
  std::string display;  // 人读名称, e.g. "上州区人民法院"
  bool revoked = false;
  // The Ed25519 key its envelopes are signed with (32 bytes; `sign_key`, 64
  // hex digits, in the file; hub/transport/envelope_sign.h); empty: none
  // registered, the hub passes any key on (receivers still verify).
  std::string sign_key{};
};

struct AclRule {
  std::string from;             // principal glob or "role:<r>"
  std::string type;             // payload type glob ("concord.v1.*", "*")
  std::vector<std::string> to;  // recipient globs ("topic:*", "role:agency", "*")
};

// Who may subscribe to which topics ([[subscribe]] in the ACL file). An ACL
// file without any lets every principal subscribe to any topic (files written
// before these rules existed); concordctl district init writes them.
struct SubscribeRule {
  std::string from;                 // principal glob or "role:<r>"
  std::vector<std::string> topics;  // topic globs ("district", "alerts", "*")
};

// A payload type only some principals may send, whatever [[allow]] says
// ([[reserve]] in the ACL file): an agent's answers and notices, which an
// agency could otherwise forge to another agency under a broad rule such as
// "role:agency may send concord.v1.* to agencies".
struct ReserveRule {
  std::vector<std::string> types;  // payload type globs ("concord.v1.AidDuplicateNotice")
  std::vector<std::string> from;   // principal globs or "role:<r>" that may send them
};

// The registry and the ACL together; immutable once loaded (reload makes a new
// one).
class Registry {
 public:
  static absl::StatusOr<Registry> Load(const std::string& registry_file,
                                       const std::string& acl_file);
  // Builds one from values (tests).
  static Registry FromValues(std::vector<Principal> principals, std::vector<AclRule> rules,
                             std::vector<SubscribeRule> subscribe = {},
                             std::vector<ReserveRule> reserve = {});

  // The active principal holding this key, or nullptr (unknown or revoked).
  const Principal* ByKey(const std::string& z85) const;
  const Principal* ByName(const std::string& name) const;
  std::vector<const Principal*> WithRole(const std::string& role) const;
  const std::vector<Principal>& principals() const { return principals_; }

  // OK, or PermissionDenied with a reason naming what was refused: a type
  // some [[reserve]] rule keeps for others, or no [[allow]] rule.
  absl::Status CheckAcl(const Principal& from, const std::string& payload_type,
                        const std::string& to) const;
  // OK, or PermissionDenied naming the topic.
  absl::Status CheckSubscribe(const Principal& from, const std::string& topic) const;

 private:
  void Index();
  std::vector<Principal> principals_;
  std::vector<AclRule> rules_;
  std::vector<SubscribeRule> subscribe_;
  std::vector<ReserveRule> reserve_;
  std::map<std::string, size_t> by_key_;
  std::map<std::string, size_t> by_name_;
};

// Shell-style glob with '*' only.
bool GlobMatch(std::string_view pattern, std::string_view text);

// Registry file editing, for `concordctl keys add/revoke/rotate`. Each
// rewrites the file atomically (a temp file renamed over it), so the hub's
// reload never reads half a file.
// Add refuses (AlreadyExists) a name or a public key the file already holds.
absl::Status AddPrincipalToFile(const std::string& registry_file, const Principal& p);
absl::Status RevokePrincipalInFile(const std::string& registry_file, const std::string& name);
// Gives principal `name` the Z85 key `public_key` (its name, roles and so its
// queue at the hub are kept) and clears a `revoked` mark: from the hub's next
// reload the old key is refused and its open sessions end. NotFound for an
// unknown name; AlreadyExists when another principal holds that key.
// Its `sign_key` goes with the old key: replaced by `sign_key` (32 bytes)
// when given, else removed (the hub then checks no key until one is added).
absl::Status RotatePrincipalKeyInFile(const std::string& registry_file, const std::string& name,
                                      const std::string& public_key,
                                      const std::string& sign_key = "");

}  // namespace concord::hub

// The hub's process settings (hub.toml); the agency registry and the ACL it
// names are hub/registry/registry.h.
//
// File formats are documented in docs/configuration.md and shown in
// deploy/district/.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace concord::hub {

struct HubConfig {
  std::string endpoint = "tcp://127.0.0.1:7100";  // ROUTER bind address
  std::string metrics_address = "127.0.0.1";
  int metrics_port = 0;         // 0: pick a free port
  std::string data_dir = ".";   // hub.db lives here
  std::string secret_key_file;  // hub's CurveZMQ secret key
  std::string registry_file;    // principals
  std::string acl_file;         // ACL rules
  // The bearer token /deadletters needs (common/api_token.h): [hub]
  // http_token_file, default <data_dir>/http.token, made 0600 at start.
  std::string http_token_file;
  bool curve = true;  // false only in unit tests

  uint32_t default_credit = 1024;        // unacked deliveries per receiver
  uint64_t max_queue_depth = 2'000'000;  // unacked entries per recipient
  int ack_timeout_ms = 5000;             // first re-send after this
  int max_backoff_ms = 60000;
  uint32_t max_attempts = 5;  // then dead-letter
  int heartbeat_ms = 1000;    // silent for 3x: offline
  uint64_t max_frame_bytes = 1 << 20;
  int64_t dedup_window_s = 86400;    // ids remembered at least this long
  uint32_t max_batch = 4096;         // publishes per commit
  std::string synchronous = "FULL";  // SQLite PRAGMA synchronous
  // [store] kind: "sqlite" (hub.db in data_dir, one machine) or "postgresql"
  // (the tables in the database `postgresql` names, a libpq connection
  // string; passwords belong in ~/.pgpass or PGPASSFILE, not here).
  std::string store_kind = "sqlite";
  std::string postgresql;
  // [hub] advertise: the endpoint clients dial to reach this hub, which a
  // standby names in its answers (default: `endpoint` as bound).
  std::string advertise;
  // Set at run time, not from the file: the lead term this hub took
  // (hub/broker/lead.h); its store's commits check it. 0: no lead.
  int64_t lead_term = 0;

  // Fair share under abuse ([abuse] in hub.toml; docs/protocol.md, "Abuse").
  // Per principal and window: refusals of its own making (malformed frames,
  // ACL violations, too many Hellos) beyond refusal_budget cut it for cut_s
  // seconds (its messages are dropped unread); only the first
  // detailed_refusals of a window get an audit line of their own, the rest
  // one summary line. Before authentication, per address or key: the first
  // detailed_preauth failures of a window in full, then one summary line.
  int abuse_window_s = 10;
  uint32_t refusal_budget = 1000;
  int cut_s = 30;
  uint32_t detailed_refusals = 20;
  uint32_t detailed_preauth = 5;
  uint32_t max_hellos = 60;         // Hellos per principal and window
  uint32_t max_credit = 4096;       // a Hello asking for more gets this
  uint32_t max_subscriptions = 64;  // topics per principal
  // [security] require_sealed: a principal with a sign_key must seal its
  // payloads to recipients that all have one (hub/transport/payload_seal.h).
  // Off by default so that a hub upgraded before its agencies still takes
  // what their older daemons send; `concordctl district init` writes it on.
  bool require_sealed = false;

  // Signed checkpoints of the audit chain ([audit]; hub/audit/checkpoint.h):
  // the Ed25519 key (default <data_dir>/audit-sign.key, made at first start)
  // and how often the head goes to every agency (0: never).
  std::string audit_signing_key;
  int checkpoint_s = 300;
};

absl::StatusOr<HubConfig> LoadHubConfig(const std::string& path);

// concord-hub --check-config: what Start() would load, without starting. The
// secret key, the registry and the ACL must load, and data_dir must be a
// folder the hub can write (or create). Opens no socket, writes nothing.
// InvalidArgument / NotFound: the operator's to mend, with the file named.
absl::Status CheckHubConfig(const HubConfig& config);

}  // namespace concord::hub

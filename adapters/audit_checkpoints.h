// The hub's signed audit checkpoints (hub/audit/checkpoint.h) as this agency
// received them: each concord.v1.AuditCheckpoint from "hub" is checked
// (Ed25519 signature; the hub's key pinned at the first one) and kept in the
// agency's own database, not shown in the inbox. GET /audit/checkpoints (API
// token) lists them, newest last, for `concordctl audit verify
// --checkpoints`: as long as one agency kept a head, the hub's chain cannot be
// cut or rewritten behind it unseen.
#pragma once

#include "absl/status/status.h"
#include "adapters/mailbox.h"
#include "common/http_router.h"
#include "hub/client/client.h"

namespace concord::adapter {

// Creates the table, adds the interceptor to `mailbox` and the route.
absl::Status KeepAuditCheckpoints(const std::string& agency, client::Client& client,
                                  Mailbox& mailbox, HttpRouter& router);

}  // namespace concord::adapter

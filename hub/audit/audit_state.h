// The hub's stored state checked against its audit chain: what
// `concordctl audit verify` adds to the chain walk (audit.h).
//
// Each accept line names, per envelope, its sequence number, a digest of the
// stored envelope (h=, EnvelopeDigest) and the recipients' mailbox ids
// (for=). From the chain alone, then:
//   - every stored envelope must have the digest its accept line recorded
//     (an edited envelope is named) and must have an accept line at all;
//   - every recipient's cursor (recipients.acked_through) may stand no
//     further than the chain's ack, expire and dead-letter lines for it took
//     it (a cursor pushed forward hides queued messages);
//   - every message accepted for a recipient above its cursor must still be
//     in its mailbox (a deleted queued message is named);
//   - every dead-letter line must still have its dead_letters row.
// Accept lines written before digests were recorded (no h=) are skipped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/sql.h"

namespace concord::hub {

// BLAKE2b-128 of a serialized envelope, 32 lower-case hex digits.
std::string EnvelopeDigest(std::string_view envelope);

struct StateVerifyResult {
  bool ok = true;
  int64_t envelopes = 0;            // stored envelopes compared with their digest
  int64_t queued = 0;               // (recipient, message) pairs found queued
  int64_t dead_letters = 0;         // dead-letter lines matched with their row
  int64_t problems = 0;             // how many faults in all
  std::vector<std::string> faults;  // the first ones, Chinese and English
};

// Reads the chain and the hub's tables in `db` (hub.db) and compares them.
// At most `max_faults` faults are described; all are counted. When lines
// were archived (audit_archive.h), it starts from what the newest archive
// record says those lines had settled.
absl::StatusOr<StateVerifyResult> VerifyStoredState(sql::Db& db, size_t max_faults = 20);

// Where an archive may cut the chain, at most at `max_line`: `last` (0: no
// line may go) and, as JSON, what lines up to `last` settled (with what an
// earlier archive had):
//   {"first_digested": n, "recipients": {"<name>": {"furthest": n,
//    "created": true, "dead": [seq, ...]}}}
struct ArchivePlan {
  int64_t last = 0;
  std::string settled;
};
absl::StatusOr<ArchivePlan> PlanArchive(sql::Db& db, int64_t max_line);

}  // namespace concord::hub

// Audit retention (issue 16): old lines of the chain moved to an archive file
// under a record signed with the hub's audit key, which carries the chain on.
//
// `concordctl audit archive` (with the hub stopped) writes lines first..last
// to "<dir>/audit-<first>-<last>.tsv" (one "<hash>\t<line>" a line), then in
// one transaction adds a row to `audit_archives` and deletes those lines from
// `audit`. The row holds the last archived line's hash (the next line in the
// table chains from it), the file's SHA-256, and what the archived lines had
// settled for each recipient (VerifyStoredState starts from it); it is signed
// with the hub's audit key (checkpoint.h), so that whoever edits hub.db
// cannot make the chain start anywhere else without that key.
//
// Only lines no stored state needs are archived: the cut stops before the
// accept line of the oldest message still stored or not yet acknowledged by
// a recipient, and the chain's last line always stays in the table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/sql.h"
#include "hub/audit/checkpoint.h"

namespace concord::hub {

struct ArchiveRecord {
  int64_t first = 0, last = 0;  // the lines archived
  std::string last_hash;        // line `last`'s hash: line last+1 chains from it
  std::string file;             // the file's name, in the archive folder
  std::string file_sha256;      // hex
  std::string settled;          // JSON, see PlanArchive (audit_state.h)
  int64_t at_ms = 0;
  std::string public_key;  // hex, the hub's audit key
  std::string signature;   // hex, Ed25519 over ArchiveText
};

// The bytes signed for a record (every field but the key and signature).
std::string ArchiveText(const ArchiveRecord& r);
// True when the record's signature holds under `public_key` (32 bytes).
bool ArchiveRecordSigned(const ArchiveRecord& r, const std::string& public_key);

// The records in `db`, oldest first; none when the table does not exist.
absl::StatusOr<std::vector<ArchiveRecord>> ReadArchives(sql::Db& db);

struct ArchiveResult {
  ArchiveRecord record;
  std::string path;  // the file written
};
// Archives the lines up to `max_line` that may go (PlanArchive) into a new
// file in `dir`. FailedPrecondition when no line may go.
absl::StatusOr<ArchiveResult> ArchiveAuditLines(sql::Db& db, const std::string& dir,
                                                int64_t max_line, const AuditSigner& signer,
                                                int64_t now_ms);

// Checks an archive file against its record: its SHA-256, its line numbers
// and every hash from `prev_hash` (the previous record's last_hash, or 64
// zeros for the first). OK, or DataLoss saying what is wrong.
absl::Status VerifyArchiveFile(const ArchiveRecord& r, const std::string& prev_hash,
                               const std::string& path);

}  // namespace concord::hub

// The audit chain: a tamper-evident log of every decision the hub makes.
//
// Format (also in docs/storage.md): table `audit(n INTEGER PRIMARY KEY,
// line TEXT, hash TEXT)` in hub.db. Line n is
//   "<n>\t<UTC time ISO-8601 ms>\t<event>\t<principal>\t<detail>"
// and hash_n = hex(SHA-256(hash_{n-1} || "\n" || line_n)), with hash_0 = 64
// zeros. Lines are numbered from 1 without gaps, so a changed line breaks its
// own hash and a removed line leaves a gap (or breaks the next hash).
// Removing the *last* lines leaves no gap, so after every commit the hub also
// writes the chain's head ("<n>\t<hash>") to a file beside hub.db
// (AuditHeadPath); verify checks the table still reaches that head.
// Events: accept, duplicate, refuse, refuse_summary, cut, deliver, ack,
// expire, dead_letter, key_refused, handshake_failed, preauth_summary,
// connect, offline, replay, start.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/sql.h"
#include "common/sqlite.h"

namespace concord::hub {

struct AuditEvent {
  int64_t at_ms = 0;
  std::string event;
  std::string principal;
  std::string detail;
};

// Keeps the tail of the chain; used by the store's writer thread only.
class AuditChain {
 public:
  // Reads the last line number and hash from `db`.
  absl::Status Load(sqlite::Db& db);
  // Formats and appends one line (inside the caller's transaction).
  absl::Status Append(sqlite::Stmt& insert, const AuditEvent& e);
  // The next line for a store that writes it itself (PostgreSQL): the chain
  // moves on; the caller restores a saved copy if its transaction fails.
  struct Line {
    int64_t n = 0;
    std::string text, hash;
  };
  Line Next(const AuditEvent& e);
  // Starts the chain after line `n` whose hash is `hash` (read by the caller).
  void StartAfter(int64_t n, std::string hash) {
    last_n_ = n;
    last_hash_ = n > 0 ? std::move(hash) : std::string(64, '0');
  }
  int64_t last_n() const { return last_n_; }
  const std::string& last_hash() const { return last_hash_; }

  static std::string FormatLine(int64_t n, const AuditEvent& e);
  static std::string HashLine(const std::string& prev_hash, const std::string& line);

 private:
  int64_t last_n_ = 0;
  std::string last_hash_ = std::string(64, '0');
};

struct AuditVerifyResult {
  bool ok = true;
  int64_t lines = 0;      // the last line number checked
  int64_t archived = 0;   // lines 1..archived are in archive files, not walked
  int64_t first_bad = 0;  // line number of the first bad line (0 if ok)
  std::string reason;     // what is wrong there, Chinese and English
};

// The time as a line writes it ("2026-12-04T18:14:21.041Z", UTC): such
// texts sort as the times do.
std::string AuditTimeText(int64_t ms);

// "<db_path>.audit-head": the chain head recorded after each commit.
std::string AuditHeadPath(const std::string& db_path);
// Writes it (temporary file and rename, no fsync: after a crash the file may
// name an older head, never a newer one than the committed table).
absl::Status WriteAuditHead(const std::string& path, int64_t n, const std::string& hash);

// Walks the whole chain in `db`; with `head_path` also checks that the table
// reaches the recorded head, so removed last lines are found too. A missing
// head file beside a chain with lines is reported (not ok): it is how a cut
// tail would hide.
// Lines archived (audit_archive.h) are not walked: the chain starts after
// the newest archive record, which must be signed by `archive_public_key`
// (the hub's audit key, 32 bytes; when not given, "audit-sign.pub" in the
// head file's folder is read); a record that is not is reported.
absl::StatusOr<AuditVerifyResult> VerifyAuditChain(sql::Db& db, const std::string& head_path = "",
                                                   const std::string& archive_public_key = "");

}  // namespace concord::hub

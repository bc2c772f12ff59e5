// The hub's durable store: an append-only message log, one mailbox index row
// per (recipient, message), a cursor per recipient, dead letters, durable
// topic subscriptions and the audit chain. See docs/storage.md.
//
// Threading: Commit(), Compact() and the dead-letter operations are called
// from the single writer thread; ReadMailbox() and the Load*() methods are
// called from the broker's loop thread on their own connection. The two
// never share a connection. All methods report expected failures (disk full,
// I/O error) as absl::Status; Unavailable means "retry later": nothing of a
// failed Commit was written. Aborted (a store on a server whose connection
// was lost during COMMIT) means the outcome is unknown: the hub must stop
// and start again from what the store holds.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "hub/audit/audit.h"

namespace concord::hub {

using RecipientId = int64_t;

struct NewMessage {
  uint64_t seq = 0;  // assigned by the broker, strictly increasing
  std::string id;    // envelope id (dedup key)
  std::string sender;
  std::string envelope;  // serialized concord.v1.Envelope, `from` stamped
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  std::vector<RecipientId> recipients;
  std::string audit_detail;  // e.g. "type=... to=..."; the store writes the
                             // accept (or duplicate) audit lines itself, one
                             // per sender per commit, naming every envelope
};

struct DeadLetter {
  RecipientId recipient = 0;
  uint64_t seq = 0;
  std::string id;
  std::string sender;
  std::string envelope;
  uint32_t attempts = 0;
  std::string reason;
  int64_t at_ms = 0;
};

// Everything one group commit writes, in one transaction.
struct WriteBatch {
  std::vector<NewMessage> messages;
  std::map<RecipientId, uint64_t> cursors;  // recipient -> acked through seq
  std::vector<DeadLetter> dead_letters;
  std::vector<std::pair<std::string, RecipientId>> subscribe;    // topic, recipient
  std::vector<std::pair<std::string, RecipientId>> unsubscribe;  // topic, recipient
  std::vector<int64_t> replayed;                                 // dead_letters.id now replayed
  std::vector<AuditEvent> audit;
  bool empty() const {
    return messages.empty() && cursors.empty() && dead_letters.empty() && subscribe.empty() &&
           unsubscribe.empty() && replayed.empty() && audit.empty();
  }
};

struct CommitResult {
  // duplicate[i] is true when messages[i].id was already stored: nothing was
  // written for it.
  std::vector<bool> duplicate;
};

struct StoredEntry {
  uint64_t seq = 0;
  std::string envelope;
  int64_t expires_ms = 0;
};

struct RecipientState {
  RecipientId id = 0;
  std::string name;
  uint64_t acked_through = 0;
  uint64_t depth = 0;  // mailbox entries above the cursor
};

struct RecoveredState {
  uint64_t last_seq = 0;
  std::vector<RecipientState> recipients;
  std::multimap<std::string, RecipientId> subscriptions;  // topic -> recipient
};

struct DeadLetterRow {
  int64_t dl_id = 0;
  std::string recipient;
  uint64_t seq = 0;
  std::string message_id;
  std::string sender;
  uint32_t attempts = 0;
  std::string reason;
  int64_t at_ms = 0;
  bool replayed = false;
};

// The accept and duplicate audit lines of one commit, as both stores write
// them: one of each per sender, naming every envelope ("id= seq= h= for="
// first, in this order: hub/audit/audit_state.h reads them back; "; "
// separates entries). The chain records each accept without a row and a
// hash per message (that was a third of the writer's time).
class AcceptLines {
 public:
  void Add(const NewMessage& m, bool duplicate);
  // The lines, senders in name order, each sender's accept line first.
  std::vector<AuditEvent> Events(int64_t now_ms) const;

 private:
  struct SenderLines {
    std::string accepted, duplicates;
    size_t n_accepted = 0, n_duplicates = 0;
  };
  std::map<std::string, SenderLines> lines_;
};

class Store {
 public:
  virtual ~Store() = default;

  // Loop thread, at start-up.
  virtual absl::StatusOr<RecoveredState> Recover() = 0;
  // Loop thread: the id of a recipient, created if new.
  virtual absl::StatusOr<RecipientId> EnsureRecipient(const std::string& name) = 0;
  // Loop thread: up to `limit` entries of `recipient` with seq > after.
  virtual absl::StatusOr<std::vector<StoredEntry>> ReadMailbox(RecipientId recipient,
                                                               uint64_t after, size_t limit) = 0;

  // Loop thread: every dead letter, oldest first (GET /deadletters).
  virtual absl::StatusOr<std::vector<DeadLetterRow>> ListDeadLetters() = 0;
  // Loop thread: one dead letter and its stored envelope; NotFound.
  virtual absl::StatusOr<std::pair<DeadLetterRow, std::string>> LoadDeadLetter(int64_t id) = 0;

  // Writer thread.
  virtual absl::StatusOr<CommitResult> Commit(const WriteBatch& batch) = 0;
  // Writer thread: drops acknowledged mailbox rows, and messages that no
  // mailbox needs any more and are older than `dedup_before_ms`.
  virtual absl::Status Compact(int64_t dedup_before_ms) = 0;
};

// Opens (creating and migrating) <data_dir>/hub.db.
absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                                       const std::string& synchronous);

// Opens (creating and migrating) the hub's tables in the PostgreSQL database
// `conninfo` names (docs/storage.md, "PostgreSQL"): two connections, one for
// the writer thread and one for the loop. `audit_head_path`: where the
// chain's head is written after each commit ("" for none). `lead_term` > 0:
// the term this hub took (lead.h); every commit and compaction checks that
// hub.lead still has it and is Aborted when another hub has taken over.
absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo,
                                                         const std::string& audit_head_path,
                                                         int64_t lead_term = 0);

}  // namespace concord::hub

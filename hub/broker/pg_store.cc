// PostgresStore: the Store on a shared PostgreSQL cluster (see store.h and
// docs/storage.md, "PostgreSQL"). The same tables as hub.db, in the schema
// `hub` of the database the connection string names.
//
// A commit is one transaction sent as a pipeline (common/pg.h). The common
// case, every message new: BEGIN, the lead's term, all the messages in one
// plain INSERT (arrays, unnest), cursors, dead letters, subscriptions, the
// mailbox rows and the audit lines in one round trip, then COMMIT. When the
// ids' UNIQUE index refuses one (a duplicate), the transaction is rolled back
// and written again checking: the messages go in with ON CONFLICT DO NOTHING
// RETURNING, which tells the duplicates, and a second round trip writes the
// stored ones' mailbox rows, the audit lines and COMMIT; the next few commits
// check too. synchronous_commit is on: Commit returns once PostgreSQL has
// made the transaction durable (on the synchronous standby too, when the
// cluster has one).
//
// A lost connection: before anything of a transaction was sent, the store
// reconnects and reports Unavailable (nothing is written; the broker retries).
// After the COMMIT was sent, the outcome is unknown until the store can look:
// it reconnects and asks the server about the transaction's id (read in the
// first round trip, txid_status), ending the old session first if it still
// runs. Committed: the commit succeeded. Not: Unavailable. Cannot look:
// Aborted, and the hub stops (broker.cc): it starts again from what the
// database holds, as after a crash.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/pg.h"
#include "common/status_macros.h"
#include "hub/audit/audit_state.h"
#include "hub/broker/store.h"
#include "hub/store/schema.h"

namespace concord::hub {

namespace {

// Statement names and texts, prepared on the writer connection. The
// per-commit ones take arrays: one statement whatever the batch's size.
constexpr const char* kInsertMessages = "hub_insert_messages";
constexpr const char* kInsertMailbox = "hub_insert_mailbox";
constexpr const char* kInsertNewMessages = "hub_insert_new_messages";
constexpr const char* kInsertNewMailbox = "hub_insert_new_mailbox";
constexpr const char* kUpdateCursors = "hub_update_cursors";
constexpr const char* kInsertDeadLetter = "hub_insert_dead_letter";
constexpr const char* kInsertSub = "hub_insert_sub";
constexpr const char* kDeleteSub = "hub_delete_sub";
constexpr const char* kReplayed = "hub_replayed";
constexpr const char* kInsertAudit = "hub_insert_audit";
constexpr const char* kReadMailbox = "hub_read_mailbox";
// Commits written checking for duplicates after one met a duplicate.
constexpr int kCheckingCommits = 16;
// Envelope bytes per INSERT statement at most (a commit may hold several).
constexpr size_t kStatementBytes = 64 << 20;

const std::vector<std::pair<const char*, const char*>>& WriterStatements() {
  static const std::vector<std::pair<const char*, const char*>> k = {
      {kInsertMessages,
       "INSERT INTO hub.messages(seq,id,sender,created_ms,expires_ms,stored_ms,envelope) "
       "SELECT s, i, f, c, e, $6, v FROM unnest($1::bigint[], $2::text[], $3::text[], "
       "$4::bigint[], $5::bigint[], $7::bytea[]) AS x(s, i, f, c, e, v) "
       "ON CONFLICT (id) DO NOTHING RETURNING seq"},
      {kInsertNewMessages,
       "INSERT INTO hub.messages(seq,id,sender,created_ms,expires_ms,stored_ms,envelope) "
       "SELECT s, i, f, c, e, $6, v FROM unnest($1::bigint[], $2::text[], $3::text[], "
       "$4::bigint[], $5::bigint[], $7::bytea[]) AS x(s, i, f, c, e, v)"},
      {kInsertNewMailbox,
       "INSERT INTO hub.mailbox(recipient,seq) SELECT * FROM unnest($1::bigint[], $2::bigint[])"},
      {kInsertMailbox,
       "INSERT INTO hub.mailbox(recipient,seq) SELECT * FROM unnest($1::bigint[], $2::bigint[]) "
       "ON CONFLICT DO NOTHING"},
      {kUpdateCursors,
       "UPDATE hub.recipients r SET acked_through = x.s FROM unnest($1::bigint[], $2::bigint[]) "
       "AS x(id, s) WHERE r.id = x.id AND r.acked_through < x.s"},
      {kInsertDeadLetter,
       "INSERT INTO hub.dead_letters(recipient,seq,message_id,sender,attempts,reason,at_ms,"
       "envelope) VALUES((SELECT name FROM hub.recipients WHERE id = $1),$2,$3,$4,$5,$6,$7,$8)"},
      {kInsertSub,
       "INSERT INTO hub.subscriptions(topic,recipient) VALUES($1,$2) ON CONFLICT DO NOTHING"},
      {kDeleteSub, "DELETE FROM hub.subscriptions WHERE topic = $1 AND recipient = $2"},
      {kReplayed, "UPDATE hub.dead_letters SET replayed = true WHERE id = $1"},
      {kInsertAudit,
       "INSERT INTO hub.audit(n,line,hash) SELECT * FROM unnest($1::bigint[], $2::text[], "
       "$3::text[])"},
  };
  return k;
}

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string conninfo, std::string head_path, int64_t lead_term)
      : conninfo_(std::move(conninfo)), head_path_(std::move(head_path)), term_(lead_term) {}

  absl::Status Open() {
    ASSIGN_OR_RETURN(writer_, pg::Conn::Open(conninfo_, "concord-hub writer"));
    RETURN_IF_ERROR(writer_.Migrate("hub", HubPostgresMigrations()));
    RETURN_IF_ERROR(PrepareWriter());
    return OpenReader();
  }

  // ---- Store, loop thread ------------------------------------------------

  absl::StatusOr<RecoveredState> Recover() override {
    RETURN_IF_ERROR(EnsureReader());
    RecoveredState st;
    ASSIGN_OR_RETURN(
        int64_t last,
        reader_.QueryInt("SELECT greatest((SELECT coalesce(max(seq),0) FROM hub.messages),"
                         "(SELECT coalesce(max(seq),0) FROM hub.mailbox),"
                         "(SELECT coalesce(max(acked_through),0) FROM hub.recipients),"
                         "(SELECT coalesce(max(seq),0) FROM hub.dead_letters),"
                         "(SELECT coalesce(max(seq),0) FROM hub.seq_floor))::bigint"));
    st.last_seq = static_cast<uint64_t>(last);
    ASSIGN_OR_RETURN(
        pg::Result rs,
        reader_.Query("SELECT r.id, r.name, r.acked_through, (SELECT count(*) FROM hub.mailbox b "
                      "WHERE b.recipient = r.id AND b.seq > r.acked_through) FROM hub.recipients "
                      "r ORDER BY r.id"));
    for (int i = 0; i < rs.rows(); ++i)
      st.recipients.push_back({rs.Int(i, 0), rs.Bytes(i, 1), static_cast<uint64_t>(rs.Int(i, 2)),
                               static_cast<uint64_t>(rs.Int(i, 3))});
    ASSIGN_OR_RETURN(pg::Result subs,
                     reader_.Query("SELECT topic, recipient FROM hub.subscriptions"));
    for (int i = 0; i < subs.rows(); ++i)
      st.subscriptions.emplace(subs.Bytes(i, 0), subs.Int(i, 1));
    return st;
  }

  absl::StatusOr<RecipientId> EnsureRecipient(const std::string& name) override {
    std::lock_guard<std::mutex> lock(ensure_mu_);
    RETURN_IF_ERROR(EnsureReader());
    ASSIGN_OR_RETURN(int64_t id, reader_.QueryInt("SELECT id FROM hub.recipients WHERE name = $1",
                                                  pg::Params::Of(name)));
    if (id > 0) return id;
    // A new principal starts after every message already stored.
    RETURN_IF_ERROR(reader_
                        .Query("INSERT INTO hub.recipients(name, acked_through) VALUES($1, "
                               "(SELECT coalesce(max(seq),0) FROM hub.messages)) "
                               "ON CONFLICT (name) DO NOTHING",
                               pg::Params::Of(name))
                        .status());
    return reader_.QueryInt("SELECT id FROM hub.recipients WHERE name = $1", pg::Params::Of(name));
  }

  absl::StatusOr<std::vector<StoredEntry>> ReadMailbox(RecipientId recipient, uint64_t after,
                                                       size_t limit) override {
    RETURN_IF_ERROR(EnsureReader());
    ASSIGN_OR_RETURN(
        pg::Result r,
        reader_.Run(kReadMailbox, pg::Params::Of(recipient, static_cast<int64_t>(after),
                                                 static_cast<int64_t>(limit))));
    std::vector<StoredEntry> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i)
      out.push_back({static_cast<uint64_t>(r.Int(i, 0)), r.Bytes(i, 1), r.Int(i, 2)});
    return out;
  }

  absl::StatusOr<std::vector<DeadLetterRow>> ListDeadLetters() override {
    RETURN_IF_ERROR(EnsureReader());
    ASSIGN_OR_RETURN(
        pg::Result r,
        reader_.Query("SELECT id, recipient, seq, message_id, sender, attempts, reason, "
                      "at_ms, replayed FROM hub.dead_letters ORDER BY id"));
    std::vector<DeadLetterRow> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(Row(r, i));
    return out;
  }

  absl::StatusOr<std::pair<DeadLetterRow, std::string>> LoadDeadLetter(int64_t id) override {
    RETURN_IF_ERROR(EnsureReader());
    ASSIGN_OR_RETURN(
        pg::Result r,
        reader_.Query("SELECT id, recipient, seq, message_id, sender, attempts, reason, "
                      "at_ms, replayed, envelope FROM hub.dead_letters WHERE id = $1",
                      pg::Params::Of(id)));
    if (r.rows() == 0) return absl::NotFoundError(absl::StrCat("没有该死信 / no dead letter ", id));
    return std::make_pair(Row(r, 0), r.Bytes(0, 9));
  }

  // ---- Store, writer thread ----------------------------------------------

  absl::StatusOr<CommitResult> Commit(const WriteBatch& b) override {
    RETURN_IF_ERROR(EnsureWriter());
    const int64_t now = SystemClock::Get().NowMs();
    if (checking_left_ == 0) {
      absl::StatusOr<CommitResult> r = Attempt(b, now, &PostgresStore::WriteAssumingNew);
      if (r.ok() || !absl::IsAlreadyExists(r.status())) return r;
      if (!writer_.ok())  // lost while rolling back: nothing written, try again
        return absl::UnavailableError(r.status().message());
      // A duplicate among them (a publisher sending again what was not
      // acknowledged, after a reconnect): more are likely to follow.
      checking_left_ = kCheckingCommits;
    } else {
      --checking_left_;
    }
    return Attempt(b, now, &PostgresStore::WriteCheckingDuplicates);
  }

  absl::Status Compact(int64_t dedup_before_ms) override {
    RETURN_IF_ERROR(EnsureWriter());
    absl::Status st = [&]() -> absl::Status {
      RETURN_IF_ERROR(writer_.Exec("BEGIN"));
      if (term_ > 0) {
        ASSIGN_OR_RETURN(int64_t term, writer_.QueryInt(kLeadTerm));
        RETURN_IF_ERROR(CheckTerm(term));
      }
      RETURN_IF_ERROR(writer_
                          .Query("DELETE FROM hub.mailbox b USING hub.recipients r "
                                 "WHERE b.recipient = r.id AND b.seq <= r.acked_through")
                          .status());
      // The oldest seq any mailbox still needs.
      ASSIGN_OR_RETURN(
          int64_t live,
          writer_.QueryInt(
              "SELECT coalesce(min(seq), 9223372036854775807)::bigint FROM hub.mailbox"));
      RETURN_IF_ERROR(writer_
                          .Query("DELETE FROM hub.messages WHERE seq IN (SELECT seq FROM "
                                 "hub.messages WHERE seq < $1 AND stored_ms < $2 ORDER BY seq "
                                 "LIMIT 50000)",
                                 pg::Params::Of(live, dedup_before_ms))
                          .status());
      return writer_.Exec("COMMIT");
    }();
    if (!st.ok() && writer_.ok()) (void)writer_.Exec("ROLLBACK");
    return st;
  }

 private:
  static constexpr const char* kLeadTerm = "SELECT term FROM hub.lead WHERE id = 1 FOR SHARE";

  using Write = absl::Status (PostgresStore::*)(const WriteBatch&, int64_t, CommitResult&, bool&);

  // One transaction written by `write`; on failure the chain is as before
  // it, and a COMMIT whose outcome was lost with the connection is looked up.
  absl::StatusOr<CommitResult> Attempt(const WriteBatch& b, int64_t now, Write write) {
    CommitResult result;
    result.duplicate.resize(b.messages.size(), false);
    const AuditChain saved = chain_;
    const int session = writer_.backend_pid();
    xid_ = 0;
    bool commit_sent = false;
    absl::Status st = (this->*write)(b, now, result, commit_sent);
    if (st.ok()) {
      WriteHead(saved);
      return result;
    }
    chain_ = saved;
    if (writer_.ok()) {
      (void)writer_.Exec("ROLLBACK");
      // A statement may have failed before the term was looked at (a seq
      // already stored by the hub that took over): a hub deposed says so,
      // and stops, rather than retrying for ever.
      if (term_ > 0 && !absl::IsAborted(st))
        if (auto term = writer_.QueryInt("SELECT term FROM hub.lead WHERE id = 1");
            term.ok() && *term != term_)
          return CheckTerm(*term);
      // The chain's tail as the database has it, not as this process
      // believes: what failed may have been a line already there.
      if (auto re = LoadChain(); !re.ok()) LOG_WARN("audit chain: {}", re.ToString());
      return st;
    }
    if (!commit_sent) return st;  // nothing of it can have been committed
    // The COMMIT went out and the connection was lost: ask the server what
    // became of the transaction.
    absl::StatusOr<bool> committed = ResolveInDoubt(session);
    if (!committed.ok())
      return absl::AbortedError(absl::StrCat(
          "与数据库的连接在提交时中断，无法确认是否已提交 / the connection was lost during "
          "COMMIT and the outcome cannot be checked: ",
          committed.status().message()));
    if (!*committed) return st;
    LOG_WARN("postgresql: the connection was lost during COMMIT; the commit is in the database");
    WriteHead(saved);
    return result;
  }

  absl::Status CheckTerm(int64_t term) const {
    if (term == term_) return absl::OkStatus();
    return absl::AbortedError(absl::StrCat("另一枢纽已接管（任期 ", term, "，本枢纽 ", term_,
                                           "）/ another hub has taken the lead (term ", term,
                                           ", this hub's ", term_, ")"));
  }

  static DeadLetterRow Row(const pg::Result& r, int i) {
    return {r.Int(i, 0),   r.Bytes(i, 1), static_cast<uint64_t>(r.Int(i, 2)),
            r.Bytes(i, 3), r.Bytes(i, 4), static_cast<uint32_t>(r.Int(i, 5)),
            r.Bytes(i, 6), r.Int(i, 7),   r.Int(i, 8) != 0};
  }

  absl::Status PrepareWriter() {
    for (const auto& [name, sql] : WriterStatements()) RETURN_IF_ERROR(writer_.Prepare(name, sql));
    return LoadChain();
  }

  absl::Status LoadChain() {
    ASSIGN_OR_RETURN(pg::Result head,
                     writer_.Query("SELECT n, hash FROM hub.audit ORDER BY n DESC LIMIT 1"));
    if (head.rows() > 0)
      chain_.StartAfter(head.Int(0, 0), head.Bytes(0, 1));
    else
      chain_.StartAfter(0, "");
    return absl::OkStatus();
  }

  void WriteHead(const AuditChain& before) {
    if (chain_.last_n() == before.last_n() || head_path_.empty()) return;
    if (auto w = WriteAuditHead(head_path_, chain_.last_n(), chain_.last_hash()); !w.ok())
      LOG_WARN("audit head: {}", w.ToString());
  }

  // After a lost COMMIT: true when transaction xid_ committed, false when it
  // did not (or never got an id). Its old session may still run (a network
  // flap; a commit waiting for the synchronous standby): it is ended first,
  // so that the answer cannot change afterwards.
  absl::StatusOr<bool> ResolveInDoubt(int old_session) {
    RETURN_IF_ERROR(Reconnect());  // also reloads the chain from the database
    if (xid_ == 0) return false;
    for (int attempt = 0; attempt < 100; ++attempt) {
      ASSIGN_OR_RETURN(pg::Result r, writer_.Query("SELECT txid_status($1)", pg::Params::Of(xid_)));
      const std::string status = r.rows() > 0 ? r.Bytes(0, 0) : std::string();
      if (status == "committed") return true;
      if (status != "in progress") return false;  // aborted, or too old to know: not ours
      RETURN_IF_ERROR(
          writer_.Query("SELECT pg_terminate_backend($1)", pg::Params::Of(old_session)).status());
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return absl::DeadlineExceededError(
        absl::StrCat("transaction ", xid_, " still in progress after 10 s"));
  }

  absl::Status Reconnect() {
    writer_.Close();
    ASSIGN_OR_RETURN(writer_, pg::Conn::Open(conninfo_, "concord-hub writer"));
    return PrepareWriter();
  }

  absl::Status EnsureWriter() {
    if (writer_.ok()) return absl::OkStatus();
    LOG_WARN("postgresql: the writer's connection was lost; reconnecting");
    return Reconnect();
  }

  absl::Status EnsureReader() {
    if (reader_.ok()) return absl::OkStatus();
    LOG_WARN("postgresql: the loop's connection was lost; reconnecting");
    return OpenReader();
  }

  absl::Status OpenReader() {
    reader_.Close();
    ASSIGN_OR_RETURN(reader_, pg::Conn::Open(conninfo_, "concord-hub loop"));
    return reader_.Prepare(kReadMailbox,
                           "SELECT m.seq, m.envelope, m.expires_ms FROM hub.mailbox b "
                           "JOIN hub.messages m ON m.seq = b.seq "
                           "WHERE b.recipient = $1 AND b.seq > $2 ORDER BY b.seq LIMIT $3");
  }

  // The messages in as few INSERT statements (`statement`) as their size
  // allows: arrays in binary, unnest on the server; a statement stays far
  // under PostgreSQL's 1 GB message limit. Returns each one's place in the
  // pipeline's results; `next` is the place of the next statement sent.
  static absl::StatusOr<std::vector<size_t>> SendMessages(pg::Pipeline& p, const WriteBatch& b,
                                                          int64_t now, const char* statement,
                                                          size_t& next) {
    std::vector<size_t> at;
    for (size_t from = 0; from < b.messages.size();) {
      std::vector<int64_t> seq, created, expires;
      std::vector<std::string_view> id, sender, envelope;
      size_t bytes = 0;
      for (; from < b.messages.size() && (seq.empty() || bytes < kStatementBytes); ++from) {
        const NewMessage& m = b.messages[from];
        seq.push_back(static_cast<int64_t>(m.seq));
        created.push_back(m.created_ms);
        expires.push_back(m.expires_ms);
        id.push_back(m.id);
        sender.push_back(m.sender);
        envelope.push_back(m.envelope);
        bytes += m.envelope.size() + m.id.size() + m.sender.size() + 64;
      }
      at.push_back(next++);
      RETURN_IF_ERROR(p.Send(statement, pg::Params()
                                            .AddInt64Array(seq)
                                            .AddTextArray(id)
                                            .AddTextArray(sender)
                                            .AddInt64Array(created)
                                            .AddInt64Array(expires)
                                            .Add(now)
                                            .AddBytesArray(envelope)));
    }
    return at;
  }

  // Everything of a batch but its messages, mailbox rows and audit lines.
  static absl::Status SendBookkeeping(pg::Pipeline& p, const WriteBatch& b) {
    if (!b.cursors.empty()) {
      std::vector<int64_t> r, seq;
      for (auto& [rid, s] : b.cursors) r.push_back(rid), seq.push_back(static_cast<int64_t>(s));
      RETURN_IF_ERROR(p.Send(kUpdateCursors, pg::Params().AddInt64Array(r).AddInt64Array(seq)));
    }
    for (const DeadLetter& d : b.dead_letters)
      RETURN_IF_ERROR(p.Send(kInsertDeadLetter, pg::Params()
                                                    .Add(d.recipient)
                                                    .Add(d.seq)
                                                    .Add(d.id)
                                                    .Add(d.sender)
                                                    .Add(d.attempts)
                                                    .Add(d.reason)
                                                    .Add(d.at_ms)
                                                    .AddBytes(d.envelope)));
    for (auto& [topic, r] : b.subscribe)
      RETURN_IF_ERROR(p.Send(kInsertSub, pg::Params::Of(topic, r)));
    for (auto& [topic, r] : b.unsubscribe)
      RETURN_IF_ERROR(p.Send(kDeleteSub, pg::Params::Of(topic, r)));
    for (int64_t dl : b.replayed) RETURN_IF_ERROR(p.Send(kReplayed, pg::Params::Of(dl)));
    return absl::OkStatus();
  }

  // The stored messages' mailbox rows (`mailbox`: the statement) and the
  // audit lines, the chain moved on by them.
  absl::Status SendMailboxAndAudit(pg::Pipeline& p, const WriteBatch& b, int64_t now,
                                   const std::vector<bool>& duplicate, const char* mailbox) {
    AcceptLines lines;
    std::vector<int64_t> box_recipient, box_seq;
    for (size_t i = 0; i < b.messages.size(); ++i) {
      const NewMessage& m = b.messages[i];
      lines.Add(m, duplicate[i]);
      if (duplicate[i]) continue;
      for (RecipientId r : m.recipients) {
        box_recipient.push_back(r);
        box_seq.push_back(static_cast<int64_t>(m.seq));
      }
    }
    if (!box_seq.empty())
      RETURN_IF_ERROR(
          p.Send(mailbox, pg::Params().AddInt64Array(box_recipient).AddInt64Array(box_seq)));
    std::vector<int64_t> audit_n;
    std::vector<std::string> audit_text, audit_hash;
    auto append = [&](const AuditEvent& e) {
      AuditChain::Line l = chain_.Next(e);
      audit_n.push_back(l.n);
      audit_text.push_back(std::move(l.text));
      audit_hash.push_back(std::move(l.hash));
    };
    for (const AuditEvent& e : lines.Events(now)) append(e);
    for (const AuditEvent& e : b.audit) append(e);
    if (audit_n.empty()) return absl::OkStatus();
    return p.Send(kInsertAudit, pg::Params()
                                    .AddInt64Array(audit_n)
                                    .AddTextArray({audit_text.begin(), audit_text.end()})
                                    .AddTextArray({audit_hash.begin(), audit_hash.end()}));
  }

  // BEGIN, the transaction's id [1] (to look it up if in doubt) and the
  // lead's term (its place in `term_at`).
  absl::Status SendBegin(pg::Pipeline& p, size_t& next, size_t& term_at) {
    RETURN_IF_ERROR(p.SendSql("BEGIN"));
    RETURN_IF_ERROR(p.SendSql("SELECT txid_current()"));
    next = 2;
    term_at = 0;
    if (term_ == 0) return absl::OkStatus();
    term_at = next++;
    return p.SendSql(kLeadTerm);
  }

  absl::Status CheckBegun(const std::vector<pg::Result>& first, size_t term_at) {
    xid_ = first[1].rows() > 0 ? first[1].Int(0, 0) : 0;
    if (term_at == 0) return absl::OkStatus();
    return CheckTerm(first[term_at].rows() > 0 ? first[term_at].Int(0, 0) : 0);
  }

  // A batch whose messages are all new, the common case: the whole
  // transaction but COMMIT in one round trip, plain INSERTs (PostgreSQL's
  // ON CONFLICT costs about a third of the commit on the server). The
  // message ids' UNIQUE index still guards: a duplicate fails the
  // transaction with AlreadyExists, and the caller writes the batch again
  // by WriteCheckingDuplicates.
  absl::Status WriteAssumingNew(const WriteBatch& b, int64_t now, CommitResult& result,
                                bool& commit_sent) {
    pg::Pipeline p(writer_);
    size_t next = 0, term_at = 0;
    RETURN_IF_ERROR(SendBegin(p, next, term_at));
    RETURN_IF_ERROR(SendMessages(p, b, now, kInsertNewMessages, next).status());
    RETURN_IF_ERROR(p.Flush());  // the server inserts while the audit lines are made
    RETURN_IF_ERROR(SendBookkeeping(p, b));
    RETURN_IF_ERROR(SendMailboxAndAudit(p, b, now, result.duplicate, kInsertNewMailbox));
    ASSIGN_OR_RETURN(std::vector<pg::Result> first, p.Sync());
    RETURN_IF_ERROR(CheckBegun(first, term_at));
    RETURN_IF_ERROR(p.SendSql("COMMIT"));
    commit_sent = true;
    return p.Sync().status();
  }

  // Any batch: the first round trip inserts the messages with ON CONFLICT
  // DO NOTHING, RETURNING the ones stored (the others were duplicates); the
  // second writes the stored ones' mailbox rows, the audit lines and COMMIT.
  absl::Status WriteCheckingDuplicates(const WriteBatch& b, int64_t now, CommitResult& result,
                                       bool& commit_sent) {
    pg::Pipeline p(writer_);
    size_t next = 0, term_at = 0;
    RETURN_IF_ERROR(SendBegin(p, next, term_at));
    ASSIGN_OR_RETURN(std::vector<size_t> messages_at,
                     SendMessages(p, b, now, kInsertMessages, next));
    RETURN_IF_ERROR(SendBookkeeping(p, b));
    ASSIGN_OR_RETURN(std::vector<pg::Result> first, p.Sync());
    RETURN_IF_ERROR(CheckBegun(first, term_at));
    std::unordered_set<int64_t> stored;
    for (size_t at : messages_at)
      for (int i = 0; i < first[at].rows(); ++i) stored.insert(first[at].Int(i, 0));
    for (size_t i = 0; i < b.messages.size(); ++i)
      result.duplicate[i] = stored.count(static_cast<int64_t>(b.messages[i].seq)) == 0;
    RETURN_IF_ERROR(SendMailboxAndAudit(p, b, now, result.duplicate, kInsertMailbox));
    RETURN_IF_ERROR(p.SendSql("COMMIT"));
    commit_sent = true;
    return p.Sync().status();
  }

  const std::string conninfo_;
  const std::string head_path_;
  const int64_t term_;  // 0: no lead to check
  int64_t xid_ = 0;     // the transaction id of the commit being written
  // Commits still to be written by WriteCheckingDuplicates after a
  // duplicate was met (writer thread).
  int checking_left_ = 0;
  pg::Conn writer_;  // writer thread
  pg::Conn reader_;  // loop thread
  std::mutex ensure_mu_;
  AuditChain chain_;  // the head as committed (writer thread)
};

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo,
                                                         const std::string& audit_head_path,
                                                         int64_t lead_term) {
  auto store = std::make_unique<PostgresStore>(conninfo, audit_head_path, lead_term);
  RETURN_IF_ERROR(store->Open());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace concord::hub

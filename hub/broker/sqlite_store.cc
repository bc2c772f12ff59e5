// SqliteStore: the Store on one SQLite file in WAL mode (see store.h).
#include <cstdio>
#include <fstream>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/sqlite.h"
#include "common/status_macros.h"
#include "hub/audit/audit_state.h"
#include "hub/broker/store.h"
#include "hub/store/schema.h"

namespace concord::hub {

namespace {

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite::Db writer, sqlite::Db reader, std::string head_path)
      : writer_(std::move(writer)), reader_(std::move(reader)), head_path_(std::move(head_path)) {}

  absl::Status Prepare() {
    ASSIGN_OR_RETURN(
        insert_msg_,
        writer_.Prepare(
            "INSERT INTO messages(seq,id,sender,created_ms,expires_ms,stored_ms,envelope) "
            "VALUES(?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING"));
    ASSIGN_OR_RETURN(insert_mailbox_,
                     writer_.Prepare("INSERT OR IGNORE INTO mailbox(recipient,seq) VALUES(?,?)"));
    ASSIGN_OR_RETURN(
        update_cursor_,
        writer_.Prepare("UPDATE recipients SET acked_through=?2 WHERE id=?1 AND acked_through<?2"));
    ASSIGN_OR_RETURN(
        insert_dl_,
        writer_.Prepare(
            "INSERT INTO "
            "dead_letters(recipient,seq,message_id,sender,attempts,reason,at_ms,envelope)"
            " VALUES((SELECT name FROM recipients WHERE id=?),?,?,?,?,?,?,?)"));
    ASSIGN_OR_RETURN(
        insert_sub_,
        writer_.Prepare("INSERT OR IGNORE INTO subscriptions(topic,recipient) VALUES(?,?)"));
    ASSIGN_OR_RETURN(delete_sub_,
                     writer_.Prepare("DELETE FROM subscriptions WHERE topic=? AND recipient=?"));
    ASSIGN_OR_RETURN(replayed_, writer_.Prepare("UPDATE dead_letters SET replayed=1 WHERE id=?"));
    ASSIGN_OR_RETURN(insert_audit_,
                     writer_.Prepare("INSERT INTO audit(n,line,hash) VALUES(?,?,?)"));
    ASSIGN_OR_RETURN(
        read_mailbox_,
        reader_.Prepare(
            "SELECT m.seq, m.envelope, m.expires_ms FROM mailbox b JOIN messages m ON m.seq=b.seq "
            "WHERE b.recipient=? AND b.seq>? ORDER BY b.seq LIMIT ?"));
    RETURN_IF_ERROR(chain_.Load(writer_));
    return CheckAuditHead();
  }

  // The head file must not be ahead of the table: if it is, lines were removed
  // while the hub was down. Starting would overwrite that evidence, so the
  // file is kept aside and the next audit line says so.
  absl::Status CheckAuditHead() {
    std::ifstream in(head_path_);
    int64_t n = 0;
    std::string hash;
    if (!in || !(in >> n >> hash)) return absl::OkStatus();  // none yet (or from an old hub)
    in.close();
    if (n < chain_.last_n()) return absl::OkStatus();  // a crash before the head was written
    if (n == chain_.last_n() && hash == chain_.last_hash()) return absl::OkStatus();
    const std::string kept = absl::StrCat(head_path_, ".mismatch-", SystemClock::Get().NowMs());
    std::rename(head_path_.c_str(), kept.c_str());
    head_mismatch_ =
        absl::StrCat("链头文件记录 ", n, " 行，审计表只有 ", chain_.last_n(),
                     " 行或内容不符，已保留于 ", kept, " / head file records ", n,
                     " lines, the table has ", chain_.last_n(), " or differs; kept as ", kept);
    LOG_ERROR("audit chain: {}", head_mismatch_);
    return absl::OkStatus();
  }

  absl::StatusOr<RecoveredState> Recover() override {
    RecoveredState st;
    ASSIGN_OR_RETURN(int64_t max_msg,
                     reader_.QueryInt("SELECT coalesce(max(seq),0) FROM messages"));
    ASSIGN_OR_RETURN(int64_t max_box, reader_.QueryInt("SELECT coalesce(max(seq),0) FROM mailbox"));
    ASSIGN_OR_RETURN(int64_t max_cur,
                     reader_.QueryInt("SELECT coalesce(max(acked_through),0) FROM recipients"));
    ASSIGN_OR_RETURN(int64_t max_dl,
                     reader_.QueryInt("SELECT coalesce(max(seq),0) FROM dead_letters"));
    ASSIGN_OR_RETURN(int64_t floor, reader_.QueryInt("SELECT coalesce(max(seq),0) FROM seq_floor"));
    st.last_seq = static_cast<uint64_t>(std::max({max_msg, max_box, max_cur, max_dl, floor}));
    ASSIGN_OR_RETURN(auto rs, reader_.Prepare("SELECT id, name, acked_through FROM recipients"));
    ASSIGN_OR_RETURN(auto depth,
                     reader_.Prepare("SELECT count(*) FROM mailbox WHERE recipient=? AND seq>?"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, rs.Step());
      if (!row) break;
      RecipientState r;
      r.id = rs.Int(0);
      r.name = rs.Text(1);
      r.acked_through = static_cast<uint64_t>(rs.Int(2));
      depth.BindAll(r.id, static_cast<int64_t>(r.acked_through));
      ASSIGN_OR_RETURN(bool drow, depth.Step());
      r.depth = drow ? static_cast<uint64_t>(depth.Int(0)) : 0;
      depth.Reset();
      st.recipients.push_back(std::move(r));
    }
    ASSIGN_OR_RETURN(auto subs, reader_.Prepare("SELECT topic, recipient FROM subscriptions"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, subs.Step());
      if (!row) break;
      st.subscriptions.emplace(subs.Text(0), subs.Int(1));
    }
    return st;
  }

  absl::StatusOr<RecipientId> EnsureRecipient(const std::string& name) override {
    std::lock_guard<std::mutex> lock(ensure_mu_);
    ASSIGN_OR_RETURN(auto find, reader_.Prepare("SELECT id FROM recipients WHERE name=?"));
    find.Bind(1, name);
    ASSIGN_OR_RETURN(bool row, find.Step());
    if (row) return find.Int(0);
    // A rare write on the loop thread's connection (new principal).
    ASSIGN_OR_RETURN(auto ins,
                     reader_.Prepare("INSERT INTO recipients(name, acked_through) VALUES(?, "
                                     "(SELECT coalesce(max(seq),0) FROM messages))"));
    ins.Bind(1, name);
    RETURN_IF_ERROR(ins.Run());
    return reader_.LastInsertRowid();
  }

  absl::StatusOr<std::vector<StoredEntry>> ReadMailbox(RecipientId recipient, uint64_t after,
                                                       size_t limit) override {
    std::vector<StoredEntry> out;
    read_mailbox_.BindAll(recipient, static_cast<int64_t>(after), static_cast<int64_t>(limit));
    while (true) {
      auto row = read_mailbox_.Step();
      if (!row.ok()) {
        read_mailbox_.Reset();
        return row.status();
      }
      if (!*row) break;
      out.push_back({static_cast<uint64_t>(read_mailbox_.Int(0)), read_mailbox_.Blob(1),
                     read_mailbox_.Int(2)});
    }
    read_mailbox_.Reset();
    return out;
  }

  absl::StatusOr<std::vector<DeadLetterRow>> ListDeadLetters() override {
    ASSIGN_OR_RETURN(
        auto stmt,
        reader_.Prepare("SELECT id, recipient, seq, message_id, sender, attempts, reason, at_ms, "
                        "replayed FROM dead_letters ORDER BY id"));
    std::vector<DeadLetterRow> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out.push_back({stmt.Int(0), stmt.Text(1), static_cast<uint64_t>(stmt.Int(2)), stmt.Text(3),
                     stmt.Text(4), static_cast<uint32_t>(stmt.Int(5)), stmt.Text(6), stmt.Int(7),
                     stmt.Int(8) != 0});
    }
    return out;
  }

  absl::StatusOr<std::pair<DeadLetterRow, std::string>> LoadDeadLetter(int64_t id) override {
    ASSIGN_OR_RETURN(
        auto stmt,
        reader_.Prepare("SELECT id, recipient, seq, message_id, sender, attempts, reason, at_ms, "
                        "replayed, envelope FROM dead_letters WHERE id=?"));
    stmt.Bind(1, id);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return absl::NotFoundError(absl::StrCat("没有该死信 / no dead letter ", id));
    DeadLetterRow r{stmt.Int(0),  stmt.Text(1), static_cast<uint64_t>(stmt.Int(2)),
                    stmt.Text(3), stmt.Text(4), static_cast<uint32_t>(stmt.Int(5)),
                    stmt.Text(6), stmt.Int(7),  stmt.Int(8) != 0};
    return std::make_pair(std::move(r), stmt.Blob(9));
  }

  absl::StatusOr<CommitResult> Commit(const WriteBatch& b) override {
    CommitResult result;
    result.duplicate.resize(b.messages.size(), false);
    ASSIGN_OR_RETURN(auto txn, sqlite::Txn::Begin(writer_));
    const int64_t now = SystemClock::Get().NowMs();
    AuditChain saved = chain_;
    auto fail = [&](absl::Status st) {
      chain_ = saved;  // the transaction rolls back: so does the chain tail
      return st;
    };
    AcceptLines lines;
    for (size_t i = 0; i < b.messages.size(); ++i) {
      const NewMessage& m = b.messages[i];
      insert_msg_.BindAll(static_cast<int64_t>(m.seq), m.id, m.sender, m.created_ms, m.expires_ms,
                          now);
      insert_msg_.BindBlob(7, m.envelope);
      if (auto st = insert_msg_.Run(); !st.ok()) return fail(st);
      const bool dup = writer_.Changes() == 0;
      lines.Add(m, dup);
      if (dup) {
        result.duplicate[i] = true;
        continue;
      }
      for (RecipientId r : m.recipients) {
        insert_mailbox_.BindAll(r, static_cast<int64_t>(m.seq));
        if (auto st = insert_mailbox_.Run(); !st.ok()) return fail(st);
      }
    }
    for (const AuditEvent& e : lines.Events(now))
      if (auto st = chain_.Append(insert_audit_, e); !st.ok()) return fail(st);
    for (auto& [r, seq] : b.cursors) {
      update_cursor_.BindAll(r, static_cast<int64_t>(seq));
      if (auto st = update_cursor_.Run(); !st.ok()) return fail(st);
    }
    for (auto& d : b.dead_letters) {
      insert_dl_.BindAll(d.recipient, static_cast<int64_t>(d.seq), d.id, d.sender, d.attempts,
                         d.reason, d.at_ms);
      insert_dl_.BindBlob(8, d.envelope);
      if (auto st = insert_dl_.Run(); !st.ok()) return fail(st);
    }
    for (auto& [topic, r] : b.subscribe) {
      insert_sub_.BindAll(topic, r);
      if (auto st = insert_sub_.Run(); !st.ok()) return fail(st);
    }
    for (auto& [topic, r] : b.unsubscribe) {
      delete_sub_.BindAll(topic, r);
      if (auto st = delete_sub_.Run(); !st.ok()) return fail(st);
    }
    for (int64_t dl : b.replayed) {
      replayed_.Bind(1, dl);
      if (auto st = replayed_.Run(); !st.ok()) return fail(st);
    }
    if (!head_mismatch_.empty())
      if (auto st = chain_.Append(insert_audit_, {now, "audit_head_mismatch", "", head_mismatch_});
          !st.ok())
        return fail(st);
    for (auto& e : b.audit)
      if (auto st = chain_.Append(insert_audit_, e); !st.ok()) return fail(st);
    if (auto st = txn.Commit(); !st.ok()) return fail(st);
    head_mismatch_.clear();
    if (chain_.last_n() != saved.last_n())
      if (auto st = WriteAuditHead(head_path_, chain_.last_n(), chain_.last_hash()); !st.ok())
        LOG_WARN("audit head: {}", st.ToString());  // verify then reports an older head
    return result;
  }

  absl::Status Compact(int64_t dedup_before_ms) override {
    ASSIGN_OR_RETURN(auto txn, sqlite::Txn::Begin(writer_));
    {
      ASSIGN_OR_RETURN(auto rs, writer_.Prepare("SELECT id, acked_through FROM recipients"));
      ASSIGN_OR_RETURN(auto del,
                       writer_.Prepare("DELETE FROM mailbox WHERE recipient=? AND seq<=?"));
      std::vector<std::pair<int64_t, int64_t>> cursors;
      while (true) {
        ASSIGN_OR_RETURN(bool row, rs.Step());
        if (!row) break;
        cursors.emplace_back(rs.Int(0), rs.Int(1));
      }
      for (auto& [r, c] : cursors) {
        del.BindAll(r, c);
        RETURN_IF_ERROR(del.Run());
      }
    }
    // The oldest seq any mailbox still needs.
    ASSIGN_OR_RETURN(
        int64_t live,
        writer_.QueryInt(
            "SELECT coalesce(min(s), 9223372036854775807) FROM (SELECT (SELECT min(seq) FROM "
            "mailbox WHERE recipient=r.id) AS s FROM recipients r)"));
    ASSIGN_OR_RETURN(
        auto del,
        writer_.Prepare(
            "DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE seq < ? AND "
            "stored_ms < ? ORDER BY seq LIMIT 50000)"));
    del.BindAll(live, dedup_before_ms);
    RETURN_IF_ERROR(del.Run());
    return txn.Commit();
  }

 private:
  sqlite::Db writer_;
  sqlite::Db reader_;
  std::mutex ensure_mu_;
  sqlite::Stmt insert_msg_, insert_mailbox_, update_cursor_, insert_dl_, insert_sub_, delete_sub_,
      replayed_, insert_audit_, read_mailbox_;
  AuditChain chain_;
  std::string head_path_;
  std::string head_mismatch_;  // to be written as the next audit line
};

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                                       const std::string& synchronous) {
  sqlite::OpenOptions opts;
  opts.synchronous = synchronous;
  ASSIGN_OR_RETURN(auto writer, sqlite::Db::Open(path, opts));
  RETURN_IF_ERROR(writer.Migrate("hub", HubMigrations()));
  ASSIGN_OR_RETURN(auto reader, sqlite::Db::Open(path, opts));
  auto store =
      std::make_unique<SqliteStore>(std::move(writer), std::move(reader), AuditHeadPath(path));
  RETURN_IF_ERROR(store->Prepare());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace concord::hub

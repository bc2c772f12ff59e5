#include "adapters/mailbox.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "adapters/payload_json.h"
#include "common/log.h"
#include "common/sql.h"
#include "common/status_macros.h"
#include "concord/v1/hub.pb.h"

namespace concord::adapter {
namespace {

namespace pb = ::concord::v1;

// Numbered from 1; never edit one that has shipped, append a new one.
const std::vector<std::string>& AdapterMigrations() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
      CREATE TABLE sent_messages(
        id TEXT PRIMARY KEY,
        to_json TEXT NOT NULL,
        type TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        created_ms INTEGER NOT NULL);
      CREATE TABLE inbox_messages(
        n INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        sender TEXT NOT NULL,
        type TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        correlation_id TEXT NOT NULL,
        received_ms INTEGER NOT NULL,
        read_ms INTEGER);
      CREATE INDEX inbox_messages_unread ON inbox_messages(n) WHERE read_ms IS NULL;
      )sql",
      // 2: the consoles read the newest messages of one type (Latest()).
      R"sql(
      CREATE INDEX inbox_messages_type ON inbox_messages(type, n);
      )sql",
      // 3: /publish's Idempotency-Key, kept with the request's hash and the id sent.
      R"sql(
      CREATE TABLE publish_keys(
        key TEXT PRIMARY KEY,
        request_hash TEXT NOT NULL,
        message_id TEXT NOT NULL,
        created_ms INTEGER NOT NULL);
      )sql",
      // 4: a refused publish someone of the agency has seen in the console.
      R"sql(
      CREATE TABLE failed_seen(
        id TEXT PRIMARY KEY,
        seen_by TEXT NOT NULL,
        seen_ms INTEGER NOT NULL);
      )sql",
      // 5: a delivery refused for its signature (the client's
      // concord_refused) someone of the agency has seen in the console.
      R"sql(
      CREATE TABLE refused_seen(
        id TEXT PRIMARY KEY,
        seen_by TEXT NOT NULL,
        seen_ms INTEGER NOT NULL);
      )sql",
  };
  return kMigrations;
}

// Local database failures become Unavailable: the agency system retries.
absl::Status DbError(const absl::Status& st) {
  if (st.ok() || st.code() == absl::StatusCode::kInvalidArgument ||
      st.code() == absl::StatusCode::kResourceExhausted)
    return st;
  return absl::UnavailableError(
      absl::StrCat("本地数据库错误 / local database error: ", st.message()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Mailbox>> Mailbox::Create(client::Client& client,
                                                         const Clock& clock) {
  std::unique_ptr<Mailbox> m(new Mailbox(client, clock));
  RETURN_IF_ERROR(m->Migrate());
  ASSIGN_OR_RETURN(
      m->record_,
      client.db().Prepare(
          "INSERT OR IGNORE INTO inbox_messages(id, sender, type, payload_json, correlation_id, "
          "received_ms) VALUES(?,?,?,?,?,?)"));
  Mailbox* self = m.get();
  client.OnMessage(
      [self](const pb::Envelope& envelope, sql::Db& db) { return self->Record(envelope, db); });
  return m;
}

absl::Status Mailbox::Migrate() { return client_.db().Migrate("adapter", AdapterMigrations()); }

absl::Status Mailbox::Record(const pb::Envelope& envelope, sql::Db& db) {
  // Runs inside the client's delivery transaction; only a database failure
  // may fail it (the hub then re-sends), never the payload's content.
  // `db` is client_.db(), on which record_ was prepared.
  for (const auto& take : interceptors_)
    if (take(envelope)) return absl::OkStatus();
  record_.BindAll(envelope.id(), envelope.from(), PayloadTypeName(envelope.payload()),
                  RenderPayloadJson(envelope.payload()), envelope.correlation_id(), clock_.NowMs());
  RETURN_IF_ERROR(record_.Run());
  for (const auto& hook : hooks_) RETURN_IF_ERROR(hook(envelope, db));
  return absl::OkStatus();
}

absl::StatusOr<std::string> Mailbox::Send(const OutgoingMessage& message) {
  return SendRecorded(message, "", "");
}

absl::StatusOr<Mailbox::Sent> Mailbox::SendOnce(const OutgoingMessage& message,
                                                const std::string& key,
                                                const std::string& request_hash) {
  if (key.empty() || key.size() > 255)
    return absl::InvalidArgumentError(
        "Idempotency-Key 应为 1 到 255 字节 / Idempotency-Key must be 1 to 255 bytes");
  if (const int64_t now = clock_.NowMs(); now - keys_pruned_ms_ >= 3600 * 1000) {
    auto prune = client_.db().Prepare("DELETE FROM publish_keys WHERE created_ms < ?");
    if (!prune.ok()) return DbError(prune.status());
    prune->Bind(1, now - kKeepPublishKeysMs);
    if (auto st = prune->Run(); !st.ok()) return DbError(st);
    keys_pruned_ms_ = now;
  }
  auto find = client_.db().Prepare("SELECT request_hash, message_id FROM publish_keys WHERE key=?");
  if (!find.ok()) return DbError(find.status());
  find->BindAll(key);
  auto row = find->Step();
  if (!row.ok()) return DbError(row.status());
  if (*row) {
    if (find->Text(0) != request_hash)
      return absl::AlreadyExistsError(
          "这个 Idempotency-Key 已用于另一个请求 / this Idempotency-Key was used for a different "
          "request");
    return Sent{.id = find->Text(1), .repeated = true};
  }
  ASSIGN_OR_RETURN(std::string id, SendRecorded(message, key, request_hash));
  return Sent{.id = std::move(id), .repeated = false};
}

absl::StatusOr<std::string> Mailbox::SendRecorded(const OutgoingMessage& message,
                                                  const std::string& key,
                                                  const std::string& request_hash) {
  if (message.to.empty())
    return absl::InvalidArgumentError("收件人不能为空 / `to` must name at least one recipient");
  for (const auto& t : message.to)
    if (t.empty()) return absl::InvalidArgumentError("收件人不能为空串 / empty recipient in `to`");
  if (message.expires_in_s < 0)
    return absl::InvalidArgumentError("有效期不能为负 / `expires_in_s` must not be negative");
  ASSIGN_OR_RETURN(PackedPayload payload, PackJsonPayload(message.type, message.payload_json));

  pb::Envelope envelope;
  for (const auto& t : message.to) envelope.add_to(t);
  *envelope.mutable_payload() = std::move(payload.any);
  envelope.set_correlation_id(message.correlation_id);
  for (const auto& hook : send_hooks_) RETURN_IF_ERROR(hook(envelope, client_.db()));
  const int64_t now = clock_.NowMs();
  if (message.expires_in_s > 0) envelope.set_expires_at_ms(now + message.expires_in_s * 1000);
  client_.Stamp(envelope);  // the id is needed for our own row first

  sql::Db& db = client_.db();
  {
    auto txn = sql::Txn::Begin(db);
    if (!txn.ok()) return DbError(txn.status());
    auto insert = db.Prepare(
        "INSERT INTO sent_messages(id, to_json, type, payload_json, created_ms) "
        "VALUES(?,?,?,?,?)");
    if (!insert.ok()) return DbError(insert.status());
    insert->BindAll(envelope.id(), nlohmann::json(message.to).dump(), message.type, payload.json,
                    now);
    if (auto st = insert->Run(); !st.ok()) return DbError(st);
    if (!key.empty()) {
      auto remember = db.Prepare(
          "INSERT INTO publish_keys(key, request_hash, message_id, created_ms) VALUES(?,?,?,?)");
      if (!remember.ok()) return DbError(remember.status());
      remember->BindAll(key, request_hash, envelope.id(), now);
      if (auto st = remember->Run(); !st.ok()) return DbError(st);
    }
    // Staged last, so that nothing can fail between Stage() and Commit()
    // except the commit itself.
    auto staged = client_.Stage(envelope);
    if (!staged.ok()) return DbError(staged.status());
    if (auto st = txn->Commit(); !st.ok()) return DbError(st);
  }
  client_.Flush();
  return envelope.id();
}

namespace {

constexpr char kInboxColumns[] =
    "SELECT n, id, sender, type, payload_json, correlation_id, received_ms, read_ms "
    "FROM inbox_messages ";

// Appends the rows of `st` (kInboxColumns) to `items`.
absl::Status ReadInboxRows(sql::Stmt& st, std::vector<InboxItem>& items) {
  while (true) {
    auto row = st.Step();
    if (!row.ok()) return DbError(row.status());
    if (!*row) break;
    InboxItem item;
    item.n = st.Int(0);
    item.id = st.Text(1);
    item.from = st.Text(2);
    item.type = st.Text(3);
    item.payload_json = st.Text(4);
    item.correlation_id = st.Text(5);
    item.received_ms = st.Int(6);
    item.read = !st.IsNull(7);
    items.push_back(std::move(item));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<InboxItem>> Mailbox::Inbox(int64_t after, int limit, bool unread_only) {
  auto st = client_.db().Prepare(absl::StrCat(kInboxColumns, "WHERE n > ?",
                                              unread_only ? " AND read_ms IS NULL" : "",
                                              " ORDER BY n LIMIT ?"));
  if (!st.ok()) return DbError(st.status());
  st->BindAll(after, limit);
  std::vector<InboxItem> items;
  RETURN_IF_ERROR(ReadInboxRows(*st, items));
  return items;
}

absl::StatusOr<std::vector<InboxItem>> Mailbox::Latest(const std::vector<std::string>& types,
                                                       int limit, const std::string& containing) {
  auto st = client_.db().Prepare(absl::StrCat(
      kInboxColumns, "WHERE type = ?", containing.empty() ? "" : " AND instr(payload_json, ?)",
      " ORDER BY n DESC LIMIT ?"));
  if (!st.ok()) return DbError(st.status());
  std::vector<InboxItem> items;
  for (const std::string& type : types) {  // one index range each, newest first
    if (containing.empty())
      st->BindAll(type, int64_t{limit});
    else
      st->BindAll(type, containing, int64_t{limit});
    RETURN_IF_ERROR(ReadInboxRows(*st, items));
    st->Reset();
  }
  std::sort(items.begin(), items.end(),
            [](const InboxItem& a, const InboxItem& b) { return a.n > b.n; });
  if (items.size() > static_cast<size_t>(std::max(limit, 0))) items.resize(std::max(limit, 0));
  return items;
}

absl::StatusOr<int64_t> Mailbox::AckIds(const std::vector<std::string>& ids) {
  sql::Db& db = client_.db();
  auto txn = sql::Txn::Begin(db);
  if (!txn.ok()) return DbError(txn.status());
  auto st = db.Prepare("UPDATE inbox_messages SET read_ms=? WHERE id=? AND read_ms IS NULL");
  if (!st.ok()) return DbError(st.status());
  const int64_t now = clock_.NowMs();
  int64_t changed = 0;
  for (const auto& id : ids) {
    st->BindAll(now, id);
    if (auto r = st->Run(); !r.ok()) return DbError(r);
    changed += db.Changes();
  }
  if (auto r = txn->Commit(); !r.ok()) return DbError(r);
  return changed;
}

absl::StatusOr<int64_t> Mailbox::AckThrough(int64_t n) {
  sql::Db& db = client_.db();
  auto st = db.Prepare("UPDATE inbox_messages SET read_ms=? WHERE n<=? AND read_ms IS NULL");
  if (!st.ok()) return DbError(st.status());
  st->BindAll(clock_.NowMs(), n);
  if (auto r = st->Run(); !r.ok()) return DbError(r);
  return db.Changes();
}

absl::StatusOr<int64_t> Mailbox::UnreadCount() {
  auto n = client_.db().QueryInt("SELECT count(*) FROM inbox_messages WHERE read_ms IS NULL");
  if (!n.ok()) return DbError(n.status());
  return *n;
}

absl::StatusOr<int64_t> Mailbox::FailedCount() {
  auto n = client_.db().QueryInt("SELECT count(*) FROM concord_outbox_failed");
  if (!n.ok()) return DbError(n.status());
  return *n;
}

absl::StatusOr<int64_t> Mailbox::UnseenFailedCount() {
  auto n = client_.db().QueryInt(
      "SELECT count(*) FROM concord_outbox_failed f "
      "WHERE NOT EXISTS (SELECT 1 FROM failed_seen s WHERE s.id = f.id)");
  if (!n.ok()) return DbError(n.status());
  return *n;
}

absl::Status Mailbox::MarkFailedSeen(const std::string& id, const std::string& by) {
  return MarkSeen("concord_outbox_failed", "failed_seen", id, by,
                  "没有这条发送失败记录 / no refused publish with id ");
}

absl::Status Mailbox::MarkRefusedSeen(const std::string& id, const std::string& by) {
  return MarkSeen("concord_refused", "refused_seen", id, by,
                  "没有这条拒收记录 / no refused delivery with id ");
}

absl::Status Mailbox::MarkSeen(const char* table, const char* seen_table, const std::string& id,
                               const std::string& by, const char* not_found) {
  sql::Db& db = client_.db();
  auto st = db.Prepare(absl::StrCat("INSERT OR IGNORE INTO ", seen_table,
                                    "(id, seen_by, seen_ms) SELECT id, ?, ? FROM ", table,
                                    " WHERE id = ?"));
  if (!st.ok()) return DbError(st.status());
  st->BindAll(by, clock_.NowMs(), id);
  if (auto r = st->Run(); !r.ok()) return DbError(r);
  if (db.Changes() > 0) return absl::OkStatus();
  auto known = db.Prepare(absl::StrCat("SELECT 1 FROM ", table, " WHERE id = ?"));
  if (!known.ok()) return DbError(known.status());
  known->BindAll(id);
  auto row = known->Step();
  if (!row.ok()) return DbError(row.status());
  if (!*row) return absl::NotFoundError(absl::StrCat(not_found, id));
  return absl::OkStatus();  // seen before
}

absl::StatusOr<std::vector<FailedPublish>> Mailbox::FailedPublishes() {
  auto st = client_.db().Prepare(
      "SELECT f.id, f.code, f.reason, f.at_ms, coalesce(s.to_json, ''), coalesce(s.type, ''), "
      "f.frame, coalesce(seen.seen_ms, 0), coalesce(seen.seen_by, '') "
      "FROM concord_outbox_failed f LEFT JOIN sent_messages s ON s.id = f.id "
      "LEFT JOIN failed_seen seen ON seen.id = f.id "
      "ORDER BY f.at_ms, f.id");
  if (!st.ok()) return DbError(st.status());
  std::vector<FailedPublish> out;
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return DbError(row.status());
    if (!*row) break;
    FailedPublish f;
    f.id = st->Text(0);
    f.code = st->Text(1);
    f.reason = st->Text(2);
    f.at_ms = st->Int(3);
    f.to_json = st->Text(4);
    f.type = st->Text(5);
    // The refused frame (Frame{publish}, as the client staged it) names the
    // person and, for a message not sent through Send(), its type and
    // recipients. A frame that does not parse leaves them empty.
    if (pb::Frame frame; frame.ParseFromString(st->Blob(6)) && frame.has_publish()) {
      const pb::Envelope& env = frame.publish().envelope();
      f.actor = env.actor();
      if (f.type.empty()) f.type = PayloadTypeName(env.payload());
      if (f.to_json.empty())
        f.to_json =
            nlohmann::json(std::vector<std::string>(env.to().begin(), env.to().end())).dump();
    }
    f.seen_ms = st->Int(7);
    f.seen_by = st->Text(8);
    out.push_back(std::move(f));
  }
  return out;
}

absl::StatusOr<int64_t> Mailbox::RefusedCount() {
  auto n = client_.db().QueryInt("SELECT count(*) FROM concord_refused");
  if (!n.ok()) return DbError(n.status());
  return *n;
}

absl::StatusOr<int64_t> Mailbox::UnseenRefusedCount() {
  auto n = client_.db().QueryInt(
      "SELECT count(*) FROM concord_refused r "
      "WHERE NOT EXISTS (SELECT 1 FROM refused_seen s WHERE s.id = r.id)");
  if (!n.ok()) return DbError(n.status());
  return *n;
}

absl::StatusOr<std::vector<RefusedDelivery>> Mailbox::RefusedDeliveries(int limit) {
  auto st = client_.db().Prepare(
      "SELECT r.id, r.sender, r.type, r.reason, r.at_ms, coalesce(seen.seen_ms, 0), "
      "coalesce(seen.seen_by, '') FROM concord_refused r "
      "LEFT JOIN refused_seen seen ON seen.id = r.id "
      "ORDER BY r.at_ms DESC, r.id DESC LIMIT ?");
  if (!st.ok()) return DbError(st.status());
  st->Bind(1, static_cast<int64_t>(limit));
  std::vector<RefusedDelivery> out;
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return DbError(row.status());
    if (!*row) break;
    out.push_back({.id = st->Text(0),
                   .sender = st->Text(1),
                   .type = st->Text(2),
                   .reason = st->Text(3),
                   .at_ms = st->Int(4),
                   .seen_ms = st->Int(5),
                   .seen_by = st->Text(6)});
  }
  return out;
}

}  // namespace concord::adapter

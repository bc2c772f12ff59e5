// Mailbox: the adapter's own records beside the bus client's outbox and
// inbox, in the same SQLite file (client.db()).
//
//   * Send() records the message in `sent_messages` and stages its envelope
//     in the client's outbox in ONE transaction, then flushes: once Send()
//     returns OK the message will reach the hub, whether or not the hub is up
//     now (transactional outbox).
//   * Every delivery is written to `inbox_messages` by the client's message
//     handler, in the delivery's own transaction (exactly-once effect). The
//     agency system reads it with Inbox() and acknowledges with Ack*().
//
// The schema is documented in adapters/README.md; it is versioned as the
// "adapter" component in concord_schema (sql::Db::Migrate).
//
// Ownership: the Mailbox borrows the Client, which must outlive it; Create()
// installs the Client's message handler, so call it before Client::Start().
// Threading: like the Client, every method runs on the io_context thread.
// Errors: InvalidArgument for bad input (never retry as is); any other code
// means the local database failed (Unavailable: retry later).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/sql.h"
#include "concord/v1/envelope.pb.h"
#include "hub/client/client.h"

namespace concord::adapter {

inline constexpr char kDefaultPayloadType[] = "concord.v1.TextNote";

struct OutgoingMessage {
  std::vector<std::string> to;  // principals, "role:..", "topic:.."
  std::string type = kDefaultPayloadType;
  std::string payload_json = "{}";  // one JSON object of message type `type`
  std::string correlation_id;
  int64_t expires_in_s = 0;  // 0: never expires
};

struct InboxItem {
  int64_t n = 0;  // local, increasing: the agency system's read cursor
  std::string id, from, type;
  std::string payload_json;  // JSON object (see RenderPayloadJson)
  std::string correlation_id;
  int64_t received_ms = 0;
  bool read = false;
};

// A publish the hub refused for good (concord_outbox_failed), with what the
// adapter recorded when it was sent.
struct FailedPublish {
  std::string id, code, reason;
  int64_t at_ms = 0;
  // From sent_messages, else read from the refused envelope itself (a
  // message not sent through Send()); empty only when neither says.
  std::string to_json, type;
  concord::v1::Actor actor;  // the person who sent it (console), else empty
  // Once someone of the agency has seen it (MarkFailedSeen): when and who.
  int64_t seen_ms = 0;
  std::string seen_by;
};

// A delivery the client refused for its signature (concord_refused: it did
// not verify, was signed by another key than the one pinned for its sender,
// or came unsigned once a key was pinned; acknowledged, never applied).
struct RefusedDelivery {
  std::string id, sender;
  std::string type;    // the payload's type_url
  std::string reason;  // "中文 / English"
  int64_t at_ms = 0;
  // Once someone of the agency has seen it (MarkRefusedSeen): when and who.
  int64_t seen_ms = 0;
  std::string seen_by;
};

class Mailbox {
 public:
  // Creates or upgrades the adapter's tables and installs the handler.
  static absl::StatusOr<std::unique_ptr<Mailbox>> Create(client::Client& client,
                                                         const Clock& clock);

  // Validates, records and queues one message; returns its envelope id.
  // ResourceExhausted: the message is over the hub's frame limit (413).
  absl::StatusOr<std::string> Send(const OutgoingMessage& message);

  // Send() at most once per idempotency `key` (the REST API's
  // Idempotency-Key): the first call sends and keeps (key, request_hash, id)
  // in the same transaction, so it survives a restart; a later call with
  // the same key and hash sends nothing and returns that id, `repeated`.
  // The same key with another hash: AlreadyExists (a different request
  // under a used key: never retry as is). Keys are kept kKeepPublishKeysMs
  // (7 days: far longer than any caller retries), then forgotten (pruned at
  // most once an hour, by the calls themselves).
  struct Sent {
    std::string id;
    bool repeated = false;
  };
  absl::StatusOr<Sent> SendOnce(const OutgoingMessage& message, const std::string& key,
                                const std::string& request_hash);
  static constexpr int64_t kKeepPublishKeysMs = int64_t{7} * 24 * 3600 * 1000;

  // Messages with n > after, oldest first, at most `limit`.
  absl::StatusOr<std::vector<InboxItem>> Inbox(int64_t after, int limit, bool unread_only);
  // The newest messages of these types (full names, "concord.v1.DeadlineAlert"),
  // newest first, at most `limit` in all: what a console shows. With
  // `containing`, only those whose JSON payload holds that text: a cheap
  // pre-filter (a handler's name) before the caller parses and checks them.
  absl::StatusOr<std::vector<InboxItem>> Latest(const std::vector<std::string>& types, int limit,
                                                const std::string& containing = "");
  // Marks messages read; returns how many changed from unread to read.
  absl::StatusOr<int64_t> AckIds(const std::vector<std::string>& ids);
  absl::StatusOr<int64_t> AckThrough(int64_t n);

  // Runs `hook` on every delivery, inside its transaction, after it is
  // recorded (a connector's own tables, e.g. the aid connector's replies).
  // An error rolls the delivery back; the hub re-sends it.
  using DeliveryHook =
      std::function<absl::Status(const concord::v1::Envelope& envelope, sql::Db& db)>;
  void AddDeliveryHook(DeliveryHook hook) { hooks_.push_back(std::move(hook)); }

  // Runs `interceptor` on every delivery before it is recorded; when it
  // returns true the delivery is taken by it (a reply to a read the console
  // is waiting for: adapters/bus_requests.h) and neither recorded in the
  // inbox nor given to the delivery hooks. It runs inside the delivery's
  // transaction: anything it does outside the database must wait for the
  // commit (post it to the io_context).
  using Interceptor = std::function<bool(const concord::v1::Envelope& envelope)>;
  void AddInterceptor(Interceptor interceptor) { interceptors_.push_back(std::move(interceptor)); }

  // Runs `hook` on every message Send() is given, before it is recorded: a
  // connector completes what only it can (e.g. the aid connector adds the
  // keyed case tokens to an aid task's update). An error refuses the send
  // (InvalidArgument: the caller's message is wrong, with the reason).
  using SendHook = std::function<absl::Status(concord::v1::Envelope& envelope, sql::Db& db)>;
  void AddSendHook(SendHook hook) { send_hooks_.push_back(std::move(hook)); }

  absl::StatusOr<int64_t> UnreadCount();
  // Every refused publish, oldest first.
  absl::StatusOr<std::vector<FailedPublish>> FailedPublishes();
  absl::StatusOr<int64_t> FailedCount();
  // Those nobody has marked seen yet: what the console warns of.
  absl::StatusOr<int64_t> UnseenFailedCount();
  // Records that `by` (the person, as the console names them: "登记员 王某")
  // has seen refused publish `id` (failed_seen); the first one to see it
  // stays. NotFound: no such refusal.
  absl::Status MarkFailedSeen(const std::string& id, const std::string& by);

  // The deliveries refused for their signature, newest first, at most `limit`.
  absl::StatusOr<std::vector<RefusedDelivery>> RefusedDeliveries(int limit);
  absl::StatusOr<int64_t> RefusedCount();
  // Those nobody has marked seen yet: what the console warns of.
  absl::StatusOr<int64_t> UnseenRefusedCount();
  // As MarkFailedSeen, for refused delivery `id` (refused_seen). NotFound:
  // no such refused delivery.
  absl::Status MarkRefusedSeen(const std::string& id, const std::string& by);

 private:
  Mailbox(client::Client& client, const Clock& clock) : client_(client), clock_(clock) {}
  absl::Status Migrate();
  // Send(), remembering `key` (when not empty) inside its transaction.
  absl::StatusOr<std::string> SendRecorded(const OutgoingMessage& message, const std::string& key,
                                           const std::string& request_hash);
  absl::Status Record(const concord::v1::Envelope& envelope, sql::Db& db);
  // Records `by` in `seen_table` for row `id` of `table`, once.
  absl::Status MarkSeen(const char* table, const char* seen_table, const std::string& id,
                        const std::string& by, const char* not_found);

  client::Client& client_;
  const Clock& clock_;
  int64_t keys_pruned_ms_ = 0;  // when SendOnce last forgot old idempotency keys
  sql::Stmt record_;            // INSERT into inbox_messages
  std::vector<Interceptor> interceptors_;
  std::vector<DeliveryHook> hooks_;
  std::vector<SendHook> send_hooks_;
};

}  // namespace concord::adapter

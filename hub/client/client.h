// Client: the bus client library every adapter, agent and tool links.
//
// A Client owns one ZeroMQ DEALER socket (CurveZMQ) to the hub and one database
// (a SQLite file, or a schema on PostgreSQL: common/sql.h). That file holds the client's outbox and
// inbox and is meant to hold the caller's own tables too, so that "change my data and send a
// message" and "apply a message and remember I applied it" are each one transaction:
//
//   * Outbox (transactional outbox): Stage() writes an envelope into the
//     outbox inside the caller's open transaction on db(); after the commit,
//     Flush() sends it. Staged envelopes are re-sent until the hub
//     acknowledges them, across disconnects and restarts of either side.
//   * Inbox (exactly-once effect): each delivery runs the message handler
//     inside a transaction (a savepoint per message) that also records the
//     envelope id; a delivery whose id is already there is acknowledged
//     without running the handler again. The hub is acknowledged only after
//     the commit.
//
// Threading: a Client lives on one boost::asio::io_context thread (STYLE.md
// habit 7). Every method must be called on that thread; other threads use
// boost::asio::post(io, ...). Callbacks run on that thread.
//
// Errors: Create() fails on a bad key or an unusable database file. Publish
// callbacks get OK once the hub has the envelope on disk, or the Nack's code
// when the hub refused it for good (InvalidArgument, PermissionDenied,
// FailedPrecondition). ResourceExhausted and Unavailable are retried by the
// client itself with backoff; the callback is not called for them.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/sql.h"
#include "concord/v1/envelope.pb.h"
#include "hub/transport/curve_keys.h"

namespace concord::client {

struct ClientOptions {
  std::string name = "concord-client";  // reported in Hello, used in logs
  std::string hub_endpoint;             // e.g. "tcp://127.0.0.1:7100"
  // Further hubs sharing the first one's store (active and standby on
  // PostgreSQL, docs/operations.md "Two machines"), with the same CurveZMQ
  // key. The client talks to one at a time: it goes where a standby says
  // the active hub is, and to the next one when the one it talks to falls
  // silent (3 heartbeats) or never answers.
  std::vector<std::string> standby_endpoints{};
  std::string hub_public_key;  // Z85
  CurveKeyPair keys;           // this client's key pair
  std::string db_path;         // SQLite file (created if missing)
  // Or, when its conninfo is set, a schema on a PostgreSQL cluster shared by
  // an active and a standby process (agents; docs/operations.md §10).
  sql::PostgresqlTarget postgresql{};
  uint32_t credit = 1024;      // deliveries the hub may have outstanding
  int heartbeat_ms = 1000;     // hub silent for 3x: reconnect
  int resend_after_ms = 5000;  // unacknowledged publishes are re-sent
  uint32_t max_unacked_publishes = 2000;
  bool send_resume_point = true;    // Hello carries the inbox's highest seq
  std::vector<std::string> topics;  // durable subscriptions
  const Clock* clock = &SystemClock::Get();
  // Envelopes signed with the key derived from `keys` (envelope_sign.h), and
  // deliveries verified: the first key seen from a sender is pinned; a
  // delivery that does not verify, is signed with another key, or is unsigned
  // once a key is pinned for its sender is refused (recorded in
  // concord_refused, acknowledged, its handler not run). Unsigned deliveries
  // are taken from "hub" itself, and from a sender no key is pinned for yet
  // (a daemon from before signatures; messages queued before an upgrade).
  // Off only in benchmarks that measure what signing costs.
  bool sign_envelopes = true;
  bool verify_signatures = true;
  // Payloads sealed to their recipients (hub/transport/payload_seal.h) when
  // the hub sends a directory and every recipient has a key there: sealed
  // and signed when each publish is sent (again if the directory changed);
  // the outbox keeps what the caller staged. Deliveries sealed to this
  // principal are opened before the handler sees them (one that does not
  // open is refused like a bad signature). Off only in benchmarks.
  bool seal_payloads = true;
  // This principal's earlier CurveZMQ secret keys (Z85), newest first, kept
  // after `concordctl agency rotate`: what was sealed to them before the
  // rotation and still waits at the hub opens with them.
  std::vector<std::string> previous_secrets_z85{};
};

using PublishCallback = std::function<void(const absl::Status&)>;
// Applies one delivery inside the open transaction on `db`. Return OK to
// commit it (and acknowledge it); any error rolls this message back and the
// hub re-sends it later. A handler may Stage() replies: they are sent once
// the transaction commits, and vanish with it if it rolls back.
using MessageHandler =
    std::function<absl::Status(const concord::v1::Envelope& envelope, sql::Db& db)>;

struct ClientStats {
  bool connected = false;
  std::string principal;    // as the hub named us in Welcome
  uint64_t published = 0;   // acknowledged by the hub
  uint64_t unacked = 0;     // waiting for an Ack (memory and outbox)
  uint64_t outbox = 0;      // durable entries not yet acknowledged
  uint64_t received = 0;    // deliveries applied
  uint64_t duplicates = 0;  // deliveries already in the inbox
  uint64_t handler_errors = 0;
  uint64_t nacks_retryable = 0;  // RESOURCE_EXHAUSTED / UNAVAILABLE
  uint64_t nacks_final = 0;
  uint64_t reconnects = 0;
  uint64_t redials = 0;       // connections dropped and dialled again while no Welcome came
  uint64_t refused = 0;       // deliveries refused for their signature or seal
  uint64_t sealed = 0;        // publishes sent sealed (counted at each sealing)
  uint64_t opened = 0;        // sealed deliveries opened
  uint64_t hub_switches = 0;  // moved to another of the hub endpoints
  std::string endpoint;       // the hub endpoint it talks to now
};

class Client {
 public:
  static absl::StatusOr<std::unique_ptr<Client>> Create(boost::asio::io_context& io,
                                                        ClientOptions options);
  // With a database already open (an agent holding its lead on it).
  static absl::StatusOr<std::unique_ptr<Client>> Create(boost::asio::io_context& io,
                                                        ClientOptions options, sql::Db db);
  virtual ~Client() = default;

  // Connects and says Hello; deliveries start after the hub's Welcome.
  virtual void Start() = 0;
  // Stops sending and receiving; the socket closes with the Client.
  virtual void Stop() = 0;

  // Fills id (UUIDv7), created_at_ms and trace_id when empty.
  virtual void Stamp(concord::v1::Envelope& envelope) const = 0;

  // Publishes from memory: re-sent until acknowledged while this process
  // lives. Returns the envelope id.
  virtual std::string Publish(concord::v1::Envelope envelope, PublishCallback done = {}) = 0;

  // Writes `envelope` into the outbox; must be called inside an open
  // transaction on db(). Call Flush() after committing.
  virtual absl::StatusOr<std::string> Stage(concord::v1::Envelope envelope,
                                            PublishCallback done = {}) = 0;
  // Sends staged envelopes that are not on the wire yet.
  virtual void Flush() = 0;
  // Stage() in a transaction of its own, then Flush().
  virtual absl::StatusOr<std::string> PublishDurable(concord::v1::Envelope envelope,
                                                     PublishCallback done = {}) = 0;

  virtual void OnMessage(MessageHandler handler) = 0;
  virtual void Subscribe(const std::string& topic) = 0;

  // The client's database connection (SQLite or PostgreSQL), for the
  // caller's own tables.
  virtual sql::Db& db() = 0;
  virtual ClientStats stats() const = 0;
};

// The client's tables (outbox, inbox, pinned keys, refused deliveries):
// component "client" of the database's migrations, on SQLite and on
// PostgreSQL (concordctl store copy reads them too).
const std::vector<std::string>& ClientMigrations();
const std::vector<std::string>& ClientPostgresqlMigrations();

// Helper: an Envelope addressed to `to` carrying `payload`.
concord::v1::Envelope MakeEnvelope(std::vector<std::string> to,
                                   const google::protobuf::Message& payload);
// Helper: the answer to `request`: to its sender, correlated with its id.
concord::v1::Envelope MakeReply(const concord::v1::Envelope& request,
                                const google::protobuf::Message& payload);

}  // namespace concord::client

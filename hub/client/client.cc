#include "hub/client/client.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <zmq.hpp>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/uuid.h"
#include "concord/v1/hub.pb.h"
#include "hub/client/acting_as.h"
#include "hub/transport/envelope_sign.h"
#include "hub/transport/frame_batch.h"
#include "hub/transport/payload_seal.h"
#include "hub/transport/zmq_watcher.h"

namespace concord::client {
const std::vector<std::string>& ClientMigrations() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
      CREATE TABLE concord_outbox(
        n INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        frame BLOB NOT NULL,
        created_ms INTEGER NOT NULL);
      CREATE TABLE concord_outbox_failed(
        id TEXT PRIMARY KEY,
        frame BLOB NOT NULL,
        code TEXT NOT NULL,
        reason TEXT NOT NULL,
        at_ms INTEGER NOT NULL);
      CREATE TABLE concord_inbox(
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        sender TEXT NOT NULL,
        at_ms INTEGER NOT NULL);
      CREATE INDEX concord_inbox_seq ON concord_inbox(seq);
      )sql",
      // Signed envelopes (issue 16): the key first seen from each sender, and
      // the deliveries refused for their signature (kept whole).
      R"sql(
      CREATE TABLE concord_peer_keys(
        principal TEXT PRIMARY KEY,
        sign_key BLOB NOT NULL,
        first_id TEXT NOT NULL,
        at_ms INTEGER NOT NULL);
      CREATE TABLE concord_refused(
        id TEXT PRIMARY KEY,
        sender TEXT NOT NULL,
        type TEXT NOT NULL,
        reason TEXT NOT NULL,
        envelope BLOB NOT NULL,
        at_ms INTEGER NOT NULL);
      )sql",
  };
  return kMigrations;
}

// The same tables on PostgreSQL (one step: there is no older PostgreSQL
// schema to upgrade).
const std::vector<std::string>& ClientPostgresqlMigrations() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
      CREATE TABLE concord_outbox(
        n BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        frame BYTEA NOT NULL,
        created_ms BIGINT NOT NULL);
      CREATE TABLE concord_outbox_failed(
        id TEXT PRIMARY KEY,
        frame BYTEA NOT NULL,
        code TEXT NOT NULL,
        reason TEXT NOT NULL,
        at_ms BIGINT NOT NULL);
      CREATE TABLE concord_inbox(
        id TEXT PRIMARY KEY,
        seq BIGINT NOT NULL,
        sender TEXT NOT NULL,
        at_ms BIGINT NOT NULL);
      CREATE INDEX concord_inbox_seq ON concord_inbox(seq);
      CREATE TABLE concord_peer_keys(
        principal TEXT PRIMARY KEY,
        sign_key BYTEA NOT NULL,
        first_id TEXT NOT NULL,
        at_ms BIGINT NOT NULL);
      CREATE TABLE concord_refused(
        id TEXT PRIMARY KEY,
        sender TEXT NOT NULL,
        type TEXT NOT NULL,
        reason TEXT NOT NULL,
        envelope BYTEA NOT NULL,
        at_ms BIGINT NOT NULL);
      )sql",
  };
  return kMigrations;
}

namespace {

namespace pb = ::concord::v1;

// Deliveries applied in one transaction before the loop gets a turn.
constexpr size_t kMaxDeliversPerTurn = 64;
constexpr int64_t kFirstRedialUs = 1'000'000, kLastRedialUs = 16'000'000;
// How long a standby naming the hub this client left for its silence is
// not followed back there.
constexpr int64_t kStaleActiveUs = 10'000'000;
// A publish held for a recipient's changed key is checked again this often.
constexpr int64_t kKeyRecheckUs = 2'000'000;

// One publish waiting for the hub's Ack.
struct Pending {
  std::string id;
  std::string frame;            // serialized Frame{publish}, as staged (not signed or sealed)
  std::string wire;             // the frame as sent: sealed and signed (empty: not made yet)
  uint64_t wire_directory = 0;  // the directory version `wire` was sealed with
  bool durable = false;
  bool on_wire = false;
  int64_t sent_at_us = 0;
  int64_t not_before_us = 0;  // backoff after a retryable Nack
  // Held at this client (others pass it): a recipient's key in the hub's
  // directory is not the one pinned for it. Checked again at this time.
  int64_t held_until_us = 0;
  bool held_logged = false;
  uint32_t retries = 0;
  PublishCallback done;
};

class ClientImpl final : public Client {
 public:
  ClientImpl(boost::asio::io_context& io, ClientOptions o, sql::Db db)
      : io_(io), opts_(std::move(o)), db_(std::move(db)), timer_(io) {}
  ~ClientImpl() override { Stop(); }

  absl::Status Init();

  void Start() override {
    stopped_ = false;
    watcher_->Start();
    if (monitor_watcher_) monitor_watcher_->Start();
    SendHello();
    Tick();
  }

  void Stop() override {
    if (stopped_) return;
    stopped_ = true;
    timer_.cancel();
    if (watcher_) watcher_->Stop();
    if (monitor_watcher_) monitor_watcher_->Stop();
  }

  void Stamp(pb::Envelope& env) const override {
    if (env.id().empty()) env.set_id(NewUuidV7());
    if (env.created_at_ms() == 0) env.set_created_at_ms(opts_.clock->NowMs());
    if (env.trace_id().empty()) env.set_trace_id(NewTraceId());
    if (!env.has_actor())
      if (const pb::Actor* actor = ActingAs::Current()) *env.mutable_actor() = *actor;
  }

  std::string Publish(pb::Envelope env, PublishCallback done) override {
    Stamp(env);
    std::string id = env.id();
    std::string frame = EncodePublish(env);
    if (absl::Status fits = Fits(frame); !fits.ok()) {
      LOG_WARN("{}: {} not sent: {}", opts_.name, id, std::string(fits.message()));
      if (done) boost::asio::post(io_, [done = std::move(done), fits] { done(fits); });
      return id;
    }
    Enqueue(id, std::move(frame), /*durable=*/false, std::move(done));
    ScheduleSend();
    return id;
  }

  absl::StatusOr<std::string> Stage(pb::Envelope env, PublishCallback done) override {
    Stamp(env);
    std::string frame = EncodePublish(env);
    RETURN_IF_ERROR(Fits(frame));
    stage_stmt_.BindAll(env.id());
    stage_stmt_.BindBlob(2, frame);
    stage_stmt_.Bind(3, opts_.clock->NowMs());
    RETURN_IF_ERROR(stage_stmt_.Run());
    staged_.push_back({env.id(), std::move(frame), std::move(done)});
    return env.id();
  }

  void Flush() override {
    // Staged entries become pending only now, and only if their transaction
    // committed (a rolled-back Stage() left no outbox row).
    for (auto& s : staged_) {
      outbox_has_.Bind(1, s.id);
      auto row = outbox_has_.Step();
      outbox_has_.Reset();
      if (row.ok() && *row) Enqueue(s.id, std::move(s.frame), true, std::move(s.done));
    }
    staged_.clear();
    ScheduleSend();
  }

  absl::StatusOr<std::string> PublishDurable(pb::Envelope env, PublishCallback done) override {
    std::string id;
    {
      ASSIGN_OR_RETURN(auto txn, sql::Txn::Begin(db_));
      ASSIGN_OR_RETURN(id, Stage(std::move(env), std::move(done)));
      if (auto st = txn.Commit(); !st.ok()) {
        std::erase_if(staged_, [&](const Staged& s) { return s.id == id; });
        return st;
      }
    }
    Flush();
    return id;
  }

  void OnMessage(MessageHandler h) override { handler_ = std::move(h); }

  void Subscribe(const std::string& topic) override {
    opts_.topics.push_back(topic);
    if (!connected_) return;  // sent with the next Hello
    pb::Frame f;
    f.mutable_subscribe()->add_topics(topic);
    Send(f.SerializeAsString());
  }

  sql::Db& db() override { return db_; }

  ClientStats stats() const override {
    ClientStats s = stats_;
    s.connected = connected_;
    s.principal = principal_;
    s.endpoint = endpoint();
    s.unacked = pending_.size();
    uint64_t durable = 0;
    for (auto& [n, p] : pending_) durable += p.durable;
    s.outbox = durable;
    return s;
  }

 private:
  struct Staged {
    std::string id, frame;
    PublishCallback done;
  };

  // ResourceExhausted when `frame` is over the hub's frame limit (from
  // Welcome; 1 MiB before one): the hub could never take it, so it is
  // refused here rather than re-sent for ever.
  absl::Status Fits(const std::string& frame) const {
    if (frame.size() <= max_frame_bytes_) return absl::OkStatus();
    return absl::ResourceExhaustedError(absl::StrCat("消息过大 / message too large: ", frame.size(),
                                                     " bytes, over the hub's frame limit of ",
                                                     max_frame_bytes_, " bytes"));
  }

  static std::string EncodePublish(const pb::Envelope& env) {
    pb::Frame f;
    *f.mutable_publish()->mutable_envelope() = env;
    return f.SerializeAsString();
  }

  void Enqueue(const std::string& id, std::string frame, bool durable, PublishCallback done) {
    if (by_id_.count(id)) return;  // already pending
    const uint64_t n = next_order_++;
    Pending p;
    p.id = id;
    p.frame = std::move(frame);
    p.durable = durable;
    p.done = std::move(done);
    pending_.emplace(n, std::move(p));
    by_id_[id] = n;
  }

  bool Send(const std::string& bytes) { return Send(zmq::message_t(bytes.data(), bytes.size())); }
  bool Send(zmq::message_t&& msg) {
    try {
      auto r = socket_.send(std::move(msg), zmq::send_flags::dontwait);
      if (r) last_send_us_ = opts_.clock->MonotonicUs();
      return r.has_value();
    } catch (const zmq::error_t& e) {
      LOG_WARN("{}: send failed: {}", opts_.name, e.what());
      return false;
    }
  }

  // Sends pending publishes in order, keeping at most max_unacked on the wire,
  // packed into batches (FrameBatch). One waiting out a retryable Nack holds
  // back those behind it: the hub refuses them until it is re-sent, and order
  // is kept.
  void SendWindow() {
    if (!connected_) return;
    const int64_t now = opts_.clock->MonotonicUs();
    std::vector<Pending*> batched;
    uint64_t batched_through = 0;
    auto flush = [&] {
      if (batch_.empty()) return true;
      if (!Send(batch_.Take())) {
        batched.clear();
        return false;
      }
      for (Pending* p : batched) {
        p->on_wire = true;
        p->sent_at_us = now;
        ++on_wire_;
      }
      batched.clear();
      send_from_ = std::max(send_from_, batched_through + 1);
      return true;
    };
    // Every entry below send_from_ is on the wire: start there, not at the
    // oldest pending entry (that scan made each Publish() O(window)).
    std::vector<std::pair<uint64_t, absl::Status>> unsendable;
    // A held entry is passed, not sent: the next scans start no later than it.
    uint64_t first_held = UINT64_MAX;
    for (auto it = pending_.lower_bound(send_from_); it != pending_.end(); ++it) {
      auto& [n, p] = *it;
      if (on_wire_ + batched.size() >= opts_.max_unacked_publishes) break;
      if (p.on_wire) {
        if (batched.empty()) send_from_ = n + 1;
        continue;
      }
      if (p.not_before_us > now) break;
      if (p.held_until_us > now) {
        first_held = std::min(first_held, n);
        continue;
      }
      if (absl::Status ready = PrepareWire(p);
          absl::IsResourceExhausted(ready) || absl::IsInvalidArgument(ready)) {
        // Over the hub's limit (staged before a Welcome with a smaller one,
        // or grown by its seal), or an entry that does not parse: never.
        unsendable.emplace_back(n, std::move(ready));
        continue;
      } else if (!ready.ok()) {
        // A recipient's key in the directory is not the one pinned for it
        // (FailedPrecondition), or the pinned keys could not be read: held
        // here, checked again, until `concordctl keys trust` pins the new
        // key (the rest goes on).
        p.held_until_us = now + kKeyRecheckUs;
        first_held = std::min(first_held, n);
        if (!p.held_logged)
          LOG_ERROR("{}: {} held: {}", opts_.name, p.id, std::string(ready.message()));
        p.held_logged = true;
        continue;
      }
      if (batch_.WouldOverflow(p.wire.size()) && !flush()) break;
      batch_.Add(p.wire);
      batched.push_back(&p);
      batched_through = n;
    }
    flush();
    send_from_ = std::min(send_from_, first_held);
    for (auto& [n, why] : unsendable) {
      auto p = pending_.find(n);
      if (p != pending_.end()) Fail(p, why);
    }
    KickIfInput();
  }

  // Publishes made in one turn of the event loop go out as one batch: the
  // send runs once the caller's handler returns.
  void ScheduleSend() {
    if (send_scheduled_) return;
    send_scheduled_ = true;
    boost::asio::post(io_, [this, alive = std::weak_ptr<int>(alive_)] {
      if (alive.expired()) return;
      send_scheduled_ = false;
      SendWindow();
    });
  }

  void SendHello() {
    pb::Frame f;
    auto* h = f.mutable_hello();
    h->set_client(opts_.name);
    h->set_credit(opts_.credit);
    if (opts_.send_resume_point) h->set_resume_after_seq(resume_after_);
    for (auto& t : opts_.topics) h->add_topics(t);
    Send(f.SerializeAsString());
    last_hello_us_ = opts_.clock->MonotonicUs();
    KickIfInput();
  }

  void KickIfInput() {
    if (watcher_ && watcher_->HasInput()) watcher_->Kick();
  }

  void OnReadable();
  void OnFrame(pb::Frame& f, std::vector<pb::Deliver>& delivers);
  void OnDelivers(std::vector<pb::Deliver>& delivers);
  void OnAck(const pb::Ack& ack);
  void OnNack(const pb::Nack& nack);
  void OnStandby(const pb::Nack& nack);
  void OnMonitorReadable();
  // Leaves the current hub endpoint for the next (several endpoints only).
  void LeaveForNext(const std::string& why);
  void SwitchTo(size_t index, const std::string& why);
  const std::string& endpoint() const { return endpoints_[current_]; }
  // Ends pending entry `p` as refused for good: a durable one moves to
  // concord_outbox_failed (code and reason), the callback gets `why`.
  void Fail(std::map<uint64_t, Pending>::iterator p, const absl::Status& why);
  void OnWelcome(const pb::Welcome& w);
  void DisconnectedNow(const std::string& why);
  void RedialIfRefused(int64_t now_us);
  void Tick();
  void DeleteAcked();

  boost::asio::io_context& io_;
  ClientOptions opts_;
  sql::Db db_;
  zmq::context_t ctx_{1};
  zmq::socket_t socket_;
  std::unique_ptr<ZmqWatcher> watcher_;
  // With several hub endpoints: libzmq's DISCONNECTED events on socket_, so
  // that a hub whose process died (its connection closed) is left at once,
  // not after 3 silent heartbeats.
  zmq::socket_t monitor_;
  std::unique_ptr<ZmqWatcher> monitor_watcher_;
  boost::asio::steady_timer timer_;
  MessageHandler handler_;

  // Why `env` may not be applied (empty: it may): its signature, or its key
  // against the one pinned for its sender (pinned here at first sight).
  std::string SignatureRefusal(const pb::Envelope& env);
  // Makes p.wire from p.frame: sealed to its recipients (when the directory
  // allows) and signed, unless already made with the current directory.
  absl::Status PrepareWire(Pending& p);
  // Whom `env` is sealed to, expanded from the directory as the hub expands
  // it; nullopt: some recipient has no key (sent clear). FailedPrecondition:
  // a recipient's key in the directory is not the one pinned for it.
  absl::StatusOr<std::optional<std::vector<SealRecipient>>> SealRecipients(const pb::Envelope& env);
  void TakeDirectory(const pb::Directory& d);

  sql::Stmt stage_stmt_, outbox_has_, delete_outbox_, inbox_put_, fail_put_;
  sql::Stmt pinned_key_, pin_key_, refused_put_;
  std::optional<EnvelopeSigner> signer_;
  std::optional<PayloadSealer> sealer_;
  std::vector<PayloadSealer> previous_sealers_;  // keys from before a rotation
  pb::Directory directory_;
  bool have_directory_ = false;  // false: an older hub; payloads go clear
  std::unordered_map<std::string, const pb::DirectoryPrincipal*> directory_principals_;
  std::unordered_map<std::string, const pb::DirectoryTopic*> directory_topics_;
  sql::Stmt savepoint_, release_, rollback_to_;
  std::map<uint64_t, Pending> pending_;  // in publish order
  std::unordered_map<std::string, uint64_t> by_id_;
  std::vector<Staged> staged_;
  std::vector<std::string> acked_durable_;  // to delete from the outbox
  uint64_t next_order_ = 0;
  uint32_t on_wire_ = 0;
  uint64_t send_from_ = 0;  // every pending entry below this is on the wire
  FrameBatch batch_;        // publishes being packed by SendWindow
  bool send_scheduled_ = false;
  int64_t hub_heartbeat_ms_ = 0;                           // from Welcome
  size_t max_frame_bytes_ = size_t{1} << 20;               // from Welcome
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // posted handlers check it
  uint64_t resume_after_ = 0;
  uint64_t hold_after_seq_ = 0;  // a failed delivery: apply nothing after it

  bool connected_ = false;
  bool stopped_ = true;
  std::string principal_;
  int64_t last_recv_us_ = 0, last_send_us_ = 0, last_hello_us_ = 0, last_heartbeat_us_ = 0;
  int64_t dialled_us_ = 0;                    // the last connect()
  int64_t redial_after_us_ = kFirstRedialUs;  // doubles up to kLastRedialUs
  // The hub endpoints (opts_.hub_endpoint, then the standby ones) and the
  // one in use; the one last left for its silence, and when.
  std::vector<std::string> endpoints_;
  size_t current_ = 0;
  std::string left_silent_;
  int64_t left_silent_at_us_ = 0;
  uint64_t lead_term_ = 0;  // from Welcome: the lead term of the hub we talk to
  uint64_t left_term_ = 0;  // the term of the hub left for its silence
  ClientStats stats_;
};

absl::Status ClientImpl::Init() {
  endpoints_.push_back(opts_.hub_endpoint);
  for (const std::string& e : opts_.standby_endpoints)
    if (std::find(endpoints_.begin(), endpoints_.end(), e) == endpoints_.end())
      endpoints_.push_back(e);
  RETURN_IF_ERROR(db_.Migrate("client", ClientMigrations(), ClientPostgresqlMigrations()));
  ASSIGN_OR_RETURN(
      stage_stmt_,
      db_.Prepare("INSERT OR IGNORE INTO concord_outbox(id, frame, created_ms) VALUES(?,?,?)"));
  ASSIGN_OR_RETURN(delete_outbox_, db_.Prepare("DELETE FROM concord_outbox WHERE id=?"));
  ASSIGN_OR_RETURN(outbox_has_, db_.Prepare("SELECT 1 FROM concord_outbox WHERE id=?"));
  ASSIGN_OR_RETURN(savepoint_, db_.Prepare("SAVEPOINT concord_msg"));
  ASSIGN_OR_RETURN(release_, db_.Prepare("RELEASE concord_msg"));
  ASSIGN_OR_RETURN(rollback_to_, db_.Prepare("ROLLBACK TO concord_msg"));
  ASSIGN_OR_RETURN(
      inbox_put_,
      db_.Prepare("INSERT OR IGNORE INTO concord_inbox(id, seq, sender, at_ms) VALUES(?,?,?,?)"));
  ASSIGN_OR_RETURN(
      fail_put_,
      db_.Prepare("INSERT OR REPLACE INTO concord_outbox_failed(id, frame, code, reason, at_ms) "
                  "VALUES(?,?,?,?,?)"));
  ASSIGN_OR_RETURN(pinned_key_,
                   db_.Prepare("SELECT sign_key FROM concord_peer_keys WHERE principal=?"));
  ASSIGN_OR_RETURN(pin_key_, db_.Prepare("INSERT INTO concord_peer_keys(principal, sign_key, "
                                         "first_id, at_ms) VALUES(?,?,?,?)"));
  ASSIGN_OR_RETURN(refused_put_,
                   db_.Prepare("INSERT OR REPLACE INTO concord_refused(id, sender, type, reason, "
                               "envelope, at_ms) VALUES(?,?,?,?,?,?)"));
  if (opts_.sign_envelopes) {
    ASSIGN_OR_RETURN(signer_, EnvelopeSigner::FromCurveSecret(opts_.keys.secret_z85));
  }
  ASSIGN_OR_RETURN(sealer_, PayloadSealer::FromCurveSecret(opts_.keys.secret_z85));
  for (const std::string& old : opts_.previous_secrets_z85) {
    ASSIGN_OR_RETURN(auto s, PayloadSealer::FromCurveSecret(old));
    previous_sealers_.push_back(std::move(s));
  }
  ASSIGN_OR_RETURN(int64_t resume, db_.QueryInt("SELECT coalesce(max(seq),0) FROM concord_inbox"));
  resume_after_ = static_cast<uint64_t>(resume);
  // The outbox survives restarts: everything in it is pending again.
  ASSIGN_OR_RETURN(auto rows, db_.Prepare("SELECT id, frame FROM concord_outbox ORDER BY n"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    Enqueue(rows.Text(0), rows.Blob(1), true, {});
  }
  try {
    socket_ = zmq::socket_t(ctx_, zmq::socket_type::dealer);
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::curve_serverkey, opts_.hub_public_key);
    socket_.set(zmq::sockopt::curve_publickey, opts_.keys.public_z85);
    socket_.set(zmq::sockopt::curve_secretkey, opts_.keys.secret_z85);
    socket_.set(zmq::sockopt::immediate, 1);
    socket_.set(zmq::sockopt::reconnect_ivl, 100);
    socket_.set(zmq::sockopt::reconnect_ivl_max, 2000);
    socket_.set(zmq::sockopt::sndhwm, 100000);
    socket_.set(zmq::sockopt::rcvhwm, 100000);
    socket_.set(zmq::sockopt::heartbeat_ivl, opts_.heartbeat_ms);
    socket_.set(zmq::sockopt::heartbeat_timeout, opts_.heartbeat_ms * 3);
    socket_.connect(endpoint());
    dialled_us_ = opts_.clock->MonotonicUs();
  } catch (const zmq::error_t& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("无法连接 / cannot set up connection to ", endpoint(), ": ", e.what()));
  }
  watcher_ = std::make_unique<ZmqWatcher>(io_, socket_, [this] { OnReadable(); });
  if (endpoints_.size() > 1) {
    try {
      if (zmq_socket_monitor(socket_.handle(), "inproc://concord-client-monitor",
                             ZMQ_EVENT_DISCONNECTED) != 0)
        throw zmq::error_t();
      monitor_ = zmq::socket_t(ctx_, zmq::socket_type::pair);
      monitor_.set(zmq::sockopt::linger, 0);
      monitor_.connect("inproc://concord-client-monitor");
      monitor_watcher_ =
          std::make_unique<ZmqWatcher>(io_, monitor_, [this] { OnMonitorReadable(); });
    } catch (const zmq::error_t& e) {
      LOG_WARN("{}: no socket monitor ({}): a dead hub is noticed by its silence", opts_.name,
               e.what());
    }
  }
  return absl::OkStatus();
}

void ClientImpl::OnMonitorReadable() {
  if (stopped_) return;
  for (;;) {
    zmq::message_t event, address;
    try {
      if (!monitor_.recv(event, zmq::recv_flags::dontwait)) return;
      if (!monitor_.get(zmq::sockopt::rcvmore) || !monitor_.recv(address)) continue;
    } catch (const zmq::error_t&) {
      return;
    }
    uint16_t id = 0;
    if (event.size() >= 2) std::memcpy(&id, event.data(), 2);
    // Only a hub we had a session with: a standby about to take over closes
    // its socket too, and the client waits there for it.
    if (id == ZMQ_EVENT_DISCONNECTED && connected_ && address.to_string() == endpoint())
      LeaveForNext("connection closed");
  }
}

void ClientImpl::LeaveForNext(const std::string& why) {
  DisconnectedNow(why);
  left_silent_ = endpoint();
  left_term_ = lead_term_;
  left_silent_at_us_ = opts_.clock->MonotonicUs();
  SwitchTo((current_ + 1) % endpoints_.size(), why);
}

void ClientImpl::OnReadable() {
  if (stopped_) return;
  std::vector<pb::Deliver> delivers;
  // A turn applies at most kMaxDeliversPerTurn deliveries (one transaction),
  // then returns to the loop (KickIfInput brings it back for the rest): the
  // replies they staged leave at once, and timers, heartbeats and the HTTP
  // port are not held up behind thousands of queued messages.
  for (int budget = 0; budget < 4096 && delivers.size() < kMaxDeliversPerTurn; ++budget) {
    zmq::message_t msg;
    zmq::recv_result_t r;
    try {
      r = socket_.recv(msg, zmq::recv_flags::dontwait);
    } catch (const zmq::error_t& e) {
      LOG_WARN("{}: recv: {}", opts_.name, e.what());
      break;
    }
    if (!r) break;
    last_recv_us_ = opts_.clock->MonotonicUs();
    pb::Frame f;
    if (!f.ParseFromArray(msg.data(), static_cast<int>(msg.size()))) {
      LOG_WARN("{}: undecodable frame from hub ({} bytes)", opts_.name, msg.size());
      continue;
    }
    if (f.kind_case() == pb::Frame::kBatch) {
      for (pb::Frame& inner : *f.mutable_batch()->mutable_frames()) OnFrame(inner, delivers);
    } else {
      OnFrame(f, delivers);
    }
  }
  if (!delivers.empty()) OnDelivers(delivers);
  DeleteAcked();
  SendWindow();
  KickIfInput();
}

void ClientImpl::OnFrame(pb::Frame& f, std::vector<pb::Deliver>& delivers) {
  switch (f.kind_case()) {
    case pb::Frame::kDeliver:
      delivers.push_back(std::move(*f.mutable_deliver()));
      break;
    case pb::Frame::kAck:
      OnAck(f.ack());
      break;
    case pb::Frame::kNack:
      // Deliveries read before this Nack are applied first: an ABORTED
      // notice must not overtake them.
      if (f.nack().seq() != 0 && !delivers.empty()) OnDelivers(delivers);
      OnNack(f.nack());
      break;
    case pb::Frame::kWelcome:
      if (!delivers.empty()) OnDelivers(delivers);
      OnWelcome(f.welcome());
      break;
    case pb::Frame::kDirectory:
      TakeDirectory(f.directory());
      break;
    default:
      break;  // Heartbeat: liveness only
  }
}

void ClientImpl::OnDelivers(std::vector<pb::Deliver>& delivers) {
  if (!handler_ || !connected_) {
    delivers.clear();
    return;  // not ready: the hub re-sends after its ack timeout
  }
  pb::Frame ack;
  uint64_t failed_seq = 0;
  // On a local database failure nothing after the first delivery of this
  // batch may be applied before it is re-sent.
  auto hold_all = [&] {
    uint64_t lowest = 0;
    for (auto& d : delivers)
      if (!hold_after_seq_ || d.seq() <= hold_after_seq_)
        lowest = lowest ? std::min(lowest, d.seq()) : d.seq();
    if (lowest && (!hold_after_seq_ || lowest < hold_after_seq_)) hold_after_seq_ = lowest;
    delivers.clear();
  };
  {
    auto txn = sql::Txn::Begin(db_);
    if (!txn.ok()) {
      LOG_ERROR("{}: cannot begin: {}", opts_.name, txn.status().ToString());
      hold_all();
      return;
    }
    uint64_t applied = 0, dups = 0, max_seq = resume_after_;
    // A savepoint statement that fails leaves the transaction unusable (on
    // PostgreSQL an earlier error may have aborted it): nothing of this
    // batch is kept or acknowledged; the hub sends it again.
    auto broken = [&](const absl::Status& st) {
      LOG_ERROR("{}: inbox savepoint failed: {}", opts_.name, st.ToString());
      hold_all();
    };
    for (auto& d : delivers) {
      // After a failure, nothing later is applied before that seq's re-send
      // (or the hub's ABORTED notice): order is kept. Skipped deliveries are
      // not acknowledged; the hub re-sends them after the failed one.
      if (hold_after_seq_ && d.seq() > hold_after_seq_) continue;
      if (d.seq() == hold_after_seq_) hold_after_seq_ = 0;
      const pb::Envelope& env = d.envelope();
      // Claim the id first, inside the savepoint: an id already in the inbox
      // is a duplicate; a handler failure rolls the claim back with its work.
      if (auto sp = savepoint_.Run(); !sp.ok()) return broken(sp);
      inbox_put_.BindAll(env.id(), static_cast<int64_t>(d.seq()), env.from(), opts_.clock->NowMs());
      absl::Status st = inbox_put_.Run();
      if (st.ok() && db_.Changes() == 0) {
        if (auto sp = release_.Run(); !sp.ok()) return broken(sp);
        ++dups;
        ack.mutable_ack()->add_seqs(d.seq());
        continue;
      }
      const LogField message_id("message_id", env.id());
      // A sealed payload is opened after its signature is checked (the
      // signature covers the ciphertext); one that does not open is refused.
      const pb::Envelope* apply = &env;
      pb::Envelope opened;
      std::string why;
      if (st.ok() && opts_.verify_signatures && env.from() != "hub") why = SignatureRefusal(env);
      if (st.ok() && why.empty() && env.has_seal() && env.signature().empty()) {
        // The box is opened with signer_key: only a signature binds it.
        why = "加密的消息未签名 / sealed payload without a signature";
      } else if (st.ok() && why.empty() && env.has_seal()) {
        opened = env;
        absl::Status o = sealer_->Open(opened, principal_);
        // Sealed to a key this principal had before its rotation.
        for (size_t i = 0; absl::IsDataLoss(o) && i < previous_sealers_.size(); ++i)
          if (absl::Status old = previous_sealers_[i].Open(opened, principal_); old.ok()) o = old;
        if (o.ok()) {
          apply = &opened;
          ++stats_.opened;
        } else {
          why = std::string(o.message());
        }
      }
      if (st.ok()) {
        if (!why.empty()) {
          // Refused for good: kept whole, acknowledged, never applied.
          refused_put_.BindAll(env.id(), env.from(), env.payload().type_url(), why);
          refused_put_.BindBlob(5, env.SerializeAsString());
          refused_put_.Bind(6, opts_.clock->NowMs());
          if (st = refused_put_.Run(); st.ok()) {
            if (auto sp = release_.Run(); !sp.ok()) return broken(sp);
            ++stats_.refused;
            LOG_ERROR("{}: refused {} from {} ({}): {}", opts_.name, env.id(), env.from(),
                      env.payload().type_url(), why);
            max_seq = std::max<uint64_t>(max_seq, d.seq());
            ack.mutable_ack()->add_seqs(d.seq());
            continue;
          }
        }
      }
      if (st.ok()) st = handler_(*apply, db_);
      if (!st.ok()) {
        if (auto sp = rollback_to_.Run(); !sp.ok()) return broken(sp);
        if (auto sp = release_.Run(); !sp.ok()) return broken(sp);
        ++stats_.handler_errors;
        LOG_WARN("{}: handler failed for {} (seq {}): {}", opts_.name, env.id(), d.seq(),
                 st.ToString());
        failed_seq = d.seq();
        hold_after_seq_ = d.seq();
        break;  // keep order: the rest waits for this one
      }
      if (auto sp = release_.Run(); !sp.ok()) return broken(sp);
      ++applied;
      max_seq = std::max<uint64_t>(max_seq, d.seq());
      ack.mutable_ack()->add_seqs(d.seq());
    }
    if (auto st = txn->Commit(); !st.ok()) {
      LOG_ERROR("{}: inbox commit failed: {}", opts_.name, st.ToString());
      hold_all();
      return;  // nothing acknowledged: the hub re-sends, in order
    }
    stats_.received += applied;
    stats_.duplicates += dups;
    resume_after_ = max_seq;
  }
  // Replies the handlers staged go out now that their transaction committed
  // (Flush drops those whose outbox rows were rolled back).
  if (!staged_.empty()) Flush();
  delivers.clear();
  if (ack.ack().seqs_size()) Send(ack.SerializeAsString());
  if (failed_seq) {
    pb::Frame n;
    n.mutable_nack()->set_seq(failed_seq);
    n.mutable_nack()->set_code(pb::UNAVAILABLE);
    n.mutable_nack()->set_reason("handler failed");
    Send(n.SerializeAsString());
  }
}

void ClientImpl::OnAck(const pb::Ack& ack) {
  for (const std::string& id : ack.ids()) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) continue;
    auto p = pending_.find(it->second);
    by_id_.erase(it);
    if (p == pending_.end()) continue;
    if (p->second.on_wire && on_wire_) --on_wire_;
    if (p->second.durable) acked_durable_.push_back(id);
    ++stats_.published;
    PublishCallback done = std::move(p->second.done);
    pending_.erase(p);
    if (done) done(absl::OkStatus());
  }
}

void ClientImpl::OnNack(const pb::Nack& nack) {
  if (nack.seq() != 0) {
    // About one of our deliveries: ABORTED means the hub gave it up.
    // A later seq given up means the held one has left the hub's window too.
    if (nack.code() == pb::ABORTED && hold_after_seq_ && nack.seq() >= hold_after_seq_)
      hold_after_seq_ = 0;
    return;
  }
  if (nack.standby()) {
    OnStandby(nack);
    return;
  }
  if (nack.id().empty()) {
    if (nack.code() == pb::FAILED_PRECONDITION) {
      // The hub has no session for us (it restarted): start one.
      DisconnectedNow("hub asked for Hello");
      SendHello();
    } else if (nack.code() == pb::UNAUTHENTICATED) {
      // The hub ended the session: this key was revoked or replaced (keys
      // revoke | rotate). Nothing is delivered to it any more, and the hub
      // still answers our frames, so silence would never tell: say so, and
      // Hello again until the hub's registry takes the key back.
      LOG_ERROR("{}: hub refuses this key: {}", opts_.name, nack.reason());
      DisconnectedNow("key refused: " + nack.reason());
    } else {
      LOG_WARN("{}: hub says {}: {}", opts_.name, pb::Code_Name(nack.code()), nack.reason());
    }
    return;
  }
  auto it = by_id_.find(nack.id());
  if (it == by_id_.end()) return;
  auto p = pending_.find(it->second);
  if (p == pending_.end()) return;
  Pending& pd = p->second;
  if (pd.on_wire && on_wire_) --on_wire_;
  pd.on_wire = false;
  send_from_ = std::min(send_from_, it->second);
  const bool retry = nack.code() == pb::RESOURCE_EXHAUSTED || nack.code() == pb::UNAVAILABLE ||
                     nack.code() == pb::UNAUTHENTICATED;
  if (retry) {
    ++stats_.nacks_retryable;
    ++pd.retries;
    // Refused as not sealed to a recipient (or the hub was going down):
    // sealed again at the retry, with whatever directory is current then.
    if (nack.code() == pb::UNAVAILABLE) pd.wire.clear();
    const int64_t backoff_ms = std::min<int64_t>(50LL << std::min<uint32_t>(pd.retries, 6), 5000);
    pd.not_before_us = opts_.clock->MonotonicUs() + backoff_ms * 1000;
    return;
  }
  ++stats_.nacks_final;
  LOG_WARN("{}: hub refused {}: {} {}", opts_.name, nack.id(), pb::Code_Name(nack.code()),
           nack.reason());
  Fail(p, absl::Status(static_cast<absl::StatusCode>(nack.code()), nack.reason()));
}

void ClientImpl::Fail(std::map<uint64_t, Pending>::iterator p, const absl::Status& why) {
  Pending& pd = p->second;
  if (pd.on_wire && on_wire_) --on_wire_;
  const std::string code = pb::Code_Name(static_cast<pb::Code>(why.code()));
  if (pd.durable) {
    // Kept for the agency to see (concord_outbox_failed), removed from the outbox.
    fail_put_.BindAll(pd.id);
    fail_put_.BindBlob(2, pd.frame);
    fail_put_.Bind(3, code);
    fail_put_.Bind(4, std::string(why.message()));
    fail_put_.Bind(5, opts_.clock->NowMs());
    (void)fail_put_.Run();
    acked_durable_.push_back(pd.id);
  }
  PublishCallback done = std::move(pd.done);
  by_id_.erase(pd.id);
  pending_.erase(p);
  if (done) done(absl::Status(why.code(), absl::StrCat(code, ": ", why.message())));
}

std::string ClientImpl::SignatureRefusal(const pb::Envelope& env) {
  pinned_key_.Bind(1, env.from());
  auto row = pinned_key_.Step();
  const std::string pinned = row.ok() && *row ? pinned_key_.Blob(0) : "";
  pinned_key_.Reset();
  if (!row.ok())
    return absl::StrCat("读取已记密钥失败 / cannot read pinned keys: ", row.status().message());
  const SignatureCheck c = CheckEnvelopeSignature(env);
  if (c == SignatureCheck::kUnsigned && pinned.empty()) {
    // A sender not yet heard signing: a daemon from before signatures, or a
    // message queued before the upgrade. Taken, as the first key would be.
    LOG_WARN("{}: {} from {} is not signed (no key pinned for it yet): taken", opts_.name, env.id(),
             env.from());
    return "";
  }
  if (c == SignatureCheck::kUnsigned)
    return absl::StrCat("未签名 / not signed, though ", env.from(), " signs with ",
                        SignKeyHex(pinned));
  if (c != SignatureCheck::kValid) return SignatureCheckText(c);
  if (pinned.empty()) {
    pin_key_.BindAll(env.from());
    pin_key_.BindBlob(2, env.signer_key());
    pin_key_.Bind(3, env.id());
    pin_key_.Bind(4, opts_.clock->NowMs());
    if (auto st = pin_key_.Run(); !st.ok())
      return absl::StrCat("记下签名密钥失败 / cannot pin the key: ", st.message());
    LOG_INFO("{}: {} signs with {} (pinned)", opts_.name, env.from(), SignKeyHex(env.signer_key()));
    return "";
  }
  if (pinned != env.signer_key())
    return absl::StrCat("签名密钥与此前记下的不同 / signed with ", SignKeyHex(env.signer_key()),
                        ", not the key first seen from ", env.from(), " (", SignKeyHex(pinned),
                        "); if that agency changed its key, pin the new one with "
                        "`concordctl keys trust`");
  return "";
}

void ClientImpl::TakeDirectory(const pb::Directory& d) {
  directory_ = d;
  have_directory_ = true;
  directory_principals_.clear();
  directory_topics_.clear();
  for (const auto& p : directory_.principals()) directory_principals_[p.name()] = &p;
  for (const auto& t : directory_.topics()) directory_topics_[t.topic()] = &t;
}

absl::StatusOr<std::optional<std::vector<SealRecipient>>> ClientImpl::SealRecipients(
    const pb::Envelope& env) {
  // The hub's expansion (broker.cc OnPublish): a topic's subscribers and a
  // role's members without the sender; a principal named as it is.
  std::vector<std::string> names;
  std::set<std::string> seen;
  auto add = [&](const std::string& n) {
    if (seen.insert(n).second) names.push_back(n);
  };
  for (const std::string& to : env.to()) {
    if (to.rfind("topic:", 0) == 0) {
      auto t = directory_topics_.find(to.substr(6));
      if (t == directory_topics_.end()) continue;
      for (const auto& n : t->second->subscribers())
        if (n != principal_) add(n);
    } else if (to.rfind("role:", 0) == 0) {
      const std::string role = to.substr(5);
      for (const auto& p : directory_.principals())
        if (p.name() != principal_ &&
            std::find(p.roles().begin(), p.roles().end(), role) != p.roles().end())
          add(p.name());
    } else {
      add(to);
    }
  }
  std::vector<SealRecipient> out;
  for (const std::string& n : names) {
    auto p = directory_principals_.find(n);
    if (p == directory_principals_.end()) continue;  // unknown or revoked: the hub refuses it
    pinned_key_.Bind(1, n);
    auto row = pinned_key_.Step();
    std::string pinned = row.ok() && *row ? pinned_key_.Blob(0) : "";
    pinned_key_.Reset();
    if (!row.ok()) return row.status();
    const std::string& listed = p->second->sign_key();
    if (!pinned.empty() && !listed.empty() && pinned != listed)
      return absl::FailedPreconditionError(absl::StrCat(
          "收件人 ", n, " 的密钥已变更，须先核实并执行 concordctl keys trust / ", n,
          "'s key in the hub's directory (", SignKeyHex(listed),
          ") is not the one its signatures were pinned with (", SignKeyHex(pinned),
          "): confirm the new key with that agency and pin it with `concordctl keys trust`, "
          "then send again"));
    if (pinned.empty() && listed.empty()) return std::nullopt;  // no key: sent clear
    out.push_back({n, pinned.empty() ? listed : pinned});
  }
  return out;
}

absl::Status ClientImpl::PrepareWire(Pending& p) {
  const uint64_t version = have_directory_ ? directory_.version() : 0;
  if (!p.wire.empty() && p.wire_directory == version) return absl::OkStatus();
  if (!signer_ && !opts_.seal_payloads) {
    p.wire = p.frame;
  } else {
    pb::Frame f;
    if (!f.ParseFromString(p.frame) || !f.has_publish())
      return absl::InvalidArgumentError("发件箱记录无法解析 / outbox entry does not parse");
    pb::Envelope& env = *f.mutable_publish()->mutable_envelope();
    // Sealed only when signed: receivers take the sender's key from signer_key.
    if (signer_ && opts_.seal_payloads && have_directory_ && !env.has_seal()) {
      ASSIGN_OR_RETURN(auto recipients, SealRecipients(env));
      if (recipients) {
        RETURN_IF_ERROR(sealer_->Seal(env, *recipients));
        ++stats_.sealed;
      }
    }
    if (signer_) signer_->Sign(env);
    p.wire = f.SerializeAsString();
  }
  p.wire_directory = version;
  return Fits(p.wire);
}

void ClientImpl::OnWelcome(const pb::Welcome& w) {
  if (!connected_) ++stats_.reconnects;
  connected_ = true;
  redial_after_us_ = kFirstRedialUs;
  principal_ = w.principal();
  hub_heartbeat_ms_ = w.heartbeat_interval_ms();
  lead_term_ = w.lead_term();
  if (w.has_directory()) {
    TakeDirectory(w.directory());
  } else {
    have_directory_ = false;  // a hub from before sealing: payloads go clear
  }
  // Batches stay under the hub's frame limit (a single publish larger than it
  // still goes alone, and is refused with a reason).
  const size_t limit = w.max_frame_bytes() ? w.max_frame_bytes() : size_t{1} << 20;
  max_frame_bytes_ = limit;
  batch_.set_max_bytes(std::min<size_t>(256 * 1024, limit > 64 ? limit - 64 : limit));
  // Anything sent before may be lost with the old connection: send it again
  // (the hub acknowledges ids it already has without storing them twice).
  for (auto& [n, p] : pending_) p.on_wire = false;
  on_wire_ = 0;
  hold_after_seq_ = 0;  // the hub re-sends from its cursor, in order
  send_from_ = 0;
  LOG_INFO("{}: connected as {}, {} publishes pending", opts_.name, principal_, pending_.size());
  SendWindow();
}

void ClientImpl::DisconnectedNow(const std::string& why) {
  if (connected_) LOG_WARN("{}: disconnected: {}", opts_.name, why);
  connected_ = false;
  dialled_us_ = opts_.clock->MonotonicUs();  // libzmq redials first; RedialIfRefused after
}

// libzmq does not dial again after the hub refused the CURVE handshake
// (zeromq/libzmq#3519, seen every time with Debian's 4.3.4): an agency
// started before the hub officer added its key, or revoked and added again,
// would wait forever. While no Welcome comes the client drops the connection
// and dials again, after 1 s, then 2, 4, 8 and every 16 s.
void ClientImpl::RedialIfRefused(int64_t now_us) {
  if (connected_ || now_us - dialled_us_ < redial_after_us_) return;
  if (endpoints_.size() > 1) {
    // Several hubs: one that answers (a standby) is kept until it says
    // where to go or becomes active; one that is silent is left.
    if (last_recv_us_ > dialled_us_ && now_us - last_recv_us_ < kFirstRedialUs) return;
    // Round the list again, waiting longer each time nobody answers (up to
    // kLastRedialUs, as for one hub: a refused key is not retried every second).
    const int64_t wait = redial_after_us_;
    SwitchTo((current_ + 1) % endpoints_.size(), "no answer");
    redial_after_us_ = current_ == 0 ? std::min(wait * 2, kLastRedialUs) : wait;
    ++stats_.redials;
    return;
  }
  LOG_INFO("{}: no Welcome from {} for {} ms: dialling again", opts_.name, endpoint(),
           (now_us - dialled_us_) / 1000);
  try {
    socket_.disconnect(endpoint());
  } catch (const zmq::error_t&) {
    // libzmq already ended that connection
  }
  try {
    socket_.connect(endpoint());
  } catch (const zmq::error_t& e) {
    LOG_WARN("{}: cannot dial {}: {}", opts_.name, endpoint(), e.what());
  }
  ++stats_.redials;
  dialled_us_ = now_us;
  redial_after_us_ = std::min(redial_after_us_ * 2, kLastRedialUs);
}

void ClientImpl::SwitchTo(size_t index, const std::string& why) {
  const std::string& from = endpoint();
  LOG_WARN("{}: hub {} ({}): trying {}", opts_.name, from, why, endpoints_[index]);
  try {
    socket_.disconnect(from);
  } catch (const zmq::error_t&) {
    // libzmq already ended that connection
  }
  DisconnectedNow("switching to " + endpoints_[index]);
  current_ = index;
  try {
    socket_.connect(endpoint());
  } catch (const zmq::error_t& e) {
    LOG_WARN("{}: cannot dial {}: {}", opts_.name, endpoint(), e.what());
  }
  ++stats_.hub_switches;
  dialled_us_ = opts_.clock->MonotonicUs();
  redial_after_us_ = kFirstRedialUs;
  SendHello();
}

void ClientImpl::OnStandby(const pb::Nack& nack) {
  const std::string& active = nack.active_endpoint();
  if (active.empty()) return;  // Hello again at the next tick: this one may take the lead
  auto it = std::find(endpoints_.begin(), endpoints_.end(), active);
  if (it == endpoints_.end()) {
    // Not in this daemon's list (another name for it, or a hub added since):
    // the standby holds the hub's key, so its word is taken; the list says so.
    LOG_WARN(
        "{}: the standby hub at {} says the active one is at {}, which is not in [hub] "
        "endpoint / standby_endpoints: going there",
        opts_.name, endpoint(), active);
    endpoints_.push_back(active);
    it = endpoints_.end() - 1;
  }
  const size_t index = static_cast<size_t>(it - endpoints_.begin());
  if (index == current_) return;
  // The hub we left may still be named until the standby takes the lead:
  // stay here a while, this one is about to take over. A newer term at that
  // address is another hub process there (restarted, and it took the lead).
  const int64_t now = opts_.clock->MonotonicUs();
  if (active == left_silent_ && (nack.active_term() == 0 || nack.active_term() <= left_term_) &&
      now - left_silent_at_us_ < kStaleActiveUs)
    return;
  SwitchTo(index, "standby; the active hub is at " + active);
}

void ClientImpl::DeleteAcked() {
  if (acked_durable_.empty()) return;
  auto txn = sql::Txn::Begin(db_);
  if (!txn.ok()) return;  // retried with the next batch
  for (auto& id : acked_durable_) {
    delete_outbox_.Bind(1, id);
    (void)delete_outbox_.Run();
  }
  if (txn->Commit().ok()) acked_durable_.clear();
}

void ClientImpl::Tick() {
  if (stopped_) return;
  const int64_t now = opts_.clock->MonotonicUs();
  // The hub marks a peer offline after 3 of its own intervals of silence: a
  // client configured slower than the hub heartbeats at the hub's pace.
  const int64_t hb = (hub_heartbeat_ms_ ? std::min<int64_t>(opts_.heartbeat_ms, hub_heartbeat_ms_)
                                        : opts_.heartbeat_ms) *
                     1000LL;
  if (connected_ && last_recv_us_ && now - last_recv_us_ > 3 * hb) {
    if (endpoints_.size() > 1)
      LeaveForNext("silent");
    else
      DisconnectedNow("hub silent");
  }
  if (!connected_) {
    RedialIfRefused(now);
    if (now - last_hello_us_ > std::min<int64_t>(hb, 200'000)) SendHello();
  } else {
    // A heartbeat when this side has been quiet, and also when the hub has:
    // a publisher that keeps sending while the hub's commits are held up
    // gets no Acks, and only the hub's answer to a heartbeat (from its loop,
    // not its writer) tells a live hub from a dead one.
    if (now - last_send_us_ > hb || (now - last_recv_us_ > hb && now - last_heartbeat_us_ > hb)) {
      pb::Frame f;
      f.mutable_heartbeat()->set_sent_at_ms(opts_.clock->NowMs());
      Send(f.SerializeAsString());
      last_heartbeat_us_ = now;
    }
    // Publishes without an answer for too long are sent again.
    for (auto& [n, p] : pending_)
      if (p.on_wire && now - p.sent_at_us > opts_.resend_after_ms * 1000LL) {
        p.on_wire = false;
        if (on_wire_) --on_wire_;
        send_from_ = std::min(send_from_, n);
      }
    SendWindow();
  }
  DeleteAcked();
  KickIfInput();
  timer_.expires_after(std::chrono::milliseconds(50));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Tick();
  });
}

absl::Status CheckKeys(const ClientOptions& options) {
  if (!IsZ85Key(options.hub_public_key))
    return absl::InvalidArgumentError("枢纽公钥格式错误 / hub public key is not Z85");
  if (!IsZ85Key(options.keys.public_z85) || !IsZ85Key(options.keys.secret_z85))
    return absl::InvalidArgumentError("客户端密钥格式错误 / client key pair is not Z85");
  return absl::OkStatus();
}

// A client on `db`, its keys already checked.
absl::StatusOr<std::unique_ptr<Client>> Build(boost::asio::io_context& io, ClientOptions options,
                                              sql::Db db) {
  auto c = std::make_unique<ClientImpl>(io, std::move(options), std::move(db));
  RETURN_IF_ERROR(c->Init());
  return std::unique_ptr<Client>(std::move(c));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Client>> Client::Create(boost::asio::io_context& io,
                                                       ClientOptions options) {
  RETURN_IF_ERROR(CheckKeys(options));  // before the database is opened
  absl::StatusOr<sql::Db> db = options.postgresql.conninfo.empty()
                                   ? sql::Db::Open(options.db_path)
                                   : sql::Db::OpenPostgresql(options.postgresql);
  if (!db.ok()) return db.status();
  return Build(io, std::move(options), std::move(*db));
}

absl::StatusOr<std::unique_ptr<Client>> Client::Create(boost::asio::io_context& io,
                                                       ClientOptions options, sql::Db db) {
  RETURN_IF_ERROR(CheckKeys(options));
  return Build(io, std::move(options), std::move(db));
}

pb::Envelope MakeEnvelope(std::vector<std::string> to, const google::protobuf::Message& payload) {
  pb::Envelope env;
  for (auto& t : to) env.add_to(std::move(t));
  env.mutable_payload()->PackFrom(payload);
  return env;
}

pb::Envelope MakeReply(const pb::Envelope& request, const google::protobuf::Message& payload) {
  pb::Envelope env = MakeEnvelope({request.from()}, payload);
  env.set_correlation_id(request.id());
  return env;
}

}  // namespace concord::client

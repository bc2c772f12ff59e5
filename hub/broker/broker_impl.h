// BrokerImpl, the Broker behind Broker::Start, and its helper types.
// Internal to the broker library, not for clients: clients include broker.h.
// Defined in broker.cc (input, output, group commit, delivery,
// housekeeping), broker_security.cc (key admission, handshake audit,
// registry reload) and broker_http.cc (/metrics, /status, /deadletters).
// All of it runs on the io_context's thread except Writer's own thread.
#pragma once

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>
#include <zmq.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/http_router.h"
#include "common/http_server.h"
#include "common/metrics.h"
#include "common/sqlite.h"
#include "concord/v1/hub.pb.h"
#include "hub/audit/checkpoint.h"
#include "hub/broker/broker.h"
#include "hub/broker/config.h"
#include "hub/broker/fair_share.h"
#include "hub/broker/store.h"
#include "hub/transport/zmq_watcher.h"

namespace concord::hub::internal {

namespace pb = ::concord::v1;

// Opaque ZeroMQ routing id (STYLE.md habit 8): bytes, never a C string.
struct RoutingId {
  std::string bytes;
  bool operator==(const RoutingId& o) const { return bytes == o.bytes; }
  bool operator<(const RoutingId& o) const { return bytes < o.bytes; }
};
struct RoutingIdHash {
  size_t operator()(const RoutingId& r) const { return std::hash<std::string>()(r.bytes); }
};

using Bytes = std::shared_ptr<const std::string>;

struct Peer {
  RoutingId rid;
  std::string principal;
  std::string key;  // the Z85 public key the session came under (ZAP User-Id)
  std::string client;
  int64_t last_seen_us = 0;
  bool hello = false;
  bool asked_for_hello = false;  // Nack(FAILED_PRECONDITION) sent once
  // Id of a publish refused with RESOURCE_EXHAUSTED: later publishes of this
  // connection are refused too until that one is sent again (keeps order),
  // or kHoldMaxUs passes (a client that gave it up is not stuck for ever).
  std::string held_behind;
  int64_t held_since_us = 0;
};

struct Inflight {
  Bytes envelope;
  int64_t expires_ms = 0;
  int64_t sent_at_us = 0;
  uint32_t attempts = 0;  // sends charged to this entry
};

struct ReadyEntry {
  uint64_t seq;
  Bytes envelope;
  int64_t expires_ms;
};

// Per-principal mailbox state.
struct Mailbox {
  RecipientId id = 0;
  std::string name;
  uint64_t acked_through = 0;  // durable cursor (as queued for commit)
  uint64_t depth = 0;          // committed, not yet acknowledged
  uint64_t pending = 0;        // in a batch not yet committed
  // Session, while a peer is bound.
  std::optional<RoutingId> peer;
  uint32_t credit = 0;
  std::map<uint64_t, Inflight> inflight;
  std::deque<ReadyEntry> ready;
  bool spilled = true;          // entries past `loaded_through` may be on disk only
  uint64_t loaded_through = 0;  // highest seq placed in `ready` or sent
  uint64_t last_sent = 0;
  int64_t retry_at_us = 0;
  // Counters.
  uint64_t delivered = 0, acked = 0, dead = 0, expired = 0, redelivered = 0;
};

// One commit handed to the writer thread.
struct Job {
  WriteBatch batch;
  // For each messages[i]: who to acknowledge and when the publish arrived.
  std::vector<std::vector<RoutingId>> ackers;
  std::vector<int64_t> received_us;
  bool compact = false;
  int64_t dedup_before_ms = 0;
  absl::StatusOr<CommitResult> result = CommitResult{};
  absl::Status compact_status;
};

// The single writer thread (leveldb's group commit: one writer, batches).
class Writer {
 public:
  Writer(Store& store, boost::asio::io_context& io, std::function<void(std::unique_ptr<Job>)> done)
      : store_(store),
        io_(io),
        state_(std::make_shared<State>(State{true, std::move(done)})),
        thread_([this] { Run(); }) {}
  // On the io_context's thread: completions already posted will not run.
  ~Writer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
    state_->alive = false;
  }
  void Submit(std::unique_ptr<Job> job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(job));
    }
    cv_.notify_one();
  }

 private:
  void Run() {
    while (true) {
      std::unique_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      if (!job->batch.empty()) job->result = store_.Commit(job->batch);
      if (job->compact) job->compact_status = store_.Compact(job->dedup_before_ms);
      // The completion may run after this Writer is gone (io keeps running
      // past Shutdown): it holds the shared state, not `this`.
      boost::asio::post(io_, [state = state_, j = std::move(job)]() mutable {
        if (state->alive) state->done(std::move(j));
      });
    }
  }

  Store& store_;
  boost::asio::io_context& io_;
  struct State {
    bool alive;  // read and written on the io_context's thread only
    std::function<void(std::unique_ptr<Job>)> done;
  };
  std::shared_ptr<State> state_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Job>> queue_;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the rest is constructed
};

class BrokerImpl final : public Broker {
 public:
  BrokerImpl(boost::asio::io_context& io, HubConfig config, const Clock& clock)
      : io_(io), config_(std::move(config)), clock_(clock), tick_(io) {}

  ~BrokerImpl() override { Shutdown(); }

  absl::Status Init();

  std::string endpoint() const override { return endpoint_; }
  uint16_t metrics_port() const override { return http_ ? http_->port() : 0; }

  void Shutdown() override {
    if (shut_down_) return;
    shut_down_ = true;
    tick_.cancel();
    if (http_) http_->Stop();
    if (watcher_) watcher_->Stop();
    if (zap_watcher_) zap_watcher_->Stop();
    if (monitor_watcher_) monitor_watcher_->Stop();
    // What is pending (cursor moves, audit lines) is committed before the
    // writer stops: it drains its queue before it exits.
    if (writer_ && !pending_->batch.empty())
      writer_->Submit(std::exchange(pending_, std::make_unique<Job>()));
    writer_.reset();  // joins; completions posted after this are never run
    router_.close();
    zap_.close();
    monitor_.close();
  }

 private:
  // Where the store writes the audit chain's head after each commit: beside
  // hub.db, or in data_dir for a store on PostgreSQL (each hub machine keeps
  // its own; the chain itself is in the database).
  std::string AuditHeadFile() const {
    return AuditHeadPath(config_.data_dir +
                         (config_.store_kind == "postgresql" ? "/postgresql" : "/hub.db"));
  }

  // ---- socket input -------------------------------------------------------
  void OnRouterReadable();
  void HandleMessage(const RoutingId& rid, std::vector<zmq::message_t>& parts);
  void HandleFrame(Peer& peer, const Principal& principal, pb::Frame& frame);
  // A message over max_frame_bytes: a Nack naming each publish it held.
  void RefuseOversized(Peer& peer, const Principal& principal, std::string_view bytes);
  void OnPublish(Peer& peer, const Principal& from, pb::Publish& pub);
  void RequeueFailedCommit(std::unique_ptr<Job> failed);
  void OnAck(Peer& peer, const pb::Ack& ack);
  void OnClientNack(Peer& peer, const pb::Nack& nack);
  void OnHello(Peer& peer, const pb::Hello& hello);
  void SendWelcome(const Peer& peer, const Mailbox& mb);
  void OnSubscribe(Peer& peer, const pb::Subscribe& sub);
  // The directory senders seal to (hub.proto Directory), rebuilt after a
  // change; after DirectoryChanged() the next Tick sends it to every session.
  const pb::Directory& CurrentDirectory();
  void DirectoryChanged();
  void PushDirectory();  // to every session (Tick, when due)
  // Why `env` from `from` may not be stored as sealed (or unsealed) for
  // `targets` (empty: it may); `retry` when the sender should seal again.
  std::string SealRefusal(const pb::Envelope& env, const Principal& from,
                          const std::vector<Mailbox*>& targets, bool& retry) const;
  void OnZapReadable();
  void OnMonitorReadable();

  // ---- output -------------------------------------------------------------
  bool SendTo(const RoutingId& rid, const std::string& bytes) {
    return SendTo(rid, zmq::message_t(bytes.data(), bytes.size()));
  }
  bool SendTo(const RoutingId& rid, zmq::message_t&& msg);
  void SendFrame(const RoutingId& rid, const pb::Frame& f) { SendTo(rid, f.SerializeAsString()); }
  void SendNack(const RoutingId& rid, const std::string& id, uint64_t seq, pb::Code code,
                const std::string& reason);
  // Nack and audit (within the principal's share: FairShare). Refusals of
  // the sender's own making count toward its budget: INVALID_ARGUMENT,
  // PERMISSION_DENIED, FAILED_PRECONDITION without an id, or `charge`.
  void Refuse(const RoutingId& rid, const std::string& principal, const std::string& id,
              pb::Code code, const std::string& reason, bool charge = false);
  // Over its budget: every session of `principal` ends and its messages are
  // dropped unread for cut_s seconds; audited once.
  void Cut(const std::string& principal);
  // A failure before authentication (unknown key, failed handshake), audited
  // in full only while `source` (an address or key) is within its share
  // (true: it was).
  bool AuditPreAuth(const std::string& source, std::string event, std::string detail);
  // Ends the abuse windows that are over: one summary audit line each.
  void RollShares();

  // ---- batching -----------------------------------------------------------
  void MaybeSubmit();
  void OnCommitted(std::unique_ptr<Job> job);
  void Audit(std::string event, std::string principal, std::string detail) {
    pending_->batch.audit.push_back(
        {clock_.NowMs(), std::move(event), std::move(principal), std::move(detail)});
  }

  // ---- delivery -----------------------------------------------------------
  Mailbox* MailboxFor(const std::string& principal);
  absl::StatusOr<Mailbox*> EnsureMailbox(const std::string& principal);
  void Pump(Mailbox& mb);
  void Unbind(Mailbox& mb);
  void AdvanceCursor(Mailbox& mb);
  void DeadLetter(Mailbox& mb, uint64_t seq, Inflight entry, const std::string& reason);
  void PublishInternal(const std::string& topic, const google::protobuf::Message& payload);
  // A message from "hub" to `targets` (its envelope's `to` says `to`).
  void PublishFromHub(const std::vector<std::string>& to, const std::vector<Mailbox*>& targets,
                      const google::protobuf::Message& payload);
  // Every [audit] checkpoint_s: the signed chain head to every agency.
  void MaybeSendCheckpoint(int64_t now_us);

  // ---- housekeeping -------------------------------------------------------
  void Tick();
  void ReloadRegistryIfChanged(bool force);
  void DropPeer(const RoutingId& rid, const std::string& why);

  // ---- HTTP ---------------------------------------------------------------
  // GET /metrics, GET /status, GET /deadletters, POST /deadletters/replay?id=N.
  absl::Status AddHttpRoutes();
  std::string MetricsText() const;
  std::string StatusJson() const;
  HttpResponse DeadLettersJson();
  HttpResponse ReplayDeadLetter(int64_t id);

  int64_t NowUs() const { return clock_.MonotonicUs(); }
  int64_t BackoffUs(uint32_t attempts) const {
    int64_t ms = config_.ack_timeout_ms;
    for (uint32_t i = 1; i < attempts && ms < config_.max_backoff_ms; ++i) ms *= 2;
    return std::min<int64_t>(ms, config_.max_backoff_ms) * 1000;
  }

  // Constant after Init().
  boost::asio::io_context& io_;
  const HubConfig config_;
  const Clock& clock_;
  std::string endpoint_;
  std::string hub_public_key_;

  // Loop-thread state.
  zmq::context_t ctx_;
  zmq::socket_t router_, zap_, monitor_;
  std::unique_ptr<ZmqWatcher> watcher_, zap_watcher_, monitor_watcher_;
  HttpRouter http_routes_;
  std::unique_ptr<HttpServer> http_;
  boost::asio::steady_timer tick_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuditSigner> signer_;  // signs the checkpoints
  int64_t last_checkpoint_us_ = 0;
  int64_t checkpoint_floor_ = 0;  // no checkpoint until the head passes this
  std::unique_ptr<Writer> writer_;
  Registry registry_;
  int64_t registry_mtime_ = 0;
  int64_t acl_mtime_ = 0;
  int64_t last_registry_check_us_ = 0;
  int64_t last_compact_us_ = 0;
  int64_t last_submit_us_ = 0;

  std::unordered_map<RoutingId, Peer, RoutingIdHash> peers_;
  std::unordered_map<std::string, std::unique_ptr<Mailbox>> mailboxes_;  // by principal
  std::multimap<std::string, std::string> subscriptions_;                // topic -> principal
  std::unordered_map<std::string, uint32_t> subscription_count_;         // principal -> topics
  pb::Directory directory_;
  bool directory_stale_ = true, directory_push_due_ = false;
  FairShare share_{{.window_us = config_.abuse_window_s * 1'000'000LL,
                    .detailed = config_.detailed_refusals,
                    .budget = config_.refusal_budget,
                    .cut_us = config_.cut_s * 1'000'000LL,
                    .max_sources = 4096}};
  FairShare preauth_{{.window_us = config_.abuse_window_s * 1'000'000LL,
                      .detailed = config_.detailed_preauth,
                      .budget = 0,
                      .cut_us = 0,
                      .max_sources = 4096}};
  uint64_t last_seq_ = 0;

  std::unique_ptr<Job> pending_ = std::make_unique<Job>();
  std::unordered_map<std::string, size_t> pending_ids_;  // id -> index in pending_ messages
  std::unordered_set<std::string> committing_ids_;
  std::unordered_map<std::string, std::vector<RoutingId>> committing_dups_;
  bool writer_busy_ = false;
  int64_t store_backoff_ms_ = 0;  // > 0 while commits fail: retry at store_retry_at_us_
  int64_t store_retry_at_us_ = 0;
  bool input_paused_ = false;
  bool shut_down_ = false;

  // Metrics.
  uint64_t frames_in_ = 0, published_ = 0, duplicates_ = 0, refused_ = 0, acks_sent_ = 0,
           delivered_ = 0, redelivered_ = 0, acked_ = 0, dead_lettered_ = 0, expired_ = 0,
           key_refused_ = 0, handshake_failed_ = 0, commits_ = 0, commit_errors_ = 0,
           resource_exhausted_ = 0, peers_offline_ = 0, peers_cut_ = 0, ignored_while_cut_ = 0,
           hellos_refused_ = 0, subscriptions_refused_ = 0;
  Histogram batch_sizes_{{1, 4, 16, 64, 256, 1024, 4096}};
  Histogram ack_latency_s_{{0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}};
};

}  // namespace concord::hub::internal

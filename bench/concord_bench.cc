// concord-bench: a multi-process load driver for the hub, with the two
// baselines it is judged against, measured in the same run on the same
// machine and disk.
//
//   concord-bench                     every mode at full size (a few minutes)
//   concord-bench --quick             every mode, small sizes (< 30 s)
//   concord-bench --mode throughput --messages 500000 --publishers 2
//
// Modes (see --help for the sizes):
//   throughput       The real concord-hub binary (a child process started by
//                    tests/support TestDistrict: CurveZMQ with a ZAP handler,
//                    SQLite WAL synchronous=FULL, Ack only after the group
//                    commit). P publisher Clients and C consumer Clients run
//                    in this process, each on its own thread (ClientThread)
//                    with its own ZeroMQ context. Each publisher keeps
//                    `--window` Client::Publish() calls outstanding, refilled
//                    from the Ack callback; envelopes go round-robin to the
//                    consumers. Reported: messages/s from the first Publish()
//                    to the last delivery handled by a consumer, publish->ack
//                    and publish->deliver latencies, and CPU per message by
//                    process and thread.
//   latency          One publisher, one consumer, paced at --rate msg/s for
//                    --seconds: publish->ack p50/p99/max.
//   baseline-zmq     Raw cppzmq DEALER -> ROUTER relay -> DEALER, no
//                    persistence, no acks, same payload size, same socket
//                    options (HWM 100000), once with CURVE and once without.
//   baseline-sqlite  SQLite WAL synchronous=FULL in a temp folder on the same
//                    file system as the hub's data: 512-byte rows in
//                    transactions of 1, 64, 512 and 4096 rows; the best rate
//                    is the "ceiling". Also the hub's own Store::Commit() on
//                    the hub schema, for comparison.
//   (Every mode's clients sign each envelope, seal its payload to its
//   recipient, verify and open each delivery, as real ones do, with every
//   principal's sign_key in the registry; --no-seal runs them signed but not
//   sealed, --no-sign neither, to measure what each costs.)
//   baseline-postgresql  (with --store postgresql, or asked for) The run's own
//                    PostgreSQL server (initdb, fsync and synchronous_commit
//                    on): multi-row INSERTs of 1, 64, 512 and 4096 rows per
//                    statement, the best being the "ceiling" that the hub on
//                    PostgreSQL is judged against (>= 0.5 of it); and the
//                    hub's own PostgresStore::Commit().
//   failover         (likewise) Two hubs on one database of that server; the
//                    active one SIGKILLed --kills times under load: kill ->
//                    standby active and kill -> first Ack again, p50/p99;
//                    Acks never applied and ids applied twice (both must be 0).
//   backlog          An agency connects once, goes offline, and --backlog
//                    messages are queued for it; then the hub's VmRSS/VmHWM
//                    (/proc/<pid>/status) and the time to drain on reconnect.
//
// Everything runs on one machine: the hub, the clients and the baselines share
// the CPUs, and the clients' own SQLite files (inbox and outbox, also
// synchronous=FULL) share the disk with the hub's. The report says so.
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "absl/strings/str_cat.h"
#include "common/pg.h"
#include "common/sqlite.h"
#include "common/status_macros.h"
#include "common/uuid.h"
#include "concord/v1/envelope.pb.h"
#include "concord/v1/hub.pb.h"
#include "hub/audit/audit.h"
#include "hub/broker/store.h"
#include "hub/client/client.h"
#include "tests/support/district.h"
#include "tests/support/effects.h"
#include "tests/support/pg_server.h"

namespace concord::bench {
namespace {

namespace pb = ::concord::v1;
namespace fs = std::filesystem;
using testing::ClientThread;
using testing::TestDistrict;

// ---------------------------------------------------------------------------
// Options

struct Options {
  std::vector<std::string> modes;
  bool quick = false;
  int publishers = 4;
  int consumers = 2;
  uint64_t messages = 300'000;
  uint32_t window = 2000;  // Publish() calls outstanding per publisher
  uint32_t credit = 1024;  // consumer credit (the ClientOptions default)
  size_t payload = 512;
  int rate = 1000;
  double seconds = 10;
  uint64_t zmq_messages = 1'000'000;
  double sqlite_seconds = 3;
  uint64_t backlog = 1'000'000;
  bool drain = true;
  std::string limits;  // extra hub.toml [limits] lines
  int timeout_s = 600;
  bool sign = true;              // clients sign and verify envelopes (envelope_sign.h)
  bool seal = true;              // and seal payloads to their recipients (payload_seal.h)
  std::string store = "sqlite";  // the hub's store in throughput, latency, backlog
  int kills = 20;                // active hubs SIGKILLed in the failover mode
};

bool Wants(const Options& o, const std::string& mode) {
  if (std::find(o.modes.begin(), o.modes.end(), mode) != o.modes.end()) return true;
  // The PostgreSQL modes are part of "all" only with --store postgresql.
  if ((mode == "baseline-postgresql" || mode == "failover") && o.store != "postgresql")
    return false;
  return o.modes.empty() || std::find(o.modes.begin(), o.modes.end(), "all") != o.modes.end();
}

// The PostgreSQL server of this run (--store postgresql and the PostgreSQL
// modes): one, started once, so that the hub's figures and the plain-INSERT
// ceiling come from the same server.
std::unique_ptr<testing::PgServer> g_pg;

// A new empty database on it, for one district or baseline; its conninfo.
absl::StatusOr<std::string> FreshPgDatabase(const std::string& tag) {
  static int n = 0;
  if (!g_pg) {
    auto server = testing::PgServer::Start();
    if (!server.ok()) return server.status();
    g_pg = std::move(*server);
  }
  const std::string db = absl::StrCat("bench_", tag, "_", ++n);
  RETURN_IF_ERROR(g_pg->CreateDatabase(db));
  return g_pg->conninfo(db);
}

// The next TestDistrict's hub keeps its store on PostgreSQL (a fresh
// database on the run's server) or in SQLite.
absl::Status PrepareStore(const Options& o, const std::string& tag) {
  if (o.store != "postgresql") {
    unsetenv("CONCORD_TEST_STORE");
    unsetenv("CONCORD_TEST_PG_CONNINFO");
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::string conninfo, FreshPgDatabase(tag));
  setenv("CONCORD_TEST_STORE", "postgresql", 1);
  setenv("CONCORD_TEST_PG_CONNINFO", conninfo.c_str(), 1);
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Time, CPU and memory

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double ClockTick() { return static_cast<double>(sysconf(_SC_CLK_TCK)); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// utime+stime in seconds from a /proc/.../stat line (comm may hold spaces).
double StatCpuSeconds(const std::string& stat, std::string* comm = nullptr) {
  const auto open = stat.find('('), close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return 0;
  if (comm) *comm = stat.substr(open + 1, close - open - 1);
  std::istringstream in(stat.substr(close + 2));
  std::string f;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> f; ++i) {
    if (i == 14) utime = std::stod(f);
    if (i == 15) stime = std::stod(f);
  }
  return (utime + stime) / ClockTick();
}

// CPU seconds of every thread of `pid`, by tid.
struct ThreadCpu {
  std::string comm;
  double seconds = 0;
};
std::map<int, ThreadCpu> ThreadsOf(pid_t pid) {
  std::map<int, ThreadCpu> out;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(absl::StrCat("/proc/", pid, "/task"), ec)) {
    ThreadCpu t;
    t.seconds = StatCpuSeconds(ReadFile(e.path().string() + "/stat"), &t.comm);
    out[std::stoi(e.path().filename().string())] = t;
  }
  return out;
}

// CPU seconds of every process named "postgres" (the run's PostgreSQL
// server: postmaster, backends, WAL writer, checkpointer...), by pid.
std::map<int, double> PostgresProcesses() {
  std::map<int, double> out;
  std::error_code ec;
  for (auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string comm;
    const double seconds = StatCpuSeconds(ReadFile(e.path().string() + "/stat"), &comm);
    if (comm == "postgres") out[std::stoi(name)] = seconds;
  }
  return out;
}

// Busy and total jiffies over all CPUs (/proc/stat), for "what else ran".
struct SystemCpu {
  double busy = 0, total = 0;
};
SystemCpu ReadSystemCpu() {
  std::istringstream in(ReadFile("/proc/stat"));
  std::string cpu;
  in >> cpu;
  double v[10] = {};
  for (double& x : v) in >> x;
  SystemCpu s;
  for (int i = 0; i < 8; ++i) s.total += v[i];  // user..steal
  s.busy = s.total - v[3] - v[4];               // minus idle, iowait
  s.busy /= ClockTick();
  s.total /= ClockTick();
  return s;
}

// A value in kB from /proc/<pid>/status ("VmRSS", "VmHWM"); -1 if missing.
int64_t StatusKb(pid_t pid, const std::string& key) {
  std::istringstream in(ReadFile(absl::StrCat("/proc/", pid, "/status")));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) return std::stoll(line.substr(key.size() + 1));
  return -1;
}

// CPU accounting across a measured interval: the hub process by thread role,
// this process (the clients) by thread role, and everything else on the box.
class CpuMeter {
 public:
  explicit CpuMeter(pid_t hub) : hub_(hub) { Start(); }
  void Start() {
    hub0_ = hub_ > 0 ? ThreadsOf(hub_) : std::map<int, ThreadCpu>{};
    self0_ = ThreadsOf(getpid());
    pg0_ = PostgresProcesses();
    sys0_ = ReadSystemCpu();
    t0_ = NowUs();
  }
  void Stop() {
    hub1_ = hub_ > 0 ? ThreadsOf(hub_) : std::map<int, ThreadCpu>{};
    self1_ = ThreadsOf(getpid());
    pg1_ = PostgresProcesses();
    sys1_ = ReadSystemCpu();
    t1_ = NowUs();
  }
  double wall() const { return (t1_ - t0_) / 1e6; }
  double hub_total() const { return Sum(Delta(hub0_, hub1_, hub_, true)); }
  double self_total() const { return Sum(Delta(self0_, self1_, getpid(), false)); }
  double system_busy() const { return sys1_.busy - sys0_.busy; }
  // The PostgreSQL server's processes (0 with no server running); a backend
  // that ended inside the interval is not counted.
  double postgres_total() const {
    double s = 0;
    for (auto& [pid, seconds] : pg1_) {
      auto it = pg0_.find(pid);
      s += seconds - (it == pg0_.end() ? 0 : it->second);
    }
    return s;
  }
  double others() const {
    return std::max(0.0, system_busy() - hub_total() - self_total() - postgres_total());
  }
  // CPU seconds per role.
  std::map<std::string, double> hub_roles() const { return Delta(hub0_, hub1_, hub_, true); }
  std::map<std::string, double> self_roles() const {
    return Delta(self0_, self1_, getpid(), false);
  }

 private:
  static std::string Role(int tid, const ThreadCpu& t, pid_t pid, bool hub) {
    if (t.comm.rfind("ZMQbg/IO", 0) == 0)
      return hub ? "zmq I/O thread (CURVE, TCP)" : "clients' zmq I/O threads (CURVE, TCP)";
    if (t.comm.rfind("ZMQbg", 0) == 0) return "zmq reaper";
    if (tid == pid) return hub ? "loop thread (decode, route, ack, deliver)" : "bench main";
    if (hub && t.comm == "lead") return "lead check thread (PostgreSQL)";
    if (hub) return "writer thread (store commit)";
    if (t.comm.rfind("pub", 0) == 0) return "publisher client threads";
    if (t.comm.rfind("con", 0) == 0) return "consumer client threads (inbox txn)";
    return t.comm;
  }
  static std::map<std::string, double> Delta(const std::map<int, ThreadCpu>& a,
                                             const std::map<int, ThreadCpu>& b, pid_t pid,
                                             bool hub) {
    std::map<std::string, double> out;
    for (auto& [tid, t] : b) {
      auto it = a.find(tid);
      out[Role(tid, t, pid, hub)] += t.seconds - (it == a.end() ? 0 : it->second.seconds);
    }
    // Threads that ended inside the interval are not counted (none do here).
    return out;
  }
  static double Sum(const std::map<std::string, double>& m) {
    double s = 0;
    for (auto& [k, v] : m) s += v;
    return s;
  }
  pid_t hub_;
  std::map<int, ThreadCpu> hub0_, hub1_, self0_, self1_;
  std::map<int, double> pg0_, pg1_;
  SystemCpu sys0_, sys1_;
  int64_t t0_ = 0, t1_ = 0;
};

void PrintCpu(const CpuMeter& m, uint64_t messages) {
  auto row = [&](const std::string& what, double s) {
    printf("    %-44s %7.2f s  %6.1f%% of a core  %7.2f us/msg\n", what.c_str(), s,
           100.0 * s / m.wall(), messages ? 1e6 * s / static_cast<double>(messages) : 0.0);
  };
  printf("  CPU over %.2f s wall (%zu cores = %.2f core-s available):\n", m.wall(),
         static_cast<size_t>(sysconf(_SC_NPROCESSORS_ONLN)),
         m.wall() * static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN)));
  if (m.hub_total() > 0) {
    row("hub process", m.hub_total());
    for (auto& [role, s] : m.hub_roles()) row("  " + role, s);
  }
  row("bench process (clients)", m.self_total());
  for (auto& [role, s] : m.self_roles())
    if (s > 0.005) row("  " + role, s);
  if (m.postgres_total() > 0) row("PostgreSQL server processes", m.postgres_total());
  row("other processes on the machine (noise)", m.others());
}

// ---------------------------------------------------------------------------
// Statistics

struct Percentiles {
  size_t n = 0;
  double p50 = 0, p99 = 0, max = 0, mean = 0;  // milliseconds
};

Percentiles Summarize(std::vector<int64_t> us) {
  Percentiles p;
  p.n = us.size();
  if (us.empty()) return p;
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    size_t i = static_cast<size_t>(q * static_cast<double>(us.size() - 1) + 0.5);
    return us[std::min(i, us.size() - 1)] / 1000.0;
  };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.max = us.back() / 1000.0;
  double sum = 0;
  for (int64_t v : us) sum += static_cast<double>(v);
  p.mean = sum / static_cast<double>(us.size()) / 1000.0;
  return p;
}

std::string FormatLatency(const Percentiles& p) {
  char buf[160];
  snprintf(buf, sizeof buf, "p50 %.2f ms  p99 %.2f ms  max %.2f ms  mean %.2f ms  (n=%zu)", p.p50,
           p.p99, p.max, p.mean, p.n);
  return buf;
}

std::string Rate(double r) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.0f", r);
  std::string s = buf, out;
  int c = 0;
  for (auto it = s.rbegin(); it != s.rend(); ++it) {
    if (c && c % 3 == 0) out.insert(out.begin(), ',');
    out.insert(out.begin(), *it);
    ++c;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Load clients

std::string Body(size_t n) {
  std::string s(n, 'x');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
  return s;
}

// Drives one publishing Client: Start() sends `window` Publish() calls, each
// Ack callback records publish->ack latency and publishes the next, until
// `total` have been published. The envelope's TextNote subject carries the
// monotonic send time so consumers can measure publish->deliver.
class Publisher {
 public:
  Publisher(client::ClientOptions opts, const std::string& thread_name,
            std::vector<std::string> targets, size_t payload)
      : targets_(std::move(targets)),
        body_(Body(payload)),
        thread_(std::move(opts), [this, thread_name](client::Client& c) {
          pthread_setname_np(pthread_self(), thread_name.substr(0, 15).c_str());
          client_ = &c;
        }) {}

  bool ok() const { return thread_.ok(); }
  bool Connected() { return thread_.Stats().connected; }

  // Publishes `window` now and refills from the callbacks up to `total`.
  void Start(uint64_t total, uint32_t window) {
    thread_.Call([&](client::Client&) {
      total_ = total;
      refill_ = true;
      for (uint32_t i = 0; i < window && sent_ < total_; ++i) PublishNext();
      return 0;
    });
  }
  // One publish, for the paced mode.
  void PublishOne() {
    thread_.Call([&](client::Client&) {
      ++total_;
      PublishNext();
      return 0;
    });
  }
  uint64_t acked() const { return acked_.load(std::memory_order_relaxed); }
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }
  std::vector<int64_t> TakeLatencies() {
    return thread_.Call([&](client::Client&) { return std::move(ack_us_); });
  }
  client::ClientStats Stats() { return thread_.Stats(); }
  size_t FrameBytes() const { return frame_bytes_; }

 private:
  void PublishNext() {  // client thread
    const uint64_t i = sent_++;
    pb::TextNote note;
    const int64_t t0 = NowUs();
    note.set_subject(absl::StrCat(t0));
    note.set_body(body_);
    pb::Envelope env = client::MakeEnvelope({targets_[i % targets_.size()]}, note);
    if (frame_bytes_ == 0) {
      client_->Stamp(env);
      pb::Frame f;
      *f.mutable_publish()->mutable_envelope() = env;
      frame_bytes_ = f.ByteSizeLong();
    }
    client_->Publish(std::move(env), [this, t0](const absl::Status& st) {
      ack_us_.push_back(NowUs() - t0);
      if (!st.ok()) errors_.fetch_add(1, std::memory_order_relaxed);
      acked_.fetch_add(1, std::memory_order_relaxed);
      if (refill_ && sent_ < total_) PublishNext();
    });
  }

  const std::vector<std::string> targets_;
  const std::string body_;
  client::Client* client_ = nullptr;
  // Client thread only.
  uint64_t total_ = 0, sent_ = 0;
  bool refill_ = false;
  std::vector<int64_t> ack_us_;
  size_t frame_bytes_ = 0;
  std::atomic<uint64_t> acked_{0}, errors_{0};
  ClientThread thread_;  // last: its thread starts once the rest exists
};

// Counts deliveries into shared counters and records publish->deliver
// latency. The handler runs inside the Client's inbox transaction (which is
// committed with fsync before the hub is acknowledged).
class Consumer {
 public:
  Consumer(client::ClientOptions opts, const std::string& thread_name,
           std::atomic<uint64_t>* delivered, std::atomic<int64_t>* last_us)
      : delivered_(delivered),
        last_us_(last_us),
        thread_(std::move(opts), [this, thread_name](client::Client& c) {
          pthread_setname_np(pthread_self(), thread_name.substr(0, 15).c_str());
          c.OnMessage([this](const pb::Envelope& env, sql::Db&) {
            const int64_t now = NowUs();
            pb::TextNote note;
            if (env.payload().UnpackTo(&note) && !note.subject().empty())
              e2e_us_.push_back(now - std::strtoll(note.subject().c_str(), nullptr, 10));
            last_us_->store(now, std::memory_order_relaxed);
            delivered_->fetch_add(1, std::memory_order_relaxed);
            return absl::OkStatus();
          });
        }) {}

  bool ok() const { return thread_.ok(); }
  bool Connected() { return thread_.Stats().connected; }
  client::ClientStats Stats() { return thread_.Stats(); }
  std::vector<int64_t> TakeLatencies() {
    return thread_.Call([&](client::Client&) { return std::move(e2e_us_); });
  }

 private:
  std::atomic<uint64_t>* delivered_;
  std::atomic<int64_t>* last_us_;
  std::vector<int64_t> e2e_us_;  // client thread
  ClientThread thread_;
};

// Envelopes signed and verified and payloads sealed (the default), signed
// only (--no-seal), or neither (--no-sign): the baselines for their costs.
client::ClientOptions Signing(client::ClientOptions c, const Options& o) {
  c.sign_envelopes = c.verify_signatures = o.sign;
  c.seal_payloads = o.sign && o.seal;
  return c;
}

client::ClientOptions WithCredit(client::ClientOptions o, uint32_t credit) {
  o.credit = credit;
  return o;
}

// Hub metrics worth printing after a run.
struct HubCounters {
  double published = 0, delivered = 0, redelivered = 0, commits = 0, batch_sum = 0, batch_count = 0,
         resource_exhausted = 0;
};
HubCounters ReadHubCounters(const TestDistrict& d) {
  HubCounters c;
  c.published = d.Metric("concord_hub_published_total");
  c.delivered = d.Metric("concord_hub_delivered_total");
  c.redelivered = d.Metric("concord_hub_redelivered_total");
  c.commits = d.Metric("concord_hub_commits_total");
  c.batch_sum = d.Metric("concord_hub_commit_batch_size_sum");
  c.batch_count = d.Metric("concord_hub_commit_batch_size_count");
  c.resource_exhausted = d.Metric("concord_hub_resource_exhausted_total");
  return c;
}

void PrintHubCounters(const HubCounters& c) {
  printf(
      "  hub: published %.0f, delivered %.0f, redelivered %.0f, refused-full %.0f, "
      "commits %.0f, mean batch %.1f msgs\n",
      c.published, c.delivered, c.redelivered, c.resource_exhausted, c.commits,
      c.batch_count > 0 ? c.batch_sum / c.batch_count : 0.0);
}

std::string HubLimits(const Options& o) {
  // A big queue limit so that the backlog mode is not refused; the rest are the
  // hub's defaults (and TestDistrict's heartbeat_ms = 500, ack_timeout_ms =
  // 1000) unless --limits says otherwise.
  const bool own = o.limits.find("max_queue_depth") != std::string::npos;  // TOML: no key twice
  return absl::StrCat(own ? "" : "max_queue_depth = 5000000\n", o.limits, "\n");
}

// The registry as a real district has it (each principal's sign_key) when
// clients sign; the hub then insists on sealed payloads unless --no-seal.
void SetUpDistrict(TestDistrict& d, const Options& o) {
  d.SetLimits(absl::StrCat(HubLimits(o),
                           o.sign && !o.seal ? "\n[security]\nrequire_sealed = false\n" : ""));
  if (o.sign) d.RegisterSignKeys();
}

// ---------------------------------------------------------------------------
// Mode: throughput

struct ThroughputResult {
  bool ran = false, complete = false;
  uint64_t messages = 0;
  double seconds = 0, rate = 0, acked_seconds = 0;
  Percentiles ack, e2e;
  double hub_us_per_msg = 0, self_us_per_msg = 0, postgres_us_per_msg = 0, others_core_s = 0;
  size_t frame_bytes = 0;
};

ThroughputResult RunThroughput(const Options& o) {
  ThroughputResult r;
  r.ran = true;
  printf("\n== throughput: %d publisher(s) -> hub -> %d consumer(s), %" PRIu64
         " messages, window %u per publisher, consumer credit %u ==\n",
         o.publishers, o.consumers, o.messages, o.window, o.credit);
  std::vector<std::string> names;
  for (int i = 0; i < o.publishers; ++i) names.push_back(absl::StrCat("pub", i));
  for (int i = 0; i < o.consumers; ++i) names.push_back(absl::StrCat("con", i));
  if (auto st = PrepareStore(o, "throughput"); !st.ok()) {
    printf("  store: %s\n", st.ToString().c_str());
    return r;
  }
  TestDistrict d(names);
  SetUpDistrict(d, o);
  if (auto st = d.StartHub(); !st.ok()) {
    printf("  hub did not start: %s\n", st.ToString().c_str());
    return r;
  }
  std::atomic<uint64_t> delivered{0};
  std::atomic<int64_t> last_us{0};
  std::vector<std::unique_ptr<Consumer>> cons;
  std::vector<std::string> targets;
  for (int i = 0; i < o.consumers; ++i) {
    const std::string n = absl::StrCat("con", i);
    cons.push_back(std::make_unique<Consumer>(WithCredit(Signing(d.ClientFor(n), o), o.credit), n,
                                              &delivered, &last_us));
    targets.push_back(n);
  }
  std::vector<std::unique_ptr<Publisher>> pubs;
  for (int i = 0; i < o.publishers; ++i) {
    const std::string n = absl::StrCat("pub", i);
    // Each publisher starts at a different consumer so the load is even.
    std::vector<std::string> t = targets;
    std::rotate(t.begin(), t.begin() + (i % t.size()), t.end());
    pubs.push_back(std::make_unique<Publisher>(Signing(d.ClientFor(n), o), n, t, o.payload));
  }
  if (!testing::WaitFor([&] {
        for (auto& c : cons)
          if (!c->Connected()) return false;
        for (auto& p : pubs)
          if (!p->Connected()) return false;
        return true;
      })) {
    printf("  clients did not connect\n");
    return r;
  }
  const uint64_t per = o.messages / static_cast<uint64_t>(o.publishers);
  const uint64_t total = per * static_cast<uint64_t>(o.publishers);
  CpuMeter cpu(d.hub_pid());
  const int64_t t0 = NowUs();
  for (auto& p : pubs) p->Start(per, o.window);
  const bool done = testing::WaitFor([&] { return delivered.load() >= total; }, o.timeout_s * 1000);
  const int64_t t_delivered = done ? last_us.load() : NowUs();
  testing::WaitFor(
      [&] {
        uint64_t a = 0;
        for (auto& p : pubs) a += p->acked();
        return a >= total;
      },
      30000);
  const int64_t t_acked = NowUs();
  cpu.Stop();
  r.complete = done;
  r.messages = delivered.load();
  r.seconds = (t_delivered - t0) / 1e6;
  r.acked_seconds = (t_acked - t0) / 1e6;
  r.rate = static_cast<double>(r.messages) / r.seconds;
  std::vector<int64_t> ack, e2e;
  uint64_t errors = 0;
  for (auto& p : pubs) {
    auto v = p->TakeLatencies();
    ack.insert(ack.end(), v.begin(), v.end());
    errors += p->errors();
    r.frame_bytes = p->FrameBytes();
  }
  for (auto& c : cons) {
    auto v = c->TakeLatencies();
    e2e.insert(e2e.end(), v.begin(), v.end());
  }
  r.ack = Summarize(std::move(ack));
  r.e2e = Summarize(std::move(e2e));
  r.hub_us_per_msg = 1e6 * cpu.hub_total() / static_cast<double>(std::max<uint64_t>(1, total));
  r.self_us_per_msg = 1e6 * cpu.self_total() / static_cast<double>(std::max<uint64_t>(1, total));
  r.postgres_us_per_msg =
      1e6 * cpu.postgres_total() / static_cast<double>(std::max<uint64_t>(1, total));
  r.others_core_s = cpu.others();
  printf("  payload: TextNote body %zu bytes; Publish frame on the wire %zu bytes (before CURVE)\n",
         o.payload, r.frame_bytes);
  printf("  %s: %" PRIu64 "/%" PRIu64
         " delivered in %.2f s -> %s msg/s end to end "
         "(first Publish() to last consumer delivery)\n",
         done ? "complete" : "TIMED OUT", r.messages, total, r.seconds, Rate(r.rate).c_str());
  printf("  all acks back after %.2f s; publish errors %" PRIu64 "\n", r.acked_seconds, errors);
  uint64_t sealed = 0, opened = 0;
  for (auto& p : pubs) sealed += p->Stats().sealed;
  for (auto& c : cons) opened += c->Stats().opened;
  printf("  payloads sealed by the publishers %" PRIu64 ", opened by the consumers %" PRIu64
         " (%s)\n",
         sealed, opened,
         !o.sign   ? "--no-sign: neither signed nor sealed"
         : !o.seal ? "--no-seal: signed, not sealed"
                   : "signed and sealed");
  printf("  publish->ack     %s\n", FormatLatency(r.ack).c_str());
  printf("  publish->deliver %s\n", FormatLatency(r.e2e).c_str());
  printf(
      "  (under saturation, publish->ack ~= in-flight / rate = %u*%d / %.0f = %.1f ms, "
      "Little's law)\n",
      o.window, o.publishers, r.rate, 1000.0 * o.window * o.publishers / std::max(1.0, r.rate));
  PrintHubCounters(ReadHubCounters(d));
  PrintCpu(cpu, total);
  printf("  hub VmHWM %.1f MB\n", StatusKb(d.hub_pid(), "VmHWM") / 1024.0);
  return r;
}

// ---------------------------------------------------------------------------
// Mode: latency (paced)

struct LatencyResult {
  bool ran = false;
  double rate = 0;
  Percentiles ack, e2e;
};

LatencyResult RunLatency(const Options& o) {
  LatencyResult r;
  r.ran = true;
  const uint64_t count = static_cast<uint64_t>(o.rate * o.seconds);
  printf("\n== latency: 1 publisher -> hub -> 1 consumer, paced at %d msg/s for %.1f s (%" PRIu64
         " messages) ==\n",
         o.rate, o.seconds, count);
  if (auto st = PrepareStore(o, "latency"); !st.ok()) {
    printf("  store: %s\n", st.ToString().c_str());
    return r;
  }
  TestDistrict d({"pub", "con"});
  SetUpDistrict(d, o);
  if (auto st = d.StartHub(); !st.ok()) {
    printf("  hub did not start: %s\n", st.ToString().c_str());
    return r;
  }
  std::atomic<uint64_t> delivered{0};
  std::atomic<int64_t> last_us{0};
  Consumer con(WithCredit(Signing(d.ClientFor("con"), o), o.credit), "con0", &delivered, &last_us);
  Publisher pub(Signing(d.ClientFor("pub"), o), "pub0", {"con"}, o.payload);
  if (!testing::WaitFor([&] { return con.Connected() && pub.Connected(); })) {
    printf("  clients did not connect\n");
    return r;
  }
  // Warm-up: a few messages so connections and caches are hot.
  for (int i = 0; i < 20; ++i) pub.PublishOne();
  testing::WaitFor([&] { return delivered.load() >= 20; });
  (void)pub.TakeLatencies();
  (void)con.TakeLatencies();
  delivered = 0;
  CpuMeter cpu(d.hub_pid());
  const auto period = std::chrono::nanoseconds(static_cast<int64_t>(1e9 / o.rate));
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < count; ++i) {
    std::this_thread::sleep_until(start + period * static_cast<int64_t>(i));
    pub.PublishOne();
  }
  const double sent_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  testing::WaitFor([&] { return delivered.load() >= count && pub.acked() >= count + 20; }, 30000);
  cpu.Stop();
  r.rate = static_cast<double>(count) / sent_s;
  r.ack = Summarize(pub.TakeLatencies());
  r.e2e = Summarize(con.TakeLatencies());
  printf("  sent %" PRIu64 " in %.2f s (%.0f msg/s achieved pacing); delivered %" PRIu64 "\n",
         count, sent_s, r.rate, delivered.load());
  printf("  publish->ack     %s\n", FormatLatency(r.ack).c_str());
  printf("  publish->deliver %s\n", FormatLatency(r.e2e).c_str());
  PrintHubCounters(ReadHubCounters(d));
  PrintCpu(cpu, count);
  return r;
}

// ---------------------------------------------------------------------------
// Mode: baseline-zmq

struct ZmqResult {
  bool ran = false, curve = false, complete = false;
  uint64_t messages = 0;
  double seconds = 0, rate = 0;
};

struct CurveKeys {
  std::string pub, sec;
};
CurveKeys NewKeys() {
  char p[41], s[41];
  zmq_curve_keypair(p, s);
  return {p, s};
}

void Configure(zmq::socket_t& s) {
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::sndhwm, 100000);  // as the hub and the client
  s.set(zmq::sockopt::rcvhwm, 100000);
}

// DEALER publishers -> one ROUTER relay -> DEALER consumers, each socket with
// its own context (as each Client and the hub have). The relay forwards
// round-robin; no persistence, no acknowledgements.
ZmqResult RunZmqOnce(bool curve, int publishers, int consumers, uint64_t total, size_t payload,
                     int timeout_s) {
  ZmqResult r;
  r.ran = true;
  r.curve = curve;
  const CurveKeys server = NewKeys();
  std::atomic<bool> stop{false}, go{false};
  std::atomic<int> ready{0};
  std::atomic<uint64_t> received{0};
  std::atomic<int64_t> last_us{0};
  std::promise<std::string> endpoint_p;
  auto endpoint_f = endpoint_p.get_future();

  std::thread relay([&] {
    pthread_setname_np(pthread_self(), "relay");
    zmq::context_t ctx(1);
    zmq::socket_t router(ctx, zmq::socket_type::router);
    Configure(router);
    router.set(zmq::sockopt::router_mandatory, 1);  // block at the HWM instead of dropping
    router.set(zmq::sockopt::sndtimeo, 100);        // ... but wake up to see `stop`
    if (curve) {
      router.set(zmq::sockopt::curve_server, 1);
      router.set(zmq::sockopt::curve_secretkey, server.sec);
    }
    router.bind("tcp://127.0.0.1:*");
    endpoint_p.set_value(router.get(zmq::sockopt::last_endpoint));
    std::vector<std::string> sinks;
    size_t next = 0;
    zmq::pollitem_t items[] = {{router.handle(), 0, ZMQ_POLLIN, 0}};
    while (!stop.load()) {
      zmq::poll(items, 1, std::chrono::milliseconds(50));
      for (int budget = 0; budget < 4096; ++budget) {
        zmq::message_t rid, body;
        if (!router.recv(rid, zmq::recv_flags::dontwait)) break;
        (void)router.recv(body, zmq::recv_flags::none);
        if (body.size() == 5 && body.to_string_view() == "HELLO") {
          sinks.push_back(rid.to_string());
          ready.fetch_add(1);
          continue;
        }
        if (sinks.empty()) continue;
        const std::string& to = sinks[next++ % sinks.size()];
        try {
          while (!stop.load() && !router.send(zmq::buffer(to), zmq::send_flags::sndmore)) {
          }
          if (!stop.load()) router.send(std::move(body), zmq::send_flags::none);
        } catch (const zmq::error_t&) {
          // A consumer went away: only at the end of a run.
        }
      }
    }
  });
  const std::string endpoint = endpoint_f.get();

  auto dealer = [&](zmq::context_t& ctx) {
    zmq::socket_t s(ctx, zmq::socket_type::dealer);
    Configure(s);
    if (curve) {
      const CurveKeys k = NewKeys();
      s.set(zmq::sockopt::curve_serverkey, server.pub);
      s.set(zmq::sockopt::curve_publickey, k.pub);
      s.set(zmq::sockopt::curve_secretkey, k.sec);
    }
    s.connect(endpoint);
    return s;
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < consumers; ++i) {
    threads.emplace_back([&, i] {
      pthread_setname_np(pthread_self(), absl::StrCat("con", i).c_str());
      zmq::context_t ctx(1);
      zmq::socket_t s = dealer(ctx);
      s.send(zmq::str_buffer("HELLO"), zmq::send_flags::none);
      s.set(zmq::sockopt::rcvtimeo, 50);
      while (!stop.load()) {
        zmq::message_t m;
        if (!s.recv(m, zmq::recv_flags::none)) continue;
        last_us.store(NowUs(), std::memory_order_relaxed);
        received.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  const uint64_t per = total / static_cast<uint64_t>(publishers);
  total = per * static_cast<uint64_t>(publishers);
  for (int i = 0; i < publishers; ++i) {
    threads.emplace_back([&, i] {
      pthread_setname_np(pthread_self(), absl::StrCat("pub", i).c_str());
      zmq::context_t ctx(1);
      zmq::socket_t s = dealer(ctx);
      const std::string body = Body(payload);
      while (!go.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      s.set(zmq::sockopt::sndtimeo, 100);
      for (uint64_t n = 0; n < per && !stop.load();)
        if (s.send(zmq::buffer(body), zmq::send_flags::none)) ++n;  // blocks at the HWM
      while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    });
  }
  testing::WaitFor([&] { return ready.load() >= consumers; });
  CpuMeter cpu(-1);
  const int64_t t0 = NowUs();
  go = true;
  r.complete = testing::WaitFor([&] { return received.load() >= total; }, timeout_s * 1000);
  const int64_t t1 = r.complete ? last_us.load() : NowUs();
  cpu.Stop();
  stop = true;
  for (auto& t : threads) t.join();
  relay.join();
  r.messages = received.load();
  r.seconds = (t1 - t0) / 1e6;
  r.rate = static_cast<double>(r.messages) / r.seconds;
  printf("  CURVE %-3s: %" PRIu64
         " msgs in %.2f s -> %s msg/s%s; CPU %.2f us/msg (%.0f%% of %ld "
         "cores); other processes %.2f core-s\n",
         curve ? "on" : "off", r.messages, r.seconds, Rate(r.rate).c_str(),
         r.complete ? "" : " (TIMED OUT)", 1e6 * cpu.self_total() / static_cast<double>(total),
         100.0 * cpu.self_total() / cpu.wall() / static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN)),
         sysconf(_SC_NPROCESSORS_ONLN), cpu.others());
  return r;
}

// ---------------------------------------------------------------------------
// Mode: baseline-sqlite

struct SqliteRow {
  int batch = 0;
  uint64_t rows = 0;
  double seconds = 0, rate = 0;
};

struct SqliteResult {
  bool ran = false;
  std::vector<SqliteRow> plain, store;
  std::vector<std::pair<std::string, double>> schema;  // step, msgs/s
  double ceiling = 0, store_best = 0;
  int ceiling_batch = 0, store_batch = 0;
};

// Makes a temp folder next to where TestDistrict puts the hub's data.
std::string TempDir(const std::string& tag) {
  std::string tmpl = absl::StrCat("/tmp/concord-bench-", tag, "-XXXXXX");
  return mkdtemp(tmpl.data());
}

// Runs `txn` (one transaction of `batch` rows; it numbers them from `seq`)
// for at least `seconds` and 3 transactions: rows per second.
absl::StatusOr<SqliteRow> Timed(int batch, double seconds,
                                const std::function<absl::Status(int64_t& seq)>& txn) {
  SqliteRow row;
  row.batch = batch;
  int64_t seq = 0;
  const int64_t t0 = NowUs();
  for (int txns = 0; txns < 3 || NowUs() - t0 < seconds * 1e6; ++txns) RETURN_IF_ERROR(txn(seq));
  row.seconds = (NowUs() - t0) / 1e6;
  row.rows = static_cast<uint64_t>(seq);
  row.rate = static_cast<double>(row.rows) / row.seconds;
  return row;
}

absl::StatusOr<SqliteRow> PlainInserts(const std::string& path, int batch, double seconds,
                                       size_t payload) {
  sqlite::OpenOptions opts;
  opts.synchronous = "FULL";
  ASSIGN_OR_RETURN(auto db, sqlite::Db::Open(path, opts));
  RETURN_IF_ERROR(db.Exec("CREATE TABLE t(seq INTEGER PRIMARY KEY, payload BLOB NOT NULL)"));
  ASSIGN_OR_RETURN(auto ins, db.Prepare("INSERT INTO t(seq, payload) VALUES(?, ?)"));
  const std::string body = Body(payload);
  return Timed(batch, seconds, [&](int64_t& seq) -> absl::Status {
    ASSIGN_OR_RETURN(auto txn, sqlite::Txn::Begin(db));
    for (int i = 0; i < batch; ++i) {
      ins.Bind(1, ++seq).BindBlob(2, body);
      RETURN_IF_ERROR(ins.Run());
    }
    return txn.Commit();
  });
}

// The hub's own write path: Store::Commit() of `batch` envelopes addressed to
// one recipient, plus what a commit usually also carries (a cursor update and
// two audit lines), on a fresh hub.db.
absl::StatusOr<SqliteRow> StoreCommits(hub::Store& store, int batch, double seconds,
                                       size_t payload) {
  ASSIGN_OR_RETURN(hub::RecipientId rid, store.EnsureRecipient("con0"));
  pb::TextNote note;
  note.set_subject("1234567890123");
  note.set_body(Body(payload));
  pb::Envelope tmpl = client::MakeEnvelope({"con0"}, note);
  tmpl.set_from("pub0");
  tmpl.set_trace_id(NewTraceId());
  return Timed(batch, seconds, [&](int64_t& seq) -> absl::Status {
    hub::WriteBatch b;
    b.messages.reserve(batch);
    const int64_t now_ms = SystemClock::Get().NowMs();
    for (int i = 0; i < batch; ++i) {
      hub::NewMessage m;
      m.seq = static_cast<uint64_t>(++seq);
      m.id = NewUuidV7();
      m.sender = "pub0";
      m.created_ms = now_ms;
      tmpl.set_id(m.id);
      m.envelope = tmpl.SerializeAsString();
      m.recipients = {rid};
      m.audit_detail = "type=concord.v1.TextNote to=con0 recipients=1";
      b.messages.push_back(std::move(m));
    }
    if (seq > batch) b.cursors[rid] = static_cast<uint64_t>(seq - batch);
    b.audit.push_back({now_ms, "deliver", "con0", "seq=1..2 n=2"});
    b.audit.push_back({now_ms, "ack", "con0", "seq=1..2 n=2 cursor=2"});
    return store.Commit(b).status();
  });
}

// One step of the hub schema, to see what each part of a commit costs: the
// message row alone, then its UNIQUE id index (dedup), then a mailbox row per
// recipient, then an audit line per message (formatted and hashed by the
// hub's own AuditChain). Same statements as hub/broker/sqlite_store.cc.
struct SchemaStep {
  const char* name;
  bool unique_id, mailbox, audit;
};

absl::StatusOr<SqliteRow> SchemaInserts(const std::string& path, int batch, double seconds,
                                        size_t payload, const SchemaStep& step) {
  sqlite::OpenOptions opts;
  opts.synchronous = "FULL";
  ASSIGN_OR_RETURN(auto db, sqlite::Db::Open(path, opts));
  RETURN_IF_ERROR(db.Exec(absl::StrCat(
      "CREATE TABLE messages(seq INTEGER PRIMARY KEY, id TEXT NOT NULL",
      step.unique_id ? " UNIQUE" : "",
      ", sender TEXT NOT NULL, created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, "
      "stored_ms INTEGER NOT NULL, envelope BLOB NOT NULL);"
      "CREATE TABLE mailbox(recipient INTEGER NOT NULL, seq INTEGER NOT NULL, "
      "PRIMARY KEY(recipient, seq)) WITHOUT ROWID;"
      "CREATE TABLE audit(n INTEGER PRIMARY KEY, line TEXT NOT NULL, hash TEXT NOT NULL);")));
  ASSIGN_OR_RETURN(
      auto ins_msg,
      db.Prepare(absl::StrCat("INSERT INTO messages(seq,id,sender,created_ms,expires_ms,stored_ms,"
                              "envelope) VALUES(?,?,?,?,?,?,?)",
                              step.unique_id ? " ON CONFLICT(id) DO NOTHING" : "")));
  ASSIGN_OR_RETURN(auto ins_box,
                   db.Prepare("INSERT OR IGNORE INTO mailbox(recipient,seq) VALUES(?,?)"));
  ASSIGN_OR_RETURN(auto ins_audit, db.Prepare("INSERT INTO audit(n,line,hash) VALUES(?,?,?)"));
  hub::AuditChain chain;
  pb::TextNote note;
  note.set_subject("1234567890123");
  note.set_body(Body(payload));
  pb::Envelope env = client::MakeEnvelope({"con0"}, note);
  env.set_from("pub0");
  env.set_id(NewUuidV7());
  env.set_trace_id(NewTraceId());
  env.set_created_at_ms(SystemClock::Get().NowMs());
  const std::string envelope = env.SerializeAsString();
  return Timed(batch, seconds, [&](int64_t& seq) -> absl::Status {
    ASSIGN_OR_RETURN(auto txn, sqlite::Txn::Begin(db));
    const int64_t now = SystemClock::Get().NowMs();
    for (int i = 0; i < batch; ++i) {
      const std::string id = NewUuidV7();
      ins_msg.BindAll(++seq, id, "pub0", now, int64_t{0}, now);
      ins_msg.BindBlob(7, envelope);
      RETURN_IF_ERROR(ins_msg.Run());
      if (step.mailbox) {
        ins_box.BindAll(int64_t{1}, seq);
        RETURN_IF_ERROR(ins_box.Run());
      }
      if (step.audit)
        RETURN_IF_ERROR(chain.Append(
            ins_audit, {now, "accept", "pub0",
                        absl::StrCat("id=", id, " seq=", seq,
                                     " type=concord.v1.TextNote to=con0 recipients=1")}));
    }
    return txn.Commit();
  });
}

SqliteResult RunSqlite(const Options& o) {
  SqliteResult r;
  r.ran = true;
  const std::string dir = TempDir("sqlite");
  struct stat st_dir, st_tmp;
  stat(dir.c_str(), &st_dir);
  stat("/tmp", &st_tmp);
  printf(
      "\n== baseline-sqlite: WAL, synchronous=FULL, %zu-byte rows, in %s (%s file system as "
      "the hub's data in /tmp) ==\n",
      o.payload, dir.c_str(), st_dir.st_dev == st_tmp.st_dev ? "same" : "DIFFERENT");
  CpuMeter cpu(-1);
  for (int batch : {1, 64, 512, 4096}) {
    auto row = PlainInserts(absl::StrCat(dir, "/plain-", batch, ".db"), batch, o.sqlite_seconds,
                            o.payload);
    if (!row.ok()) {
      printf("  batch %4d: %s\n", batch, row.status().ToString().c_str());
      continue;
    }
    printf("  plain rows, %4d per txn: %8" PRIu64
           " rows in %.2f s -> %10s rows/s  (%.2f ms per "
           "commit)\n",
           batch, row->rows, row->seconds, Rate(row->rate).c_str(),
           1000.0 * row->seconds / (static_cast<double>(row->rows) / batch));
    if (row->rate > r.ceiling) {
      r.ceiling = row->rate;
      r.ceiling_batch = batch;
    }
    r.plain.push_back(*row);
  }
  for (int batch : {1, 64, 512, 4096}) {
    auto store = hub::OpenSqliteStore(absl::StrCat(dir, "/store-", batch, ".db"), "FULL");
    auto row = store.ok() ? StoreCommits(**store, batch, o.sqlite_seconds, o.payload)
                          : absl::StatusOr<SqliteRow>(store.status());
    if (!row.ok()) {
      printf("  store batch %4d: %s\n", batch, row.status().ToString().c_str());
      continue;
    }
    printf("  hub Store::Commit, %4d per txn: %8" PRIu64
           " msgs in %.2f s -> %10s msgs/s  (%.2f ms "
           "per commit)\n",
           batch, row->rows, row->seconds, Rate(row->rate).c_str(),
           1000.0 * row->seconds / (static_cast<double>(row->rows) / batch));
    if (row->rate > r.store_best) {
      r.store_best = row->rate;
      r.store_batch = batch;
    }
    r.store.push_back(*row);
  }
  // What the hub schema costs, step by step, at the batch size the hub's
  // commits reach under load.
  const int kBreakdownBatch = 4096;
  const SchemaStep steps[] = {
      {"message row (7 columns, ~650 B envelope)", false, false, false},
      {"  + UNIQUE(id) index (dedup)", true, false, false},
      {"  + mailbox row per recipient", true, true, false},
      {"  + audit line per message (= hub today)", true, true, true},
  };
  int n = 0;
  for (const SchemaStep& step : steps) {
    auto row = SchemaInserts(absl::StrCat(dir, "/schema-", n++, ".db"), kBreakdownBatch,
                             o.sqlite_seconds, o.payload, step);
    if (!row.ok()) {
      printf("  schema step %s: %s\n", step.name, row.status().ToString().c_str());
      continue;
    }
    printf("  hub schema, %4d per txn: %-42s %10s msgs/s  (%.2f us/msg on the writer)\n",
           kBreakdownBatch, step.name, Rate(row->rate).c_str(), 1e6 / row->rate);
    r.schema.emplace_back(step.name, row->rate);
  }
  cpu.Stop();
  printf("  (other processes used %.2f core-s of %.2f during these runs: noise)\n", cpu.others(),
         cpu.wall() * static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN)));
  printf(
      "  ceiling (best plain rate): %s rows/s at %d rows per transaction; hub schema via "
      "Store::Commit: best %s msgs/s at %d\n",
      Rate(r.ceiling).c_str(), r.ceiling_batch, Rate(r.store_best).c_str(), r.store_batch);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return r;
}

// ---------------------------------------------------------------------------
// Mode: backlog

struct BacklogResult {
  bool ran = false, filled = false, drained = false;
  uint64_t messages = 0;
  double fill_seconds = 0, drain_seconds = 0;
  double rss_mb = 0, hwm_fill_mb = 0, hwm_drain_mb = 0, db_mb = 0;
};

BacklogResult RunBacklog(const Options& o) {
  BacklogResult r;
  r.ran = true;
  r.messages = o.backlog;
  printf("\n== backlog: %" PRIu64 " messages queued for an offline agency, then drained ==\n",
         o.backlog);
  if (auto st = PrepareStore(o, "backlog"); !st.ok()) {
    printf("  store: %s\n", st.ToString().c_str());
    return r;
  }
  TestDistrict d({"pub", "agency"});
  SetUpDistrict(d, o);
  if (auto st = d.StartHub(); !st.ok()) {
    printf("  hub did not start: %s\n", st.ToString().c_str());
    return r;
  }
  std::atomic<uint64_t> delivered{0};
  std::atomic<int64_t> last_us{0};
  {
    // The agency connects once so the hub knows its mailbox, then leaves.
    Consumer agency(WithCredit(Signing(d.ClientFor("agency"), o), o.credit), "con0", &delivered,
                    &last_us);
    if (!testing::WaitFor([&] { return agency.Connected(); })) {
      printf("  agency did not connect\n");
      return r;
    }
  }
  testing::WaitFor([&] { return d.Metric("concord_hub_connected_peers") == 0; });
  printf("  hub VmRSS before filling: %.1f MB\n", StatusKb(d.hub_pid(), "VmRSS") / 1024.0);
  {
    Publisher pub(Signing(d.ClientFor("pub"), o), "pub0", {"agency"}, o.payload);
    if (!testing::WaitFor([&] { return pub.Connected(); })) {
      printf("  publisher did not connect\n");
      return r;
    }
    CpuMeter cpu(d.hub_pid());
    const int64_t t0 = NowUs();
    pub.Start(o.backlog, o.window);
    int64_t peak_rss = 0;
    r.filled = testing::WaitFor(
        [&] {
          peak_rss = std::max(peak_rss, StatusKb(d.hub_pid(), "VmRSS"));
          return pub.acked() >= o.backlog;
        },
        o.timeout_s * 1000);
    r.fill_seconds = (NowUs() - t0) / 1e6;
    cpu.Stop();
    printf("  filled %" PRIu64 " in %.2f s (%s msg/s, publish->ack, no consumer); errors %" PRIu64
           "\n",
           pub.acked(), r.fill_seconds,
           Rate(static_cast<double>(pub.acked()) / r.fill_seconds).c_str(), pub.errors());
    PrintCpu(cpu, pub.acked());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  r.rss_mb = StatusKb(d.hub_pid(), "VmRSS") / 1024.0;
  r.hwm_fill_mb = StatusKb(d.hub_pid(), "VmHWM") / 1024.0;
  std::error_code ec;
  r.db_mb = (static_cast<double>(fs::file_size(d.hub_db(), ec)) +
             static_cast<double>(fs::file_size(d.hub_db() + "-wal", ec))) /
            (1024.0 * 1024.0);
  printf("  hub with %" PRIu64
         " queued: VmRSS %.1f MB, peak VmHWM %.1f MB; hub.db+wal %.0f MB; "
         "queue depth metric %.0f\n",
         o.backlog, r.rss_mb, r.hwm_fill_mb, r.db_mb,
         d.Metric("concord_hub_queue_depth{recipient=\"agency\"}"));
  if (!o.drain) return r;
  delivered = 0;
  CpuMeter cpu(d.hub_pid());
  const int64_t t0 = NowUs();
  Consumer agency(WithCredit(Signing(d.ClientFor("agency"), o), o.credit), "con0", &delivered,
                  &last_us);
  r.drained = testing::WaitFor([&] { return delivered.load() >= o.backlog; }, o.timeout_s * 1000);
  r.drain_seconds = ((r.drained ? last_us.load() : NowUs()) - t0) / 1e6;
  cpu.Stop();
  r.hwm_drain_mb = StatusKb(d.hub_pid(), "VmHWM") / 1024.0;
  printf("  drain on reconnect: %" PRIu64
         " delivered in %.2f s (%s msg/s, consumer credit %u)%s; "
         "hub VmHWM now %.1f MB\n",
         delivered.load(), r.drain_seconds,
         Rate(static_cast<double>(delivered.load()) / r.drain_seconds).c_str(), o.credit,
         r.drained ? "" : " TIMED OUT", r.hwm_drain_mb);
  PrintHubCounters(ReadHubCounters(d));
  PrintCpu(cpu, delivered.load());
  return r;
}

// ---------------------------------------------------------------------------
// Mode: baseline-postgresql

struct PgBaselineResult {
  bool ran = false;
  std::vector<SqliteRow> plain, store;
  double ceiling = 0, store_best = 0;
  int ceiling_batch = 0, store_batch = 0;
};

// Plain multi-row INSERTs of `batch` rows (one statement, one transaction,
// synchronous_commit on) into a table of its own: what the server can take.
absl::StatusOr<SqliteRow> PgPlainInserts(const std::string& conninfo, int batch, double seconds,
                                         size_t payload) {
  ASSIGN_OR_RETURN(pg::Conn conn, pg::Conn::Open(conninfo, "concord-bench"));
  RETURN_IF_ERROR(conn.Exec("CREATE TABLE t(seq BIGINT PRIMARY KEY, payload BYTEA NOT NULL)"));
  std::string sql = "INSERT INTO t(seq, payload) VALUES ";
  for (int i = 0; i < batch; ++i)
    absl::StrAppend(&sql, i ? "," : "", "($", 2 * i + 1, ",$", 2 * i + 2, ")");
  RETURN_IF_ERROR(conn.Prepare("plain", sql));
  const std::string body = Body(payload);
  return Timed(batch, seconds, [&](int64_t& seq) {
    pg::Params p;
    for (int i = 0; i < batch; ++i) p.Add(++seq).AddBytes(body);
    return conn.Run("plain", p).status();  // autocommit: one transaction
  });
}

PgBaselineResult RunPgBaseline(const Options& o) {
  PgBaselineResult r;
  r.ran = true;
  printf(
      "\n== baseline-postgresql: PostgreSQL %s on this machine (fsync, synchronous_commit on), "
      "%zu-byte rows, %.2f s per batch size ==\n",
      "15", o.payload, o.sqlite_seconds);
  for (int batch : {1, 64, 512, 4096}) {
    auto conninfo = FreshPgDatabase("plain");
    if (!conninfo.ok()) {
      printf("  %s\n", conninfo.status().ToString().c_str());
      return r;
    }
    auto row = PgPlainInserts(*conninfo, batch, o.sqlite_seconds, o.payload);
    if (!row.ok()) {
      printf("  plain batch %d: %s\n", batch, row.status().ToString().c_str());
      continue;
    }
    printf("  multi-row INSERT, %4d rows per statement: %s rows/s\n", batch,
           Rate(row->rate).c_str());
    if (row->rate > r.ceiling) r.ceiling = row->rate, r.ceiling_batch = batch;
    r.plain.push_back(*row);
  }
  for (int batch : {64, 512, 4096}) {
    auto conninfo = FreshPgDatabase("store");
    if (!conninfo.ok()) return r;
    auto store = hub::OpenPostgresStore(*conninfo, "");
    auto row = store.ok() ? StoreCommits(**store, batch, o.sqlite_seconds, o.payload)
                          : absl::StatusOr<SqliteRow>(store.status());
    if (!row.ok()) {
      printf("  store batch %d: %s\n", batch, row.status().ToString().c_str());
      continue;
    }
    printf("  hub PostgresStore::Commit, %4d messages per commit: %s msgs/s\n", batch,
           Rate(row->rate).c_str());
    if (row->rate > r.store_best) r.store_best = row->rate, r.store_batch = batch;
    r.store.push_back(*row);
  }
  printf("  ceiling: %s rows/s (%d rows per statement)\n", Rate(r.ceiling).c_str(),
         r.ceiling_batch);
  return r;
}

// ---------------------------------------------------------------------------
// Mode: failover

struct FailoverResult {
  bool ran = false, complete = false;
  int kills = 0;
  Percentiles takeover_ms, standby_ms;  // kill -> first new Ack; kill -> standby active
  uint64_t messages = 0, lost = 0, twice = 0;
};

// Two hubs on one PostgreSQL database; one publisher streams with a window,
// one consumer records every delivery in its inbox transaction. The active
// hub is SIGKILLed --kills times, each once the publisher has had Acks from
// it for a while; the killed hub comes back as the standby. Measured per
// kill: from the SIGKILL to the standby saying it is active, and to the
// publisher's first Ack from it. At the end: Acks never applied (lost) and
// envelope ids applied twice.
FailoverResult RunFailover(const Options& o) {
  FailoverResult r;
  r.ran = true;
  printf(
      "\n== failover: two hubs on one PostgreSQL database, the active one SIGKILLed %d times "
      "under load ==\n",
      o.kills);
  auto conninfo = FreshPgDatabase("failover");
  if (!conninfo.ok()) {
    printf("  %s\n", conninfo.status().ToString().c_str());
    return r;
  }
  setenv("CONCORD_TEST_STORE", "postgresql", 1);
  setenv("CONCORD_TEST_PG_CONNINFO", conninfo->c_str(), 1);
  TestDistrict d({"pub", "con"});
  SetUpDistrict(d, o);
  // The shipped heartbeat (1 s; TestDistrict's 0.5 s would flatter the
  // takeover): clients leave a silent hub after 3 of them.
  d.SetLimits(absl::StrCat(HubLimits(o), "\nheartbeat_ms = 1000\n",
                           o.sign && !o.seal ? "\n[security]\nrequire_sealed = false\n" : ""));
  auto shipped = [](client::ClientOptions c) {
    c.heartbeat_ms = 1000;
    return c;
  };
  for (int i : {0, 1})
    if (auto st = d.StartHub(i); !st.ok()) {
      printf("  hub %d did not start: %s\n", i, st.ToString().c_str());
      return r;
    }
  ClientThread con(shipped(Signing(d.ClientFor("con"), o)), testing::RecordEffects);
  ClientThread pub(shipped(Signing(d.ClientFor("pub"), o)));
  std::mutex mu;
  std::set<uint64_t> acked;
  std::atomic<int64_t> last_ack_us{0};
  std::atomic<uint64_t> sent{0};
  std::atomic<bool> stop{false};  // publishes go on until the last kill
  const std::string body = Body(o.payload);
  std::function<void(client::Client&)> next;  // client thread
  next = [&](client::Client& c) {
    if (stop) return;
    const uint64_t i = sent++;
    c.Publish(testing::Note("con", absl::StrCat(i, " ", body)), [&, i](const absl::Status& st) {
      if (st.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        acked.insert(i);
        last_ack_us = NowUs();
      }
      next(c);
    });
  };
  pub.Call([&](client::Client& c) {
    for (uint32_t w = 0; w < std::min<uint32_t>(o.window, 500); ++w) next(c);
    return 0;
  });
  auto acked_count = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return acked.size();
  };
  std::vector<int64_t> takeover, standby;
  for (int k = 0; k < o.kills; ++k) {
    // Acks from the current active hub for a while first.
    const size_t base = acked_count();
    if (!testing::WaitFor([&] { return acked_count() >= base + 1000; }, 60000)) {
      printf("  no progress before kill %d\n", k + 1);
      return r;
    }
    int active = -1;
    for (int i : {0, 1})
      if (d.HubRole(i) == "active") active = i;
    if (active < 0) {
      printf("  no active hub before kill %d\n", k + 1);
      return r;
    }
    const int64_t killed = NowUs();
    d.KillHub(active);
    const int other = 1 - active;
    const bool took = testing::WaitFor([&] { return d.HubRole(other) == "active"; }, 30000);
    const int64_t took_us = NowUs();
    const bool acked_again = testing::WaitFor([&] { return last_ack_us > took_us; }, 30000);
    if (!took || !acked_again) {
      printf("  kill %d: %s\n", k + 1, took ? "no Ack after the takeover" : "no takeover");
      return r;
    }
    standby.push_back(took_us - killed);
    takeover.push_back(last_ack_us - killed);
    printf("  kill %2d of hub %d: standby active after %4lld ms, first Ack after %4lld ms\n", k + 1,
           active, static_cast<long long>((took_us - killed) / 1000),
           static_cast<long long>((last_ack_us - killed) / 1000));
    ++r.kills;
    if (auto st = d.StartHub(active); !st.ok()) {
      printf("  hub %d did not come back: %s\n", active, st.ToString().c_str());
      return r;
    }
  }
  stop = true;
  const uint64_t published = sent.load();
  testing::WaitFor([&] { return acked_count() >= published; }, 60000);
  const uint64_t n_acked = acked_count();
  testing::WaitFor([&] { return con.Stats().received >= n_acked; }, 60000);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const testing::Effects e = testing::ReadEffects(d.ClientFor("con").db_path);
  std::set<uint64_t> applied;
  for (const std::string& b : e.bodies) applied.insert(std::strtoull(b.c_str(), nullptr, 10));
  {
    std::lock_guard<std::mutex> lock(mu);
    for (uint64_t i : acked) r.lost += applied.count(i) == 0;
  }
  r.twice = e.ids.size() - std::set<std::string>(e.ids.begin(), e.ids.end()).size();
  r.messages = n_acked;
  r.complete = n_acked == published;
  r.standby_ms = Summarize(std::move(standby));
  r.takeover_ms = Summarize(std::move(takeover));
  // Summarize reports microseconds as milliseconds: see FormatLatency.
  printf("  %d kills; %" PRIu64 " messages acknowledged of %" PRIu64
         " published; acknowledged but never applied: %" PRIu64 "; applied twice: %" PRIu64 "\n",
         r.kills, n_acked, published, r.lost, r.twice);
  printf("  kill -> standby active   %s\n", FormatLatency(r.standby_ms).c_str());
  printf("  kill -> first Ack again  %s\n", FormatLatency(r.takeover_ms).c_str());
  printf("  (clients leave a silent hub after 3 heartbeats of 1 s, the shipped default)\n");
  return r;
}

// ---------------------------------------------------------------------------
// Report

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void PrintMachine() {
  struct utsname u;
  uname(&u);
  std::string model;
  std::istringstream cpuinfo(ReadFile("/proc/cpuinfo"));
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  std::string mount;
  std::istringstream mounts(ReadFile("/proc/mounts"));
  size_t best = 0;
  for (std::string line; std::getline(mounts, line);) {
    std::istringstream l(line);
    std::string dev, dir, type;
    l >> dev >> dir >> type;
    if (std::string("/tmp").rfind(dir, 0) == 0 && dir.size() >= best) {
      best = dir.size();
      mount = absl::StrCat(dev, " ", type, " on ", dir);
    }
  }
  char date[64];
  time_t now = time(nullptr);
  strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %Z", localtime(&now));
  printf("machine: nproc=%ld, %s, %s %s; /tmp is %s; load average %s; date %s\n",
         sysconf(_SC_NPROCESSORS_ONLN), model.c_str(), u.sysname, u.release, mount.c_str(),
         Trim(ReadFile("/proc/loadavg")).c_str(), date);
}

const char* Verdict(bool ok) { return ok ? "met" : "MISSED"; }

void PrintSummary(const Options& o, const ThroughputResult& t, const LatencyResult& l,
                  const std::vector<ZmqResult>& z, const SqliteResult& s, const BacklogResult& b,
                  const PgBaselineResult& pgb, const FailoverResult& f) {
  printf("\n== summary ==\n");
  PrintMachine();
  printf("%-52s %16s   %-16s %s\n", "figure", "value", "target", "");
  auto line = [](const std::string& what, const std::string& value, const std::string& target,
                 const char* verdict) {
    printf("%-52s %16s   %-16s %s\n", what.c_str(), value.c_str(), target.c_str(), verdict);
  };
  char buf[64];
  const ZmqResult* zcurve = nullptr;
  const ZmqResult* zplain = nullptr;
  for (auto& r : z) (r.curve ? zcurve : zplain) = &r;
  if (t.ran) {
    line(absl::StrCat("end to end (CURVE, fsync, ack) msg/s",
                      o.store == "postgresql" ? ", PostgreSQL" : ""),
         Rate(t.rate), ">= 100,000", Verdict(t.complete && t.rate >= 100000));
    snprintf(buf, sizeof buf, "%.2f / %.2f ms", t.ack.p50, t.ack.p99);
    line("  publish->ack p50 / p99 at saturation", buf, "", "");
    snprintf(buf, sizeof buf, "%.2f us", t.hub_us_per_msg);
    line("  hub CPU per message", buf, "", "");
    snprintf(buf, sizeof buf, "%.2f us", t.self_us_per_msg);
    line("  client CPU per message (all clients)", buf, "", "");
    if (t.postgres_us_per_msg > 0) {
      snprintf(buf, sizeof buf, "%.2f us", t.postgres_us_per_msg);
      line("  PostgreSQL server CPU per message", buf, "", "");
    }
  }
  if (s.ran) {
    line("SQLite ceiling rows/s (WAL, FULL, 512 B)", Rate(s.ceiling),
         absl::StrCat("batch ", s.ceiling_batch), "");
    line("  hub Store::Commit best msgs/s", Rate(s.store_best),
         absl::StrCat("batch ", s.store_batch), "");
  }
  if (pgb.ran) {
    line("PostgreSQL ceiling rows/s (multi-row INSERT)", Rate(pgb.ceiling),
         absl::StrCat("batch ", pgb.ceiling_batch), "");
    line("  hub PostgresStore::Commit best msgs/s", Rate(pgb.store_best),
         absl::StrCat("batch ", pgb.store_batch), "");
    if (t.ran && o.store == "postgresql" && pgb.ceiling > 0) {
      snprintf(buf, sizeof buf, "%.3f", t.rate / pgb.ceiling);
      line("ratio end to end / PostgreSQL ceiling", buf, ">= 0.5",
           Verdict(t.complete && t.rate / pgb.ceiling >= 0.5));
      snprintf(buf, sizeof buf, "%.3f", pgb.store_best / pgb.ceiling);
      line("  ratio hub PostgresStore::Commit / ceiling", buf, "", "");
      // What the CPU allows: every message costs the hub, the clients and
      // the server this much CPU, and they share this machine's cores.
      const double cores = static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN));
      const double us = t.hub_us_per_msg + t.self_us_per_msg + t.postgres_us_per_msg;
      if (us > 0) {
        snprintf(buf, sizeof buf, "%.2f us", us);
        line("  CPU per message, hub + clients + PostgreSQL", buf, "", "");
        line(absl::StrCat("  CPU bound: ", static_cast<int>(cores), " cores / that, msg/s"),
             Rate(1e6 * cores / us), "", "");
        snprintf(buf, sizeof buf, "%.1f", 0.5 * pgb.ceiling * us / 1e6);
        line("  cores 0.5 x ceiling would need at that CPU", buf, "", "");
      }
    }
  }
  if (f.ran) {
    snprintf(buf, sizeof buf, "%.0f / %.0f ms", f.takeover_ms.p50, f.takeover_ms.p99);
    line(absl::StrCat("failover: kill -> first Ack p50 / p99 (", f.kills, " kills)"), buf,
         "p99 < 5,000 ms",
         Verdict(f.kills == o.kills && f.takeover_ms.n > 0 && f.takeover_ms.p99 < 5000));
    snprintf(buf, sizeof buf, "%.0f / %.0f ms", f.standby_ms.p50, f.standby_ms.p99);
    line("  kill -> standby active p50 / p99", buf, "", "");
    line("  acknowledged but lost / applied twice", absl::StrCat(f.lost, " / ", f.twice), "0 / 0",
         Verdict(f.complete && f.lost == 0 && f.twice == 0));
  }
  for (const ZmqResult* r : {zcurve, zplain})
    if (r)
      line(absl::StrCat("raw ZeroMQ relay msg/s, CURVE ", r->curve ? "on" : "off"), Rate(r->rate),
           "", "");
  if (t.ran && s.ran && s.ceiling > 0) {
    snprintf(buf, sizeof buf, "%.3f", t.rate / s.ceiling);
    line("ratio end to end / SQLite ceiling", buf, ">= 0.6", Verdict(t.rate / s.ceiling >= 0.6));
  }
  if (t.ran && s.ran && s.store_best > 0) {
    snprintf(buf, sizeof buf, "%.3f", t.rate / s.store_best);
    line("ratio end to end / hub Store::Commit best", buf, "", "");
  }
  for (const ZmqResult* r : {zcurve, zplain})
    if (t.ran && r && r->rate > 0) {
      snprintf(buf, sizeof buf, "%.3f", t.rate / r->rate);
      line(absl::StrCat("ratio end to end / raw ZeroMQ, CURVE ", r->curve ? "on" : "off"), buf, "",
           "");
    }
  if (l.ran) {
    snprintf(buf, sizeof buf, "%.2f ms", l.ack.p99);
    line(absl::StrCat("publish->ack p99 at ", o.rate, " msg/s"), buf, "< 5 ms",
         Verdict(l.ack.n > 0 && l.ack.p99 < 5.0));
    snprintf(buf, sizeof buf, "%.2f / %.2f ms", l.ack.p50, l.ack.max);
    line("  publish->ack p50 / max", buf, "", "");
    snprintf(buf, sizeof buf, "%.2f / %.2f ms", l.e2e.p50, l.e2e.p99);
    line("  publish->deliver p50 / p99", buf, "", "");
  }
  if (b.ran) {
    snprintf(buf, sizeof buf, "%.1f MB", b.rss_mb);
    const bool full = b.messages >= 1'000'000;
    line(absl::StrCat("hub VmRSS, ", Rate(static_cast<double>(b.messages)), " queued offline"), buf,
         "< 200 MB (1M)",
         full ? Verdict(b.filled && b.rss_mb < 200 && b.hwm_fill_mb < 200) : "n/a (not 1M)");
    snprintf(buf, sizeof buf, "%.1f MB", b.hwm_fill_mb);
    line("  hub peak VmHWM while filling", buf, "", "");
    snprintf(buf, sizeof buf, "%.2f s", b.fill_seconds);
    line("  time to fill", buf, "", "");
    if (o.drain) {
      snprintf(buf, sizeof buf, "%.2f s", b.drain_seconds);
      line("  time to drain on reconnect", buf, "", b.drained ? "" : "TIMED OUT");
    }
  }
  printf(
      "\nHow this was measured: the hub is the real concord-hub binary in its own process, "
      "started by TestDistrict\n(CurveZMQ + ZAP, SQLite WAL synchronous=FULL, Ack after the "
      "group commit). Publishers and consumers are\nhub/client Clients on threads of this "
      "process, each with its own ZeroMQ context; consumers apply each batch\nin an inbox "
      "transaction (also synchronous=FULL) on the same disk. The raw ZeroMQ relay has no\n"
      "persistence and no acks. The SQLite ceiling is the best of 1/64/512/4096 rows per "
      "transaction. All\nprocesses share the same %ld cores; \"other processes\" CPU in each "
      "mode shows how noisy the machine was.\n",
      sysconf(_SC_NPROCESSORS_ONLN));
  if (o.store == "postgresql" || pgb.ran || f.ran)
    printf(
        "On PostgreSQL: one server started by this run (initdb in /tmp, fsync and "
        "synchronous_commit on, on the\nsame disk and cores), a fresh database per mode; the "
        "ceiling is the best of 1/64/512/4096-row INSERT\nstatements, each its own "
        "transaction.\n");
}

int Main(int argc, char** argv) {
  Options o;
  CLI::App app{"concord-bench: load driver for concord-hub, with raw ZeroMQ and SQLite baselines"};
  app.add_option(
         "--mode", o.modes,
         "throughput, latency, baseline-zmq, baseline-sqlite, backlog, baseline-postgresql, "
         "failover or all (repeatable; default all; the PostgreSQL ones in all only with "
         "--store postgresql)")
      ->check(CLI::IsMember({"all", "throughput", "latency", "baseline-zmq", "baseline-sqlite",
                             "backlog", "baseline-postgresql", "failover"}));
  app.add_flag("--quick", o.quick, "small sizes for a smoke run (< 30 s)");
  app.add_option("--publishers", o.publishers, "publisher clients")->check(CLI::Range(1, 64));
  app.add_option("--consumers", o.consumers, "consumer clients")->check(CLI::Range(1, 64));
  app.add_option("--messages", o.messages, "messages in the throughput mode");
  app.add_option("--window", o.window, "Publish() calls outstanding per publisher")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--credit", o.credit, "consumer credit (deliveries outstanding)")
      ->check(CLI::Range(1, 65536));
  app.add_option("--payload", o.payload, "TextNote body bytes");
  app.add_option("--rate", o.rate, "msg/s in the latency mode")->check(CLI::Range(1, 1000000));
  app.add_option("--seconds", o.seconds, "duration of the latency mode");
  app.add_option("--zmq-messages", o.zmq_messages, "messages per raw ZeroMQ run");
  app.add_option("--sqlite-seconds", o.sqlite_seconds, "seconds per SQLite batch size");
  app.add_option("--backlog", o.backlog, "messages queued for the offline agency");
  app.add_flag("!--no-drain", o.drain, "skip draining the backlog");
  app.add_flag("!--no-seal", o.seal,
               "clients sign but do not seal payloads (the baseline for sealing's cost)");
  app.add_flag("!--no-sign", o.sign,
               "clients neither sign nor verify envelopes (the baseline for signing's cost)");
  app.add_option("--limits", o.limits,
                 "extra hub.toml [limits] lines, e.g. 'max_batch = 8192' (use \\n between lines)");
  app.add_option("--timeout", o.timeout_s, "seconds before a run is declared stuck");
  app.add_option("--store", o.store,
                 "the hub's store in throughput, latency and backlog: sqlite, or postgresql (a "
                 "server this run starts, with initdb, for all its PostgreSQL figures)")
      ->check(CLI::IsMember({"sqlite", "postgresql"}));
  app.add_option("--kills", o.kills, "active hubs SIGKILLed in the failover mode")
      ->check(CLI::Range(1, 1000));
  CLI11_PARSE(app, argc, argv);
  for (size_t p; (p = o.limits.find("\\n")) != std::string::npos;) o.limits.replace(p, 2, "\n");
  if (o.quick) {
    auto unset = [&](const char* flag) { return app.count(flag) == 0; };
    if (unset("--messages")) o.messages = 20'000;
    if (unset("--seconds")) o.seconds = 2;
    if (unset("--zmq-messages")) o.zmq_messages = 100'000;
    if (unset("--sqlite-seconds")) o.sqlite_seconds = 0.25;
    if (unset("--backlog")) o.backlog = 50'000;
    if (unset("--timeout")) o.timeout_s = 60;
  }
  spdlog::set_level(spdlog::level::warn);  // the clients' connect lines are noise here
  setvbuf(stdout, nullptr, _IOLBF, 0);
  printf("concord-bench%s\n", o.quick ? " --quick (smoke sizes; figures are not meaningful)" : "");
  PrintMachine();

  ThroughputResult t;
  LatencyResult l;
  std::vector<ZmqResult> z;
  SqliteResult s;
  BacklogResult b;
  PgBaselineResult pgb;
  FailoverResult f;
  if (Wants(o, "baseline-sqlite")) s = RunSqlite(o);
  if (Wants(o, "baseline-postgresql")) pgb = RunPgBaseline(o);
  if (Wants(o, "baseline-zmq")) {
    printf("\n== baseline-zmq: %d DEALER -> ROUTER relay -> %d DEALER, %zu-byte messages, %" PRIu64
           " per run, no persistence, no acks ==\n",
           o.publishers, o.consumers, o.payload, o.zmq_messages);
    z.push_back(
        RunZmqOnce(true, o.publishers, o.consumers, o.zmq_messages, o.payload, o.timeout_s));
    z.push_back(
        RunZmqOnce(false, o.publishers, o.consumers, o.zmq_messages, o.payload, o.timeout_s));
  }
  if (Wants(o, "throughput")) t = RunThroughput(o);
  if (Wants(o, "latency")) l = RunLatency(o);
  if (Wants(o, "backlog")) b = RunBacklog(o);
  if (Wants(o, "failover")) f = RunFailover(o);
  PrintSummary(o, t, l, z, s, b, pgb, f);
  const bool ok = (!t.ran || t.complete) && (!b.ran || (b.filled && (!o.drain || b.drained))) &&
                  (!f.ran || (f.complete && f.kills == o.kills && f.lost == 0 && f.twice == 0));
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace concord::bench

int main(int argc, char** argv) { return concord::bench::Main(argc, argv); }

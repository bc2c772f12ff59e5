// What every Concord daemon shows its operator and its service manager: the
// version (--version, *_build_info), systemd's readiness protocol
// (sd_notify, for Type=notify units) and its watchdog, and the two probe
// answers /healthz (the process lives) and /readyz (it can do its work).
//
// The version is the project's (CMakeLists.txt `project(VERSION)`) and the
// git revision the build tree was configured from ("unknown" outside git).
//
// Notify() writes one datagram to $NOTIFY_SOCKET (a path, or "@name" for
// an abstract socket) as sd_notify(3) does, without libsystemd; outside
// systemd (no NOTIFY_SOCKET) it does nothing. Thread-safe: it opens its own
// socket per call.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/http_server.h"

namespace concord {

// "0.2.0".
const char* Version();
// "9999ddb" (git describe --always --dirty at configure time) or "unknown".
const char* GitRevision();
// "concord-hub 0.2.0 (git 9999ddb)": what --version prints.
std::string VersionLine(const std::string& program);
// Appends the Prometheus series <prefix>_build_info{version,revision} 1.
void RenderBuildInfo(const std::string& prefix, std::string& out);

// Sends `state` ("READY=1", "STOPPING=1", "STATUS=...", "WATCHDOG=1") to the
// service manager. Returns false when there is none or the send failed.
bool NotifyServiceManager(const std::string& state);

// Under a unit with WatchdogSec= ($WATCHDOG_USEC set for this pid), sends
// WATCHDOG=1 from the io thread at half the interval, so a loop that hangs
// is restarted by systemd. Does nothing otherwise. Destroy it on the io
// thread (or after the loop stopped).
class ServiceWatchdog {
 public:
  explicit ServiceWatchdog(boost::asio::io_context& io);
  ServiceWatchdog(const ServiceWatchdog&) = delete;
  ServiceWatchdog& operator=(const ServiceWatchdog&) = delete;
  bool enabled() const { return period_.count() > 0; }

 private:
  void Arm();
  boost::asio::steady_timer timer_;
  std::chrono::microseconds period_{0};
};

// One readiness condition of /readyz: its name and whether it holds now.
struct ReadinessCheck {
  std::string name;          // "hub_connected", "database"
  std::function<bool()> ok;  // called on the HTTP thread of the daemon
};

// GET /healthz: 200 {"status":"ok","version":...} while the process answers.
HttpResponse LivenessResponse();
// GET /readyz: 200 when every check holds, else 503; the body names each
// check and its state, e.g. {"ready":false,"checks":{"hub_connected":false,...}}.
HttpResponse ReadinessResponse(const std::vector<ReadinessCheck>& checks);

// Held while a daemon runs on its database: an exclusive flock(2) on
// <db_path>.lock (made beside it, with "<pid> <program>" inside). A second
// daemon on the same database (the unit's and one started by hand) is
// refused at start, and `concordctl restore` refuses while it runs. The
// kernel drops the lock when the process ends, SIGKILL included.
class DatabaseLock {
 public:
  // FailedPrecondition naming the holder when another process has it.
  static absl::StatusOr<DatabaseLock> Acquire(const std::string& db_path,
                                              const std::string& program);
  DatabaseLock(DatabaseLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DatabaseLock& operator=(DatabaseLock&& other) noexcept;
  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;
  ~DatabaseLock();

 private:
  explicit DatabaseLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace concord

#include "common/daemon.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/files.h"
#include "common/http_router.h"
#include "common/log.h"

namespace concord {
namespace build {
extern const char kVersion[];
extern const char kRevision[];
}  // namespace build

const char* Version() { return build::kVersion; }
const char* GitRevision() { return build::kRevision[0] ? build::kRevision : "unknown"; }

std::string VersionLine(const std::string& program) {
  return program + " " + Version() + " (git " + GitRevision() + ")";
}

void RenderBuildInfo(const std::string& prefix, std::string& out) {
  out += "# HELP " + prefix + "_build_info The running build (always 1).\n";
  out += "# TYPE " + prefix + "_build_info gauge\n";
  out +=
      prefix + "_build_info{version=\"" + Version() + "\",revision=\"" + GitRevision() + "\"} 1\n";
}

bool NotifyServiceManager(const std::string& state) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || path[0] == '\0') return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const size_t len = std::strlen(path);
  if (len >= sizeof(addr.sun_path)) return false;
  std::memcpy(addr.sun_path, path, len);
  if (path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  const ssize_t n = sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                           reinterpret_cast<const sockaddr*>(&addr), addr_len);
  close(fd);
  return n == static_cast<ssize_t>(state.size());
}

ServiceWatchdog::ServiceWatchdog(boost::asio::io_context& io) : timer_(io) {
  const char* usec = std::getenv("WATCHDOG_USEC");
  const char* pid = std::getenv("WATCHDOG_PID");
  if (usec == nullptr) return;
  if (pid != nullptr && std::strtol(pid, nullptr, 10) != getpid()) return;
  const long long interval = std::strtoll(usec, nullptr, 10);
  if (interval <= 0) return;
  period_ = std::chrono::microseconds(interval / 2);
  Arm();
}

void ServiceWatchdog::Arm() {
  timer_.expires_after(period_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the daemon is going
    NotifyServiceManager("WATCHDOG=1");
    Arm();
  });
}

HttpResponse LivenessResponse() {
  return JsonResponse(200, {{"status", "ok"}, {"version", Version()}, {"revision", GitRevision()}});
}

HttpResponse ReadinessResponse(const std::vector<ReadinessCheck>& checks) {
  nlohmann::json states = nlohmann::json::object();
  bool ready = true;
  for (const ReadinessCheck& c : checks) {
    const bool ok = c.ok();
    states[c.name] = ok;
    ready = ready && ok;
  }
  return JsonResponse(ready ? 200 : 503, {{"ready", ready}, {"checks", states}});
}

absl::StatusOr<DatabaseLock> DatabaseLock::Acquire(const std::string& db_path,
                                                   const std::string& program) {
  const std::string path = db_path + ".lock";
  // Readable at rest by the daemon's user only (issue 16): a failure here is
  // the operator's to see, not a reason to stay down.
  if (absl::Status st = MakeDataPrivate(db_path); !st.ok())
    LOG_WARN("{}", std::string(st.message()));
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return absl::UnavailableError(
        absl::StrCat("无法建立锁文件 / cannot open the lock file ", path, ": ", strerror(errno)));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char holder[128] = {};
    const ssize_t n = pread(fd, holder, sizeof holder - 1, 0);
    close(fd);
    if (err != EWOULDBLOCK)
      return absl::UnavailableError(
          absl::StrCat("无法加锁 / cannot lock ", path, ": ", strerror(err)));
    return absl::FailedPreconditionError(
        absl::StrCat("数据库正被另一进程使用 / the database is in use by another process (",
                     n > 0 ? absl::StripAsciiWhitespace(holder) : "pid unknown", "): ", db_path,
                     "；请先停止它 / stop it first"));
  }
  const std::string me = absl::StrCat(getpid(), " ", program, "\n");
  if (ftruncate(fd, 0) != 0 || pwrite(fd, me.data(), me.size(), 0) < 0) {
    // The lock holds without the note of who holds it.
  }
  return DatabaseLock(fd);
}

DatabaseLock& DatabaseLock::operator=(DatabaseLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

DatabaseLock::~DatabaseLock() {
  if (fd_ >= 0) close(fd_);  // releases the flock
}

}  // namespace concord

#include "common/daemon.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/http_router.h"

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

}  // namespace concord

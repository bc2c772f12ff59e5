#include "tests/support/notify_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

namespace concord::testing {

NotifySocket::NotifySocket(const std::string& name, bool export_env)
    : name_(name), export_env_(export_env) {
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (fd_ < 0 || name.empty() || name.size() >= sizeof(addr.sun_path)) return;
  std::memcpy(addr.sun_path, name.data(), name.size());
  if (name[0] == '@') addr.sun_path[0] = '\0';
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  bound_ = bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) == 0;
  if (export_env_) setenv("NOTIFY_SOCKET", name.c_str(), 1);
}

NotifySocket::~NotifySocket() {
  if (export_env_) unsetenv("NOTIFY_SOCKET");
  if (fd_ >= 0) close(fd_);
  if (bound_ && name_[0] != '@') unlink(name_.c_str());
}

std::string NotifySocket::Next(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) != 1) return "";
  char buf[4096];
  const ssize_t n = recv(fd_, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

bool NotifySocket::Await(const std::string& state, int timeout_ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < end)
    if (Next(100).find(state) != std::string::npos) return true;
  return false;
}

}  // namespace concord::testing

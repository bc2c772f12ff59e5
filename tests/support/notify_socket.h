// Test support: a datagram socket standing in for systemd's notify socket
// (sd_notify(3); common/daemon.h writes to it). Bound at construction to a
// path, or to "@name" in the abstract namespace; with `export_env`, the
// NOTIFY_SOCKET of children started while it lives names it (removed when it
// goes). Read from the test's thread.
#pragma once

#include <string>

namespace concord::testing {

class NotifySocket {
 public:
  explicit NotifySocket(const std::string& name, bool export_env = true);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  bool bound() const { return bound_; }
  // The next datagram, or "" after `timeout_ms`.
  std::string Next(int timeout_ms = 10000);
  // True when a datagram holding `state` arrives within `timeout_ms`; the
  // others before it are skipped (a restarted hub says READY=1 here too).
  bool Await(const std::string& state, int timeout_ms = 10000);

 private:
  std::string name_;
  bool export_env_;
  int fd_ = -1;
  bool bound_ = false;
};

}  // namespace concord::testing

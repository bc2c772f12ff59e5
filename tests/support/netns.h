// Test support: a district spread over Linux network namespaces, as if every
// agency had a machine of its own (root only).
//
// TestNetwork makes one namespace per host, named <prefix><host> with
// prefix "cc<pid>" (so parallel runs never meet), lo up and IPv6 off in
// each (IPv4 only: no address appears later to look like a network change
// to a browser there). The first
// host is the hub: it holds a bridge "br0" with address 10.<net>.0.1/24, and
// every other host is joined to that bridge by a veth pair ("v<i>" on the
// hub's side, "eth0" on the host's) with address 10.<net>.0.<10+i>/24. No
// address or link is made outside those namespaces. The destructor deletes
// every namespace (their links go with them), also after a failed test; the
// constructor first deletes what a crashed earlier run left (namespaces
// "cc<pid>..." whose pid is no longer alive).
//
// Processes are started in a namespace with SpawnInNetns; RunInNetns runs a
// function on a thread that entered a namespace, so the test reaches daemons
// that listen on that namespace's 127.0.0.1 with the ordinary HTTP client.
// TestDistrict::PlaceHub and DaemonPlace put the hub and daemons there.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace concord::testing {

// Why namespace tests cannot run here, or "" when they can: not root, or
// `ip netns add` does not work (no CAP_SYS_ADMIN, no iproute2).
std::string NetnsUnavailable();

// Runs `fn` on a new thread that has entered network namespace `ns` (a name
// under /var/run/netns), and waits for it. `ns` empty: runs `fn` here.
absl::Status RunInNetns(const std::string& ns, const std::function<void()>& fn);

// SpawnLogged (district.h) inside network namespace `ns` (`ip netns exec`,
// which execs: the pid is the program's own); `ns` empty: here.
pid_t SpawnInNetns(const std::string& ns, const std::string& bin,
                   const std::vector<std::string>& args, const std::string& log_path);

class TestNetwork {
 public:
  // hosts[0] is the hub's host (it holds the bridge); `net` is the second
  // byte of the 10.x.0.0/24 range used inside the namespaces.
  explicit TestNetwork(std::vector<std::string> hosts, int net = 77);
  ~TestNetwork();
  TestNetwork(const TestNetwork&) = delete;
  TestNetwork& operator=(const TestNetwork&) = delete;

  // What went wrong making the network (each failing `ip` command and its output).
  const absl::Status& status() const { return status_; }
  // The namespace's name of `host`, e.g. "cc4242hub".
  std::string Ns(const std::string& host) const;
  // The address of `host` inside the network, e.g. "10.77.0.1" for the hub.
  std::string Address(const std::string& host) const;
  // Cuts (up=false) or restores the veth link between `host` and the hub.
  absl::Status SetLink(const std::string& host, bool up);

 private:
  int Index(const std::string& host) const;
  absl::Status Ip(const std::string& args);

  std::string prefix_;
  std::vector<std::string> hosts_;
  int net_;
  absl::Status status_;
};

}  // namespace concord::testing

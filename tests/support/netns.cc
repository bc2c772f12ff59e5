#include "tests/support/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/support/district.h"

namespace concord::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kIp[] = "/usr/sbin/ip";
constexpr char kNetnsDir[] = "/var/run/netns";

// Deletes the namespaces "cc<pid>..." of test runs that are no longer alive,
// after killing what still runs in them (daemons of a run that crashed).
void DeleteLeftovers() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(kNetnsDir, ec)) {
    // "cc" <pid> <a name that starts with a letter>, e.g. cc4242hub, cc4242a1.
    // (No std::regex: GCC 12 warns falsely inside it under the sanitizers.)
    const std::string ns = e.path().filename().string();
    size_t end = 2;
    while (end < ns.size() && absl::ascii_isdigit(static_cast<unsigned char>(ns[end]))) ++end;
    if (!absl::StartsWith(ns, "cc") || end == 2 || end == ns.size() ||
        !absl::ascii_isalpha(static_cast<unsigned char>(ns[end])))
      continue;
    const pid_t owner = static_cast<pid_t>(std::stol(ns.substr(2, end - 2)));
    if (kill(owner, 0) == 0 || errno != ESRCH) continue;
    std::istringstream pids(RunCommand(absl::StrCat(kIp, " netns pids ", ns)).out);
    for (pid_t pid; pids >> pid;) kill(pid, SIGKILL);
    RunCommand(absl::StrCat(kIp, " netns del ", ns));
  }
}

}  // namespace

std::string NetnsUnavailable() {
  if (geteuid() != 0) return "不是 root / not root: network namespaces need root";
  const std::string probe = absl::StrCat("cc", getpid(), "probe");
  CommandResult add = RunCommand(absl::StrCat(kIp, " netns add ", probe));
  RunCommand(absl::StrCat(kIp, " netns del ", probe));
  if (add.exit_code != 0)
    return absl::StrCat("`ip netns add` 不可用 / `ip netns add` does not work: ", add.out);
  return "";
}

absl::Status RunInNetns(const std::string& ns, const std::function<void()>& fn) {
  if (ns.empty()) {
    fn();
    return absl::OkStatus();
  }
  absl::Status status;
  std::thread t([&] {
    const std::string path = absl::StrCat(kNetnsDir, "/", ns);
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
      status = absl::UnavailableError(
          absl::StrCat("进入网络命名空间失败 / cannot enter ", path, ": ", std::strerror(errno)));
      if (fd >= 0) close(fd);
      return;
    }
    close(fd);
    fn();
  });
  t.join();
  return status;
}

pid_t SpawnInNetns(const std::string& ns, const std::string& bin,
                   const std::vector<std::string>& args, const std::string& log_path) {
  if (ns.empty()) return SpawnLogged(bin, args, log_path);
  std::vector<std::string> all = {"netns", "exec", ns, bin};
  all.insert(all.end(), args.begin(), args.end());
  return SpawnLogged(kIp, all, log_path);
}

TestNetwork::TestNetwork(std::vector<std::string> hosts, int net)
    : prefix_(absl::StrCat("cc", getpid())), hosts_(std::move(hosts)), net_(net) {
  DeleteLeftovers();
  for (const std::string& h : hosts_) {
    (void)Ip(absl::StrCat("netns add ", Ns(h)));
    // IPv4 only: no IPv6 link-local addresses appear a second after each
    // link comes up (duplicate address detection), which a browser in the
    // namespace takes for a network change and aborts its page loads with
    // (ERR_NETWORK_CHANGED). Kernels without IPv6 have nothing to turn off.
    (void)RunCommand(absl::StrCat(kIp, " netns exec ", Ns(h),
                                  " sh -c 'for f in all default; do echo 1 > "
                                  "/proc/sys/net/ipv6/conf/$f/disable_ipv6; done' 2>/dev/null"));
    (void)Ip(absl::StrCat("-n ", Ns(h), " link set lo up"));
  }
  const std::string hub = Ns(hosts_[0]);
  (void)Ip(absl::StrCat("-n ", hub, " link add br0 type bridge"));
  (void)Ip(absl::StrCat("-n ", hub, " addr add ", Address(hosts_[0]), "/24 dev br0"));
  (void)Ip(absl::StrCat("-n ", hub, " link set br0 up"));
  for (size_t i = 1; i < hosts_.size(); ++i) {
    const std::string ns = Ns(hosts_[i]);
    (void)Ip(absl::StrCat("-n ", hub, " link add v", i, " type veth peer name eth0 netns ", ns));
    (void)Ip(absl::StrCat("-n ", hub, " link set v", i, " master br0 up"));
    (void)Ip(absl::StrCat("-n ", ns, " addr add ", Address(hosts_[i]), "/24 dev eth0"));
    (void)Ip(absl::StrCat("-n ", ns, " link set eth0 up"));
  }
}

TestNetwork::~TestNetwork() {
  for (const std::string& h : hosts_) {
    // Whatever still runs there was started by this test (its daemons are
    // usually gone already): a namespace lives on while a process is in it.
    std::istringstream pids(RunCommand(absl::StrCat(kIp, " netns pids ", Ns(h))).out);
    for (pid_t pid; pids >> pid;) kill(pid, SIGKILL);
    RunCommand(absl::StrCat(kIp, " netns del ", Ns(h)));
  }
}

std::string TestNetwork::Ns(const std::string& host) const { return prefix_ + host; }

int TestNetwork::Index(const std::string& host) const {
  for (size_t i = 0; i < hosts_.size(); ++i)
    if (hosts_[i] == host) return static_cast<int>(i);
  return -1;
}

std::string TestNetwork::Address(const std::string& host) const {
  const int i = Index(host);
  return absl::StrCat("10.", net_, ".0.", i == 0 ? 1 : 10 + i);
}

absl::Status TestNetwork::SetLink(const std::string& host, bool up) {
  const int i = Index(host);
  if (i <= 0) return absl::InvalidArgumentError(absl::StrCat("no agency host ", host));
  CommandResult r =
      RunCommand(absl::StrCat(kIp, " -n ", Ns(hosts_[0]), " link set v", i, up ? " up" : " down"));
  if (r.exit_code != 0) return absl::InternalError(absl::StrCat("ip link set v", i, ": ", r.out));
  return absl::OkStatus();
}

absl::Status TestNetwork::Ip(const std::string& args) {
  CommandResult r = RunCommand(absl::StrCat(kIp, " ", args));
  if (r.exit_code == 0) return absl::OkStatus();
  absl::Status st = absl::InternalError(absl::StrCat("ip ", args, " → ", r.exit_code, ": ", r.out));
  if (status_.ok()) status_ = st;
  return st;
}

}  // namespace concord::testing

// The Debian packages (deploy/CMakeLists.txt, deploy/package.sh): built,
// their contents and units checked, installed into an overlay of / in a
// chroot, the hub started as user concord under a NOTIFY_SOCKET this test
// reads, and purged (tests/deploy/package_test.sh does the steps); then, in
// a container booted with systemd as PID 1, installed with apt-get, enrolled
// as docs/operations.md says, every unit started with systemctl and the
// packages purged (tests/deploy/package_systemd_test.sh); and on a clean
// Debian 12 from Debian's mirror (tests/deploy/package_clean_test.sh). Root
// only: skipped, saying so, for anyone else.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iostream>
#include <string>
#include <vector>

#include "tests/support/daemon.h"
#include "tests/support/notify_socket.h"
#include "tests/support/temp_folder.h"

namespace concord {
namespace {

TEST(Packages, BuildCheckInstallStartPurge) {
  if (geteuid() != 0) GTEST_SKIP() << "需要 root / needs root (chroot, mounts, dpkg -i)";
  testing::TempFolder work("packages");
  const std::string sock_dir = work.File("sock");
  ASSERT_EQ(mkdir(sock_dir.c_str(), 0777), 0);
  ASSERT_EQ(chmod(sock_dir.c_str(), 0777), 0);  // the hub runs as concord

  // The notify socket, as systemd makes it: a datagram socket the daemon
  // writes to (named to the script, not through this process's environment).
  const std::string sock_path = sock_dir + "/notify";
  testing::NotifySocket notify(sock_path, /*export_env=*/false);
  ASSERT_TRUE(notify.bound()) << sock_path;
  ASSERT_EQ(chmod(sock_path.c_str(), 0777), 0);

  const std::string log = work.File("package_test.log");
  const std::string command = std::string(CONCORD_SOURCE_DIR) + "/tests/deploy/package_test.sh " +
                              work.path() + " >" + log + " 2>&1";
  auto script = std::async(std::launch::async, [&] { return std::system(command.c_str()); });

  std::vector<std::string> messages;
  bool ready = false;
  while (script.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) {
    std::string message = notify.Next(200);
    if (message.empty()) continue;
    messages.push_back(std::move(message));
    if (!ready && messages.back().find("READY=1") != std::string::npos) {
      ready = true;
      std::ofstream(sock_dir + "/ready-seen") << "READY=1\n";
    }
  }
  const int status = script.get();
  const std::string output = testing::ReadFile(log);
  std::string received;
  for (const auto& m : messages) received += "[" + m + "] ";
  EXPECT_TRUE(ready) << "sd_notify messages: " << received;
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "package_test.sh failed (status " << status << "):\n"
      << output;
  EXPECT_NE(output.find("PASS"), std::string::npos) << output;
  // The purge stopped the hub with SIGTERM: it said so before going.
  EXPECT_NE(received.find("STOPPING=1"), std::string::npos) << received;
}

// Runs tests/deploy/<script> WORK as root; its output (stdout and stderr).
// Fails the test, with the output and the tail of the container's console
// (WORK/console.log), when it does not exit 0 or does not say PASS.
std::string RunPackageScript(const std::string& script, const testing::TempFolder& work) {
  const std::string log = work.File(script + ".log");
  const std::string command = std::string(CONCORD_SOURCE_DIR) + "/tests/deploy/" + script + " " +
                              work.path() + " >" + log + " 2>&1";
  const int status = std::system(command.c_str());
  const std::string output = testing::ReadFile(log);
  const std::string console = testing::ReadFile(work.File("console.log"));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << script << " failed (status " << status << "):\n"
      << output << "\n--- container console (tail) ---\n"
      << console.substr(console.size() > 4000 ? console.size() - 4000 : 0);
  EXPECT_NE(output.find("PASS"), std::string::npos) << output;
  std::cout << output;
  return output;
}

// Every daemon as systemd runs it: Type=notify, user concord, the units'
// hardening; a SIGKILLed hub restarted; apt-get purge leaves nothing.
TEST(Packages, EveryDaemonUnderSystemdThenPurged) {
  if (geteuid() != 0) GTEST_SKIP() << "需要 root / needs root (systemd-nspawn, mounts)";
  testing::TempFolder work("packages-systemd");
  const std::string output = RunPackageScript("package_systemd_test.sh", work);
  EXPECT_NE(output.find("every daemon ready"), std::string::npos) << output;
}

// On a clean Debian 12 (debootstrap minbase, cached in the build tree):
// apt-get finds every dependency in Debian itself, systemd starts the hub and
// the ledger agent, purge leaves nothing. Needs Debian's mirror the first time.
TEST(Packages, CleanDebian12InstallStartPurge) {
  if (geteuid() != 0) GTEST_SKIP() << "需要 root / needs root (debootstrap, systemd-nspawn)";
  testing::TempFolder work("packages-clean");
  const std::string output = RunPackageScript("package_clean_test.sh", work);
  EXPECT_NE(output.find("on a clean Debian 12"), std::string::npos) << output;
}

}  // namespace
}  // namespace concord

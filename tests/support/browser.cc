#include "tests/support/browser.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

extern char** environ;

namespace concord::testing {
namespace fs = std::filesystem;

namespace {

// Set by tests/support/CMakeLists.txt.
constexpr const char* kSourceDir = CONCORD_SOURCE_DIR;
constexpr const char* kBinaryDir = CONCORD_BINARY_DIR;

void Log(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fflush(stdout);
}

// The parent's environment with `env` set over it, as "KEY=value" strings.
std::vector<std::string> ChildEnvironment(const std::map<std::string, std::string>& env) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string key = entry.substr(0, entry.find('='));
    if (!env.contains(key)) out.push_back(entry);
  }
  for (const auto& [key, value] : env) out.push_back(key + "=" + value);
  return out;
}

}  // namespace

BrowserRun RunBrowserScript(const std::string& script,
                            const std::map<std::string, std::string>& env,
                            const std::string& output_dir, int timeout_s,
                            const std::string& netns) {
  BrowserRun run;
  const std::string dir = std::string(kSourceDir) + "/tests/browser";
  const std::string path = dir + "/" + script;
  auto refuse = [&](const std::string& why) {
    run.output = "失败 / FAILED: " + why + "\n";
    Log(run.output);
    return run;
  };
  if (!fs::exists(path)) return refuse("no browser script " + path);
  if (!fs::exists(dir + "/node_modules/playwright-core/package.json")) {
    return refuse("playwright-core is not installed in " + dir +
                  "/node_modules (deploy/install-deps.sh runs npm ci there)");
  }
  std::error_code ec;
  fs::create_directories(output_dir, ec);
  if (ec) return refuse("cannot create " + output_dir + ": " + ec.message());

  // Everything the child needs is built before fork(): the test may run
  // other threads (an io_context), so the child only calls exec.
  std::map<std::string, std::string> full_env = env;
  full_env["CONCORD_TEST_OUTPUT_DIR"] = output_dir;
  const std::vector<std::string> env_strings = ChildEnvironment(full_env);
  std::vector<char*> envp;
  for (const auto& s : env_strings) envp.push_back(const_cast<char*>(s.c_str()));
  envp.push_back(nullptr);
  const char* node_env = std::getenv("CONCORD_NODE");
  const std::string node = node_env != nullptr && *node_env != '\0' ? node_env : "node";
  std::vector<char*> argv = {const_cast<char*>(node.c_str()), const_cast<char*>(path.c_str()),
                             nullptr};

  // The namespace is opened here; the child enters it before exec.
  int ns_fd = -1;
  if (!netns.empty()) {
    ns_fd = open(("/var/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
    if (ns_fd < 0) return refuse("cannot open network namespace " + netns);
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    if (ns_fd >= 0) close(ns_fd);
    return refuse("pipe failed");
  }
  Log(absl::StrCat("== 浏览器脚本 / browser script: ", node, " ", path, "\n   output: ", output_dir,
                   "\n"));
  const auto started = std::chrono::steady_clock::now();
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    if (ns_fd >= 0) close(ns_fd);
    return refuse("fork failed");
  }
  if (pid == 0) {
    // Dies with the test (ctest's timeout, a crash); chromium follows node.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    if (chdir(dir.c_str()) != 0) _exit(127);
    if (ns_fd >= 0 && setns(ns_fd, CLONE_NEWNET) != 0) _exit(127);
    execvpe(argv[0], argv.data(), envp.data());
    static const char kNoNode[] = "失败 / FAILED: cannot run node (install nodejs; CONCORD_NODE)\n";
    (void)!write(2, kNoNode, sizeof kNoNode - 1);
    _exit(127);
  }
  close(fds[1]);
  if (ns_fd >= 0) close(ns_fd);

  const auto deadline = started + std::chrono::seconds(timeout_s);
  bool timed_out = false;
  char buf[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: node and everything holding its output are gone
    run.output.append(buf, n);
    std::fwrite(buf, 1, n, stdout);
    std::fflush(stdout);
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string end;
  if (timed_out) {
    end = absl::StrCat("失败 / FAILED: ", script, " ran past ", timeout_s, " s and was killed");
  } else if (WIFSIGNALED(status)) {
    end = absl::StrCat("失败 / FAILED: ", script, " killed by signal ", WTERMSIG(status));
  } else {
    run.exit_code = WEXITSTATUS(status);
    end = absl::StrCat("exit code ", run.exit_code);
  }
  const std::string tail = absl::StrCat("== ", script, ": ", end, " (", seconds, " s)\n");
  if (timed_out || WIFSIGNALED(status)) run.output += tail;
  Log(tail);
  return run;
}

std::string BrowserOutputDir(const std::string& test_name) {
  const std::string dir =
      absl::StrCat(kBinaryDir, "/test-output/", absl::StrReplaceAll(test_name, {{"/", "_"}}));
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  EXPECT_FALSE(ec) << "cannot create " << dir << ": " << ec.message();
  return dir;
}

std::string BrowserOutputDir() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return BrowserOutputDir("no-test");
  return BrowserOutputDir(absl::StrCat(info->test_suite_name(), ".", info->name()));
}

}  // namespace concord::testing

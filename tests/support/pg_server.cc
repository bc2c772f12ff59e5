#include "tests/support/pg_server.h"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/pg.h"
#include "tests/support/district.h"

namespace concord::testing {
namespace {

namespace fs = std::filesystem;

// The newest /usr/lib/postgresql/<version>/bin with initdb in it.
std::string FindBinDir() {
  std::string best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = e.path().filename().string();
    const int v = std::atoi(name.c_str());
    if (v > best_version && fs::exists(e.path() / "bin" / "initdb")) {
      best_version = v;
      best = (e.path() / "bin").string();
    }
  }
  return best;
}

// Forks and runs `argv` as uid/gid (when running as root), output to `log`,
// in a process group of its own. Everything the child needs is made before
// fork(): the test process has other threads, and the child may not allocate.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log, uid_t uid, gid_t gid) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const bool drop = geteuid() == 0;
  pid_t pid = fork();
  if (pid != 0) {
    if (fd >= 0) close(fd);
    return pid;
  }
  setpgid(0, 0);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
  }
  if (drop && (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) _exit(126);
  execv(args[0], args.data());
  _exit(127);
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgServer>> PgServer::Start() {
  std::unique_ptr<PgServer> s(new PgServer());
  s->bin_dir_ = FindBinDir();
  if (s->bin_dir_.empty())
    return absl::FailedPreconditionError(
        "PostgreSQL 未安装 / no /usr/lib/postgresql/*/bin/initdb: run deploy/install-deps.sh");
  std::string tmpl = ::testing::TempDir() + "/concord_pg_XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return absl::InternalError("mkdtemp " + tmpl);
  s->dir_ = tmpl;
  s->data_dir_ = s->dir_ + "/data";
  s->log_file_ = s->dir_ + "/server.log";
  if (geteuid() == 0) {
    passwd* pw = getpwnam("postgres");
    if (pw == nullptr)
      return absl::FailedPreconditionError(
          "以 root 运行测试需要 postgres 用户 / running as root needs the user `postgres` "
          "(Debian's postgresql package makes it)");
    s->uid_ = pw->pw_uid;
    s->gid_ = pw->pw_gid;
    if (chown(s->dir_.c_str(), s->uid_, s->gid_) != 0)
      return absl::InternalError("chown " + s->dir_);
  }
  chmod(s->dir_.c_str(), 0755);
  const std::string init_log = s->dir_ + "/initdb.log";
  pid_t pid = Spawn({s->bin_dir_ + "/initdb", "-D", s->data_dir_, "-U", "concord", "-A", "trust",
                     "-E", "UTF8", "--locale=C", "--no-sync"},
                    init_log, s->uid_, s->gid_);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::ifstream in(init_log);
    std::stringstream ss;
    ss << in.rdbuf();
    return absl::InternalError(absl::StrCat("initdb failed: ", ss.str()));
  }
  // The free port may be taken between the probe and postgres's bind (by
  // another test's server or a client's ephemeral port): another one, then.
  for (int attempt = 1;; ++attempt) {
    s->port_ = FreeTcpPort();
    absl::Status st = s->Launch();
    if (st.ok()) return s;
    if (attempt == 5 || !absl::StrContains(st.message(), "Address already in use")) return st;
  }
}

absl::Status PgServer::Launch() {
  pid_ =
      Spawn({bin_dir_ + "/postgres", "-D", data_dir_, "-p", std::to_string(port_), "-k", dir_, "-c",
             "listen_addresses=127.0.0.1", "-c", "fsync=on", "-c", "synchronous_commit=on", "-c",
             "max_connections=200", "-c", "shared_buffers=32MB", "-c", "log_min_messages=warning"},
            log_file_, uid_, gid_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  const std::string ci = conninfo("postgres");
  while (std::chrono::steady_clock::now() < deadline) {
    if (PQping(ci.c_str()) == PQPING_OK) return absl::OkStatus();
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(absl::StrCat("postgres exited at start: ", log()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::DeadlineExceededError(absl::StrCat("postgres did not answer in 60 s: ", log()));
}

PgServer::~PgServer() {
  Stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PgServer::conninfo(const std::string& db) const {
  return absl::StrCat("host=127.0.0.1 port=", port_, " user=concord dbname=", db);
}

absl::Status PgServer::CreateDatabase(const std::string& db) {
  auto conn = pg::Conn::Open(conninfo("postgres"), "concord-test");
  if (!conn.ok()) return conn.status();
  if (auto st = conn->Exec("DROP DATABASE IF EXISTS " + pg::QuoteIdent(db) + " WITH (FORCE)");
      !st.ok())
    return st;
  return conn->Exec("CREATE DATABASE " + pg::QuoteIdent(db));
}

std::string PgServer::log() const {
  std::ifstream in(log_file_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void PgServer::Kill() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  // Backends are in the same process group; wait until none is left, so that
  // a restart finds no shared memory still attached.
  for (int i = 0; i < 200 && kill(-pid_, 0) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  pid_ = -1;
}

absl::Status PgServer::Restart() {
  if (pid_ > 0) Stop();
  return Launch();
}

void PgServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGINT);  // fast shutdown
  for (int i = 0; i < 1000; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Kill();
}

}  // namespace concord::testing

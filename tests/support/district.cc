#include "tests/support/district.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api_token.h"
#include "common/files.h"
#include "common/http_client.h"
#include "hub/transport/envelope_sign.h"
#include "tests/support/netns.h"
#include "tests/support/pg_server.h"

namespace concord::testing {
namespace fs = std::filesystem;

uint16_t FreeTcpPort() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(s);
  return port;
}

std::string BinPath(const std::string& name) {
  if (const char* d = std::getenv("CONCORD_BIN_DIR")) return std::string(d) + "/" + name;
  return fs::canonical("/proc/self/exe").parent_path().string() + "/" + name;
}

pid_t SpawnLogged(const std::string& bin, const std::vector<std::string>& args,
                  const std::string& log_path) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(bin.c_str()));
  for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

CommandResult RunConcordctl(const std::string& args) {
  return RunCommand(BinPath("concordctl") + " " + args);
}

bool WaitFor(const std::function<bool()>& pred, int timeout_ms) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

TestDistrict::TestDistrict(std::vector<std::string> principals) {
  if (const char* store = std::getenv("CONCORD_TEST_STORE"); store && *store) store_kind_ = store;
  char tmpl[] = "/tmp/concord-test-XXXXXX";
  dir_ = mkdtemp(tmpl);
  fs::create_directories(dir_ + "/keys");
  // One API token for the hub's and every daemon's HTTP API; the concordctl
  // that RunConcordctl starts finds it through the environment.
  api_token_ = NewApiToken();
  EXPECT_TRUE(WriteNewFile(api_token_file(), api_token_ + "\n", 0600).ok());
  setenv("CONCORD_API_TOKEN_FILE", api_token_file().c_str(), 1);
  hub_keys_ = *GenerateCurveKeyPair();
  (void)SaveCurveKeyPair(hub_keys_, dir_ + "/keys/hub");
  std::ofstream reg(registry_file());
  for (auto& spec : principals) {
    std::vector<std::string> parts = absl::StrSplit(spec, ':');
    std::vector<std::string> roles = {"agency"};
    if (parts.size() > 1) roles = absl::StrSplit(parts[1], ',');
    const std::string& name = parts[0];
    keys_[name] = *GenerateCurveKeyPair();
    reg << "[[principal]]\nname = \"" << name << "\"\npublic_key = \"" << keys_[name].public_z85
        << "\"\nroles = [";
    for (size_t i = 0; i < roles.size(); ++i) reg << (i ? ", " : "") << '"' << roles[i] << '"';
    reg << "]\n\n";
  }
  reg.close();
  WriteAcl("[[allow]]\nfrom = \"*\"\ntype = \"*\"\nto = [\"*\"]\n");
}

TestDistrict::~TestDistrict() {
  for (int i = 0; i < hub_count(); ++i) KillHub(i);
  pg_.reset();  // stops the server, removes its folder
  if (const char* env = std::getenv("CONCORD_API_TOKEN_FILE"); env && env == api_token_file())
    unsetenv("CONCORD_API_TOKEN_FILE");
  if (!std::getenv("CONCORD_KEEP_TEST_DIR")) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

void TestDistrict::WriteAcl(const std::string& toml) {
  EXPECT_TRUE(WriteFileAtomically(dir_ + "/acl.toml", toml).ok());
}

void TestDistrict::MakeKey(const std::string& name) { keys_[name] = *GenerateCurveKeyPair(); }

void TestDistrict::AddPrincipal(const std::string& name, const std::vector<std::string>& roles) {
  if (!keys_.count(name)) MakeKey(name);
  // Renamed over, as concordctl writes it: the hub never reads half a file.
  std::stringstream reg;
  {
    std::ifstream in(registry_file());
    if (in && in.peek() != std::ifstream::traits_type::eof()) reg << in.rdbuf();
  }
  reg << "\n[[principal]]\nname = \"" << name << "\"\npublic_key = \"" << keys_[name].public_z85
      << "\"\nroles = [";
  for (size_t i = 0; i < roles.size(); ++i) reg << (i ? ", " : "") << '"' << roles[i] << '"';
  reg << "]\n";
  EXPECT_TRUE(WriteFileAtomically(registry_file(), reg.str()).ok());
}

void TestDistrict::Revoke(const std::string& name) {
  std::ifstream in(registry_file());
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  const std::string needle = "name = \"" + name + "\"\n";
  auto pos = s.find(needle);
  if (pos != std::string::npos) s.insert(pos + needle.size(), "revoked = true\n");
  EXPECT_TRUE(WriteFileAtomically(registry_file(), s).ok());
}

void TestDistrict::RegisterSignKeys() {
  std::ifstream in(registry_file());
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  for (const auto& [name, kp] : keys_) {
    const std::string needle = "name = \"" + name + "\"\n";
    const auto pos = s.find(needle);
    if (pos == std::string::npos || s.compare(pos + needle.size(), 8, "sign_key") == 0) continue;
    auto signer = EnvelopeSigner::FromCurveSecret(kp.secret_z85);
    ASSERT_TRUE(signer.ok()) << signer.status();
    s.insert(pos + needle.size(), "sign_key = \"" + SignKeyHex(signer->public_key()) + "\"\n");
  }
  EXPECT_TRUE(WriteFileAtomically(registry_file(), s).ok());
}

std::string TestDistrict::HubFile(int i, const std::string& suffix) const {
  return absl::StrCat(dir_, "/hub", i == 0 ? "" : std::to_string(i), suffix);
}

void TestDistrict::WriteHubToml(int i, const std::string& endpoint) {
  // TOML forbids a key twice: a default is written only when SetLimits() does
  // not set that key itself.
  auto overridden = [&](const std::string& key) {
    for (absl::string_view line : absl::StrSplit(limits_, '\n')) {
      line = absl::StripLeadingAsciiWhitespace(line);
      if (absl::StartsWith(line, key) &&
          absl::StartsWith(absl::StripLeadingAsciiWhitespace(line.substr(key.size())), "="))
        return true;
    }
    return false;
  };
  std::ofstream out(HubFile(i, ".toml"));
  out << "[hub]\nendpoint = \"" << endpoint << "\"\nmetrics_port = " << hubs_[i].metrics_port
      << "\ndata_dir = \"hub" << (i == 0 ? "" : std::to_string(i))
      << "\"\nsecret_key = \"keys/hub.key\"\nregistry = \"registry.toml\"\n"
      << "acl = \"acl.toml\"\nhttp_token_file = \"keys/api.token\"\n\n[limits]\n";
  if (!overridden("heartbeat_ms")) out << "heartbeat_ms = 500\n";
  if (!overridden("ack_timeout_ms")) out << "ack_timeout_ms = 1000\n";
  out << limits_ << "\n";
  if (store_kind_ == "postgresql")
    out << "\n[store]\nkind = \"postgresql\"\npostgresql = \"" << pg_conninfo_ << "\"\n";
}

absl::Status TestDistrict::StartHub(int i) {
  if (i >= static_cast<int>(hubs_.size())) hubs_.resize(i + 1);
  HubProcess& h = hubs_[i];
  if (auto st = PrepareStore(); !st.ok()) return st;
  // The first start picks free ports; restarts reuse them so clients
  // reconnect. On PostgreSQL the port is fixed from the start: a standby
  // binds it again when it becomes active.
  if (h.endpoint.empty() && store_kind_ == "postgresql")
    h.endpoint = absl::StrCat("tcp://", hub_address_, ":", FreeTcpPort());
  WriteHubToml(i, h.endpoint.empty() ? "tcp://" + hub_address_ + ":0" : h.endpoint);
  const std::string ready = HubFile(i, ".ready");
  fs::remove(ready);
  const std::string bin = BinPath("concord-hub");
  const std::string cfg = HubFile(i, ".toml");
  const std::string log = HubFile(i, ".log");
  h.pid = SpawnInNetns(hub_netns_, bin, {"--config", cfg, "--ready-file", ready}, log);
  if (!WaitFor([&] { return fs::exists(ready) || !HubRunning(i); }, 20000) || !fs::exists(ready)) {
    std::ifstream l(log);
    std::stringstream ss;
    ss << l.rdbuf();
    return absl::UnavailableError(absl::StrCat("hub did not start: ", ss.str()));
  }
  ReadReady(i);
  return absl::OkStatus();
}

void TestDistrict::ReadReady(int i) {
  std::ifstream in(HubFile(i, ".ready"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("endpoint=", 0) == 0) hubs_[i].endpoint = line.substr(9);
    if (line.rfind("metrics_port=", 0) == 0)
      hubs_[i].metrics_port = static_cast<uint16_t>(std::stoi(line.substr(13)));
  }
}

std::string TestDistrict::HubRole(int i) {
  if (i >= static_cast<int>(hubs_.size()) || !HubRunning(i)) return "";
  ReadReady(i);
  std::ifstream in(HubFile(i, ".ready"));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("role=", 0) == 0) return line.substr(5);
  return "";
}

absl::Status TestDistrict::PrepareStore() {
  if (store_kind_ == "postgresql" && pg_conninfo_.empty()) {
    if (const char* given = std::getenv("CONCORD_TEST_PG_CONNINFO"); given && *given) {
      pg_conninfo_ = given;
    } else {
      auto server = PgServer::Start();
      if (!server.ok()) return server.status();
      pg_ = std::move(*server);
      if (auto st = pg_->CreateDatabase("concord"); !st.ok()) return st;
      pg_conninfo_ = pg_->conninfo("concord");
    }
  }
  return absl::OkStatus();
}

bool TestDistrict::HubRunning(int i) {
  if (i >= static_cast<int>(hubs_.size())) return false;
  pid_t& pid = hubs_[i].pid;
  if (pid <= 0) return false;
  int status;
  if (waitpid(pid, &status, WNOHANG) == pid) {
    pid = -1;
    return false;
  }
  return true;
}

void TestDistrict::KillHub(int i) {
  if (i >= static_cast<int>(hubs_.size()) || hubs_[i].pid <= 0) return;
  kill(hubs_[i].pid, SIGKILL);
  waitpid(hubs_[i].pid, nullptr, 0);
  hubs_[i].pid = -1;
}

void TestDistrict::StopHub(int i) {
  if (i >= static_cast<int>(hubs_.size()) || hubs_[i].pid <= 0) return;
  kill(hubs_[i].pid, SIGTERM);
  waitpid(hubs_[i].pid, nullptr, 0);
  hubs_[i].pid = -1;
}

client::ClientOptions TestDistrict::ClientFor(const std::string& name) const {
  client::ClientOptions o;
  o.name = name;
  o.hub_endpoint = hubs_[0].endpoint;
  for (size_t i = 1; i < hubs_.size(); ++i)
    if (!hubs_[i].endpoint.empty()) o.standby_endpoints.push_back(hubs_[i].endpoint);
  o.hub_public_key = hub_keys_.public_z85;
  o.keys = keys_.at(name);
  o.db_path = dir_ + "/" + name + ".db";
  o.heartbeat_ms = 500;
  o.resend_after_ms = 2000;
  return o;
}

std::string TestDistrict::HubHttp(const std::string& target, int hub) const {
  absl::StatusOr<HttpResult> r = absl::UnavailableError("not called");
  (void)RunInNetns(hub_netns_, [&] {
    r = HttpCall("127.0.0.1", hubs_.at(hub).metrics_port, "GET", target, "", "application/json",
                 api_token_);
  });
  return r.ok() ? r->body : std::string();
}

double TestDistrict::Metric(const std::string& series, int hub) const {
  std::istringstream in(HubHttp("/metrics", hub));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

ClientThread::ClientThread(client::ClientOptions options,
                           std::function<void(client::Client&)> before_start) {
  std::promise<void> ready;
  thread_ = std::thread([this, &ready, options = std::move(options),
                         before_start = std::move(before_start)]() mutable {
    auto work = boost::asio::make_work_guard(io_);
    auto c = client::Client::Create(io_, std::move(options));
    if (!c.ok()) {
      create_status_ = c.status();
      ready.set_value();
      return;
    }
    client_ = std::move(*c);
    if (before_start) before_start(*client_);
    client_->Start();
    ready.set_value();
    io_.run();
    client_.reset();  // destroyed on its own thread
  });
  ready.get_future().wait();
}

ClientThread::~ClientThread() {
  boost::asio::post(io_, [this] {
    if (client_) client_->Stop();
    io_.stop();
  });
  thread_.join();
}

}  // namespace concord::testing

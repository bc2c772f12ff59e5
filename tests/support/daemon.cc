#include "tests/support/daemon.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "hub/transport/curve_keys.h"
#include "tests/support/netns.h"

namespace concord::testing {

namespace fs = std::filesystem;
using nlohmann::json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

DaemonProcess::DaemonProcess(const TestDistrict& d, const std::string& name, const std::string& bin,
                             const std::string& extra_toml, const std::string& db_file,
                             DaemonPlace place)
    : name_(name), bin_(bin), token_(d.api_token()), place_(std::move(place)) {
  const std::string dir = d.dir();
  if (place_.secret_key.empty()) {
    EXPECT_TRUE(SaveCurveKeyPair(d.KeyOf(name), dir + "/keys/" + name, /*overwrite=*/true).ok());
    place_.secret_key = "keys/" + name + ".key";
  }
  config_ = dir + "/" + name + place_.instance + "." + bin + ".toml";
  const std::string data = bin + "-" + name + place_.instance;
  data_dir_ = dir + "/" + data;
  db_path_ = data_dir_ + "/" + db_file;
  log_ = dir + "/" + data + ".log";
  std::ofstream(config_) << "[agency]\nname = \"" << name << "\"\ndisplay = \"测试机关 " << name
                         << "\"\n\n[hub]\nendpoint = \"" << d.endpoint() << "\"\npublic_key = \""
                         << d.hub_public_key()
                         << "\"\nheartbeat_ms = 500\n\n[keys]\nsecret_key = \"" << place_.secret_key
                         << "\"\n\n[storage]\ndata_dir = \"" << data
                         << "\"\n\n[http]\naddress = \"127.0.0.1\"\nport = 0\ntoken_file = \""
                         << d.api_token_file() << "\"\n\n"
                         << extra_toml;
  if (d.store_kind() == "postgresql" && bin.ends_with("-agent") &&
      extra_toml.find("[store]") == std::string::npos) {
    std::ofstream(config_, std::ios::app)
        << "\n[store]\nkind = \"postgresql\"\npostgresql = \"" << d.pg_conninfo() << "\"\n";
    book_conninfo_ = d.pg_conninfo();
    book_schema_ = fs::path(db_file).stem().string();
  }
  Start();
}

int DaemonProcess::Stop() {
  if (pid_ <= 0) return exit_status_;
  kill(pid_, SIGTERM);
  if (std::optional<int> status = WaitExit(5000)) return *status;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  exit_status_ = -1;
  return exit_status_;
}

void DaemonProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::optional<int> DaemonProcess::WaitExit(int timeout_ms) {
  if (pid_ <= 0) return exit_status_;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  do {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return exit_status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < deadline);
  return std::nullopt;
}

HttpResult DaemonProcess::Call(const std::string& method, const std::string& target,
                               const std::string& body) const {
  absl::StatusOr<HttpResult> r = absl::UnavailableError("not called");
  if (absl::Status in = RunInNetns(place_.netns,
                                   [&] {
                                     r = HttpCall("127.0.0.1", port_, method, target, body,
                                                  "application/json", token_);
                                   });
      !in.ok())
    r = in;
  return r.ok() ? *r : HttpResult{0, std::string(r.status().message())};
}

json DaemonProcess::Get(const std::string& target) const {
  HttpResult r = Call("GET", target);
  if (r.status != 200) return nullptr;
  return json::parse(r.body, nullptr, false);
}

HttpResult DaemonProcess::Post(const std::string& target, const json& body) const {
  return Call("POST", target, body.dump());
}

void DaemonProcess::Start() {
  const std::string ready = config_ + ".ready";
  fs::remove(ready);
  pid_ =
      SpawnInNetns(place_.netns, BinPath(bin_), {"--config", config_, "--ready-file", ready}, log_);
  auto running = [&] { return waitpid(pid_, nullptr, WNOHANG) == 0; };
  if (!WaitFor([&] { return fs::exists(ready) || !running(); }, 10000) || !fs::exists(ready)) {
    ADD_FAILURE() << bin_ << " " << name_ << " did not start:\n" << log();
    return;
  }
  ReadReady();
}

absl::StatusOr<sql::Db> DaemonProcess::OpenBook() const {
  if (book_conninfo_.empty()) return sql::Db::Open(db_path_);
  return sql::Db::OpenPostgresql({.conninfo = book_conninfo_, .schema = book_schema_});
}

void DaemonProcess::ReadReady() {
  std::istringstream in(ReadFile(config_ + ".ready"));
  std::string line;
  port_ = 0;
  standby_ = false;
  while (std::getline(in, line)) {
    if (line.rfind("http_port=", 0) == 0) port_ = static_cast<uint16_t>(std::stoi(line.substr(10)));
    if (line.rfind("console_port=", 0) == 0)
      console_port_ = static_cast<uint16_t>(std::stoi(line.substr(13)));
    if (line == "role=standby") standby_ = true;
  }
}

bool DaemonProcess::WaitActive(int timeout_ms) {
  return WaitFor(
      [&] {
        ReadReady();
        return port_ != 0;
      },
      timeout_ms);
}

void SetFileClock(const std::string& path, int64_t unix_ms) {
  const std::string tmp = path + ".tmp";
  { std::ofstream(tmp) << unix_ms << "\n"; }
  fs::rename(tmp, path);
}

nlohmann::json DaemonProcess::Ask(const std::string& to, const std::string& type,
                                  const nlohmann::json& payload, const std::string& reply_type,
                                  int timeout_ms) const {
  HttpResult r = Post("/publish", {{"to", {to}}, {"type", type}, {"payload", payload}});
  EXPECT_EQ(r.status, 202) << type << " to " << to << ": " << r.body;
  const nlohmann::json queued = nlohmann::json::parse(r.body, nullptr, false);
  const std::string id = queued.is_object() ? queued.value("id", "") : "";
  nlohmann::json reply;
  if (r.status != 202 || id.empty()) return reply;
  WaitFor(
      [&] {
        nlohmann::json inbox = Get("/inbox?limit=1000");
        if (!inbox.is_object()) return false;
        for (const auto& m : inbox["messages"])
          if (m.value("correlation_id", "") == id && m.value("type", "") == reply_type) {
            reply = m["payload"];
            return true;
          }
        return false;
      },
      timeout_ms);
  return reply;
}

std::map<std::string, int> DaemonProcess::AlertsSeen() const {
  std::map<std::string, int> out;
  nlohmann::json inbox = Get("/inbox?limit=1000");
  if (inbox.is_object())
    for (const auto& m : inbox["messages"])
      if (m.value("type", "") == "concord.v1.DeadlineAlert")
        ++out[m["payload"].value("ledger_no", "") + "|" + m["payload"].value("rule", "") + "|" +
              m["payload"].value("kind", "")];
  return out;
}

}  // namespace concord::testing

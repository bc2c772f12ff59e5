#include "tests/support/daemon.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "hub/common/curve_keys.h"

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
                             const std::string& extra_toml, const std::string& db_file)
    : name_(name), bin_(bin) {
  const std::string dir = d.dir();
  EXPECT_TRUE(SaveCurveKeyPair(d.KeyOf(name), dir + "/keys/" + name, /*overwrite=*/true).ok());
  config_ = dir + "/" + name + "." + bin + ".toml";
  const std::string data = bin + "-" + name;
  data_dir_ = dir + "/" + data;
  db_path_ = data_dir_ + "/" + db_file;
  log_ = dir + "/" + data + ".log";
  std::ofstream(config_) << "[agency]\nname = \"" << name << "\"\ndisplay = \"测试机关 " << name
                         << "\"\n\n[hub]\nendpoint = \"" << d.endpoint() << "\"\npublic_key = \""
                         << d.hub_public_key()
                         << "\"\nheartbeat_ms = 500\n\n[keys]\nsecret_key = \"keys/" << name
                         << ".key\"\n\n[storage]\ndata_dir = \"" << data
                         << "\"\n\n[http]\naddress = \"127.0.0.1\"\nport = 0\n\n"
                         << extra_toml;
  Start();
}

int DaemonProcess::Stop() {
  if (pid_ <= 0) return exit_status_;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 500; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return exit_status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
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

HttpResult DaemonProcess::Call(const std::string& method, const std::string& target,
                               const std::string& body) const {
  auto r = HttpCall("127.0.0.1", port_, method, target, body);
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
  pid_ = SpawnLogged(BinPath(bin_), {"--config", config_, "--ready-file", ready}, log_);
  auto running = [&] { return waitpid(pid_, nullptr, WNOHANG) == 0; };
  if (!WaitFor([&] { return fs::exists(ready) || !running(); }, 10000) || !fs::exists(ready)) {
    ADD_FAILURE() << bin_ << " " << name_ << " did not start:\n" << log();
    return;
  }
  std::istringstream in(ReadFile(ready));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("http_port=", 0) == 0) port_ = static_cast<uint16_t>(std::stoi(line.substr(10)));
}

}  // namespace concord::testing

// Enrolment with the real binaries and real keys: `concordctl district init`
// in the hub's folder, `concordctl agency init` in three agencies' folders
// (each secret key only in its own folder), the printed `keys add` lines run
// as printed, the real concord-hub on the generated hub.toml and real
// concord-adapter processes on the generated configs. Then a message between
// two agencies; a key rotation with messages queued for the offline agency
// (all delivered to its new key, in order; the old key refused); and a
// revocation, refused within 1 s (the time is printed).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/http_client.h"
#include "common/sqlite.h"
#include "tests/support/daemon.h"
#include "tests/support/district.h"
#include "tests/support/temp_folder.h"

namespace concord::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The built concordctl with `args`; stdout only (the hints on stderr dropped).
CommandResult CtlStdout(const std::string& args) {
  return RunCommand("{ " + BinPath("concordctl") + " " + args + " 2>/dev/null; }");
}

// Runs a line printed by concordctl ("concordctl keys add ...") as printed.
CommandResult RunPrinted(const std::string& line) {
  EXPECT_EQ(line.rfind("concordctl ", 0), 0u) << line;
  return RunCommand(BinPath("concordctl") + line.substr(10));
}

// A real child process, started with --ready-file; SIGTERM when it goes.
class Child {
 public:
  Child(const std::string& bin, const std::string& config, const std::string& log) {
    const std::string ready = config + ".ready";
    fs::remove(ready);
    pid_ = SpawnLogged(BinPath(bin), {"--config", config, "--ready-file", ready}, log);
    int status;
    if (!WaitFor([&] { return fs::exists(ready) || waitpid(pid_, &status, WNOHANG) == pid_; },
                 20000) ||
        !fs::exists(ready)) {
      ADD_FAILURE() << bin << " did not start: " << ReadFile(log);
      return;
    }
    for (absl::string_view line : absl::StrSplit(ReadFile(ready), '\n')) {
      auto kv = std::string(line);
      auto eq = kv.find('=');
      if (eq != std::string::npos) values_[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  ~Child() { Stop(); }
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  std::string Value(const std::string& key) const {
    auto it = values_.find(key);
    return it == values_.end() ? "" : it->second;
  }
  uint16_t Port(const std::string& key) const {
    const std::string v = Value(key);
    return v.empty() ? 0 : static_cast<uint16_t>(std::stoi(v));
  }

 private:
  pid_t pid_ = -1;
  std::map<std::string, std::string> values_;
};

// The API token of the adapter on each port (its <data_dir>/api.token, made
// at its first start), which every call sends.
std::map<uint16_t, std::string>& Tokens() {
  static std::map<uint16_t, std::string> tokens;
  return tokens;
}
void RememberToken(uint16_t port, const std::string& data_dir) {
  Tokens()[port] = std::string(absl::StripAsciiWhitespace(ReadFile(data_dir + "/api.token")));
}

json GetJson(uint16_t port, const std::string& target) {
  auto r = HttpCall("127.0.0.1", port, "GET", target, "", "application/json", Tokens()[port]);
  if (!r.ok() || r->status != 200) return json();
  return json::parse(r->body, nullptr, false);
}

void Publish(uint16_t port, const std::string& to, const std::string& body) {
  json m = {{"to", {to}},
            {"type", "concord.v1.TextNote"},
            {"payload", {{"subject", "enrol"}, {"body", body}}}};
  auto r =
      HttpCall("127.0.0.1", port, "POST", "/publish", m.dump(), "application/json", Tokens()[port]);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 202) << r->body;
}

// The bodies of the notes in an adapter's inbox, in arrival order.
std::vector<std::string> Notes(uint16_t port) {
  std::vector<std::string> out;
  json inbox = GetJson(port, "/inbox?limit=1000");
  if (!inbox.is_object()) return out;
  for (const auto& m : inbox["messages"])
    if (m.value("type", "") == "concord.v1.TextNote") out.push_back(m["payload"].value("body", ""));
  return out;
}

double HubMetric(uint16_t port, const std::string& series) {
  auto r = HttpCall("127.0.0.1", port, "GET", "/metrics");
  if (!r.ok()) return -1;
  for (absl::string_view line : absl::StrSplit(r->body, '\n'))
    if (line.size() > series.size() && line.substr(0, series.size()) == series &&
        line[series.size()] == ' ')
      return std::stod(std::string(line.substr(series.size() + 1)));
  return -1;
}

// Every *.key file under `dir` (the secrets kept there).
std::vector<std::string> SecretKeysUnder(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".key") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

struct Enrolled {
  std::string dir, config, pub, keys_add;
};

TEST(Enrolment, KeysMadeWhereUsedRotationAndRevocation) {
  TempFolder t("enrol");
  const std::string district = "xishan";  // not the demo district
  const std::string hub_dir = t.File("hub");
  // At the hub machine.
  CommandResult init =
      RunConcordctl("district init --dir " + hub_dir + " --district " + district +
                    " --display 西山区 --endpoint tcp://127.0.0.1:0 --metrics-port 0 --data-dir " +
                    t.File("hub-data"));
  ASSERT_EQ(init.exit_code, 0) << init.out;
  const std::string hub_pub = ReadFile(hub_dir + "/keys/hub.pub");
  ASSERT_EQ(hub_pub.size(), 41u);
  EXPECT_NE(init.out.find(hub_pub.substr(0, 40)), std::string::npos) << "prints the hub's key";
  EXPECT_EQ(init.out.find(ReadFile(hub_dir + "/keys/hub.key").substr(0, 40)), std::string::npos)
      << "never prints the secret";
  struct stat st;
  ASSERT_EQ(stat((hub_dir + "/keys/hub.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(ReadFile(hub_dir + "/acl.toml").find("shangzhou"), std::string::npos);
  CommandResult again = RunConcordctl("district init --dir " + hub_dir + " --district " + district +
                                      " --display 西山区");
  EXPECT_EQ(again.exit_code, 2) << "refuses to overwrite: " << again.out;

  Child hub("concord-hub", hub_dir + "/hub.toml", t.File("hub.log"));
  const std::string endpoint = hub.Value("endpoint");
  const uint16_t metrics = hub.Port("metrics_port");
  ASSERT_FALSE(endpoint.empty());

  // At each agency's machine: only the hub's address and public key come in.
  std::map<std::string, Enrolled> ag;
  for (const std::string name : {"court", "police", "petition"}) {
    Enrolled e;
    e.dir = t.File(name);
    e.config = e.dir + "/" + name + ".toml";
    CommandResult r =
        CtlStdout("agency init --dir " + e.dir + " --name " + district + "." + name +
                  " --agencies " + hub_dir + "/agencies.txt --hub " + endpoint + " --hub-key " +
                  hub_dir + "/keys/hub.pub --http-port 0 --console-port 0 --console-address " +
                  "127.0.0.1 --data-dir " + t.File(name + "-data") + " --registry " + hub_dir +
                  "/registry.toml");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
    ASSERT_EQ(lines.size(), 2u) << "only the public key and the keys add line: " << r.out;
    e.pub = lines[0];
    e.keys_add = lines[1];
    EXPECT_EQ(e.pub + "\n", ReadFile(e.dir + "/keys/" + name + ".pub"));
    ag[name] = e;
  }
  // Each secret where it is used, and nowhere else.
  EXPECT_EQ(SecretKeysUnder(hub_dir), std::vector<std::string>{hub_dir + "/keys/hub.key"});
  const std::string hub_secret = ReadFile(hub_dir + "/keys/hub.key");
  for (auto& [name, e] : ag) {
    // Its own key, and its console's TLS key (made there, self-signed).
    EXPECT_EQ(SecretKeysUnder(e.dir), (std::vector<std::string>{e.dir + "/keys/console.key",
                                                                e.dir + "/keys/" + name + ".key"}));
    const std::string secret = ReadFile(e.dir + "/keys/" + name + ".key");
    for (const auto& f : fs::recursive_directory_iterator(hub_dir)) {
      if (f.is_regular_file()) {
        EXPECT_EQ(ReadFile(f.path()).find(secret), std::string::npos) << f.path();
      }
    }
    for (const auto& f : fs::recursive_directory_iterator(e.dir)) {
      if (f.is_regular_file()) {
        EXPECT_EQ(ReadFile(f.path()).find(hub_secret), std::string::npos) << f.path();
      }
    }
  }
  // The hub officer runs the lines as they came.
  for (auto& [name, e] : ag) {
    CommandResult add = RunPrinted(e.keys_add);
    ASSERT_EQ(add.exit_code, 0) << e.keys_add << "\n" << add.out;
  }
  CommandResult dup = RunPrinted(ag["court"].keys_add);
  EXPECT_EQ(dup.exit_code, 2) << "a name is added once: " << dup.out;

  // The agencies file named each agency (district init wrote it); the
  // console is on, with a self-signed certificate made at the agency.
  const std::string court_toml = ReadFile(ag["court"].config);
  EXPECT_NE(court_toml.find("display = \"西山区人民法院\""), std::string::npos) << court_toml;
  EXPECT_NE(court_toml.find("\"xishan.police\" = \"西山区公安分局\""), std::string::npos)
      << court_toml;
  EXPECT_NE(ag["court"].keys_add.find("--roles agency,court,aid_grantor"), std::string::npos)
      << ag["court"].keys_add;

  // A message from one agency to another, through the real hub.
  auto court = std::make_unique<Child>("concord-adapter", ag["court"].config, t.File("court.log"));
  auto police =
      std::make_unique<Child>("concord-adapter", ag["police"].config, t.File("police.log"));
  const uint16_t court_port = court->Port("http_port");
  ASSERT_NE(court_port, 0);
  ASSERT_NE(police->Port("http_port"), 0);
  RememberToken(court_port, t.File("court-data"));
  RememberToken(police->Port("http_port"), t.File("police-data"));
  // The clerks' console answers over HTTPS with the agency's own certificate.
  ASSERT_NE(court->Port("console_port"), 0);
  const CommandResult login =
      RunCommand("curl -sk -o /dev/null -w '%{http_code}' https://127.0.0.1:" +
                 std::to_string(court->Port("console_port")) + "/login");
  EXPECT_EQ(login.out, "200") << "GET /login on the console: " << login.out;
  Publish(court_port, district + ".police", "first");
  EXPECT_TRUE(WaitFor([&] { return Notes(police->Port("http_port")).size() == 1; }, 15000))
      << ReadFile(t.File("police.log")) << ReadFile(t.File("court.log"))
      << ReadFile(t.File("hub.log"));

  // The court hears from the police once: it pins the police's signing key.
  Publish(police->Port("http_port"), district + ".court", "from police");
  ASSERT_TRUE(WaitFor([&] { return Notes(court_port).size() == 1; }, 15000));

  // Rotation, the agency's adapter still running on its old key: the hub
  // ends that session at its reload and refuses the old key from then on.
  CommandResult rot = CtlStdout("agency rotate --config " + ag["police"].config + " --registry " +
                                hub_dir + "/registry.toml");
  ASSERT_EQ(rot.exit_code, 0) << rot.out;
  std::vector<std::string> rot_lines = absl::StrSplit(rot.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(rot_lines.size(), 2u) << rot.out;
  EXPECT_NE(rot_lines[0], ag["police"].pub);
  EXPECT_EQ(SecretKeysUnder(hub_dir).size(), 1u) << "the new secret stays at the agency";
  const double refused_before = HubMetric(metrics, "concord_hub_key_refused_total");
  const auto r0 = std::chrono::steady_clock::now();
  ASSERT_EQ(RunPrinted(rot_lines[1]).exit_code, 0) << rot_lines[1];
  ASSERT_TRUE(WaitFor(
      [&] { return HubMetric(metrics, "concord_hub_key_refused_total") > refused_before; }, 5000))
      << "the old key's session ends";
  const auto rotate_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - r0)
          .count();
  std::cout << "keys rotate -> old key's session ended at the hub: " << rotate_ms << " ms\n";
  // At the reload (every 100 ms), not at the session's next heartbeat (1 s).
  EXPECT_LT(rotate_ms, 500);
  // Court sends 20 while police still runs on the old key: they wait at the hub.
  std::vector<std::string> sent;
  for (int i = 0; i < 20; ++i) {
    sent.push_back(absl::StrCat("queued-", i));
    Publish(court_port, district + ".police", sent.back());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  EXPECT_EQ(Notes(police->Port("http_port")), std::vector<std::string>{"first"})
      << "nothing reaches the old key";
  EXPECT_FALSE(GetJson(police->Port("http_port"), "/health").value("connected", true));
  // The agency restarts its adapter on the new key (the config points at it).
  police->Stop();
  police.reset();
  // The new key: every queued message, once, in order.
  police = std::make_unique<Child>("concord-adapter", ag["police"].config, t.File("police.log"));
  RememberToken(police->Port("http_port"), t.File("police-data"));
  std::vector<std::string> expected = {"first"};
  expected.insert(expected.end(), sent.begin(), sent.end());
  // The hub's directory now names the police's new key, but the court pinned
  // the old one: it seals nothing to a key it has not confirmed, so the 20
  // wait in its own outbox (the hub holds no copy the old key could open).
  const std::string court_db = t.File("court-data") + "/agency.db";
  auto count_at_court = [&](const std::string& table) -> int64_t {
    auto db = sqlite::Db::Open(court_db);
    if (!db.ok()) return -1;
    auto n = db->QueryInt("SELECT count(*) FROM " + table);
    return n.ok() ? *n : -1;
  };
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(Notes(police->Port("http_port")), std::vector<std::string>{"first"})
      << "held at the court until it trusts the new key";
  EXPECT_EQ(count_at_court("concord_outbox"), 20);
  EXPECT_NE(ReadFile(t.File("court.log")).find("keys trust"), std::string::npos)
      << "the court's log says why they wait";

  // The rotation's line gave the hub the police's new signing key; the court
  // still holds the old one, so it refuses what the police now signs until
  // its officer pins the new key (`keys trust`, checked by telephone).
  const size_t at = rot_lines[1].find("--sign-key ");
  ASSERT_NE(at, std::string::npos) << rot_lines[1];
  const std::string new_sign_key = rot_lines[1].substr(at + 11, 64);
  EXPECT_NE(ReadFile(hub_dir + "/registry.toml").find(new_sign_key), std::string::npos);
  EXPECT_EQ(ag["police"].keys_add.find(new_sign_key), std::string::npos);
  Publish(police->Port("http_port"), district + ".court", "signed with the new key");
  EXPECT_TRUE(WaitFor([&] { return count_at_court("concord_refused") == 1; }, 15000));
  CommandResult trust = RunConcordctl("keys trust --db " + court_db + " --name " + district +
                                      ".police --sign-key " + new_sign_key);
  ASSERT_EQ(trust.exit_code, 0) << trust.out;
  // The new key: every queued message, once, in order.
  EXPECT_TRUE(
      WaitFor([&] { return Notes(police->Port("http_port")).size() >= expected.size(); }, 20000));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // nothing more comes
  EXPECT_EQ(Notes(police->Port("http_port")), expected);
  Publish(police->Port("http_port"), district + ".court", "after the court trusted it");
  EXPECT_TRUE(WaitFor([&] { return Notes(court_port).size() == 2; }, 15000));
  EXPECT_EQ(Notes(court_port),
            (std::vector<std::string>{"from police", "after the court trusted it"}));
  EXPECT_EQ(count_at_court("concord_refused"), 1);

  // A second rotation while the police's adapter is down: what the court sent
  // just before is queued at the hub, sealed to the key being replaced. The
  // adapter, restarted on the new key, opens it with the old one, which
  // `agency rotate` kept in [keys] previous_secret_keys.
  police->Stop();
  police.reset();
  Publish(court_port, district + ".police", "sealed to the second key");
  ASSERT_TRUE(WaitFor([&] { return count_at_court("concord_outbox") == 0; }, 15000))
      << "stored at the hub";
  CommandResult rot2 = CtlStdout("agency rotate --config " + ag["police"].config + " --registry " +
                                 hub_dir + "/registry.toml");
  ASSERT_EQ(rot2.exit_code, 0) << rot2.out;
  std::vector<std::string> rot2_lines = absl::StrSplit(rot2.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(rot2_lines.size(), 2u) << rot2.out;
  ASSERT_EQ(RunPrinted(rot2_lines[1]).exit_code, 0) << rot2_lines[1];
  const std::string police_config = ReadFile(ag["police"].config);
  const size_t prev = police_config.find("previous_secret_keys = [");
  ASSERT_NE(prev, std::string::npos) << police_config;
  const std::string prev_line = police_config.substr(prev, police_config.find('\n', prev) - prev);
  EXPECT_EQ(std::count(prev_line.begin(), prev_line.end(), '"') / 2, 2) << prev_line;
  police = std::make_unique<Child>("concord-adapter", ag["police"].config, t.File("police.log"));
  RememberToken(police->Port("http_port"), t.File("police-data"));
  expected.push_back("sealed to the second key");
  EXPECT_TRUE(
      WaitFor([&] { return Notes(police->Port("http_port")).size() >= expected.size(); }, 15000))
      << ReadFile(t.File("police.log"));
  EXPECT_EQ(Notes(police->Port("http_port")), expected);

  // Revocation: the court's session ends at the hub's next reload.
  const double refused = HubMetric(metrics, "concord_hub_key_refused_total");
  const auto t0 = std::chrono::steady_clock::now();
  CommandResult rev = RunConcordctl("keys revoke --registry " + hub_dir + "/registry.toml --name " +
                                    district + ".court");
  ASSERT_EQ(rev.exit_code, 0) << rev.out;
  ASSERT_TRUE(
      WaitFor([&] { return HubMetric(metrics, "concord_hub_key_refused_total") > refused; }, 5000));
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  std::cout << "keys revoke -> session refused at the hub: " << ms << " ms\n";
  EXPECT_LT(ms, 1000);
  Publish(court_port, district + ".police", "after-revoke");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(Notes(police->Port("http_port")).size(), expected.size())
      << "nothing from a revoked key arrives";
}

}  // namespace
}  // namespace concord::testing

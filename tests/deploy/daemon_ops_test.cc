// What the operator and systemd see of every daemon (issue 13): --version,
// --check-config, the readiness protocol of Type=notify units (READY=1 once
// up, STOPPING=1 on SIGTERM, on a real $NOTIFY_SOCKET), /healthz, /readyz
// and *_build_info. Real processes, a real hub, real keys.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "common/daemon.h"
#include "tests/support/daemon.h"
#include "tests/support/district.h"
#include "tests/support/notify_socket.h"
#include "tests/support/temp_folder.h"

namespace concord::testing {
namespace {

namespace fs = std::filesystem;

HttpResult HubGet(const TestDistrict& d, const std::string& target) {
  auto r = HttpCall("127.0.0.1", d.metrics_port(), "GET", target);
  return r.ok() ? *r : HttpResult{};
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(DaemonOps, EveryBinaryAnswersVersion) {
  for (const char* bin :
       {"concord-hub", "concord-adapter", "concord-aid-agent", "concord-ledger-agent",
        "concord-risk-agent", "concord-conference-agent", "concordctl"}) {
    const CommandResult r = RunCommand(BinPath(bin) + " --version");
    EXPECT_EQ(r.exit_code, 0) << bin << ": " << r.out;
    EXPECT_EQ(r.out, VersionLine(bin) + "\n") << bin;
    EXPECT_TRUE(Contains(r.out, std::string(" ") + Version() + " (git ")) << r.out;
  }
}

// --check-config reads what start-up reads and says what is wrong, with exit
// code 2; it starts nothing.
TEST(DaemonOps, CheckConfigNamesWhatIsWrong) {
  TestDistrict d({"court"});
  ASSERT_TRUE(d.StartHub().ok());  // writes hub.toml
  d.StopHub();
  fs::remove_all(d.dir() + "/hub");
  ASSERT_TRUE(SaveCurveKeyPair(d.KeyOf("court"), d.dir() + "/keys/court", true).ok());
  const std::string hub = BinPath("concord-hub");
  CommandResult ok = RunCommand(hub + " --check-config --config " + d.dir() + "/hub.toml");
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_TRUE(Contains(ok.out, "配置无误 / config OK")) << ok.out;
  EXPECT_FALSE(fs::exists(d.dir() + "/hub/hub.db")) << "a check opens no database";

  fs::rename(d.dir() + "/keys/hub.key", d.dir() + "/keys/hub.key.away");
  CommandResult no_key = RunCommand(hub + " --check-config --config " + d.dir() + "/hub.toml");
  EXPECT_EQ(no_key.exit_code, 2) << no_key.out;
  EXPECT_TRUE(Contains(no_key.out, "hub.key")) << no_key.out;
  fs::rename(d.dir() + "/keys/hub.key.away", d.dir() + "/keys/hub.key");

  std::ofstream(d.dir() + "/acl.toml", std::ios::app) << "[[allow]]\nfrom = \n";
  CommandResult bad_acl = RunCommand(hub + " --check-config --config " + d.dir() + "/hub.toml");
  EXPECT_EQ(bad_acl.exit_code, 2) << bad_acl.out;
  EXPECT_TRUE(Contains(bad_acl.out, "acl.toml")) << bad_acl.out;

  // An agent: its own table is read for real (a calendar that is not there).
  const std::string ledger_toml = d.dir() + "/ledger-check.toml";
  std::ofstream(ledger_toml) << "[agency]\nname = \"court\"\n[hub]\nendpoint = \"" << d.endpoint()
                             << "\"\npublic_key = \"" << d.hub_public_key()
                             << "\"\n[keys]\nsecret_key = \"keys/court.key\"\n"
                             << "[storage]\ndata_dir = \"ledger-data\"\n"
                             << "[ledger]\ncalendar = \"no-such-calendar.txt\"\n";
  CommandResult agent =
      RunCommand(BinPath("concord-ledger-agent") + " --check-config --config " + ledger_toml);
  EXPECT_EQ(agent.exit_code, 2) << agent.out;
  EXPECT_TRUE(Contains(agent.out, "no-such-calendar.txt")) << agent.out;
  EXPECT_FALSE(fs::exists(d.dir() + "/ledger-data/ledger.db"))
      << "the check builds the agent on a scratch database";
  // A deadline rule the ledger does not have, named in the answer.
  std::string text = ReadFile(ledger_toml);
  text.replace(text.find("no-such-calendar.txt"), 20,
               std::string(CONCORD_SOURCE_DIR) + "/deploy/calendar/cn-holidays.txt");
  std::ofstream(ledger_toml) << text << "deadlines_kept_on_days_off = [\"regster_review\"]\n";
  CommandResult rule =
      RunCommand(BinPath("concord-ledger-agent") + " --check-config --config " + ledger_toml);
  EXPECT_EQ(rule.exit_code, 2) << rule.out;
  EXPECT_TRUE(Contains(rule.out, "regster_review")) << rule.out;
}

// The hub under a Type=notify unit: READY=1 once it listens, the probes,
// the build info, latencies in seconds, STOPPING=1 on SIGTERM.
TEST(DaemonOps, HubTellsSystemdAndAnswersProbes) {
  TestDistrict d({"court"});
  NotifySocket notify(d.dir() + "/notify.sock");
  ASSERT_TRUE(notify.bound());
  ASSERT_TRUE(d.StartHub().ok());
  const std::string ready = notify.Next();
  EXPECT_TRUE(Contains(ready, "READY=1")) << ready;
  EXPECT_TRUE(Contains(ready, "STATUS=")) << ready;

  const HttpResult live = HubGet(d, "/healthz");
  EXPECT_EQ(live.status, 200);
  EXPECT_EQ(nlohmann::json::parse(live.body).value("version", ""), Version());
  const HttpResult readyz = HubGet(d, "/readyz");
  EXPECT_EQ(readyz.status, 200) << readyz.body;
  EXPECT_TRUE(nlohmann::json::parse(readyz.body)["checks"].value("database", false));
  const std::string metrics = HubGet(d, "/metrics").body;
  EXPECT_TRUE(Contains(metrics, std::string("concord_hub_build_info{version=\"") + Version()))
      << metrics;
  EXPECT_TRUE(Contains(metrics, "concord_hub_publish_to_ack_seconds_bucket{le=\"0.001\"}"))
      << metrics;
  EXPECT_FALSE(Contains(metrics, "_ms_bucket")) << "every duration in seconds";

  d.StopHub();
  EXPECT_TRUE(Contains(notify.Next(), "STOPPING=1"));
}

// An adapter is ready while it has a session with the hub: /readyz turns 503
// when the hub dies (SIGKILL) and 200 again once it is back; /healthz stays
// 200 (the process lives). Its READY=1 comes through an abstract socket.
TEST(DaemonOps, AdapterReadinessFollowsTheHub) {
  TestDistrict d({"court"});
  ASSERT_TRUE(d.StartHub().ok());
  NotifySocket notify("@concord-test-notify-" + std::to_string(getpid()));
  ASSERT_TRUE(notify.bound());
  DaemonProcess court(d, "court");
  ASSERT_TRUE(court.ok()) << court.log();
  EXPECT_TRUE(Contains(notify.Next(), "READY=1"));

  auto readyz = [&] { return court.Call("GET", "/readyz"); };
  EXPECT_TRUE(WaitFor([&] { return readyz().status == 200; })) << readyz().body;
  d.KillHub();
  EXPECT_TRUE(WaitFor([&] { return readyz().status == 503; }, 15000)) << readyz().body;
  EXPECT_FALSE(nlohmann::json::parse(readyz().body)["checks"].value("hub_connected", true));
  EXPECT_TRUE(nlohmann::json::parse(readyz().body)["checks"].value("database", false));
  EXPECT_EQ(court.Call("GET", "/healthz").status, 200);
  ASSERT_TRUE(d.StartHub().ok());
  EXPECT_TRUE(WaitFor([&] { return readyz().status == 200; }, 15000)) << readyz().body;
  EXPECT_TRUE(Contains(court.Call("GET", "/metrics").body, "concord_adapter_build_info{"));

  EXPECT_EQ(court.Stop(), 0);
  EXPECT_TRUE(notify.Await("STOPPING=1"));
}

// One daemon per database: a second one on the same config (the unit's and
// one started by hand) is refused, naming the first; after the first is
// SIGKILLed the kernel has dropped its lock and the database opens again.
TEST(DaemonOps, SecondDaemonOnTheSameDatabaseIsRefused) {
  TestDistrict d({"court", "aid:aid"});
  ASSERT_TRUE(d.StartHub().ok());
  DaemonProcess court(d, "court");
  ASSERT_TRUE(court.ok()) << court.log();
  DaemonProcess aid(d, "aid", "concord-aid-agent", "[aid]\ncap_yuan = 50000\n", "aid.db");
  ASSERT_TRUE(aid.ok()) << aid.log();
  const std::pair<std::string, std::string> kSecond[] = {
      {"concord-hub", d.dir() + "/hub.toml"},
      {"concord-adapter", d.dir() + "/court.concord-adapter.toml"},
      {"concord-aid-agent", d.dir() + "/aid.concord-aid-agent.toml"}};
  for (const auto& [bin, config] : kSecond) {
    SCOPED_TRACE(bin);
    ASSERT_TRUE(std::filesystem::exists(config)) << config;
    const CommandResult r = RunCommand("timeout 20 " + BinPath(bin) + " --config " + config);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_TRUE(Contains(r.out, "in use by another process")) << r.out;
  }
  const CommandResult hub_again =
      RunCommand("timeout 20 " + BinPath("concord-hub") + " --config " + d.dir() + "/hub.toml");
  EXPECT_TRUE(Contains(hub_again.out, std::to_string(d.hub_pid()) + " concord-hub"))
      << "names the running hub: " << hub_again.out;
  d.KillHub();
  ASSERT_TRUE(d.StartHub().ok()) << "the lock went with the killed hub";
  EXPECT_TRUE(WaitFor([&] { return court.Call("GET", "/readyz").status == 200; }, 15000));
}

}  // namespace
}  // namespace concord::testing

// The example configs shipped in deploy/examples/ (installed to
// share/doc/concord/examples) load with the loaders the daemons use.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/adapter_config.h"
#include "agents/aid/agent.h"
#include "agents/conference/agent.h"
#include "agents/ledger/agent.h"
#include "agents/risk/agent.h"
#include "domain/agent_messages.h"
#include "hub/broker/config.h"
#include "hub/registry/registry.h"
#include "hub/transport/curve_keys.h"
#include "tests/support/district.h"
#include "tests/support/temp_folder.h"

namespace concord {
namespace {

namespace fs = std::filesystem;

class Examples : public ::testing::Test {
 protected:
  // The examples copied into a temp folder, their data folders moved there
  // too, with the key pairs they name.
  void SetUp() override {
    for (const auto& f :
         fs::directory_iterator(std::string(CONCORD_SOURCE_DIR) + "/deploy/examples")) {
      std::ifstream in(f.path());
      std::stringstream text;
      text << in.rdbuf();
      std::string s = text.str();
      for (size_t at; (at = s.find("/var/lib/concord")) != std::string::npos;)
        s.replace(at, 16, dir_.File("var"));
      // The installed data files (calendar, risk factors) from the source tree.
      for (const std::string share : {"/usr/local/share/concord", "/usr/share/concord"})
        for (size_t at; (at = s.find(share)) != std::string::npos;)
          s.replace(at, share.size(), std::string(CONCORD_SOURCE_DIR) + "/deploy");
      std::ofstream(dir_.File(f.path().filename())) << s;
    }
    fs::create_directories(dir_.File("keys"));
    for (const char* name : {"hub", "court", "ledger", "risk", "conference", "aid"}) {
      auto kp = GenerateCurveKeyPair();
      ASSERT_TRUE(kp.ok());
      ASSERT_TRUE(SaveCurveKeyPair(*kp, dir_.File("keys/") + name).ok());
    }
  }
  // The file `name` of the copy, as the loaders resolve it.
  std::string Path(const std::string& name) const {
    return fs::path(dir_.File(name)).lexically_normal();
  }

  testing::TempFolder dir_{"examples"};
};

// hub.toml, registry.toml and acl.toml: the hub's own files.
TEST_F(Examples, HubRegistryAndAcl) {
  auto hub = hub::LoadHubConfig(Path("hub.toml"));
  ASSERT_TRUE(hub.ok()) << hub.status();
  EXPECT_EQ(hub->registry_file, Path("registry.toml"));
  auto registry = hub::Registry::Load(hub->registry_file, hub->acl_file);
  ASSERT_TRUE(registry.ok()) << registry.status();
  const hub::Principal* court = registry->ByName("shangzhou.court");
  ASSERT_NE(court, nullptr);
  EXPECT_TRUE(
      registry->CheckAcl(*court, "concord.v1.PetitionRegister", "shangzhou.agent.ledger").ok());
  EXPECT_FALSE(
      registry->CheckAcl(*court, "concord.v1.TrackDeadline", "shangzhou.agent.ledger").ok());
  // The reserved types are the ones concordctl writes for a new district.
  std::ifstream in(std::string(CONCORD_SOURCE_DIR) + "/deploy/examples/acl.toml");
  std::stringstream acl;
  acl << in.rdbuf();
  EXPECT_NE(acl.str().find(ReserveRulesToml()), std::string::npos)
      << "deploy/examples/acl.toml: put this in place of its [[reserve]] blocks:\n"
      << ReserveRulesToml();
  EXPECT_FALSE(
      registry->CheckAcl(*court, "concord.v1.AidDuplicateNotice", "shangzhou.procuratorate").ok());
}

// court.toml: an agency's adapter with petitions, CSV drop folders and aid on.
TEST_F(Examples, Adapter) {
  auto court = adapter::LoadAdapterConfig(Path("court.toml"));
  ASSERT_TRUE(court.ok()) << court.status();
  EXPECT_EQ(court->agency, "shangzhou.court");
  EXPECT_EQ(court->petitions.ledger, "shangzhou.agent.ledger");
  EXPECT_EQ(court->aid.linkage_key, Path("keys/linkage.key"));
  EXPECT_FALSE(court->drop_dir.empty());
}

// Each agent's file: the bus sections and the agent's own table.
TEST_F(Examples, Agents) {
  auto section = [&](const std::string& name) {
    auto c = client::LoadProcessConfig(Path(name + ".toml"), name + ".db");
    EXPECT_TRUE(c.ok()) << name << ": " << c.status();
    return c.ok() ? c->file[name] : ConfigFile()[name];
  };
  auto ledger = ledger::LoadAgentConfig(section("ledger"));
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  EXPECT_EQ(ledger->observers, std::vector<std::string>{"shangzhou.agent.risk"});
  auto risk = risk::LoadAgentConfig(section("risk"));
  ASSERT_TRUE(risk.ok()) << risk.status();
  auto conference = conference::LoadAgentConfig(section("conference"));
  ASSERT_TRUE(conference.ok()) << conference.status();
  EXPECT_EQ(conference->names.size(), 6u);
  EXPECT_EQ(conference->agencies.size(), 6u);
  auto aid = aid::LoadAgentConfig(section("aid"));
  ASSERT_TRUE(aid.ok()) << aid.status();
  auto cap = aid->check.wages.CapFor(2026);  // 36 x the 2025 wage
  ASSERT_TRUE(cap.ok()) << cap.status();
  EXPECT_EQ(cap->cap_fen, 36 * 8'200 * 100);
  EXPECT_FALSE(aid->calendar.empty());
}

// Each daemon's own --check-config accepts its example, as an operator runs
// it after editing /etc/concord (the linkage key made as the docs say).
TEST_F(Examples, EveryDaemonChecksItsExample) {
  if (!fs::exists(testing::BinPath("concord-hub")))
    GTEST_SKIP() << "守护进程未在此构建目录中编译 / the daemons are not built in this tree (the "
                    "sanitizer build builds the unit tests only; the main build runs this test)";
  ASSERT_EQ(testing::RunConcordctl("aid keygen --out " + dir_.File("keys/linkage.key")).exit_code,
            0);
  const std::pair<const char*, const char*> kDaemons[] = {
      {"concord-hub", "hub.toml"},
      {"concord-adapter", "court.toml"},
      {"concord-ledger-agent", "ledger.toml"},
      {"concord-risk-agent", "risk.toml"},
      {"concord-conference-agent", "conference.toml"},
      {"concord-aid-agent", "aid.toml"}};
  for (const auto& [bin, file] : kDaemons) {
    const testing::CommandResult r =
        testing::RunCommand(testing::BinPath(bin) + " --check-config --config " + Path(file));
    EXPECT_EQ(r.exit_code, 0) << bin << " " << file << ": " << r.out;
  }
}

}  // namespace
}  // namespace concord

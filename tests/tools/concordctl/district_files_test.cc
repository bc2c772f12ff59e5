// The enrolment files as text (tools/concordctl/district_files.h): the ACL
// of a district that is not the demo's names only its own principals and
// routes as the demo's does; the shipped example is this output for the
// demo district; agencies files are checked line by line.
#include "tools/concordctl/district_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hub/registry/registry.h"
#include "tests/support/temp_folder.h"

namespace concord::ctl {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(DistrictFiles, AclOfAnotherDistrictNamesOnlyItsOwnPrincipals) {
  auto agencies = ParseAgencies(
      "# 北湖区\ncourt|北湖区人民法院|agency,court,aid_grantor\n\n"
      "police|北湖区公安分局|agency,police,aid_grantor\npetition|北湖区信访局|agency,petition\n",
      "beihu.txt");
  ASSERT_TRUE(agencies.ok()) << agencies.status();
  const std::string acl = DistrictAcl("beihu", *agencies);
  EXPECT_EQ(acl.find("shangzhou"), std::string::npos) << acl;
  EXPECT_NE(acl.find("\"beihu.court\", \"beihu.police\", \"beihu.petition\""), std::string::npos);

  // The hub reads it, and it routes within beihu only.
  testing::TempFolder dir("acl");
  std::ofstream(dir.File("acl.toml")) << acl;
  std::ofstream(dir.File("registry.toml")) << "";
  auto reg = hub::Registry::Load(dir.File("registry.toml"), dir.File("acl.toml"));
  ASSERT_TRUE(reg.ok()) << reg.status();
  const hub::Principal court{"beihu.court", std::string(40, 'a'), {"agency", "court"}, "", false};
  const hub::Principal ledger{"beihu.agent.ledger", std::string(40, 'b'), {"ledger"}, "", false};
  EXPECT_TRUE(reg->CheckAcl(court, "concord.v1.TextNote", "beihu.police").ok());
  EXPECT_FALSE(reg->CheckAcl(court, "concord.v1.TextNote", "shangzhou.police").ok());
  EXPECT_FALSE(reg->CheckAcl(court, "concord.v1.TextNote", "beihu.agent.ledger").ok())
      << "an agency reaches the agents by type only";
  EXPECT_TRUE(reg->CheckAcl(court, "concord.v1.PetitionRegister", "beihu.agent.ledger").ok());
  EXPECT_TRUE(reg->CheckAcl(ledger, "concord.v1.DeadlineAlert", "beihu.court").ok());
  EXPECT_FALSE(reg->CheckAcl(ledger, "concord.v1.DeadlineAlert", "shangzhou.court").ok());
}

// One template: the shipped example is what `district init` writes for the
// demo district (regenerate it with that command when the template changes).
TEST(DistrictFiles, ShippedExampleIsTheDemoDistrictsOutput) {
  const std::string shipped = Slurp(std::string(CONCORD_SOURCE_DIR) + "/deploy/examples/acl.toml");
  ASSERT_TRUE(IsPackageExample(shipped)) << "district init replaces it while it is unedited";
  EXPECT_EQ(shipped.substr(shipped.find('\n') + 1),
            DistrictAcl("shangzhou", DefaultAgencies("上州区")));
}

// The agents' shipped examples are what `district init --agents` writes for
// the demo district (its hub named tcp://hub.shangzhou.example:7100).
TEST(DistrictFiles, ShippedAgentExamplesAreTheDemoDistrictsOutput) {
  for (const char* kind : kAgentKinds) {
    const std::string shipped =
        Slurp(std::string(CONCORD_SOURCE_DIR) + "/deploy/examples/" + kind + ".toml");
    ASSERT_TRUE(IsPackageExample(shipped)) << kind;
    EXPECT_EQ(
        shipped.substr(shipped.find('\n') + 1),
        AgentToml(kind, "shangzhou", DefaultAgencies("上州区"), "tcp://hub.shangzhou.example:7100"))
        << kind;
  }
}

// Another district's agents name only its own agencies, found by role.
TEST(DistrictFiles, AgentsNameTheirDistrictsAgenciesByRole) {
  const std::vector<AgencyEntry> agencies = {
      {"jcy", "北湖区人民检察院", {"agency", "procuratorate", "aid_grantor"}},
      {"zfw", "北湖区委政法委", {"agency", "plc"}},
      {"xfj", "北湖区信访局", {"agency", "petition"}}};
  const std::string ledger = AgentToml("ledger", "beihu", agencies, "tcp://127.0.0.1:7100");
  EXPECT_NE(ledger.find("name = \"beihu.agent.ledger\""), std::string::npos) << ledger;
  EXPECT_NE(ledger.find("petition_office = \"beihu.xfj\""), std::string::npos) << ledger;
  EXPECT_NE(ledger.find("supervisors = [\"beihu.zfw\"]"), std::string::npos) << ledger;
  EXPECT_NE(ledger.find("reception_hosts = [\"beihu.jcy\"]"), std::string::npos) << ledger;
  const std::string conference = AgentToml("conference", "beihu", agencies, "tcp://127.0.0.1:7100");
  EXPECT_NE(conference.find("convenors = [\"beihu.jcy\", \"beihu.zfw\"]"), std::string::npos)
      << conference;
  EXPECT_NE(conference.find("\"beihu.xfj\" = \"北湖区信访局\""), std::string::npos) << conference;
  for (const char* kind : kAgentKinds)
    EXPECT_EQ(AgentToml(kind, "beihu", agencies, "tcp://127.0.0.1:7100").find("shangzhou"),
              std::string::npos)
        << kind;
  EXPECT_EQ(AgentToml("mailroom", "beihu", agencies, "tcp://127.0.0.1:7100"), "");
}

// Every example the packages install carries the mark, and nothing that
// district init or agency init writes does (it would be replaced next time).
TEST(DistrictFiles, OnlyPackageExamplesCarryTheMark) {
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(CONCORD_SOURCE_DIR) + "/deploy/examples"))
    EXPECT_TRUE(IsPackageExample(Slurp(e.path().string()))) << e.path();
  EXPECT_FALSE(IsPackageExample(DistrictAcl("shangzhou", DefaultAgencies("上州区"))));
  HubSettings hub;
  hub.district = "beihu";
  EXPECT_FALSE(IsPackageExample(HubToml(hub)));
  AdapterSettings court;
  court.principal = "beihu.court";
  EXPECT_FALSE(IsPackageExample(AdapterToml(court)));
}

TEST(DistrictFiles, DefaultAgenciesAreNamedAfterTheDistrict) {
  auto a = DefaultAgencies("北湖区");
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a[0].display, "北湖区人民检察院");
  EXPECT_EQ(a[2].name, "court");
}

TEST(DistrictFiles, BadAgencyLinesAreRefusedWithTheirLine) {
  auto missing = ParseAgencies("court|法院|agency\npolice|公安\n", "a.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("a.txt:2"), std::string::npos) << missing.status();
  EXPECT_FALSE(ParseAgencies("Court|法院|agency\n", "a.txt").ok()) << "upper case";
  EXPECT_FALSE(ParseAgencies("court|法院|agency\ncourt|法院|agency\n", "a.txt").ok()) << "twice";
  EXPECT_FALSE(ParseAgencies("agent|代理|agency\n", "a.txt").ok()) << "reserved";
  EXPECT_FALSE(ParseAgencies("# nothing\n", "a.txt").ok());
}

// The organ above each agency (信访工作条例 arts. 35-36): a fourth field
// naming another agency of the file; the ledger agent's config lists them
// and every procuratorate (the 7-day and 3-month clocks).
TEST(DistrictFiles, SuperiorsAreListedAgenciesAndReachTheLedger) {
  auto a = ParseAgencies(
      "jcy|北湖区人民检察院|agency,procuratorate|shi-jcy\n"
      "xfj|北湖区信访局|agency,petition\n"
      "shi-jcy|北湖市人民检察院|agency,procuratorate|\n",
      "a.txt");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ((*a)[0].superior, "shi-jcy");
  EXPECT_EQ((*a)[1].superior, "");
  const std::string ledger = AgentToml("ledger", "beihu", *a, "tcp://127.0.0.1:7100");
  EXPECT_NE(ledger.find("procuratorates = [\"beihu.jcy\", \"beihu.shi-jcy\"]"), std::string::npos)
      << ledger;
  EXPECT_NE(ledger.find("[ledger.superiors]"), std::string::npos) << ledger;
  EXPECT_NE(ledger.find("\"beihu.jcy\" = \"beihu.shi-jcy\""), std::string::npos) << ledger;
  auto unknown = ParseAgencies("jcy|检察院|agency|shi-jcy\n", "a.txt");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("shi-jcy"), std::string::npos) << unknown.status();
  EXPECT_FALSE(ParseAgencies("jcy|检察院|agency|jcy\n", "a.txt").ok()) << "its own superior";
  auto cycle = ParseAgencies("a|甲|agency|b\nb|乙|agency|c\nc|丙|agency|a\n", "a.txt");
  ASSERT_FALSE(cycle.ok());
  EXPECT_NE(cycle.status().message().find("成环"), std::string::npos) << cycle.status();
}

TEST(DistrictFiles, AgencyNamesAreDistrictDotAgency) {
  auto ok = SplitAgencyName("beihu.court");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->first, "beihu");
  EXPECT_EQ(ok->second, "court");
  EXPECT_FALSE(SplitAgencyName("court").ok());
  EXPECT_FALSE(SplitAgencyName("beihu.agent.ledger").ok());
  EXPECT_FALSE(SplitAgencyName("beihu.Court").ok());
  EXPECT_FALSE(SplitAgencyName("beihu.ops").ok());
}

TEST(DistrictFiles, ShellWordsSurviveTheShell) {
  EXPECT_EQ(ShellWord("agency,court"), "agency,court");
  EXPECT_EQ(ShellWord("a'b"), "'a'\\''b'");
  EXPECT_EQ(ShellWord("上州区"), "'上州区'");
}

}  // namespace
}  // namespace concord::ctl

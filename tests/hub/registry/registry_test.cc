#include "hub/registry/registry.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/support/temp_folder.h"

namespace concord::hub {
namespace {

struct GlobCase {
  const char* pattern;
  const char* text;
  bool match;
};

// Globs match '*' against any run of characters, and nothing else specially.
TEST(GlobTest, Table) {
  const GlobCase cases[] = {
      {"*", "anything", true},
      {"shangzhou.*", "shangzhou.court", true},
      {"shangzhou.*", "other.court", false},
      {"topic:*", "topic:alerts", true},
      {"concord.v1.*", "concord.v1.TextNote", true},
      {"a*c", "abbbc", true},
      {"a*c", "abbb", false},
      {"exact", "exact", true},
      {"exact", "exactly", false},
      {"", "", true},
  };
  for (const auto& c : cases)
    EXPECT_EQ(GlobMatch(c.pattern, c.text), c.match) << c.pattern << " ~ " << c.text;
}

Registry TestRegistry() {
  return Registry::FromValues(
      {{"d.court", std::string(40, 'A'), {"agency", "court"}, "法院", false},
       {"d.police", std::string(40, 'B'), {"agency"}, "公安", false},
       {"d.old", std::string(40, 'C'), {"agency"}, "", true}},
      {{"role:court", "concord.v1.TextNote", {"role:agency"}}, {"d.police", "*", {"topic:*"}}});
}

// Rules allow by sender role, payload type and recipient; everything else is denied.
TEST(AclTest, AllowsAndDenies) {
  Registry r = TestRegistry();
  const Principal& court = *r.ByName("d.court");
  const Principal& police = *r.ByName("d.police");
  EXPECT_TRUE(r.CheckAcl(court, "concord.v1.TextNote", "d.police").ok());
  EXPECT_TRUE(r.CheckAcl(court, "concord.v1.TextNote", "role:agency").ok());
  EXPECT_EQ(r.CheckAcl(court, "concord.v1.Other", "d.police").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(r.CheckAcl(police, "concord.v1.Other", "topic:alerts").ok());
  EXPECT_EQ(r.CheckAcl(police, "concord.v1.TextNote", "d.court").code(),
            absl::StatusCode::kPermissionDenied);
}

// A reserved type is refused to anyone its rule does not name, whatever the
// [[allow]] rules say; subscriptions follow [[subscribe]] once there is one.
TEST(AclTest, ReservedTypesAndSubscriptions) {
  Registry r = Registry::FromValues(
      {{"d.court", std::string(40, 'A'), {"agency"}, "法院", false},
       {"d.police", std::string(40, 'B'), {"agency"}, "公安", false},
       {"d.agent.aid", std::string(40, 'C'), {"aid"}, "", false}},
      {{"*", "concord.v1.*", {"*"}}}, {{"role:agency", {"district"}}, {"d.court", {"alerts"}}},
      {{{"concord.v1.AidDuplicateNotice", "concord.v1.AidCheck*"}, {"role:aid"}}});
  const Principal& police = *r.ByName("d.police");
  const Principal& aid = *r.ByName("d.agent.aid");
  const Principal& court = *r.ByName("d.court");
  const absl::Status forged = r.CheckAcl(police, "concord.v1.AidDuplicateNotice", "d.court");
  EXPECT_EQ(forged.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(forged.message().find("role:aid"), absl::string_view::npos) << forged;
  EXPECT_EQ(r.CheckAcl(police, "concord.v1.AidCheckReply", "d.court").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(r.CheckAcl(aid, "concord.v1.AidDuplicateNotice", "d.court").ok());
  EXPECT_TRUE(r.CheckAcl(police, "concord.v1.TextNote", "d.court").ok());
  EXPECT_TRUE(r.CheckSubscribe(police, "district").ok());
  EXPECT_EQ(r.CheckSubscribe(police, "alerts").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(r.CheckSubscribe(court, "alerts").ok());
  EXPECT_EQ(r.CheckSubscribe(aid, "district").code(), absl::StatusCode::kPermissionDenied);
  // Without [[subscribe]] rules, any topic (files written before they existed).
  EXPECT_TRUE(TestRegistry().CheckSubscribe(police, "anything").ok());
}

// A revoked principal's key maps to nobody, but its name is still known.
TEST(RegistryTest, RevokedKeyIsUnknown) {
  Registry r = TestRegistry();
  EXPECT_EQ(r.ByKey(std::string(40, 'C')), nullptr);
  EXPECT_NE(r.ByName("d.old"), nullptr);
  EXPECT_NE(r.ByKey(std::string(40, 'A')), nullptr);
  EXPECT_EQ(r.WithRole("agency").size(), 2u);
}

// The file edits behind `concordctl keys add | revoke | rotate`: add refuses
// a name or key twice; rotate keeps the name and roles, takes the new key,
// clears a revocation, and the old key maps to nobody.
TEST(RegistryFileTest, AddRevokeRotate) {
  testing::TempFolder dir("registry");
  const std::string reg = dir.File("registry.toml"), acl = dir.File("acl.toml");
  std::ofstream(acl) << "";
  const std::string k1(40, 'A'), k2(40, 'B'), k3(40, 'C');
  ASSERT_TRUE(AddPrincipalToFile(reg, {"d.court", k1, {"agency", "court"}, "法院", false}).ok());
  ASSERT_TRUE(AddPrincipalToFile(reg, {"d.police", k2, {"agency"}, "", false}).ok());
  EXPECT_EQ(AddPrincipalToFile(reg, {"d.court", k3, {"agency"}, "", false}).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(AddPrincipalToFile(reg, {"d.other", k2, {"agency"}, "", false}).code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(RevokePrincipalInFile(reg, "d.court").ok());
  EXPECT_EQ(RotatePrincipalKeyInFile(reg, "d.court", k2).code(), absl::StatusCode::kAlreadyExists)
      << "a key held by another principal";
  EXPECT_EQ(RotatePrincipalKeyInFile(reg, "d.nobody", k3).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(RotatePrincipalKeyInFile(reg, "d.court", "short").code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(RotatePrincipalKeyInFile(reg, "d.court", k3).ok());
  auto r = Registry::Load(reg, acl);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->principals().size(), 2u);
  EXPECT_EQ(r->ByKey(k1), nullptr) << "the old key";
  ASSERT_NE(r->ByKey(k3), nullptr);
  EXPECT_EQ(r->ByKey(k3)->name, "d.court");
  EXPECT_EQ(r->ByKey(k3)->display, "法院");
  EXPECT_EQ(r->ByKey(k3)->roles, (std::vector<std::string>{"agency", "court"}));
  EXPECT_FALSE(r->ByKey(k3)->revoked);
  EXPECT_EQ(r->ByKey(k2)->name, "d.police") << "the other entry is untouched";
}

// "hub" is what the hub's own messages come from (taken unsigned, believed):
// no principal may be registered under it, by keys add or by hand.
TEST(RegistryFileTest, TheHubsOwnNameIsRefused) {
  testing::TempFolder dir("registry");
  const std::string reg = dir.File("registry.toml"), acl = dir.File("acl.toml");
  std::ofstream(acl) << "";
  const absl::Status added =
      AddPrincipalToFile(reg, {"hub", std::string(40, 'A'), {"agency"}, "", false});
  EXPECT_EQ(added.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(added.message().find("保留给枢纽"), std::string::npos) << added;
  std::ofstream(reg) << "[[principal]]\nname = \"hub\"\npublic_key = \"" << std::string(40, 'A')
                     << "\"\nroles = [\"agency\"]\n";
  auto r = Registry::Load(reg, acl);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("registry.toml"), std::string::npos) << r.status();
}

}  // namespace
}  // namespace concord::hub

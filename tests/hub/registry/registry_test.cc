#include "hub/registry/registry.h"

#include <gtest/gtest.h>

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

// A revoked principal's key maps to nobody, but its name is still known.
TEST(RegistryTest, RevokedKeyIsUnknown) {
  Registry r = TestRegistry();
  EXPECT_EQ(r.ByKey(std::string(40, 'C')), nullptr);
  EXPECT_NE(r.ByName("d.old"), nullptr);
  EXPECT_NE(r.ByKey(std::string(40, 'A')), nullptr);
  EXPECT_EQ(r.WithRole("agency").size(), 2u);
}

}  // namespace
}  // namespace concord::hub

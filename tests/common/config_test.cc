#include "common/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_folder.h"

namespace concord {
namespace {

constexpr char kText[] = R"toml(
[agency]
name = "shangzhou.court"
display = "上州区人民法院"

[hub]
port = 7100
ratio = 0.9
whole = 2
round = 5.0
big = 70000
curve = true
key = "keys/hub.pub"
absolute = "/etc/concord/hub.pub"
topics = ["district", "alerts"]
one = "alerts"
mixed = ["a", 3, "b"]

[conference.names]
"shangzhou.court" = "上州区人民法院"

[[principal]]
name = "a"
[[principal]]
name = "b"
)toml";

ConfigFile Parsed() {
  auto f = ConfigFile::Parse(kText, "/srv/district/court.toml");
  EXPECT_TRUE(f.ok()) << f.status();
  return *f;
}

// A float too large for int64_t is not an integer (toml++ alone would cast it
// first: undefined behaviour, found by tests/fuzz/toml_fuzz).
TEST(ConfigTest, FloatOutsideInt64IsTheDefault) {
  auto f = ConfigFile::Parse("huge = 9.2e41\nneg = -1e19\nnan = nan\ninf = -inf\nok = 1024.0\n",
                             "/srv/x.toml");
  ASSERT_TRUE(f.ok()) << f.status();
  for (const char* key : {"huge", "neg", "nan", "inf"}) EXPECT_EQ(f->root().Int(key, 7), 7) << key;
  EXPECT_EQ(f->root().Int("ok", 7), 1024);
}

// Values of the asked type; anything absent or of another type gives the default.
TEST(ConfigTest, TypedValuesWithDefaults) {
  const ConfigFile f = Parsed();
  const ConfigSection hub = f["hub"];
  EXPECT_EQ(f["agency"].String("display"), "上州区人民法院");
  EXPECT_EQ(hub.Int("port", 0), 7100);
  EXPECT_EQ(hub.Int("ratio", -1), -1) << "0.9 is not an integer";
  EXPECT_EQ(hub.Int("round", -1), 5) << "5.0 is";
  EXPECT_EQ(hub.Int<uint16_t>("big", 7), 7) << "out of the type's range";
  EXPECT_EQ(hub.Int("big", 7), 70000);
  EXPECT_DOUBLE_EQ(hub.Double("ratio", 0), 0.9);
  EXPECT_DOUBLE_EQ(hub.Double("whole", 0), 2.0) << "an integer is a number";
  EXPECT_TRUE(hub.Bool("curve", false));
  EXPECT_EQ(hub.String("port", "fallback"), "fallback");
  EXPECT_EQ(hub.String("missing", "fallback"), "fallback");
  EXPECT_TRUE(hub.Has("port"));
  EXPECT_FALSE(hub.Has("missing"));
  EXPECT_EQ(f["absent"].String("name", "x"), "x") << "an absent table reads as empty";
  EXPECT_EQ(f["absent"]["deeper"].Int("n", 5), 5);
}

// Relative paths resolve against the config file's folder.
TEST(ConfigTest, PathsResolveAgainstTheFile) {
  const ConfigFile f = Parsed();
  EXPECT_EQ(f["hub"].Path("key"), "/srv/district/keys/hub.pub");
  EXPECT_EQ(f["hub"].Path("absolute"), "/etc/concord/hub.pub");
  EXPECT_EQ(f["hub"].Path("missing"), "");
  EXPECT_EQ(f["hub"].Path("missing", "data"), "/srv/district/data");
  EXPECT_EQ(f["hub"].file_path(), "/srv/district/court.toml");
}

// Lists, tables of strings and arrays of tables.
TEST(ConfigTest, ListsAndTables) {
  const ConfigFile f = Parsed();
  EXPECT_EQ(f["hub"].Strings("topics"), (std::vector<std::string>{"district", "alerts"}));
  EXPECT_EQ(f["hub"].Strings("one"), (std::vector<std::string>{"alerts"}));
  EXPECT_EQ(f["hub"].Strings("mixed"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(f["hub"].Strings("missing").empty());
  EXPECT_EQ(f["conference"].StringMap("names").at("shangzhou.court"), "上州区人民法院");
  const auto principals = f.root().Tables("principal");
  ASSERT_EQ(principals.size(), 2u);
  EXPECT_EQ(principals[1].String("name"), "b");
}

// A file that is not TOML, or cannot be read, is refused naming the file and the line.
TEST(ConfigTest, BadFilesNameFileAndLine) {
  auto bad = ConfigFile::Parse("[hub]\nport = = 3\n", "court.toml");
  ASSERT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_NE(bad.status().message().find("court.toml line 2"), absl::string_view::npos)
      << bad.status();
  testing::TempFolder dir("config");
  auto missing = ConfigFile::Load(dir.path() + "/none.toml");
  ASSERT_TRUE(absl::IsInvalidArgument(missing.status()));
  EXPECT_NE(missing.status().message().find("none.toml"), absl::string_view::npos);
  std::ofstream(dir.path() + "/ok.toml") << "[a]\nb = \"c\"\n";
  auto ok = ConfigFile::Load(dir.path() + "/ok.toml");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ((*ok)["a"].String("b"), "c");
}

}  // namespace
}  // namespace concord

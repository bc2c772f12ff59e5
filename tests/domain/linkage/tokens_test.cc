#include "domain/linkage/tokens.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/temp_folder.h"

extern char** environ;

namespace concord::aid {
namespace {

using ::testing::HasSubstr;

// A fixed key, so that failures reproduce.
LinkageKey TestKey(uint8_t seed = 1) {
  LinkageKey k;
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(seed * 31 + i);
  return k;
}

// One grantee with every identity field filled in.
AidRecord Person() {
  AidRecord r;
  r.record_id = "c-1";
  r.agency = "court";
  r.name = "张伟";
  r.id_number = "11010519491231002X";
  r.phone = "13800138000";
  r.address = "上海市徐汇区田林路100号";
  r.email = "zw@example.cn";
  r.case_refs = {"（2023）沪0105刑初123号"};
  r.incident_date = "2023-03-01";
  r.crime = "故意伤害";
  r.aid_type = AidType::kMoney;
  r.amount_fen = 500'000;
  r.granted_on = "2023-06-01";
  return r;
}

// Every byte string the encoding holds, each labelled with its field.
std::vector<std::pair<std::string, std::string>> ByteStrings(const EncodedRecord& e) {
  std::vector<std::pair<std::string, std::string>> out = {
      {"record_id", e.record_id},
      {"agency", e.agency},
      {"id_token", e.id_token},
      {"id_quality", std::to_string(static_cast<int>(e.id_quality))},
      {"dob_token", e.dob_token},
      {"gender_token", e.gender_token},
      {"phone_token", e.phone_token},
      {"incident_token", e.incident_token},
      {"name_chars", e.name_chars.ToBytes()},
      {"name_pinyin", e.name_pinyin.ToBytes()},
      {"id_digits", e.id_digits.ToBytes()},
      {"dob_digits", e.dob_digits.ToBytes()},
      {"address", e.address.ToBytes()},
      {"address_city_token", e.address_city_token},
      {"email_token", e.email_token},
      {"email", e.email.ToBytes()},
      {"aid_type", std::to_string(static_cast<int>(e.aid_type))},
      {"amount_fen", std::to_string(e.amount_fen)},
      {"granted_on", e.granted_on},
  };
  for (const auto& t : e.case_tokens) out.emplace_back("case_token", t);
  for (const auto& k : e.block_keys) out.emplace_back("block_key", k);
  return out;
}

// The whole encoding as one byte string (each field length-prefixed).
std::string Serialize(const EncodedRecord& e) {
  std::string out;
  for (const auto& [field, bytes] : ByteStrings(e))
    absl::StrAppend(&out, field, ":", bytes.size(), ":", bytes);
  return out;
}

EncodedRecord Encode(const AidRecord& r) { return Encoder(TestKey()).Encode(r); }

AidRecord Named(const std::string& name) {
  AidRecord r;
  r.name = name;
  return r;
}

using concord::testing::TempFolder;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- Determinism ----------------------------------------------------------

// The same key and record give byte-identical encodings (tokens, filters, block keys).
TEST(EncoderTest, SameKeySameBytes) {
  const EncodedRecord a = Encoder(TestKey()).Encode(Person());
  const EncodedRecord b = Encoder(TestKey()).Encode(Person());
  EXPECT_EQ(Serialize(a), Serialize(b));
  EXPECT_FALSE(a.block_keys.empty());
}

// Another key gives other tokens, filters and block keys.
TEST(EncoderTest, DifferentKeyDifferentBytes) {
  const EncodedRecord a = Encoder(TestKey(1)).Encode(Person());
  const EncodedRecord b = Encoder(TestKey(2)).Encode(Person());
  EXPECT_NE(a.id_token, b.id_token);
  EXPECT_NE(a.phone_token, b.phone_token);
  EXPECT_NE(a.case_tokens, b.case_tokens);
  EXPECT_NE(a.name_pinyin.ToBytes(), b.name_pinyin.ToBytes());
  EXPECT_NE(a.address.ToBytes(), b.address.ToBytes());
  EXPECT_NE(a.block_keys, b.block_keys);
}

constexpr char kHelperKeyEnv[] = "CONCORD_TOKENS_TEST_KEY";
constexpr char kHelperOutEnv[] = "CONCORD_TOKENS_TEST_OUT";

// Not a test by itself: the fresh process of CrossProcess.SameTokens runs it
// (with the two variables set) to encode Person() under the key file's key.
TEST(CrossProcess, HelperEncodesInFreshProcess) {
  const char* key_path = std::getenv(kHelperKeyEnv);
  const char* out_path = std::getenv(kHelperOutEnv);
  if (!key_path || !out_path) GTEST_SKIP() << "runs only as CrossProcess.SameTokens' helper";
  auto key = ReadLinkageKey(key_path);
  ASSERT_TRUE(key.ok()) << key.status();
  std::ofstream(out_path, std::ios::binary) << Serialize(Encoder(*key).Encode(Person()));
}

// A separately started process (fresh address space, hash seeds and library
// state: exec, not just fork) encodes to the same bytes as this one, with the
// key going through its file both ways.
TEST(CrossProcess, SameTokens) {
  TempFolder dir;
  const std::string key_path = dir.File("linkage.key"), out_path = dir.File("child.bin");
  ASSERT_TRUE(WriteNewLinkageKey(key_path).ok());

  std::vector<std::string> env = {absl::StrCat(kHelperKeyEnv, "=", key_path),
                                  absl::StrCat(kHelperOutEnv, "=", out_path)};
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e) envp.push_back(*e);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string exe = "/proc/self/exe",
              filter = "--gtest_filter=CrossProcess.HelperEncodesInFreshProcess";
  char* argv[] = {exe.data(), filter.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ASSERT_EQ(rc, 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "helper status " << status;

  auto key = ReadLinkageKey(key_path);
  ASSERT_TRUE(key.ok()) << key.status();
  const std::string here = Serialize(Encoder(*key).Encode(Person()));
  const std::string there = ReadAll(out_path);
  ASSERT_FALSE(there.empty());
  EXPECT_TRUE(here == there) << "the child's encoding differs from the parent's";
}

// ---- Fuzzy fields ---------------------------------------------------------

// Traditional, spaced and romanised forms of one name share its pinyin filter.
TEST(EncoderTest, NameFormsSharePinyin) {
  const EncodedRecord base = Encode(Named("张伟"));
  for (const char* written :
       {"張偉", "张 伟", "张\u3000伟", "Zhang Wei", "ZHANG Wei", "Ｚｈａｎｇ Ｗｅｉ"}) {
    SCOPED_TRACE(written);
    EXPECT_GE(Dice(Encode(Named(written)).name_pinyin, base.name_pinyin), 0.99);
  }
}

// Traditional characters give the same character filter as simplified ones.
TEST(EncoderTest, TraditionalSameCharacters) {
  EXPECT_EQ(Dice(Encode(Named("張偉")).name_chars, Encode(Named("张伟")).name_chars), 1.0);
}

// Homophones differ in characters but not in pinyin.
TEST(EncoderTest, HomophonesSamePinyinOtherCharacters) {
  const EncodedRecord a = Encode(Named("王明")), b = Encode(Named("王铭"));
  EXPECT_LT(Dice(a.name_chars, b.name_chars), 1.0);
  EXPECT_EQ(Dice(a.name_pinyin, b.name_pinyin), 1.0);
}

// A romanised name has no character filter.
TEST(EncoderTest, LatinNameHasNoCharacterFilter) {
  EXPECT_TRUE(Encode(Named("Zhang Wei")).name_chars.empty());
  EXPECT_FALSE(Encode(Named("Zhang Wei")).name_pinyin.empty());
}

// A 15-digit number and its 18-digit form give one ID token.
TEST(EncoderTest, FifteenAndEighteenDigitsSameIdToken) {
  AidRecord old_id, new_id;
  old_id.id_number = "110105491231002";
  new_id.id_number = "11010519491231002X";
  const EncodedRecord a = Encode(old_id), b = Encode(new_id);
  EXPECT_EQ(a.id_quality, IdQuality::kConverted15);
  EXPECT_EQ(b.id_quality, IdQuality::kValid);
  EXPECT_EQ(a.id_token, b.id_token);
  EXPECT_EQ(a.dob_token, b.dob_token);
}

// Missing fields leave their tokens and filters empty.
TEST(EncoderTest, MissingFieldsEmpty) {
  const EncodedRecord e = Encode(Named("张伟"));
  EXPECT_EQ(e.id_quality, IdQuality::kMissing);
  EXPECT_TRUE(e.id_token.empty());
  EXPECT_TRUE(e.phone_token.empty());
  EXPECT_TRUE(e.dob_token.empty());
  EXPECT_TRUE(e.address.empty());
  EXPECT_TRUE(e.case_tokens.empty());
}

// ---- Bloom filters and Dice -----------------------------------------------

// A filter survives ToBytes/FromBytes; "" reads as an empty filter; other sizes are refused.
TEST(BloomTest, BytesRoundTrip) {
  const Bloom b = Encode(Person()).name_pinyin;
  const std::string bytes = b.ToBytes();
  EXPECT_EQ(bytes.size(), 64u);
  Bloom back;
  ASSERT_TRUE(Bloom::FromBytes(bytes, &back));
  EXPECT_EQ(back.bits, b.bits);
  ASSERT_TRUE(Bloom::FromBytes("", &back));
  EXPECT_TRUE(back.empty());
  EXPECT_FALSE(Bloom::FromBytes(bytes.substr(1), &back));
  EXPECT_FALSE(Bloom::FromBytes(bytes + "x", &back));
}

// Dice is 1 for equal filters, 0 for disjoint ones and 0 when either is empty.
TEST(BloomTest, DiceEdgeCases) {
  Bloom a, b, empty;
  a.bits[0] = 0b1111;
  b.bits[0] = 0b0011;
  Bloom disjoint;
  disjoint.bits[7] = 1;
  const struct {
    const char* what;
    const Bloom& x;
    const Bloom& y;
    double dice;
  } kCases[] = {
      {"both empty", empty, empty, 0}, {"one empty", a, empty, 0},         {"same", a, a, 1},
      {"disjoint", a, disjoint, 0},    {"half shared", a, b, 2.0 * 2 / 6},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.what);
    EXPECT_DOUBLE_EQ(Dice(c.x, c.y), c.dice);
    EXPECT_DOUBLE_EQ(Dice(c.y, c.x), c.dice);
  }
}

AidRecord Addressed(const std::string& address) {
  AidRecord r;
  r.address = address;
  return r;
}

// Long Latin addresses fill much of their filters: two unrelated ones share
// most bits (a high plain Dice), but few q-grams, and GramDice says so; a
// typo leaves the estimate high. Sparse filters keep their plain Dice.
TEST(BloomTest, GramDiceSeesThroughFullFilters) {
  const Bloom a = Encode(Addressed("44 forbes street wintersloe kellerberrin 4510 vic")).address;
  const Bloom typo = Encode(Addressed("44 forbes stret wintersloe kellerberrin 4510 vic")).address;
  const Bloom other =
      Encode(Addressed("15 caley crescent umina park nursing surfers paradise 6148 vic")).address;
  EXPECT_GT(a.Count(), Bloom::kWords * 64 / 2);
  EXPECT_GT(Dice(a, other), 0.6);
  EXPECT_LT(GramDice(a, other), 0.35);
  EXPECT_GT(GramDice(a, typo), 0.85);
  EXPECT_DOUBLE_EQ(GramDice(a, a), 1.0);
  const Bloom x = Encode(Named("张伟")).name_chars, y = Encode(Named("张玮")).name_chars;
  EXPECT_DOUBLE_EQ(GramDice(x, y), Dice(x, y));
  EXPECT_EQ(GramDice(a, Bloom{}), 0);
}

// An address that is only a locality is compared once, by its filter; a
// Latin address with a postcode also has the postcode as its city token.
TEST(EncoderTest, LocalityOnlyAddressCountsOnce) {
  const EncodedRecord london = Encode(Addressed("London"));
  EXPECT_FALSE(london.address.empty());
  EXPECT_TRUE(london.address_city_token.empty());
  const EncodedRecord street = Encode(Addressed("44 forbes street kellerberrin 4510 vic"));
  EXPECT_FALSE(street.address.empty());
  EXPECT_FALSE(street.address_city_token.empty());
  EXPECT_FALSE(Encode(Addressed("上海市徐汇区漕溪北路88号")).address_city_token.empty());
}

// The per-thread memo of grams and tokens follows the key: encoding under
// another key in between changes nothing of what the first key makes.
TEST(EncoderTest, MemoFollowsTheKey) {
  const std::string first = Serialize(Encoder(TestKey(1)).Encode(Person()));
  const std::string other = Serialize(Encoder(TestKey(2)).Encode(Person()));
  EXPECT_NE(first, other);
  EXPECT_EQ(Serialize(Encoder(TestKey(1)).Encode(Person())), first);
  // A third key takes the place of one of the two memos.
  EXPECT_NE(Serialize(Encoder(TestKey(3)).Encode(Person())), first);
  EXPECT_EQ(Serialize(Encoder(TestKey(2)).Encode(Person())), other);
  EXPECT_EQ(Serialize(Encoder(TestKey(1)).Encode(Person())), first);
}

// ---- Key files --------------------------------------------------------------

// A new key file holds 64 hex characters, is private to its owner and reads back.
TEST(LinkageKeyTest, NewFileIsHexAndPrivate) {
  TempFolder dir;
  const std::string path = dir.File("k");
  ASSERT_TRUE(WriteNewLinkageKey(path).ok());
  const std::string text = ReadAll(path);
  ASSERT_EQ(text.size(), 65u);
  EXPECT_EQ(text.find_first_not_of("0123456789abcdef"), 64u);
  EXPECT_EQ(text[64], '\n');
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_TRUE(ReadLinkageKey(path).ok());
}

// Two new keys differ.
TEST(LinkageKeyTest, NewKeysDiffer) {
  TempFolder dir;
  ASSERT_TRUE(WriteNewLinkageKey(dir.File("a")).ok());
  ASSERT_TRUE(WriteNewLinkageKey(dir.File("b")).ok());
  EXPECT_NE(*ReadLinkageKey(dir.File("a")), *ReadLinkageKey(dir.File("b")));
  EXPECT_NE(RandomLinkageKey(), RandomLinkageKey());
}

// An existing key file is never overwritten.
TEST(LinkageKeyTest, RefusesToOverwrite) {
  TempFolder dir;
  const std::string path = dir.File("k");
  ASSERT_TRUE(WriteNewLinkageKey(path).ok());
  const std::string before = ReadAll(path);
  const absl::Status st = WriteNewLinkageKey(path);
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadAll(path), before);
}

// A file that is not 64 hex characters is rejected with a message naming the rule and the file.
TEST(LinkageKeyTest, RejectsBadFiles) {
  TempFolder dir;
  const std::string hex64(64, 'a');
  const struct {
    const char* what;
    std::string content;
  } kCases[] = {
      {"too short", hex64.substr(1)},
      {"too long", hex64 + "a"},
      {"not hex", std::string(64, 'g')},
      {"two words", hex64.substr(0, 32) + " " + hex64.substr(32)},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.what);
    const std::string path = dir.File("bad");
    std::ofstream(path, std::ios::trunc) << c.content << "\n";
    const auto key = ReadLinkageKey(path);
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(key.status().message(), HasSubstr("64 hex characters"));
    EXPECT_THAT(key.status().message(), HasSubstr(path));
  }
}

// A missing or empty key file is NotFound.
TEST(LinkageKeyTest, MissingOrEmptyFile) {
  TempFolder dir;
  std::ofstream(dir.File("empty")) << "";
  for (const char* name : {"absent", "empty"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(ReadLinkageKey(dir.File(name)).status().code(), absl::StatusCode::kNotFound);
  }
}

// ---- Privacy ----------------------------------------------------------------

// No field or block key of an encoding holds the name, ID, phone or address, whole or in part.
TEST(EncoderTest, EncodingHoldsNoIdentity) {
  const EncodedRecord e = Encode(Person());
  const char* kSecrets[] = {
      "张伟",
      "张",
      "伟",
      "zhang",
      "ZHANG",
      "wei",
      "WEI",  // name
      "11010519491231002X",
      "11010519491231002x",
      "11010519491231002",  // ID
      "110105491231002",
      "110105",
      "19491231",
      "1949",
      "1231",  //   and its parts
      "13800138000",
      "138",
      "0013",
      "8000",  // phone
      "上海",
      "徐汇",
      "田林路",
      "100号",
      "100",  // address
  };
  for (const auto& [field, bytes] : ByteStrings(e))
    for (const char* secret : kSecrets)
      EXPECT_EQ(bytes.find(secret), std::string::npos) << field << " holds " << secret;
}

}  // namespace
}  // namespace concord::aid

#include "domain/linkage/matcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "domain/linkage/normalize.h"
#include "id_number.h"

namespace concord::aid {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

const Encoder& TestEncoder() {
  static const Encoder* e = [] {
    LinkageKey k;
    for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(7 * i + 3);
    return new Encoder(k);
  }();
  return *e;
}

using testing::WithCheck;

struct LevelCase {
  const char* a;
  const char* b;
  int level;  // of the field between a record holding `a` and one holding `b`
};

// Compares records that hold only `member`, set from each row.
void ExpectLevels(int field, std::string AidRecord::*member,
                  std::initializer_list<LevelCase> rows) {
  for (const LevelCase& row : rows) {
    SCOPED_TRACE(absl::StrCat(row.a, " / ", row.b));
    AidRecord a, b;
    a.*member = row.a;
    b.*member = row.b;
    EXPECT_EQ(Compare(TestEncoder().Encode(a), TestEncoder().Encode(b)).level[field], row.level);
  }
}

// ---- Compare ----------------------------------------------------------------

// ID levels: exact and trusted, exact but unverified, a typo, different, missing.
TEST(CompareTest, IdLevels) {
  ExpectLevels(kFieldId, &AidRecord::id_number,
               {
                   {"11010519491231002X", "11010519491231002x", 0},  // same valid number
                   {"110105491231002", "11010519491231002X", 0},     // 15 and 18 digits
                   {"110105194912310021", "110105194912310021", 1},  // same invalid number
                   {"11010519491231002X", "11010519491231003X", 2},  // one digit typo
                   {"11010519491231002X", "440524188001010014", 3},  // different
                   {"11010519491231002X", "", -1},                   // one missing
               });
}

// Name levels: same characters, same pinyin only, different.
TEST(CompareTest, NameLevels) {
  ExpectLevels(kFieldName, &AidRecord::name,
               {
                   {"张伟", "張 偉", 0},
                   {"Zhang Wei", "ZHANG  wei", 0},
                   {"王明", "王铭", 1},  // homophone
                   {"张伟", "李娜", 4},
                   {"张伟", "", -1},
               });
}

// Birth date levels: exact, one digit differs, different.
TEST(CompareTest, BirthDateLevels) {
  ExpectLevels(kFieldDob, &AidRecord::birth_date,
               {
                   {"1949-12-31", "19491231", 0},
                   {"1949-12-31", "1949-12-21", 1},
                   {"1949-12-31", "1976-05-08", 3},
               });
}

// A field either side lacks compares as -1, whatever the other side holds.
TEST(CompareTest, MissingFieldsAreMinusOne) {
  AidRecord name_only, full;
  name_only.name = full.name = "张伟";
  full.id_number = "11010519491231002X";
  full.birth_date = "1949-12-31";
  full.phone = "13800138000";
  full.address = "上海市徐汇区田林路100号";
  const ComparisonVector c = Compare(TestEncoder().Encode(full), TestEncoder().Encode(name_only));
  for (int f = 0; f < kNumFields; ++f) {
    SCOPED_TRACE(FieldName(f));
    EXPECT_EQ(c.level[f], f == kFieldName ? 0 : -1);
  }
}

// ---- Model ------------------------------------------------------------------

// ToText reads back to the same model.
TEST(ModelTest, TextRoundTrip) {
  Model m = Model::Default();
  m.prior = 0.0123456789012345;
  m.u[kFieldName][2] = 1.0 / 3;
  const auto back = Model::FromText(m.ToText());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->prior, m.prior);
  EXPECT_EQ(back->m, m.m);
  EXPECT_EQ(back->u, m.u);
}

// Malformed model text is refused with the number of the offending line.
TEST(ModelTest, FromTextErrorsNameTheLine) {
  const std::vector<std::string> good =
      absl::StrSplit(Model::Default().ToText(), '\n', absl::SkipEmpty());
  auto with_line3 = [&](const std::string& line) {
    std::vector<std::string> lines = good;
    lines[2] = line;
    return absl::StrJoin(lines, "\n");
  };
  const struct {
    const char* what;
    std::string text;
    const char* message;
  } kCases[] = {
      {"unknown field", with_line3("shoe_size 0.5/0.5 0.5/0.5"), "model line 3"},
      {"too few levels", with_line3("birth_date 0.9/0.1 0.1/0.9"), "model line 3"},
      {"no slash", with_line3("birth_date 0.9 0.05/0.002 0.02/0.01 0.03/0.98"), "model line 3"},
      {"field missing", absl::StrJoin(std::vector<std::string>(good.begin(), good.end() - 1), "\n"),
       "model lacks email"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.what);
    const auto m = Model::FromText(c.text);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(m.status().message(), HasSubstr(c.message));
  }
}

// A blank line counts in the line numbers of errors.
TEST(ModelTest, FromTextCountsBlankLines) {
  const auto m = Model::FromText("prior 0.05\n\nshoe_size 1/2\n");
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("model line 3"));
}

// Numbers that do not parse are errors, not exceptions.
TEST(ModelTest, FromTextBadNumbersAreErrors) {
  const std::string good = Model::Default().ToText();
  for (const std::string& text : {"prior abc\n" + good, good + "id_number x/1 1/1 1/1 1/1\n"}) {
    SCOPED_TRACE(text);
    absl::StatusOr<Model> m = absl::UnknownError("threw");
    EXPECT_NO_THROW(m = Model::FromText(text));
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

// A line of spaces is skipped like an empty one.
TEST(ModelTest, FromTextSkipsLineOfSpaces) {
  EXPECT_TRUE(Model::FromText(Model::Default().ToText() + "   \n").ok());
}

// Weight is log2(m/u).
TEST(ModelTest, WeightIsLogLikelihoodRatio) {
  Model m;
  m.m[kFieldPhone][0] = 0.8;
  m.u[kFieldPhone][0] = 0.1;
  EXPECT_DOUBLE_EQ(m.Weight(kFieldPhone, 0), 3.0);
}

// For an identity field, a level of higher weight never lowers the posterior,
// whatever the other fields say; the posterior stays within [0, 1].
TEST(ModelTest, ProbabilityMonotoneInWeight) {
  const Model model = Model::Default();
  const int kOthers[] = {kFieldId, kFieldName, kFieldDob, kFieldPhone, kFieldAddress};
  for (const int field : {kFieldId, kFieldName, kFieldDob}) {
    SCOPED_TRACE(FieldName(field));
    std::vector<int> levels(LevelCount(field));
    for (int l = 0; l < LevelCount(field); ++l) levels[l] = l;
    std::sort(levels.begin(), levels.end(),
              [&](int a, int b) { return model.Weight(field, a) < model.Weight(field, b); });
    // Every combination of the other fields' levels (-1 = missing).
    ComparisonVector base;
    base.level.fill(-1);
    std::function<void(size_t)> each_base = [&](size_t k) {
      if (k == std::size(kOthers)) {
        double last = 0;
        for (const int l : levels) {
          base.level[field] = l;
          const double p = model.Probability(base);
          EXPECT_GE(p, 0);
          EXPECT_LE(p, 1);
          EXPECT_GE(p + 1e-12, last) << "level " << l;
          last = p;
        }
        return;
      }
      if (kOthers[k] == field) return each_base(k + 1);
      for (int l = -1; l < LevelCount(kOthers[k]); ++l) {
        base.level[kOthers[k]] = l;
        each_base(k + 1);
      }
      base.level[kOthers[k]] = -1;
    };
    each_base(0);
  }
}

// ---- EstimateModel on generated data ---------------------------------------

// People and noisy copies of their records, the same for every run (fixed
// seed; only the engine's raw output is used, which the standard fixes).
class Generator {
 public:
  struct Person {
    std::string name, id, dob, phone, address;
  };

  Person NewPerson() {
    static const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨",   "黄",
                                      "赵", "吴", "周", "徐", "孙", "马",   "朱",
                                      "胡", "郭", "何", "高", "林", "欧阳", "司马"};
    static const char* kAreas[] = {"110105", "310104", "440305", "330106", "510107"};
    static const char* kDistricts[] = {"徐汇区", "黄浦区", "静安区", "浦东新区"};
    static const char* kRoads[] = {"田林路", "漕溪路", "南京西路", "世纪大道", "长乐路"};
    // One draw per statement: the order of arguments' evaluation is unspecified.
    Person p;
    p.name = Of(kSurnames);
    p.name += GivenChar();
    if (Chance(60)) p.name += GivenChar();
    const int year = 1940 + Pick(60), month = 1 + Pick(12), day = 1 + Pick(28);
    p.dob = absl::StrFormat("%04d%02d%02d", year, month, day);
    const char* area = Of(kAreas);
    p.id = WithCheck(absl::StrFormat("%s%s%03d", area, p.dob, Pick(1000)));
    const uint32_t operator_digit = Pick(10);
    p.phone = absl::StrFormat("13%d%08d", operator_digit, Pick(100'000'000));
    const char* district = Of(kDistricts);
    const char* road = Of(kRoads);
    p.address = absl::StrCat("上海市", district, road, 1 + Pick(999), "号");
    return p;
  }

  // A record of `p` as one agency might have written it.
  AidRecord NoisyCopy(const Person& p) {
    AidRecord r;
    const int name = Pick(100);
    if (name < 60)
      r.name = p.name;
    else if (name < 75)
      r.name = p.name.substr(0, 3) + " " + p.name.substr(3);
    else if (name < 90)
      r.name = Romanised(p.name);
    else
      r.name = p.name.substr(0, p.name.size() - 3) + GivenChar();  // wrong last character
    const int id = Pick(100);
    if (id < 55)
      r.id_number = p.id;
    else if (id < 65)
      r.id_number = p.id.substr(0, 6) + p.id.substr(8, 9);  // 15 digits
    else if (id < 75)
      r.id_number = Typo(p.id, 14 + Pick(3));
    const int dob = Pick(100);
    if (dob < 70)
      r.birth_date = p.dob.substr(0, 4) + "-" + p.dob.substr(4, 2) + "-" + p.dob.substr(6);
    else if (dob < 85)
      r.birth_date = Typo(p.dob, 7);
    const int phone = Pick(100);
    if (phone < 60)
      r.phone = p.phone;
    else if (phone < 70)
      r.phone = "+86 " + p.phone;
    const int address = Pick(100);
    if (address < 50)
      r.address = p.address;
    else if (address < 70)
      r.address = p.address.substr(std::string("上海市").size());
    return r;
  }

 private:
  uint32_t Pick(uint32_t n) { return rng_() % n; }
  bool Chance(uint32_t percent) { return Pick(100) < percent; }
  template <size_t N>
  const char* Of(const char* (&list)[N]) {
    return list[Pick(N)];
  }
  const char* GivenChar() {
    static const char* kGiven[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
                                   "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
                                   "刚", "英", "华", "玉", "兰", "文", "建", "国", "红", "春"};
    return Of(kGiven);
  }
  // One digit at `at` replaced by another (a check character stays wrong).
  std::string Typo(std::string s, size_t at) {
    s[at] = static_cast<char>('0' + (s[at] - '0' + 1 + Pick(8)) % 10);
    if (s.size() == 8 && NormalizeDate(s).empty()) s[at] = s[at] == '1' ? '2' : '1';
    return s;
  }
  static std::string Romanised(const std::string& name) {
    std::vector<std::string> tokens = NormalizeName(name).tokens;
    for (auto& t : tokens) t[0] = absl::ascii_toupper(t[0]);
    return absl::StrJoin(tokens, " ");
  }

  std::mt19937 rng_{20240229};
};

// EM on 200 people with two noisy records each finds that agreeing names and
// birth dates mean a match, and then tells the pairs apart (a sanity check, not tuning).
TEST(EstimateModelTest, RecoversSyntheticMatches) {
  constexpr int kPeople = 200;
  Generator gen;
  std::vector<EncodedRecord> records;
  std::vector<int> person_of;
  for (int i = 0; i < kPeople; ++i) {
    const Generator::Person p = gen.NewPerson();
    for (int copy = 0; copy < 2; ++copy) {
      records.push_back(TestEncoder().Encode(gen.NoisyCopy(p)));
      person_of.push_back(i);
    }
  }
  const auto pairs = CandidatePairs(records, 100);
  std::vector<ComparisonVector> candidates, random_pairs;
  for (auto [i, j] : pairs) candidates.push_back(Compare(records[i], records[j]));
  std::mt19937 rng(7);
  for (int n = 0; n < 5000; ++n) {
    const uint32_t i = rng() % records.size(), j = rng() % records.size();
    if (i != j) random_pairs.push_back(Compare(records[i], records[j]));
  }

  const Model model = EstimateModel(candidates, random_pairs, Model::Default());
  EXPECT_GT(model.m[kFieldName][0], model.u[kFieldName][0]);
  EXPECT_GT(model.m[kFieldDob][0], model.u[kFieldDob][0]);

  int tp = 0, fp = 0;
  for (size_t k = 0; k < pairs.size(); ++k) {
    if (model.Probability(candidates[k]) < 0.5) continue;
    (person_of[pairs[k].first] == person_of[pairs[k].second] ? tp : fp)++;
  }
  const int fn = kPeople - tp;
  const double f1 = 2.0 * tp / (2.0 * tp + fp + fn);
  EXPECT_GE(f1, 0.9) << "tp " << tp << " fp " << fp << " fn " << fn << " of " << pairs.size()
                     << " candidate pairs";
}

// ---- SameCase ---------------------------------------------------------------

// Same case: a shared case number (however bracketed) or the same incident date and crime.
TEST(SameCaseTest, Rules) {
  const struct {
    const char* what;
    std::vector<std::string> refs_a, refs_b;
    const char *incident_a, *crime_a, *incident_b, *crime_b;
    bool same;
  } kCases[] = {
      {"shared case number",
       {"（2023）沪0105刑初123号"},
       {"x", "〔2023〕沪0105刑初123号"},
       "",
       "",
       "",
       "",
       true},
      {"incident date and crime", {}, {}, "2023-03-01", "故意伤害", "20230301", "故意伤害", true},
      {"different case numbers",
       {"（2023）沪0105刑初123号"},
       {"（2023）沪0105刑初124号"},
       "",
       "",
       "",
       "",
       false},
      {"same date, other crime", {}, {}, "2023-03-01", "故意伤害", "2023-03-01", "抢劫", false},
      {"nothing known", {}, {}, "", "", "", "", false},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.what);
    AidRecord a, b;
    a.case_refs = c.refs_a;
    b.case_refs = c.refs_b;
    a.incident_date = c.incident_a;
    a.crime = c.crime_a;
    b.incident_date = c.incident_b;
    b.crime = c.crime_b;
    const EncodedRecord ea = TestEncoder().Encode(a), eb = TestEncoder().Encode(b);
    EXPECT_EQ(SameCase(ea, eb), c.same);
    EXPECT_EQ(SameCase(eb, ea), c.same);
  }
}

// ---- CandidatePairs ---------------------------------------------------------

// Records holding only the given block keys.
std::vector<EncodedRecord> WithKeys(const std::vector<std::vector<std::string>>& keys) {
  std::vector<EncodedRecord> out(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) out[i].block_keys = keys[i];
  return out;
}

// A pair sharing several keys is listed once, as (lower, higher).
TEST(CandidatePairsTest, DeduplicatesPairs) {
  const auto records = WithKeys({{"k1", "k2"}, {"x"}, {"k2", "k1"}, {"k1", "y"}});
  size_t skipped = 99;
  EXPECT_THAT(CandidatePairs(records, 10, &skipped),
              UnorderedElementsAre(Pair(0, 2), Pair(0, 3), Pair(2, 3)));
  EXPECT_EQ(skipped, 0u);
}

// A key held by more than max_block records is skipped and counted; one at the limit is used.
TEST(CandidatePairsTest, SkipsOversizedBlocks) {
  const auto records =
      WithKeys({{"big", "small"}, {"big", "small"}, {"big", "mid"}, {"big", "mid"}, {"mid"}});
  size_t skipped = 0;
  EXPECT_THAT(CandidatePairs(records, 3, &skipped),
              UnorderedElementsAre(Pair(0, 1), Pair(2, 3), Pair(2, 4), Pair(3, 4)));
  EXPECT_EQ(skipped, 1u);
}

// On random books of keys (some held twice by one record, some over the
// cap) the pairs are exactly those that share a block within the cap, each
// once: what comparing every pair of records would list.
TEST(CandidatePairsTest, MatchesEveryPairCompared) {
  std::mt19937 rng(5);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::vector<std::string>> keys(60);
    for (auto& k : keys) {
      const int n = static_cast<int>(rng() % 4);
      for (int x = 0; x < n; ++x) k.push_back(absl::StrCat("key", rng() % 25));
      if (!k.empty() && rng() % 5 == 0) k.push_back(k.front());
      if (rng() % 7 == 0) k.push_back(std::string(20, 'a' + static_cast<char>(rng() % 3)));
    }
    const size_t cap = 2 + rng() % 6;
    std::map<std::string, std::set<uint32_t>> holders;
    for (uint32_t i = 0; i < keys.size(); ++i)
      for (const auto& k : keys[i]) holders[k].insert(i);
    std::set<std::pair<uint32_t, uint32_t>> want;
    size_t want_skipped = 0;
    for (const auto& [k, who] : holders) {
      if (who.size() > cap) ++want_skipped;
      if (who.size() > cap || who.size() < 2) continue;
      for (uint32_t a : who)
        for (uint32_t b : who)
          if (a < b) want.emplace(a, b);
    }
    size_t skipped = 0;
    const auto got = CandidatePairs(WithKeys(keys), cap, &skipped);
    const std::set<std::pair<uint32_t, uint32_t>> got_set(got.begin(), got.end());
    EXPECT_EQ(got_set, want);
    EXPECT_EQ(got.size(), want.size()) << "a pair listed twice";
    EXPECT_EQ(skipped, want_skipped);
  }
}

}  // namespace
}  // namespace concord::aid

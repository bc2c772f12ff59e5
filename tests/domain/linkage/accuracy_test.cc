// Accuracy regression: the duplicate check on the labelled files (copies in
// tests/data/linkage) and on generated Chinese grants must keep meeting the
// targets of issue 3. A fixed linkage key makes each run deterministic; the
// README reports the spread over random keys (concord-aid-accuracy).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "domain/linkage/evaluate.h"
#include "tests/support/district.h"

namespace concord::aid {
namespace {

std::string DataFile(const std::string& rel) {
  return std::string(CONCORD_SOURCE_DIR) + "/tests/data/linkage/" + rel;
}

LinkageKey FixedKey() {
  LinkageKey k;
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(i * 37 + 11);
  return k;
}

PairScore Dedup(const std::string& path, InputFormat format, std::vector<std::string> ignore,
                bool person_only, const std::string& case_links = "") {
  DedupOptions o;
  o.format = format;
  o.ignore_columns = std::move(ignore);
  o.person_only = person_only;
  o.case_links = case_links;
  auto r = RunDedup(path, o, FixedKey());
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return {};
  return Score(r->pairs, ReadTruth(path, format, !person_only));
}

struct Case {
  std::string name, file;
  InputFormat format;
  std::vector<std::string> ignore;
  bool person_only;
  double min_f1;
};

// Febrl and Splink: the targets of the issue (match or beat Splink and anonlink).
TEST(AidAccuracy, PublishedDatasetsMeetTargets) {
  const std::vector<Case> cases = {
      {"febrl dataset2 with soc_sec_id", "febrl/dataset2.csv", InputFormat::kFebrl, {}, true, 0.99},
      {"febrl dataset2 without soc_sec_id",
       "febrl/dataset2.csv",
       InputFormat::kFebrl,
       {"soc_sec_id"},
       true,
       0.99},  // issue 15's target (0.993 with GramDice; 0.977 before)
      // Issue 15's target (0.916-0.919 once a locality-only address stopped
      // counting twice, as filter and as city token; 0.873 before).
      {"splink fake_1000", "splink_fake_1000/fake_1000.csv", InputFormat::kSplink, {}, true, 0.88},
  };
  for (const Case& c : cases) {
    const PairScore s = Dedup(DataFile(c.file), c.format, c.ignore, c.person_only);
    EXPECT_GE(s.f1(), c.min_f1) << c.name << ": precision " << s.precision() << " recall "
                                << s.recall();
  }
}

// Generated Chinese grants (homophones, traditional characters, pinyin names,
// missing, mistyped and 15-digit IDs, households sharing phone and address,
// one person aided in two cases): same person and duplicate grants.
TEST(AidAccuracy, GeneratedChineseGrants) {
  const std::string path = ::testing::TempDir() + "/aid-accuracy-gen.csv";
  const std::string cmd = concord::testing::BinPath("concord-aid-gen") +
                          " --people 4000 --seed 23 --profile realistic --out " + path +
                          " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const PairScore person = Dedup(path, InputFormat::kConcord, {}, true);
  EXPECT_GE(person.f1(), 0.98) << "precision " << person.precision() << " recall "
                               << person.recall();
  const PairScore grant = Dedup(path, InputFormat::kConcord, {}, false);
  EXPECT_GE(grant.f1(), 0.95) << "precision " << grant.precision() << " recall " << grant.recall();
  EXPECT_GE(grant.precision(), 0.98) << "a false duplicate stops a lawful grant";
}

// Books as agencies keep them (the "agencies" profile): each its own case
// number, the court without the incident date, the procuratorate a day or two
// off, the charge worded each agency's way. Without links the numbers tie
// nothing; the published links of most cases (85%) tie them again.
TEST(AidAccuracy, DifferentlyNumberedBooksWithCaseLinks) {
  const std::string path = ::testing::TempDir() + "/aid-accuracy-agencies.csv";
  const std::string links = ::testing::TempDir() + "/aid-accuracy-links.csv";
  const std::string cmd = concord::testing::BinPath("concord-aid-gen") +
                          " --people 4000 --seed 23 --profile agencies --out " + path +
                          " --links " + links + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const PairScore bare = Dedup(path, InputFormat::kConcord, {}, false);
  const PairScore linked = Dedup(path, InputFormat::kConcord, {}, false, links);
  EXPECT_GE(linked.f1(), 0.95) << "precision " << linked.precision() << " recall "
                               << linked.recall();
  EXPECT_GE(linked.precision(), 0.98) << "a false duplicate stops a lawful grant";
  EXPECT_GT(linked.recall(), bare.recall() + 0.1)
      << "the links must find what the numbers alone cannot: " << bare.recall() << " -> "
      << linked.recall();
}

// The progress a terminal's bar is drawn from: every stage in order, each
// told its end (done == total), encoding and comparing told as they go.
TEST(AidDedupProgress, EveryStageIsToldToItsEnd) {
  const std::string path = ::testing::TempDir() + "/aid-progress.csv";
  const std::string cmd = concord::testing::BinPath("concord-aid-gen") +
                          " --people 1500 --seed 5 --profile realistic --out " + path +
                          " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::vector<std::string> stages;
  std::map<std::string, std::pair<size_t, size_t>> last;  // stage -> (done, total)
  std::map<std::string, int> calls;
  DedupOptions o;
  o.progress = [&](std::string_view stage, size_t done, size_t total) {
    const std::string s(stage);
    if (stages.empty() || stages.back() != s) stages.push_back(s);
    EXPECT_LE(done, total) << s;
    last[s] = {done, total};
    ++calls[s];
  };
  auto r = RunDedup(path, o, FixedKey());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(stages, (std::vector<std::string>{"读取 read", "编码 encode", "分块 block",
                                              "比对 compare", "估计模型 EM"}));
  for (const auto& [stage, end] : last) EXPECT_EQ(end.first, end.second) << stage;
  EXPECT_EQ(last["编码 encode"].second, r->records);
  EXPECT_EQ(last["比对 compare"].second, r->candidates);
  EXPECT_GT(calls["编码 encode"], 10) << "told only at the end";
  EXPECT_GT(calls["比对 compare"], 10) << "told only at the end";
}

}  // namespace
}  // namespace concord::aid

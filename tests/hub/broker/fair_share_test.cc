// FairShare's bookkeeping with the time passed in: details, counts, cuts and
// the summaries that end each window.
#include "hub/broker/fair_share.h"

#include <gtest/gtest.h>

namespace concord::hub::internal {
namespace {

constexpr int64_t kSecond = 1'000'000;

FairShare::Limits Small() {
  return {.window_us = 10 * kSecond,
          .detailed = 3,
          .budget = 5,
          .cut_us = 30 * kSecond,
          .max_sources = 4};
}

TEST(FairShareTest, DetailsThenCountsThenOneSummaryPerWindow) {
  FairShare s(Small());
  using V = FairShare::Verdict;
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(s.Note("m", "INVALID_ARGUMENT", false, kSecond), V::kDetail);
  for (int i = 0; i < 7; ++i)
    EXPECT_EQ(s.Note("m", "RESOURCE_EXHAUSTED", false, kSecond), V::kCounted);
  EXPECT_TRUE(s.Roll(5 * kSecond).empty());  // the window is not over
  auto sums = s.Roll(11 * kSecond);
  ASSERT_EQ(sums.size(), 1u);
  EXPECT_EQ(sums[0].source, "m");
  EXPECT_EQ(sums[0].events, 10u);
  EXPECT_EQ(sums[0].counted, 7u);
  EXPECT_EQ(sums[0].kinds.at("RESOURCE_EXHAUSTED"), 7u);
  EXPECT_FALSE(sums[0].cut_ended);
  EXPECT_NE(FairShare::Describe(sums[0], 10 * kSecond).find("7 counted"), std::string::npos);
  // A new window details again; a source with nothing left is forgotten.
  EXPECT_EQ(s.Note("m", "INVALID_ARGUMENT", false, 12 * kSecond), V::kDetail);
  EXPECT_TRUE(s.Roll(23 * kSecond).empty());  // all of it was written in full
  EXPECT_EQ(s.sources(), 0u);
}

TEST(FairShareTest, OnlyChargedEventsCutAndTheCutEndsWithACount) {
  FairShare s(Small());
  using V = FairShare::Verdict;
  for (int i = 0; i < 50; ++i) s.Note("m", "RESOURCE_EXHAUSTED", /*charge=*/false, kSecond);
  EXPECT_FALSE(s.IsCut("m", kSecond));  // the hub's own condition is not abuse
  for (int i = 0; i < 5; ++i) EXPECT_NE(s.Note("m", "INVALID_ARGUMENT", true, kSecond), V::kCut);
  EXPECT_EQ(s.Note("m", "INVALID_ARGUMENT", true, kSecond), V::kCut);  // the sixth
  EXPECT_TRUE(s.IsCut("m", 2 * kSecond));
  EXPECT_FALSE(s.IsCut("other", 2 * kSecond));
  EXPECT_TRUE(s.Ignore("m", 2 * kSecond));
  EXPECT_TRUE(s.Ignore("m", 3 * kSecond));
  EXPECT_FALSE(s.Ignore("other", 3 * kSecond));
  s.Roll(12 * kSecond);  // the window ends, the cut goes on
  EXPECT_TRUE(s.IsCut("m", 12 * kSecond));
  auto sums = s.Roll(31 * kSecond + 1);
  ASSERT_EQ(sums.size(), 1u);
  EXPECT_TRUE(sums[0].cut_ended);
  EXPECT_EQ(sums[0].ignored, 2u);
  EXPECT_FALSE(s.IsCut("m", 31 * kSecond + 1));
  EXPECT_FALSE(s.Ignore("m", 31 * kSecond + 1));
}

TEST(FairShareTest, BumpsCountWithoutEvents) {
  FairShare s(Small());
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(s.Bump("m", "hello", kSecond), static_cast<uint64_t>(i));
  EXPECT_TRUE(s.Roll(11 * kSecond).empty());
  EXPECT_EQ(s.Bump("m", "hello", 12 * kSecond), 1u);  // a new window
}

TEST(FairShareTest, ManySourcesShareOneTally) {
  FairShare s(Small());  // max_sources 4
  for (int i = 0; i < 100; ++i) s.Note("10.0.0." + std::to_string(i), "key", false, kSecond);
  EXPECT_LE(s.sources(), 5u);  // four, and "*" for the rest
  auto sums = s.Roll(11 * kSecond);
  ASSERT_EQ(sums.size(), 1u);
  EXPECT_EQ(sums[0].source, "*");
  EXPECT_EQ(sums[0].events, 96u);
}

}  // namespace
}  // namespace concord::hub::internal

#include "domain/petition_intake.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/field_status.h"
#include "domain/calendar.h"

namespace concord::ledger {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'795'000'000'000;         // 2026-11-18 19:06 CST, after the dates below
constexpr int64_t kNov2At0930 = 1'793'583'000'000;  // 2026-11-02 09:30 CST
constexpr int64_t kNov2 = 1'793'548'800'000;        // 2026-11-02 00:00 CST

// The lines joined, each ended by LF.
std::string Csv(std::initializer_list<absl::string_view> lines) {
  return absl::StrCat(absl::StrJoin(lines, "\n"), "\n");
}

// Parses bytes that must be usable as a file.
PetitionCsv ParseOk(std::string_view bytes) {
  absl::StatusOr<PetitionCsv> r =
      ParsePetitionCsv(absl::string_view(bytes.data(), bytes.size()), kNow);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : PetitionCsv{};
}

std::string Describe(const PetitionCsv& r) {
  std::string out;
  for (const csv::RowError& e : r.errors) out += std::to_string(e.line) + ": " + e.reason + "\n";
  return out;
}

// Every column by its Chinese name (渠道 and 案号 by their aliases), all read and converted.
TEST(PetitionCsvTest, ChineseHeaders) {
  PetitionCsv r = ParseOk(Csv({
      "登记编号,来源,收到时间,信访人,联系方式,匿名,信访事项,关联案件,人数",
      "XF-001,来信,2026-11-02 09:30,王某,13800138000,否,对不起诉决定不服,上检刑不诉〔2026〕3号,6",
  }));
  EXPECT_EQ(r.encoding, "UTF-8");
  ASSERT_EQ(r.rows.size(), 1u) << Describe(r);
  const v1::PetitionRegister& p = r.rows[0].petition;
  EXPECT_EQ(r.rows[0].line, 2);
  EXPECT_EQ(p.intake_id(), "XF-001");
  EXPECT_EQ(p.channel(), "letter");
  EXPECT_EQ(p.received_ms(), kNov2At0930);
  EXPECT_EQ(p.petitioner(), "王某");
  EXPECT_EQ(p.contact(), "13800138000");
  EXPECT_FALSE(p.anonymous());
  EXPECT_EQ(p.matter(), "对不起诉决定不服");
  EXPECT_EQ(p.case_ref(), "上检刑不诉〔2026〕3号");
  EXPECT_EQ(p.people(), 6);
  EXPECT_EQ(r.rows[0].entered["channel"], "来信") << "kept as entered";
}

// English names in any case; empty received means now, empty people one.
TEST(PetitionCsvTest, EnglishHeaders) {
  PetitionCsv r = ParseOk(Csv({
      "Intake_ID,CHANNEL,received,matter,anonymous,people,case_ref",
      "E1,visit,,wages unpaid,yes,,",
      "E2,12309,2026-11-02,online complaint,,2,",
  }));
  ASSERT_EQ(r.rows.size(), 2u) << Describe(r);
  EXPECT_EQ(r.rows[0].petition.channel(), "visit");
  EXPECT_EQ(r.rows[0].petition.received_ms(), kNow);
  EXPECT_TRUE(r.rows[0].petition.anonymous());
  EXPECT_EQ(r.rows[0].petition.people(), 1);
  EXPECT_FALSE(r.rows[0].entered.contains("received")) << "empty cells are not entered";
  EXPECT_EQ(r.rows[1].petition.channel(), "online");
  EXPECT_EQ(r.rows[1].petition.received_ms(), kNov2);
  EXPECT_EQ(r.rows[1].petition.people(), 2);
}

// GB18030 bytes (张𠮷, the second a four-byte sequence) are read as UTF-8.
TEST(PetitionCsvTest, Gb18030File) {
  const std::string bytes =
      "\xB5\xC7\xBC\xC7\xB1\xE0\xBA\xC5,\xC7\xFE\xB5\xC0,\xD0\xC5\xB7\xC3\xCA\xC2\xCF\xEE,"
      "\xD0\xC5\xB7\xC3\xC8\xCB\r\n"
      "G1,\xC0\xB4\xB7\xC3,\xCD\xCF\xC7\xB7\xB9\xA4\xD7\xCA,\xD5\xC5\x95"
      "4\xB2"
      "5\r\n";  // 登记编号,渠道,信访事项,信访人 / G1,来访,拖欠工资,张𠮷
  PetitionCsv r = ParseOk(bytes);
  EXPECT_EQ(r.encoding, "GB18030");
  ASSERT_EQ(r.rows.size(), 1u) << Describe(r);
  EXPECT_EQ(r.rows[0].petition.channel(), "visit");
  EXPECT_EQ(r.rows[0].petition.matter(), "拖欠工资");
  EXPECT_EQ(r.rows[0].petition.petitioner(), "张𠮷");
}

// A UTF-8 byte-order mark does not become part of the first column's name.
TEST(PetitionCsvTest, Utf8Bom) {
  PetitionCsv r = ParseOk("\xEF\xBB\xBF" + Csv({"登记编号,渠道,信访事项", "B1,电话,噪音扰民"}));
  EXPECT_EQ(r.encoding, "UTF-8 with BOM");
  ASSERT_EQ(r.rows.size(), 1u) << Describe(r);
  EXPECT_EQ(r.rows[0].petition.intake_id(), "B1");
  EXPECT_EQ(r.rows[0].petition.channel(), "phone");
}

// Each bad row is reported with its line and the field named; the good rows are kept.
TEST(PetitionCsvTest, BadRowsWithLineNumbers) {
  PetitionCsv r = ParseOk(Csv({
      "intake_id,channel,received,matter,anonymous,people",
      "OK1,letter,2026-11-02 09:30,m,no,1",
      "",
      "B1,pigeon,,m,,",
      "B2,letter,2026-13-01,m,,",
      "B3,letter,,m,maybe,",
      "B4,letter,,m,,0",
      "B5,letter,,m,,two",
      ",letter,,,,",
      "B7,letter",
      "OK2,视频,,m,1,",
  }));
  ASSERT_EQ(r.rows.size(), 2u) << Describe(r);
  EXPECT_EQ(r.rows[0].petition.intake_id(), "OK1");
  EXPECT_EQ(r.rows[1].petition.intake_id(), "OK2");
  EXPECT_EQ(r.rows[1].line, 11);
  struct Case {
    int line;
    const char* reason;
  };
  const Case kCases[] = {
      {4, "渠道 channel"},         {5, "收到时间 received"},    {6, "匿名 anonymous"},
      {7, "人数 people 至少为 1"}, {8, "人数 people 应为整数"}, {9, "登记编号 intake_id"},
      {10, "字段数不对"},
  };
  ASSERT_EQ(r.errors.size(), std::size(kCases)) << Describe(r);
  for (size_t i = 0; i < std::size(kCases); ++i) {
    EXPECT_EQ(r.errors[i].line, kCases[i].line) << Describe(r);
    EXPECT_THAT(r.errors[i].reason, HasSubstr(kCases[i].reason)) << Describe(r);
  }
  EXPECT_THAT(r.errors[5].reason, HasSubstr("信访事项 matter")) << "every bad field is named";
}

// An intake id used again is an error naming the earlier line, good or bad.
TEST(PetitionCsvTest, DuplicateIntakeId) {
  PetitionCsv r = ParseOk(Csv({
      "登记编号,渠道,信访事项",
      "D1,来信,a",
      "D2,鸽子,b",
      "D1,来访,c",
      "D2,来访,d",
  }));
  ASSERT_EQ(r.rows.size(), 1u) << Describe(r);
  ASSERT_EQ(r.errors.size(), 3u) << Describe(r);
  EXPECT_EQ(r.errors[1].line, 4);
  EXPECT_THAT(r.errors[1].reason, HasSubstr("already on line 2"));
  EXPECT_EQ(r.errors[2].line, 5);
  EXPECT_THAT(r.errors[2].reason, HasSubstr("第 3 行重复"));
}

// A quoted matter keeps its commas, quotes and line breaks; later rows keep their physical line.
TEST(PetitionCsvTest, QuotedNewlines) {
  PetitionCsv r = ParseOk(
      "intake_id,channel,matter\r\n"
      "Q1,letter,\"第一，拖欠工资\r\n第二，\"\"讨薪\"\"被打\"\r\n"
      "Q2,letter,\"x\n\ny\"\n"
      "Q3,pigeon,z\n");
  ASSERT_EQ(r.rows.size(), 2u) << Describe(r);
  EXPECT_EQ(r.rows[0].petition.matter(), "第一，拖欠工资\r\n第二，\"讨薪\"被打");
  EXPECT_EQ(r.rows[1].line, 4);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 7);
}

// A quote never closed would swallow every later row: the file is refused whole,
// naming the line the quote opened on (not the line its row starts on).
TEST(PetitionCsvTest, UnterminatedQuoteRefusesTheFile) {
  absl::StatusOr<PetitionCsv> r = ParsePetitionCsv(Csv({
                                                       "intake_id,channel,matter,petitioner",
                                                       "U1,letter,m,a",
                                                       "U2,letter,\"two",
                                                       "lines\",\"王某",
                                                       "U3,letter,m,b",
                                                       "U4,letter,m,c",
                                                   }),
                                                   kNow);
  EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << r.status();
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("第 4 行的引号未闭合"));
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("the quote opened on line 4 is never closed"));
}

// A file without a required column, or in no known encoding, is refused whole.
TEST(PetitionCsvTest, UnusableFiles) {
  for (std::string_view bytes : {
           std::string_view("intake_id,channel\nX,letter\n"),  // no matter column
           std::string_view("登记编号,渠道,来源,信访事项\n"),  // channel twice
           std::string_view(""),                               // no header
           std::string_view("intake_id\n\xFF\n"),              // neither encoding
       }) {
    absl::StatusOr<PetitionCsv> r =
        ParsePetitionCsv(absl::string_view(bytes.data(), bytes.size()), kNow);
    EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << bytes << ": " << r.status();
  }
  EXPECT_THAT(std::string(ParsePetitionCsv("intake_id,channel\n", kNow).status().message()),
              HasSubstr("信访事项"));
}

// The REST body's typed values: Unix ms, booleans, numbers; and the same messages as a CSV row.
TEST(PetitionFromJsonTest, TypedValuesAndSharedMessages) {
  auto p = PetitionFromJson({{"intake_id", "J1"},
                             {"channel", "转送"},
                             {"received", kNov2},
                             {"anonymous", true},
                             {"people", 5},
                             {"matter", "m"}},
                            kNow);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->channel(), "transferred");
  EXPECT_EQ(p->received_ms(), kNov2);
  EXPECT_TRUE(p->anonymous());
  EXPECT_EQ(p->people(), 5);

  auto bad = PetitionFromJson({{"intake_id", "J2"}, {"channel", "pigeon"}, {"matter", "m"}}, kNow);
  PetitionCsv r = ParseOk(Csv({"intake_id,channel,matter", "J2,pigeon,m"}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(std::string(bad.status().message()), r.errors[0].reason);
  EXPECT_TRUE(absl::IsInvalidArgument(PetitionFromJson(json::array(), kNow).status()));
  EXPECT_FALSE(
      PetitionFromJson(
          {{"intake_id", "J3"}, {"channel", "letter"}, {"matter", "m"}, {"people", 1.5}}, kNow)
          .ok());
}

// A refusal carries the English names of the fields it is about, in the
// order the message names them, for the console to mark; a good entry none.
TEST(PetitionFromJsonTest, RefusalNamesItsFields) {
  auto bad = PetitionFromJson(
      {{"intake_id", "J4"}, {"channel", "pigeon"}, {"received", "2026-3-5"}, {"people", 0}}, kNow);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(FieldsOf(bad.status()),
              ::testing::ElementsAre("channel", "received", "matter", "people"));
  auto one = PetitionFromJson({{"intake_id", "J5"}, {"channel", "letter"}}, kNow);
  EXPECT_THAT(FieldsOf(one.status()), ::testing::ElementsAre("matter"));
  EXPECT_TRUE(FieldsOf(PetitionFromJson(json::array(), kNow).status()).empty());
  // The names survive a copy of the status, as a connector passes it on.
  const absl::Status copied = one.status();
  EXPECT_THAT(FieldsOf(copied), ::testing::ElementsAre("matter"));
}

// A receipt time must be a real "YYYY-MM-DD[ HH:MM]" (or Unix ms) from 2000-01-01 to a day
// after now; the message names the field and the value as entered.
// 信访工作条例 art. 20: a group petition names its representatives, at most
// five (and no more than the people who came); a list, or names between 、.
TEST(PetitionFromJsonTest, GroupRepresentativesAtMostFive) {
  json j = {{"intake_id", "G-1"},
            {"channel", "来访"},
            {"matter", "拖欠工资"},
            {"people", 30},
            {"representatives", "孙某、钱某，李某"}};
  auto ok = PetitionFromJson(j, kNow);
  ASSERT_TRUE(ok.ok()) << ok.status();
  ASSERT_EQ(ok->representatives_size(), 3);
  EXPECT_EQ(ok->representatives(2), "李某");
  j["representatives"] = json::array({"甲", "乙", "丙", "丁", "戊", "己"});
  auto six = PetitionFromJson(j, kNow);
  ASSERT_FALSE(six.ok());
  EXPECT_THAT(std::string(six.status().message()), HasSubstr("第二十条"));
  EXPECT_EQ(FieldsOf(six.status()), std::vector<std::string>{"representatives"});
  j["people"] = 2;
  j["representatives"] = "甲、乙、丙";
  EXPECT_FALSE(PetitionFromJson(j, kNow).ok()) << "more representatives than people";
  PetitionCsv r =
      ParseOk(Csv({"登记编号,渠道,信访事项,人数,代表", "XF-9,来访,征地补偿,12,赵某、钱某"}));
  ASSERT_EQ(r.rows.size(), 1u) << Describe(r);
  EXPECT_EQ(r.rows[0].petition.representatives_size(), 2);
}

TEST(PetitionFromJsonTest, ReceivedMustBeAPlausibleTime) {
  const struct {
    json received;
    const char* error;  // nullptr: accepted
  } kCases[] = {
      {"2000-01-01", nullptr},
      {kNow + kDayMs, nullptr},
      {"2026-11-19 09:30", nullptr},
      {1'793'583'000, "is before 2000-01-01 (Unix time must be in milliseconds): 1793583000"},
      {"1999-12-31 23:59", "早于 2000-01-01"},
      {"2062-11-02", "is more than a day in the future (a typo in the date?): \"2062-11-02\""},
      {kNow + kDayMs + 1, "比现在晚一天以上"},
      {"2026-03-05 +9:30", "must be \"YYYY-MM-DD HH:MM\" (CST): \"2026-03-05 +9:30\""},
      {"2026-03-05  9:30", "must be \"YYYY-MM-DD HH:MM\""},
      {"2026-03-05 9:30", "must be \"YYYY-MM-DD HH:MM\""},
      {"2026-3-5", "must be \"YYYY-MM-DD HH:MM\""},
  };
  for (const auto& c : kCases) {
    auto p = PetitionFromJson(
        {{"intake_id", "T1"}, {"channel", "letter"}, {"matter", "m"}, {"received", c.received}},
        kNow);
    if (c.error == nullptr) {
      EXPECT_TRUE(p.ok()) << c.received << ": " << p.status();
    } else {
      EXPECT_TRUE(absl::IsInvalidArgument(p.status())) << c.received;
      EXPECT_THAT(std::string(p.status().message()), HasSubstr("收到时间 received")) << c.received;
      EXPECT_THAT(std::string(p.status().message()), HasSubstr(c.error)) << c.received;
    }
  }
}

}  // namespace
}  // namespace concord::ledger

// The charge by its meaning, case links and the three-valued "same case".
#include "domain/linkage/cases.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/linkage/aid_csv.h"
#include "domain/linkage/charges.h"
#include "domain/linkage/dedup_report.h"
#include "domain/linkage/normalize.h"
#include "domain/linkage/tokens.h"

namespace concord::aid {
namespace {

const Encoder& CaseEncoder() {
  static const Encoder* e = [] {
    LinkageKey k;
    for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(5 * i + 1);
    return new Encoder(k);
  }();
  return *e;
}

// ---- Charges -----------------------------------------------------------------

TEST(ChargesTest, EachAgencysWordingGivesTheCharge) {
  const struct {
    const char* written;
    std::vector<std::string> charges;
  } kCases[] = {
      {"故意伤害", {"故意伤害"}},
      {"故意伤害罪", {"故意伤害"}},
      {"故意伤害案", {"故意伤害"}},
      {"涉嫌故意伤害罪", {"故意伤害"}},
      {"故意伤害（致人重伤）", {"故意伤害"}},
      {"故意伤害致人轻伤", {"故意伤害"}},
      {"伤害", {"故意伤害"}},
      {" 故意 伤人 ", {"故意伤害"}},
      {"电信网络诈骗", {"诈骗"}},
      {"合同诈骗罪", {"合同诈骗"}},
      {"交通事故", {"交通肇事"}},
      {"交通肇事逃逸案", {"交通肇事"}},
      {"醉驾", {"危险驾驶"}},
      {"杀人", {"故意杀人"}},
      {"故意杀人（未遂）", {"故意杀人"}},
      {"过失致死", {"过失致人死亡"}},
      {"过失伤害", {"过失致人重伤"}},
      {"醉驾肇事", {"危险驾驶"}},
      {"入室盗窃", {"盗窃"}},
      {"敲诈", {"敲诈勒索"}},
      {"抢夺", {"抢夺"}},
      {"抢劫", {"抢劫"}},
      {"强制猥亵、侮辱罪", {"强制猥亵"}},
      {"抢劫罪、故意伤害罪", {"抢劫", "故意伤害"}},
      {"抢劫；故意伤害；抢劫", {"抢劫", "故意伤害"}},
      {"某种新罪名", {"某种新罪名"}},
      {"", {}},
      {"  ", {}},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.written);
    EXPECT_EQ(Charges(c.written), c.charges);
  }
  EXPECT_EQ(NormalizeCrime("涉嫌故意伤害罪"), "故意伤害");
  EXPECT_EQ(NormalizeCrime(""), "");
}

// ---- CaseLinks ---------------------------------------------------------------

TEST(CaseLinksTest, ClosedTransitivelyInAnyOrder) {
  CaseLinks l;
  EXPECT_TRUE(l.Link("police", "proc"));
  EXPECT_TRUE(l.Link("court", "proc"));
  EXPECT_FALSE(l.Link("court", "police")) << "already one case";
  EXPECT_TRUE(l.Linked("police", "court"));
  EXPECT_TRUE(l.Linked("x", "x"));
  EXPECT_FALSE(l.Linked("police", "x"));
  EXPECT_TRUE(l.Link("other-a", "other-b"));
  EXPECT_FALSE(l.Linked("police", "other-a"));
  EXPECT_EQ(l.links(), 3u);
  EXPECT_EQ(l.tokens(), 5u);
  EXPECT_TRUE(l.Known("court"));
  EXPECT_FALSE(l.Known("x"));
}

// ---- RelateCases -------------------------------------------------------------

EncodedRecord Grant(std::vector<std::string> refs, std::string incident, std::string crime) {
  AidRecord r;
  r.case_refs = std::move(refs);
  r.incident_date = std::move(incident);
  r.crime = std::move(crime);
  return CaseEncoder().Encode(r);
}

TEST(RelateCasesTest, ThreeAnswers) {
  const struct {
    const char* what;
    EncodedRecord a, b;
    CaseRelation relation;
    int distance;
  } kCases[] = {
      {"a shared number", Grant({"（2024）陕1002刑初5号"}, "", ""),
       Grant({"(2024)陕1002刑初5号"}, "", ""), CaseRelation::kSame, -1},
      {"a day apart, the charge worded otherwise",
       Grant({"A6110022024000123"}, "2024-03-01", "故意伤害案"),
       Grant({"商州检刑诉〔2024〕7号"}, "2024-03-02", "涉嫌故意伤害罪"), CaseRelation::kSame, 1},
      {"three days apart across a month's end, same charge", Grant({"A1"}, "2024-02-28", "抢劫"),
       Grant({"B1"}, "2024-03-02", "抢劫罪"), CaseRelation::kSame, 3},
      {"the same date, one charge missing", Grant({"A1"}, "2024-03-01", "诈骗"),
       Grant({"B1"}, "20240301", ""), CaseRelation::kSame, 0},
      {"four days apart", Grant({"A1"}, "2024-03-01", "诈骗"), Grant({"B1"}, "2024-03-05", "诈骗"),
       CaseRelation::kOther, 4},
      {"no date, different charges (they change between stages)", Grant({"A1"}, "", "诈骗"),
       Grant({"B1"}, "2024-03-05", "交通肇事"), CaseRelation::kUnknown, -1},
      {"police numbers have no shape: unknown, not other", Grant({"A3101042023000456"}, "", "诈骗"),
       Grant({"A3101042023000999"}, "", "诈骗"), CaseRelation::kUnknown, -1},
      {"no date, the same charge", Grant({"A1"}, "", "诈骗"),
       Grant({"B1"}, "2024-03-05", "电信诈骗"), CaseRelation::kUnknown, -1},
      {"two days apart, different charges", Grant({"A1"}, "2024-03-01", "故意伤害"),
       Grant({"B1"}, "2024-03-03", "故意杀人"), CaseRelation::kUnknown, 2},
      {"two numbers of one court, the same day and charge",
       Grant({"(2024)陕1002刑初5号"}, "2024-03-01", "诈骗"),
       Grant({"（2024）陕1002刑初9号"}, "2024-03-01", "诈骗罪"), CaseRelation::kOther, 0},
      {"nothing known", Grant({}, "", ""), Grant({}, "", ""), CaseRelation::kUnknown, -1},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.what);
    for (const auto& [x, y] : {std::pair{&c.a, &c.b}, std::pair{&c.b, &c.a}}) {
      const CaseEvidence e = RelateCases(*x, *y);
      EXPECT_EQ(e.relation, c.relation) << e.reason;
      EXPECT_EQ(e.date_distance, c.distance);
      EXPECT_FALSE(e.reason.empty());
    }
  }
}

TEST(RelateCasesTest, LinksTieNumbersAndTellCasesApart) {
  const EncodedRecord police = Grant({"A6110022024000123"}, "", "故意伤害");
  const EncodedRecord court = Grant({"（2024）陕1002刑初5号"}, "", "故意伤害罪");
  const EncodedRecord other_court = Grant({"(2024)陕1002刑初9号"}, "", "故意伤害罪");
  EXPECT_EQ(RelateCases(police, court).relation, CaseRelation::kUnknown);

  // Published as clear numbers, kept as tokens: police -> procuratorate -> court.
  CaseLinks links;
  const Encoder& enc = CaseEncoder();
  links.Link(enc.CaseToken("A6110022024000123"), enc.CaseToken("商州检刑诉〔2024〕7号"));
  links.Link(enc.CaseToken("商州检刑诉[2024]7号"), enc.CaseToken("(2024)陕1002刑初5号"));
  links.Link(enc.CaseToken("商州检刑诉[2024]8号"), enc.CaseToken("(2024)陕1002刑初9号"));
  const CaseEvidence same = RelateCases(police, court, &links);
  EXPECT_EQ(same.relation, CaseRelation::kSame) << same.reason;
  EXPECT_NE(same.reason.find("关联"), std::string::npos) << same.reason;
  // Linked elsewhere is not "another case": links arrive piece by piece.
  const CaseEvidence other = RelateCases(police, other_court, &links);
  EXPECT_EQ(other.relation, CaseRelation::kUnknown) << other.reason;
  // Two numbers of one court's numbering, not linked to each other: two cases.
  EXPECT_EQ(RelateCases(court, other_court, &links).relation, CaseRelation::kOther);
  // A number in no link says nothing either way.
  const EncodedRecord unlinked = Grant({"(2024)陕1002刑初77号"}, "", "故意伤害");
  EXPECT_EQ(RelateCases(police, unlinked, &links).relation, CaseRelation::kUnknown);
}

// ---- The case-links file -----------------------------------------------------

TEST(CaseLinksCsvTest, PairsAndBadRowsByLine) {
  auto r = ParseCaseLinksCsv(
      "案号甲,案号乙\n"
      "A6110022024000123,商州检刑诉〔2024〕7号\n"
      "商州检刑诉〔2024〕7号,\n"
      "(2024)陕1002刑初5号,（2024）陕1002刑初5号\n"
      "商州检刑诉[2024]7号,(2024)陕1002刑初5号\n");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->pairs.size(), 2u);
  EXPECT_EQ(r->pairs[1].second, "(2024)陕1002刑初5号");
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].line, 3);
  EXPECT_EQ(r->errors[0].fields, std::vector<std::string>{"case_ref_b"});
  EXPECT_EQ(r->errors[1].line, 4);
  EXPECT_FALSE(ParseCaseLinksCsv("a,b\n1,2\n").ok()) << "no case_ref columns";
}

// ---- The clerk's report -----------------------------------------------------------

// Pairs close into groups (A-B and B-C are one group of three); a group with a
// same-case pair is 重复救助 and comes first, a case-unknown one is 需核实.
TEST(DedupReportTest, GroupsClosedSortedAndRendered) {
  DedupResult r;
  for (const char* id : {"A", "B", "C", "D", "E", "F"}) {
    AidRecord rec;
    rec.record_id = id;
    rec.name = std::string("张<伟>") + id;
    rec.gender = "F";
    rec.amount_fen = 100'00;
    rec.granted_on = std::string("2024-01-0") + static_cast<char>('1' + (id[0] - 'A'));
    r.kept.push_back(rec);
  }
  r.records = r.kept.size();
  auto pair = [](const char* a, const char* b, CaseRelation rel, double p) {
    return DedupPair{.id_a = a,
                     .id_b = b,
                     .probability = p,
                     .weight = 10,
                     .relation = rel,
                     .case_reason = rel == CaseRelation::kSame ? "同一案件：案号相同" : "案件不明",
                     .person_reason = "姓名 name: exact +9.5"};
  };
  r.review = {pair("D", "E", CaseRelation::kUnknown, 0.97)};
  r.pairs = {pair("A", "B", CaseRelation::kSame, 0.99), pair("C", "B", CaseRelation::kSame, 0.95)};
  const std::vector<DedupReportGroup> groups = GroupPairs(r);
  ASSERT_EQ(groups.size(), 2u) << "F is in no pair";
  EXPECT_TRUE(groups[0].duplicate);
  EXPECT_EQ(groups[0].records, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(groups[0].pairs.size(), 2u);
  EXPECT_DOUBLE_EQ(groups[0].max_probability, 0.99);
  EXPECT_EQ(groups[0].amount_fen, 300'00);
  EXPECT_FALSE(groups[1].duplicate);
  EXPECT_EQ(groups[1].records, (std::vector<size_t>{3, 4}));

  const DedupReportInput input{
      .input_name = "grants.csv", .column_map = "证件号码 -> id_number", .generated_at = "now"};
  const std::string html = DedupReportHtml(r, groups, input);
  EXPECT_NE(html.find("第 1 组：重复救助（3 条记录"), std::string::npos);
  EXPECT_NE(html.find("第 2 组：需核实"), std::string::npos);
  EXPECT_LT(html.find("重复救助（3"), html.find("需核实（同一人"));
  EXPECT_NE(html.find("张&lt;伟&gt;A"), std::string::npos) << "escaped";
  EXPECT_EQ(html.find("张<伟>"), std::string::npos);
  EXPECT_NE(html.find("证件号码 -&gt; id_number"), std::string::npos) << "the map echoed";
  EXPECT_NE(html.find("<td>女</td>"), std::string::npos);
  const std::string xlsx = DedupReportXlsx(r, groups, input);
  EXPECT_EQ(xlsx.substr(0, 2), "PK");
  EXPECT_NE(xlsx.find("重复组"), std::string::npos);
}

}  // namespace
}  // namespace concord::aid

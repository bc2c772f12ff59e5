// The risk factor table and the risk book on a real SQLite file, with times
// passed in: the shipped table, its parse errors, Evaluate's factors, reasons,
// scores and level boundaries; assessments kept current from snapshots and
// risk forms; the monthly screening on the first working day of the month.
#include "agents/risk/risk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "tests/support/test_book.h"

namespace concord::risk {
namespace {

constexpr int64_t kHour = kHourMs, kDay = kDayMs;

const std::string kShippedTable = std::string(CONCORD_SOURCE_DIR) + "/deploy/risk/factors.toml";

const HolidayCalendar& Calendar() {
  static const HolidayCalendar c =
      *HolidayCalendar::Load(std::string(CONCORD_SOURCE_DIR) + "/deploy/calendar/cn-holidays.txt");
  return c;
}

const FactorTable& Shipped() {
  static const FactorTable t = *FactorTable::Load(kShippedTable);
  return t;
}

// `hour` o'clock CST on `date`, in Unix milliseconds.
int64_t At(const std::string& date, int hour = 10) {
  return StartOfDayMs(*ParseDate(date)) + hour * kHour;
}

std::set<std::string> Ids(const Assessment& a) {
  std::set<std::string> out;
  for (const auto& f : a.factors) out.insert(f.id);
  return out;
}

const FactorHit* Hit(const Assessment& a, const std::string& id) {
  for (const auto& f : a.factors)
    if (f.id == id) return &f;
  return nullptr;
}

// Levels green 0, yellow 30, red 60, then `factors` (TOML [[factor]] blocks).
std::string TableText(const std::string& factors, int yellow = 30, int red = 60) {
  return "[levels.green]\nmin_score = 0\nname = \"绿色\"\n"
         "[levels.yellow]\nmin_score = " +
         std::to_string(yellow) +
         "\nname = \"黄色\"\n"
         "[levels.red]\nmin_score = " +
         std::to_string(red) + "\nname = \"红色\"\n\n" + factors;
}

// ---------------------------------------------------------------------------
// The factor table

// The shipped table parses, with every factor DOMAIN.md names and the three levels.
TEST(RiskFactorTable, ShippedTableParses) {
  auto t = FactorTable::Load(kShippedTable);
  ASSERT_TRUE(t.ok()) << t.status();
  const std::vector<std::string> ids = t->Ids();
  for (const char* id :
       {"group", "large_group", "repeat", "province_beijing", "extreme", "sensitive", "overdue",
        "contested", "major", "vulnerable", "non_prosecution", "unpaid_victim", "media"}) {
    EXPECT_TRUE(t->Knows(id)) << id;
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
  }
  EXPECT_FALSE(t->Knows("weather"));
  EXPECT_NE(t->LevelTitle(Level::kRed).find("红色"), std::string::npos);
  EXPECT_NE(t->LevelTitle(Level::kYellow).find("黄色"), std::string::npos);
  EXPECT_NE(t->LevelTitle(Level::kGreen).find("绿色"), std::string::npos);
  EXPECT_NE(t->Required(Level::kRed).find("联席会议"), std::string::npos)
      << "red proposes a joint conference";
  EXPECT_STREQ(LevelName(Level::kRed), "red");
  EXPECT_STREQ(LevelName(Level::kYellow), "yellow");
  EXPECT_STREQ(LevelName(Level::kGreen), "green");
}

// A missing file is an error naming the path.
TEST(RiskFactorTable, MissingFileIsAnError) {
  auto t = FactorTable::Load(::testing::TempDir() + "/no-such-factors.toml");
  EXPECT_FALSE(t.ok());
}

// Each parse error names the factor (its position and id) and the problem.
TEST(RiskFactorTable, ParseErrorsNameFactorAndProblem) {
  struct Case {
    const char* what;
    std::string text;
    std::vector<std::string> mentions;
  };
  const std::string ok_factor =
      "[[factor]]\nid = \"a\"\nname = \"甲\"\nwhen = \"major\"\nweight = 10\n\n";
  const std::vector<Case> cases = {
      {"duplicate id", TableText(ok_factor + ok_factor), {"factor 2", "(a)", "id used twice"}},
      {"unknown when",
       TableText(ok_factor +
                 "[[factor]]\nid = \"b\"\nname = \"乙\"\nwhen = \"weather\"\nweight = 5\n"),
       {"factor 2", "(b)", "weather"}},
      {"keywords missing",
       TableText("[[factor]]\nid = \"kw\"\nname = \"关键词\"\nwhen = \"keywords\"\nweight = 5\n"),
       {"factor 1", "(kw)", "needs keywords"}},
      {"keywords all empty",
       TableText("[[factor]]\nid = \"kw\"\nname = \"关键词\"\nwhen = \"keywords\"\nkeywords = "
                 "[\"\"]\nweight = 5\n"),
       {"(kw)", "needs keywords"}},
      {"min_people missing",
       TableText("[[factor]]\nid = \"crowd\"\nname = \"人多\"\nwhen = \"people\"\nweight = 5\n"),
       {"factor 1", "(crowd)", "needs min_people"}},
      {"weight missing",
       TableText("[[factor]]\nid = \"w\"\nname = \"无权重\"\nwhen = \"major\"\n"),
       {"(w)", "needs weight"}},
      {"no id",
       TableText("[[factor]]\nname = \"无名\"\nweight = 5\n"),
       {"factor 1", "needs id and name"}},
      {"levels equal", TableText(ok_factor, 30, 30), {"levels must rise"}},
      {"levels falling", TableText(ok_factor, 60, 30), {"levels must rise"}},
      {"a level missing",
       "[levels.green]\nmin_score = 0\nname = \"绿\"\n" + ok_factor,
       {"[levels.yellow]"}},
      {"no factors", TableText(""), {"no [[factor]]"}},
      {"not TOML", TableText(ok_factor) + "weight = = 3\n", {"line "}},
  };
  for (const Case& c : cases) {
    auto t = FactorTable::Parse(c.text);
    ASSERT_FALSE(t.ok()) << c.what;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << c.what;
    for (const auto& m : c.mentions)
      EXPECT_NE(t.status().message().find(m), std::string::npos)
          << c.what << ": '" << m << "' not in: " << t.status().message();
  }
  EXPECT_TRUE(FactorTable::Parse(TableText(ok_factor)).ok());
  EXPECT_TRUE(FactorTable::Parse(TableText(ok_factor, 0, 1)).ok()) << "green may equal yellow";
}

// Load's errors name the file as well.
TEST(RiskFactorTable, LoadNamesTheFile) {
  const std::string path = ::testing::TempDir() + "/risk_bad_factors.toml";
  {
    FILE* f = fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    const std::string text =
        TableText("[[factor]]\nid = \"kw\"\nname = \"关键词\"\nwhen = \"keywords\"\nweight = 5\n");
    fwrite(text.data(), 1, text.size(), f);
    fclose(f);
  }
  auto t = FactorTable::Load(path);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find(path), std::string::npos) << t.status();
  EXPECT_NE(t.status().message().find("(kw)"), std::string::npos) << t.status();
}

// ---------------------------------------------------------------------------
// Evaluate

// Each kind of `when` fires on its fact, with a reason saying why here; a case
// without it gets none of them.
TEST(RiskEvaluate, EachWhenFiresWithItsReason) {
  struct Case {
    const char* what;
    CaseFacts facts;
    std::set<std::string> ids;
    std::string factor;               // the one whose reason is checked
    std::vector<std::string> reason;  // in its reason
  };
  auto facts = [](auto&& fill) {
    CaseFacts f;
    fill(f);
    return f;
  };
  const std::vector<Case> cases = {
      {"five people",
       facts([](CaseFacts& f) { f.people = 5; }),
       {"group"},
       "group",
       {"5 人", "不少于 5 人", "5 people"}},
      {"thirty people",
       facts([](CaseFacts& f) { f.people = 30; }),
       {"group", "large_group"},
       "large_group",
       {"30 人", "不少于 30 人"}},
      {"repeats",
       facts([](CaseFacts& f) { f.repeats = 2; }),
       {"repeat"},
       "repeat",
       {"已信访 2 次", "2 earlier"}},
      {"keyword",
       facts([](CaseFacts& f) { f.matter = "扬言要去北京上访"; }),
       {"province_beijing"},
       "province_beijing",
       {"「去北京」", "mentions 去北京"}},
      {"overdue",
       facts([](CaseFacts& f) {
         f.overdue = true;
         f.overdue_days = 12;
       }),
       {"overdue"},
       "overdue",
       {"逾期 12 天", "overdue 12 days"}},
      {"contested",
       facts([](CaseFacts& f) { f.contested = true; }),
       {"contested"},
       "contested",
       {"复查或复核"}},
      {"major", facts([](CaseFacts& f) { f.major = true; }), {"major"}, "major", {"重大信访事项"}},
      {"reported",
       facts([](CaseFacts& f) {
         f.reported = {{"vulnerable", "procuratorate：七旬老人"}};
       }),
       {"vulnerable"},
       "vulnerable",
       {"经办人报告", "procuratorate：七旬老人"}},
  };
  for (const Case& c : cases) {
    Assessment a = Shipped().Evaluate(c.facts);
    EXPECT_EQ(Ids(a), c.ids) << c.what;
    const FactorHit* h = Hit(a, c.factor);
    ASSERT_NE(h, nullptr) << c.what;
    for (const auto& r : c.reason)
      EXPECT_NE(h->reason.find(r), std::string::npos) << c.what << ": " << h->reason;
    EXPECT_FALSE(h->name.empty()) << c.what;
  }
  // Nothing present: no factors.
  for (const CaseFacts& none :
       {CaseFacts{}, facts([](CaseFacts& f) { f.people = 4; }),
        facts([](CaseFacts& f) { f.matter = "对不起诉决定不服，要求复查"; }),
        facts([](CaseFacts& f) { f.overdue_days = 40; }),  // days without overdue
        facts([](CaseFacts& f) {
          f.reported = {{"weather", "x"}};
        })}) {
    Assessment a = Shipped().Evaluate(none);
    EXPECT_TRUE(a.factors.empty())
        << Ids(a).size() << " factors for matter '" << none.matter << "'";
    EXPECT_EQ(a.score, 0);
    EXPECT_EQ(a.level, Level::kGreen);
  }
}

// A reason ends with the table's `why`, so an officer sees why it matters.
TEST(RiskEvaluate, ReasonCarriesTheTablesWhy) {
  CaseFacts f;
  f.major = true;
  Assessment a = Shipped().Evaluate(f);
  ASSERT_EQ(a.factors.size(), 1u);
  EXPECT_NE(a.factors[0].reason.find("。经认定为重大事项"), std::string::npos)
      << a.factors[0].reason;
  EXPECT_EQ(a.factors[0].name, "重大信访事项");
  EXPECT_EQ(a.factors[0].weight, 20);
}

// The score is the sum of the weights present; a factor counts once even when
// several of its keywords appear or it is also reported.
TEST(RiskEvaluate, ScoreSumsWeightsOncePerFactor) {
  CaseFacts f;
  f.people = 30;
  f.matter = "农民工讨薪，拖欠工资";  // three keywords of "sensitive"
  f.reported = {{"sensitive", "court：欠薪"}, {"media", "petition：网络舆情"}};
  Assessment a = Shipped().Evaluate(f);
  EXPECT_EQ(Ids(a), (std::set<std::string>{"group", "large_group", "sensitive", "media"}));
  EXPECT_EQ(a.score, 30 + 20 + 15 + 20);
  int sum = 0;
  for (const auto& h : a.factors) sum += h.weight;
  EXPECT_EQ(a.score, sum);
  const FactorHit* s = Hit(a, "sensitive");
  ASSERT_NE(s, nullptr);
  EXPECT_NE(s->reason.find("court：欠薪"), std::string::npos)
      << "both the keyword and the report: " << s->reason;
  EXPECT_NE(s->reason.find("事项中有"), std::string::npos) << s->reason;
}

// Levels at their exact boundaries: min_score is reached, one less is not.
TEST(RiskEvaluate, LevelBoundaries) {
  auto t =
      FactorTable::Parse(TableText("[[factor]]\nid = \"a\"\nname = \"甲\"\nweight = 29\n\n"
                                   "[[factor]]\nid = \"b\"\nname = \"乙\"\nweight = 1\n\n"
                                   "[[factor]]\nid = \"c\"\nname = \"丙\"\nweight = 30\n"));
  ASSERT_TRUE(t.ok()) << t.status();
  struct Case {
    std::vector<std::string> reported;
    int score;
    Level level;
  };
  const std::vector<Case> cases = {
      {{}, 0, Level::kGreen},           {{"a"}, 29, Level::kGreen},
      {{"a", "b"}, 30, Level::kYellow}, {{"c"}, 30, Level::kYellow},
      {{"a", "c"}, 59, Level::kYellow}, {{"a", "b", "c"}, 60, Level::kRed}};
  for (const Case& c : cases) {
    CaseFacts f;
    for (const auto& id : c.reported) f.reported.emplace_back(id, "procuratorate");
    Assessment a = t->Evaluate(f);
    EXPECT_EQ(a.score, c.score);
    EXPECT_EQ(a.level, c.level) << "score " << a.score;
  }
  // The shipped table: 30 is yellow, 60 red.
  CaseFacts group;
  group.people = 5;
  EXPECT_EQ(Shipped().Evaluate(group).level, Level::kYellow);
  EXPECT_EQ(Shipped().Evaluate(group).score, 30);
  group.matter = "扬言进京";
  EXPECT_EQ(Shipped().Evaluate(group).score, 60);
  EXPECT_EQ(Shipped().Evaluate(group).level, Level::kRed);
  CaseFacts below;
  below.repeats = 1;
  below.contested = true;  // 15 + 20 = 35: yellow; minus contested: 15 green
  EXPECT_EQ(Shipped().Evaluate(below).level, Level::kYellow);
  below.contested = false;
  EXPECT_EQ(Shipped().Evaluate(below).level, Level::kGreen);
}

// ---------------------------------------------------------------------------
// The risk book

class RiskBookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/risk_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    std::filesystem::remove(path_);
    std::filesystem::remove(path_ + "-wal");
    std::filesystem::remove(path_ + "-shm");
    Reopen();
  }
  void Reopen() {
    book_.reset();
    db_ = *testing::OpenTestBook(path_);
    auto b = RiskBook::Open(db_, Shipped(), Calendar());
    ASSERT_TRUE(b.ok()) << b.status();
    book_ = *std::move(b);
  }
  static Snapshot Wages(const std::string& no, const std::string& agency = "petition") {
    Snapshot s;
    s.ledger_no = no;
    s.agency = agency;
    s.matter = "拖欠工资";
    s.people = 30;
    s.status = "received";
    return s;
  }
  // Six people: the group factor alone, yellow.
  static Snapshot Group(const std::string& no, const std::string& agency,
                        const std::string& matter) {
    Snapshot s = Plain(no, agency, matter);
    s.people = 6;
    return s;
  }
  static Snapshot Plain(const std::string& no, const std::string& agency,
                        const std::string& matter) {
    Snapshot s;
    s.ledger_no = no;
    s.agency = agency;
    s.matter = matter;
    s.status = "accepted";
    return s;
  }
  std::vector<std::string> OpenKeys(const std::string& agency = "") {
    std::vector<std::string> out;
    auto open = book_->OpenRisks(agency);
    EXPECT_TRUE(open.ok()) << open.status();
    if (open.ok())
      for (const auto& c : *open) out.push_back(c.case_key);
    return out;
  }

  std::string path_;
  sql::Db db_;
  std::unique_ptr<RiskBook> book_;
};

// 30 workers over unpaid wages: red on the first assessment, with its factors.
TEST_F(RiskBookTest, GroupWagePetitionIsRedOnFirstAssessment) {
  const int64_t t = At("2026-03-03");
  auto c = book_->Update(Wages("信-2026-000001"), t);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->assessment.level, Level::kRed);
  EXPECT_EQ(Ids(c->assessment), (std::set<std::string>{"group", "large_group", "sensitive"}));
  EXPECT_EQ(c->assessment.score, 65);
  EXPECT_FALSE(c->previous.has_value());
  EXPECT_TRUE(c->changed());
  EXPECT_TRUE(c->rose_to_red());
  EXPECT_EQ(c->agency, "petition");
  EXPECT_EQ(c->first_ms, t);
  EXPECT_EQ(c->level_since_ms, t);
  EXPECT_TRUE(c->open);
  for (const auto& f : c->assessment.factors) EXPECT_FALSE(f.reason.empty()) << f.id;

  auto found = book_->Find("信-2026-000001");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->assessment.level, Level::kRed);
  EXPECT_EQ((*found)->assessment.score, 65);
  ASSERT_EQ((*found)->assessment.factors.size(), 3u);
  EXPECT_NE(Hit((*found)->assessment, "sensitive")->reason.find("拖欠工资"), std::string::npos);
  EXPECT_EQ(OpenKeys(), std::vector<std::string>{"信-2026-000001"});
  EXPECT_EQ(OpenKeys("petition"), std::vector<std::string>{"信-2026-000001"});
  EXPECT_TRUE(OpenKeys("court").empty());
  EXPECT_FALSE(book_->Find("信-2026-999999")->has_value());
}

// A later snapshot with the same facts changes nothing: no second warning.
TEST_F(RiskBookTest, SameFactsAgainIsNotAChange) {
  ASSERT_TRUE(book_->Update(Wages("信-2026-000001"), At("2026-03-03")).ok());
  auto again = book_->Update(Wages("信-2026-000001"), At("2026-03-04"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->assessment.level, Level::kRed);
  EXPECT_EQ(again->previous, Level::kRed);
  EXPECT_FALSE(again->changed());
  EXPECT_FALSE(again->rose_to_red());
  EXPECT_EQ(again->level_since_ms, At("2026-03-03")) << "red since the first assessment";
  EXPECT_EQ(again->first_ms, At("2026-03-03"));
}

// Yellow, then red (a rise to red), then back to yellow (changed, no warning).
TEST_F(RiskBookTest, LevelChangesUpAndDown) {
  Snapshot s = Plain("信-2026-000002", "procuratorate", "对不起诉决定不服");
  s.people = 5;
  auto c = book_->Update(s, At("2026-03-03"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->assessment.level, Level::kYellow);
  EXPECT_FALSE(c->rose_to_red());
  s.contested = true;
  s.major = true;
  c = book_->Update(s, At("2026-03-10"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->assessment.level, Level::kRed);
  EXPECT_EQ(c->previous, Level::kYellow);
  EXPECT_TRUE(c->rose_to_red());
  EXPECT_EQ(c->level_since_ms, At("2026-03-10"));
  s.contested = s.major = false;
  c = book_->Update(s, At("2026-03-20"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->assessment.level, Level::kYellow);
  EXPECT_TRUE(c->changed());
  EXPECT_FALSE(c->rose_to_red());
}

// Overdue days are counted from the snapshot's overdue_since_ms to now.
TEST_F(RiskBookTest, OverdueDaysCountedToNow) {
  Snapshot s = Plain("信-2026-000003", "court", "执行款未到位");
  s.overdue = true;
  s.overdue_since_ms = At("2026-03-01");
  auto c = book_->Update(s, At("2026-03-13"));
  ASSERT_TRUE(c.ok()) << c.status();
  const FactorHit* h = Hit(c->assessment, "overdue");
  ASSERT_NE(h, nullptr);
  EXPECT_NE(h->reason.find("逾期 12 天"), std::string::npos) << h->reason;
  EXPECT_EQ(c->overdue_since_ms, At("2026-03-01"));
}

// A handler's risk form adding "extreme" raises the score; the reason names
// who reported it and the note.
TEST_F(RiskBookTest, ReportAddsAFactor) {
  ASSERT_TRUE(book_->Update(Wages("信-2026-000001"), At("2026-03-03")).ok());
  Report r;
  r.agency = "procuratorate";
  r.case_key = "信-2026-000001";
  r.factors = {"extreme"};
  r.note = "扬言跳楼";
  r.oversees = true;  // the procuratorate convenes: it reports on any case
  auto c = book_->Update(r, At("2026-03-04"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->assessment.score, 65 + 40);
  EXPECT_EQ(c->assessment.level, Level::kRed);
  EXPECT_FALSE(c->changed()) << "already red";
  const FactorHit* h = Hit(c->assessment, "extreme");
  ASSERT_NE(h, nullptr);
  EXPECT_NE(h->reason.find("procuratorate：扬言跳楼"), std::string::npos) << h->reason;
  EXPECT_EQ(c->agency, "petition") << "a form does not move the case";
  // The next snapshot keeps the reported factor.
  auto again = book_->Update(Wages("信-2026-000001"), At("2026-03-05"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->assessment.score, 105);
  // The same agency's later form replaces its earlier one.
  r.factors = {"media"};
  r.note = "";
  c = book_->Update(r, At("2026-03-06"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Ids(c->assessment),
            (std::set<std::string>{"group", "large_group", "sensitive", "media"}));
  EXPECT_EQ(c->assessment.score, 85);
}

// An unknown factor id is InvalidArgument naming it and the known ids; a form
// with neither factors nor "no risk" is refused too. Nothing is recorded.
TEST_F(RiskBookTest, ReportWithUnknownFactorIsRefused) {
  Report r;
  r.agency = "procuratorate";
  r.case_key = "（2026）检刑诉 7 号";
  r.factors = {"media", "weather"};
  auto c = book_->Update(r, At("2026-03-04"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  for (const char* m : {"'weather'", "group", "extreme", "media", "non_prosecution"})
    EXPECT_NE(c.status().message().find(m), std::string::npos)
        << m << " in " << c.status().message();
  EXPECT_FALSE(book_->Find(r.case_key)->has_value());
  r.factors.clear();
  EXPECT_EQ(book_->Update(r, At("2026-03-04")).status().code(), absl::StatusCode::kInvalidArgument);
  r.case_key.clear();
  r.no_risk = true;
  EXPECT_EQ(book_->Update(r, At("2026-03-04")).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(book_->Update(Snapshot{}, At("2026-03-04")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(OpenKeys().empty());
}

// "No risk" is a form too: accepted and recorded, green; it withdraws the
// same agency's earlier factors.
TEST_F(RiskBookTest, NoRiskReportIsRecorded) {
  Report r;
  r.agency = "procuratorate";
  r.case_key = "（2026）检刑诉 8 号";
  r.matter = "审查起诉案件";
  r.no_risk = true;
  r.note = "经评估无风险";
  auto c = book_->Update(r, At("2026-03-04"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->assessment.level, Level::kGreen);
  EXPECT_TRUE(c->assessment.factors.empty());
  EXPECT_TRUE(c->changed()) << "the first assessment";
  auto found = book_->Find(r.case_key);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->agency, "procuratorate");
  EXPECT_EQ((*found)->matter, "审查起诉案件");
  EXPECT_EQ((*found)->assessment.level, Level::kGreen);
  EXPECT_EQ(OpenKeys("procuratorate"), std::vector<std::string>{r.case_key});

  r.no_risk = false;
  r.factors = {"media"};
  ASSERT_EQ(book_->Update(r, At("2026-03-05"))->assessment.score, 20);
  r.no_risk = true;
  r.factors.clear();
  c = book_->Update(r, At("2026-03-06"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->assessment.score, 0);
  EXPECT_EQ(c->assessment.level, Level::kGreen);
}

// A snapshot with open=false resolves the case: resolved_ms set, no longer open,
// its last assessment kept. A reopened case is open again.
TEST_F(RiskBookTest, ClosedSnapshotResolvesTheCase) {
  ASSERT_TRUE(book_->Update(Wages("信-2026-000001"), At("2026-03-03")).ok());
  ASSERT_TRUE(book_->Update(Wages("信-2026-000002"), At("2026-03-03")).ok());
  Snapshot closed = Wages("信-2026-000001");
  closed.open = false;
  closed.status = "closed";
  auto c = book_->Update(closed, At("2026-03-20"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->open);
  EXPECT_EQ(c->resolved_ms, At("2026-03-20"));
  EXPECT_EQ(OpenKeys(), std::vector<std::string>{"信-2026-000002"});
  auto found = book_->Find("信-2026-000001");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_FALSE((*found)->open);
  EXPECT_EQ((*found)->resolved_ms, At("2026-03-20"));
  EXPECT_EQ((*found)->assessment.level, Level::kRed) << "the last assessment is kept";
  // Another closed snapshot later keeps the first resolution time.
  ASSERT_EQ(book_->Update(closed, At("2026-03-25"))->resolved_ms, At("2026-03-20"));
  // Reopened.
  c = book_->Update(Wages("信-2026-000001"), At("2026-04-01"));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->open);
  EXPECT_EQ(c->resolved_ms, 0);
  EXPECT_EQ(OpenKeys().size(), 2u);
}

// Assessments survive closing and reopening the database.
TEST_F(RiskBookTest, SurvivesReopen) {
  ASSERT_TRUE(book_->Update(Wages("信-2026-000001"), At("2026-03-03")).ok());
  Reopen();
  auto found = book_->Find("信-2026-000001");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->assessment.level, Level::kRed);
  auto again = book_->Update(Wages("信-2026-000001"), At("2026-03-04"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->changed());
}

// OpenRisks lists the highest score first.
TEST_F(RiskBookTest, OpenRisksHighestFirst) {
  ASSERT_TRUE(book_->Update(Plain("信-2026-000001", "court", "一般事项"), At("2026-03-03")).ok());
  ASSERT_TRUE(book_->Update(Wages("信-2026-000002", "court"), At("2026-03-03")).ok());
  Snapshot y = Plain("信-2026-000003", "court", "咨询事项");
  y.repeats = 1;
  ASSERT_TRUE(book_->Update(y, At("2026-03-03")).ok());
  EXPECT_EQ(OpenKeys("court"),
            (std::vector<std::string>{"信-2026-000002", "信-2026-000003", "信-2026-000001"}));
}

// ---------------------------------------------------------------------------
// The monthly screening

// January 2026: 01-01..03 are holidays and Sunday 01-04 is a make-up working
// day, so the screening is due from 2026-01-04 and not before; once held, not again.
TEST_F(RiskBookTest, ScreeningDueOnFirstWorkingDayOfJanuary2026) {
  ASSERT_FALSE(Calendar().IsWorkingDay(*ParseDate("2026-01-03")));
  ASSERT_TRUE(Calendar().IsWorkingDay(*ParseDate("2026-01-04")));
  for (const char* day : {"2026-01-01", "2026-01-02", "2026-01-03"})
    EXPECT_EQ(*book_->ScreeningDue(At(day, 12)), "") << day;
  EXPECT_EQ(*book_->ScreeningDue(StartOfDayMs(*ParseDate("2026-01-04")) - 1), "")
      << "the last millisecond of 01-03 (CST)";
  EXPECT_EQ(*book_->ScreeningDue(StartOfDayMs(*ParseDate("2026-01-04"))), "2026-01");
  EXPECT_EQ(*book_->ScreeningDue(At("2026-01-04", 9)), "2026-01");
  ASSERT_TRUE(book_->Screen("2026-01", At("2026-01-04", 9)).ok());
  EXPECT_EQ(*book_->ScreeningDue(At("2026-01-04", 9)), "");
  EXPECT_EQ(*book_->ScreeningDue(At("2026-01-05", 9)), "");
  EXPECT_EQ(*book_->ScreeningDue(At("2026-01-31", 23)), "");
  Reopen();
  EXPECT_EQ(*book_->ScreeningDue(At("2026-01-20", 9)), "") << "held is remembered";
}

// Ordinary months: the first working day after a weekend (March 2026 starts on
// a Sunday), on the 1st itself (April), after the National Day week (October).
TEST_F(RiskBookTest, ScreeningDueInOrdinaryMonths) {
  struct Case {
    const char* before;  // "" when the 1st is a working day
    const char* first_working_day;
    const char* month;
  };
  for (const Case& c :
       {Case{"2026-03-01", "2026-03-02", "2026-03"}, Case{"", "2026-04-01", "2026-04"},
        Case{"2026-10-07", "2026-10-08", "2026-10"}, Case{"2026-02-01", "2026-02-02", "2026-02"}}) {
    if (*c.before) {
      EXPECT_EQ(*book_->ScreeningDue(At(c.before, 15)), "") << c.before;
    }
    EXPECT_EQ(*book_->ScreeningDue(At(c.first_working_day, 8)), c.month) << c.first_working_day;
    ASSERT_TRUE(book_->Screen(c.month, At(c.first_working_day, 8)).ok());
    EXPECT_EQ(*book_->ScreeningDue(At(c.first_working_day, 17)), "") << c.first_working_day;
  }
}

// The screening per agency: open, new since the last one, resolved since the
// last one, more than 30 days overdue flagged for the deputy chief; the CSV
// has the Chinese header after a BOM.
TEST_F(RiskBookTest, ScreeningReportPerAgency) {
  // Before January's screening.
  Snapshot a = Wages("信-2025-000100", "procuratorate");
  a.handler = "张检察官";
  ASSERT_TRUE(book_->Update(a, At("2025-12-10")).ok());
  Snapshot b = Group("信-2025-000101", "procuratorate", "对不起诉决定不服");
  ASSERT_TRUE(book_->Update(b, At("2025-12-11")).ok());
  Snapshot old = Group("信-2025-000102", "procuratorate", "已化解事项");
  ASSERT_TRUE(book_->Update(old, At("2025-12-12")).ok());
  old.open = false;
  ASSERT_TRUE(book_->Update(old, At("2025-12-20")).ok());
  Snapshot r = Group("信-2025-000103", "procuratorate", "申请国家司法救助");
  // A green case is not a risk: not in the screening.
  ASSERT_TRUE(
      book_->Update(Plain("信-2025-000104", "procuratorate", "咨询"), At("2025-12-22")).ok());
  ASSERT_TRUE(book_->Update(r, At("2025-12-21")).ok());

  EXPECT_EQ(*book_->ScreeningDue(At("2026-01-04", 9)), "2026-01");
  auto jan = book_->Screen("2026-01", At("2026-01-04", 9));
  ASSERT_TRUE(jan.ok()) << jan.status();
  ASSERT_EQ(jan->size(), 1u);
  EXPECT_EQ((*jan)[0].agency, "procuratorate");
  EXPECT_EQ((*jan)[0].open, 3);
  EXPECT_EQ((*jan)[0].resolved, 1);

  // Between January's screening and February's.
  const int64_t feb = At("2026-02-02", 9);
  a.overdue = true;
  a.overdue_since_ms = feb - 31 * kDay;  // more than 30 days late at the screening
  ASSERT_TRUE(book_->Update(a, At("2026-01-10")).ok());
  b.overdue = true;
  b.overdue_since_ms = feb - 30 * kDay;  // exactly 30: not yet
  ASSERT_TRUE(book_->Update(b, At("2026-01-10")).ok());
  Snapshot n = Group("信-2026-000001", "procuratorate", "新发事项");
  ASSERT_TRUE(book_->Update(n, At("2026-01-12")).ok());
  r.open = false;
  ASSERT_TRUE(book_->Update(r, At("2026-01-15")).ok());
  ASSERT_TRUE(book_->Update(Wages("信-2026-000002", "court"), At("2026-01-16")).ok());

  EXPECT_EQ(*book_->ScreeningDue(At("2026-02-01", 12)), "") << "a Sunday";
  EXPECT_EQ(*book_->ScreeningDue(feb), "2026-02");
  auto screened = book_->Screen("2026-02", feb);
  ASSERT_TRUE(screened.ok()) << screened.status();
  std::map<std::string, Screening> by_agency;
  for (auto& s : *screened) by_agency[s.agency] = s;
  ASSERT_EQ(by_agency.size(), 2u);
  const Screening& p = by_agency["procuratorate"];
  EXPECT_EQ(p.month, "2026-02");
  EXPECT_EQ(p.open, 3);          // a, b, n
  EXPECT_EQ(p.new_risks, 1);     // n
  EXPECT_EQ(p.resolved, 1);      // r (old was resolved before January's)
  EXPECT_EQ(p.long_overdue, 1);  // a
  const Screening& c = by_agency["court"];
  EXPECT_EQ(c.open, 1);
  EXPECT_EQ(c.new_risks, 1);
  EXPECT_EQ(c.resolved, 0);
  EXPECT_EQ(c.long_overdue, 0);

  // Markdown: the deputy chief is named on a's row only; the old resolution is gone.
  for (absl::string_view line : absl::StrSplit(p.markdown, '\n')) {
    if (line.find("信-2025-000100") != absl::string_view::npos) {
      EXPECT_NE(line.find("报分管副检察长"), absl::string_view::npos) << line;
      EXPECT_NE(line.find("张检察官"), absl::string_view::npos) << line;
      EXPECT_NE(line.find("红色"), absl::string_view::npos) << line;
    }
    if (line.find("信-2025-000101") != absl::string_view::npos) {
      EXPECT_EQ(line.find("报分管副检察长"), absl::string_view::npos) << line;
    }
  }
  EXPECT_NE(p.markdown.find("# 隐患月排查 2026-02 procuratorate"), std::string::npos) << p.markdown;
  EXPECT_NE(p.markdown.find("信-2025-000103"), std::string::npos) << "resolved since January";
  EXPECT_EQ(p.markdown.find("信-2025-000102"), std::string::npos) << "resolved before January";
  EXPECT_EQ(p.markdown.find("信-2026-000002"), std::string::npos) << "the court's";
  EXPECT_EQ(p.markdown.find("信-2025-000104"), std::string::npos) << "green: no risk to screen";

  // CSV: BOM, Chinese header, one row per case with its kind.
  const std::string header =
      "\xEF\xBB\xBF类别 kind,案件 case,事项 matter,等级 level,分数 score,风险因素 factors,"
      "首办责任人 handler,须办 required\n";
  ASSERT_EQ(p.csv.rfind(header, 0), 0u) << p.csv;
  std::map<std::string, std::string> kind_of;
  std::vector<std::string> lines =
      absl::StrSplit(p.csv.substr(header.size()), '\n', absl::SkipEmpty());
  EXPECT_EQ(lines.size(), 4u) << p.csv;
  for (const auto& line : lines) {
    std::vector<std::string> cols = absl::StrSplit(line, ',');
    ASSERT_GE(cols.size(), 8u) << line;
    kind_of[cols[1]] = cols[0];
  }
  EXPECT_EQ(kind_of["\"信-2025-000100\""], "\"在办 open\"");
  EXPECT_EQ(kind_of["\"信-2026-000001\""], "\"新增 new\"");
  EXPECT_EQ(kind_of["\"信-2025-000103\""], "\"已化解 resolved\"");
  EXPECT_NE(p.csv.find("报分管副检察长"), std::string::npos);

  // Kept, and found again by month and agency.
  auto found = book_->FindScreening("2026-02", "procuratorate");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->open, 3);
  EXPECT_EQ((*found)->new_risks, 1);
  EXPECT_EQ((*found)->resolved, 1);
  EXPECT_EQ((*found)->long_overdue, 1);
  EXPECT_EQ((*found)->markdown, p.markdown);
  EXPECT_EQ((*found)->csv, p.csv);
  EXPECT_FALSE(book_->FindScreening("2026-02", "plc")->has_value());
  EXPECT_FALSE(book_->FindScreening("2026-03", "procuratorate")->has_value());
  EXPECT_EQ(*book_->ScreeningDue(feb + kHour), "");
}

// A form under the agency's case reference and the ledger item with that
// reference are one case; a form cannot both list factors and say no risk; a
// transfer is noticed even when the level stays.
TEST_F(RiskBookTest, OneCaseOneRecord) {
  Report r;
  r.agency = "procuratorate";
  r.case_key = "（2026）检刑诉 9 号";
  r.factors = {"media"};
  r.no_risk = true;
  EXPECT_EQ(book_->Update(r, At("2026-03-04")).status().code(), absl::StatusCode::kInvalidArgument);
  r.no_risk = false;
  ASSERT_TRUE(book_->Update(r, At("2026-03-04")).ok());
  Snapshot s = Group("信-2026-000050", "petition", "不服不起诉决定");
  s.case_ref = r.case_key;
  auto c = book_->Update(s, At("2026-03-05"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->assessment.score, 50) << "group 30 + the form's media 20";
  EXPECT_FALSE(book_->Find(r.case_key)->has_value()) << "joined the ledger item";
  r.factors = {"vulnerable"};
  auto again = book_->Update(r, At("2026-03-06"));  // still under the case reference
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->case_key, "信-2026-000050");
  EXPECT_EQ(again->assessment.score, 45);
  // A form that made a case red under its case reference: when the ledger
  // item joins it, the level stays red and no second warning rises.
  Report red;
  red.agency = "procuratorate";
  red.case_key = "（2026）检刑诉 10 号";
  red.factors = {"extreme", "media"};
  auto first = book_->Update(red, At("2026-03-08"));
  ASSERT_TRUE(first.ok() && first->rose_to_red());
  Snapshot joined = Plain("信-2026-000051", "procuratorate", "申诉");
  joined.case_ref = red.case_key;
  auto after = book_->Update(joined, At("2026-03-09"));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->assessment.level, Level::kRed);
  EXPECT_FALSE(after->rose_to_red()) << "warned once, under the case reference";
  s.agency = "procuratorate";  // transferred, same facts
  auto moved = book_->Update(s, At("2026-03-07"));
  ASSERT_TRUE(moved.ok());
  EXPECT_FALSE(moved->changed());
  EXPECT_TRUE(moved->moved()) << "the new agency must be told";
}

// New and resolved follow the level, not the case's age or closing: a case
// that turns yellow after a screening is new at the next; one back to green
// is resolved; one that rose and fell between two screenings is resolved.
TEST_F(RiskBookTest, ScreeningNewAndResolvedFollowTheLevel) {
  Snapshot turns = Plain("信-2026-000010", "court", "执行款未到位");  // green
  ASSERT_TRUE(book_->Update(turns, At("2026-02-10")).ok());
  Snapshot stays = Group("信-2026-000011", "court", "执行异议");  // yellow all along
  ASSERT_TRUE(book_->Update(stays, At("2026-02-11")).ok());
  auto march = book_->Screen("2026-03", At("2026-03-02", 9));
  ASSERT_TRUE(march.ok() && march->size() == 1u);
  EXPECT_EQ((*march)[0].open, 1);
  EXPECT_EQ((*march)[0].new_risks, 1) << "the first screening: every risk is new";

  turns.people = 6;  // turns yellow
  ASSERT_TRUE(book_->Update(turns, At("2026-03-10")).ok());
  Snapshot blip = Plain("信-2026-000012", "court", "诉讼费");
  ASSERT_TRUE(book_->Update(blip, At("2026-03-11")).ok());
  blip.people = 8;  // rises and falls before April's screening
  ASSERT_TRUE(book_->Update(blip, At("2026-03-12")).ok());
  blip.people = 1;
  ASSERT_TRUE(book_->Update(blip, At("2026-03-20")).ok());
  auto april = book_->Screen("2026-04", At("2026-04-01", 9));
  ASSERT_TRUE(april.ok() && april->size() == 1u);
  const Screening& a = (*april)[0];
  EXPECT_EQ(a.open, 2);
  EXPECT_EQ(a.new_risks, 1) << a.markdown;
  EXPECT_EQ(a.resolved, 1) << a.markdown;
  EXPECT_NE(a.csv.find("\"新增 new\",\"信-2026-000010\""), std::string::npos) << a.csv;
  EXPECT_NE(a.csv.find("\"在办 open\",\"信-2026-000011\""), std::string::npos) << a.csv;
  EXPECT_NE(a.csv.find("\"已化解 resolved\",\"信-2026-000012\""), std::string::npos) << a.csv;

  turns.people = 1;  // back to green: resolved though still open
  ASSERT_TRUE(book_->Update(turns, At("2026-04-15")).ok());
  Reopen();  // what April counted is on file
  auto may = book_->Screen("2026-05", At("2026-05-06", 9));
  ASSERT_TRUE(may.ok() && may->size() == 1u);
  const Screening& m = (*may)[0];
  EXPECT_EQ(m.open, 1);
  EXPECT_EQ(m.new_risks, 0);
  EXPECT_EQ(m.resolved, 1) << m.markdown;
  EXPECT_NE(m.csv.find("\"已化解 resolved\",\"信-2026-000010\""), std::string::npos) << m.csv;
  EXPECT_NE(m.csv.find("降为绿色"), std::string::npos) << m.csv;
  EXPECT_EQ(m.csv.find("信-2026-000012"), std::string::npos) << "resolved before May's: not again";
}

// A risk form comes from an agency handling the case: the responsible agency
// now or before, or the first to report under its own case reference; the
// supervisors and convenors on any case.
TEST_F(RiskBookTest, FormsOnlyFromAgenciesHandlingTheCase) {
  ASSERT_TRUE(
      book_->Update(Plain("信-2026-000020", "petition", "咨询事项"), At("2026-03-03")).ok());
  Report r;
  r.case_key = "信-2026-000020";
  r.factors = {"media"};
  r.agency = "court";
  auto refused = book_->Update(r, At("2026-03-04"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied) << refused.status();
  EXPECT_NE(refused.status().message().find("不是"), absl::string_view::npos);
  EXPECT_EQ(book_->Find("信-2026-000020")->value().assessment.score, 0)
      << "a refused form leaves no trace";
  r.agency = "petition";
  EXPECT_TRUE(book_->Update(r, At("2026-03-04")).ok());
  Snapshot moved = Plain("信-2026-000020", "procuratorate", "咨询事项");  // transferred
  ASSERT_TRUE(book_->Update(moved, At("2026-03-05")).ok());
  r.agency = "procuratorate";
  EXPECT_TRUE(book_->Update(r, At("2026-03-06")).ok());
  r.agency = "petition";
  EXPECT_TRUE(book_->Update(r, At("2026-03-06")).ok()) << "handled it before the transfer";
  r.agency = "plc";
  EXPECT_EQ(book_->Update(r, At("2026-03-06")).status().code(),
            absl::StatusCode::kPermissionDenied);
  r.oversees = true;
  EXPECT_TRUE(book_->Update(r, At("2026-03-06")).ok()) << "the committee oversees every case";
  Report own;
  own.agency = "court";
  own.case_key = "（2026）上0102执 7 号";
  own.factors = {"vulnerable"};
  EXPECT_TRUE(book_->Update(own, At("2026-03-07")).ok()) << "its own case";
  own.agency = "police";
  EXPECT_EQ(book_->Update(own, At("2026-03-07")).status().code(),
            absl::StatusCode::kPermissionDenied);
  // A ledger number the ledger has not sent yet: nobody claims it by reporting first.
  Report early;
  early.agency = "court";
  early.case_key = "信-2026-000099";
  early.factors = {"media"};
  EXPECT_EQ(book_->Update(early, At("2026-03-07")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(book_->Find("信-2026-000099")->has_value());
  ASSERT_TRUE(
      book_->Update(Plain("信-2026-000099", "petition", "咨询事项"), At("2026-03-08")).ok());
  EXPECT_EQ(book_->Update(early, At("2026-03-08")).status().code(),
            absl::StatusCode::kPermissionDenied)
      << "now known: the petition office's, not the court's";
}

// A matter with a quote is escaped in the CSV.
TEST_F(RiskBookTest, ScreeningCsvQuotes) {
  ASSERT_TRUE(
      book_->Update(Group("信-2026-000001", "court", "反映\"某公司\"欠薪"), At("2026-03-03")).ok());
  auto s = book_->Screen("2026-04", At("2026-04-01", 9));
  ASSERT_TRUE(s.ok() && s->size() == 1u);
  EXPECT_NE((*s)[0].csv.find("\"反映\"\"某公司\"\"欠薪\""), std::string::npos) << (*s)[0].csv;
}

}  // namespace
}  // namespace concord::risk

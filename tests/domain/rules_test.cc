// The petition rules: day counting on the holiday calendar, the deadline
// table, and the transitions the rules allow and forbid.
#include "domain/rules.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace concord::ledger {
namespace {

// The shipped calendar file (2025 and 2026).
const HolidayCalendar& Calendar() {
  static const HolidayCalendar c =
      *HolidayCalendar::Load(std::string(CONCORD_SOURCE_DIR) + "/deploy/calendar/cn-holidays.txt");
  return c;
}

Date D(const std::string& s) { return *ParseDate(s); }

// Noon CST of a date, in Unix milliseconds.
int64_t Noon(const std::string& s) { return StartOfDayMs(D(s)) + 12 * kHourMs; }

const DeadlineRule& Rule(const std::vector<DeadlineRule>& rules, const std::string& id) {
  for (const auto& r : rules)
    if (r.id == id) return r;
  ADD_FAILURE() << "no rule " << id;
  return rules.front();
}

// CST dates: 00:30 CST is still the previous UTC day.
TEST(Calendar, DatesAreChinaStandardTime) {
  const int64_t ms = StartOfDayMs(D("2025-03-04")) + 30 * 60 * 1000;  // 00:30 CST
  EXPECT_EQ(FormatDate(DateOf(ms)), "2025-03-04");
  EXPECT_EQ(FormatDate(DateOf(ms - 31 * 60 * 1000)), "2025-03-03");
  EXPECT_EQ(EndOfDayMs(D("2025-03-03")) + 1, StartOfDayMs(D("2025-03-04")));
}

// Holidays, make-up working weekends and ordinary weekends.
TEST(Calendar, WorkingDays) {
  const struct {
    const char* date;
    bool working;
  } kCases[] = {
      {"2025-10-01", false},  // National Day
      {"2025-09-28", true},   // Sunday, make-up workday
      {"2025-10-11", true},   // Saturday, make-up workday
      {"2025-10-12", false},  // ordinary Sunday
      {"2025-10-09", true},   // Thursday after the holiday
      {"2026-02-16", false},  // Spring Festival 2026
      {"2026-02-14", true},   // Saturday, make-up workday
  };
  for (const auto& c : kCases) EXPECT_EQ(Calendar().IsWorkingDay(D(c.date)), c.working) << c.date;
  EXPECT_TRUE(Calendar().Covers(D("2026-05-01")));
  EXPECT_FALSE(Calendar().Covers(D("2027-05-01"))) << "the ledger warns: add 2027 to the file";
}

// The deadline table, one row per rule and counting case (start day not
// counted; month ends; a last day on a holiday moves to the next working day).
TEST(Deadlines, Table) {
  const auto rules = DeadlineRules();
  const struct {
    const char* rule;
    const char* anchor;
    const char* due;
    int extra_days;  // an approved extension's days (art. 34)
    const char* why;
  } kCases[] = {
      {"register_review", "2025-03-03", "2025-03-03", 0, "same day"},
      // 人民检察院信访工作规定 (当日登记、当日审查) with 民法典 art. 203 by analogy:
      // a petition arriving on a day off is due the day the office reopens.
      {"register_review", "2026-02-17", "2026-02-24", 0,
       "online on 正月初一 2026: the first working day after Spring Festival"},
      {"register_review", "2025-03-08", "2025-03-10", 0, "a Saturday: Monday"},
      {"register_review", "2026-01-04", "2026-01-04", 0, "a make-up working Sunday: that day"},
      {"procedural_reply", "2025-03-03", "2025-03-10", 0, "7 days, start day not counted"},
      {"procedural_reply", "2025-09-24", "2025-10-09", 0,
       "7th day 10-01 is a holiday: next working day"},
      {"procedural_reply", "2025-09-21", "2025-09-28", 0, "7th day is a make-up working Sunday"},
      {"procedural_reply", "2025-03-08", "2025-03-17", 0, "7th day a Saturday: Monday"},
      {"substantive_reply", "2025-01-31", "2025-04-30", 0, "3 months: same-numbered day"},
      {"substantive_reply", "2024-11-30", "2025-02-28", 0, "no 30 February: the month's last day"},
      {"substantive_reply", "2025-01-05", "2025-04-07", 0, "04-05 is Qingming: next working day"},
      {"transfer_or_assign", "2025-01-20", "2025-02-05", 0, "15 days land in Spring Festival"},
      {"handle_answer", "2025-03-03", "2025-05-06", 0, "60 days end 05-02 (Labour Day): 05-06"},
      {"handle_answer", "2025-03-03", "2025-06-05", 30,
       "extended by 30 from the period's end, 05-06 (after Labour Day): 06-05"},
      {"handle_answer", "2025-03-03", "2025-05-16", 10, "extended by 10 from 05-06: 05-16"},
      {"handle_answer", "2025-08-03", "2025-10-14", 5,
       "60 days end 10-02 (National Day) -> 10-09; 5 more from there: 10-14, not swallowed"},
      {"review_opinion", "2026-09-01", "2026-10-08", 0, "30 days end 10-01 (National Day): 10-08"},
  };
  for (const auto& c : kCases) {
    const DeadlineRule& r = Rule(rules, c.rule);
    EXPECT_EQ(FormatDate(DateOf(DueMs(r, Noon(c.anchor), Calendar(), c.extra_days))), c.due)
        << c.rule << " from " << c.anchor << ": " << c.why;
  }
}

// The 7-day rule counted in working days where a province says so.
TEST(Deadlines, ProceduralReplyInWorkingDaysWhenConfigured) {
  RuleOptions o;
  o.procedural_reply_working_days = true;
  const auto rules = DeadlineRules(o);
  // 2025-09-26 (Fri): 09-28 (Sun, workday), 09-29, 09-30, 10-09, 10-10,
  // 10-11 (Sat, workday), 10-13.
  EXPECT_EQ(
      FormatDate(DateOf(DueMs(Rule(rules, "procedural_reply"), Noon("2025-09-26"), Calendar()))),
      "2025-10-13");
}

// Where a duty officer works the holidays too, a rule's last day may stay
// on a day off (DOMAIN.md: "configurable"); the other rules still move.
TEST(Deadlines, KeptOnADayOffWhenConfigured) {
  RuleOptions o;
  o.kept_on_days_off = {"register_review", "procedural_reply"};
  const auto rules = DeadlineRules(o);
  EXPECT_EQ(
      FormatDate(DateOf(DueMs(Rule(rules, "register_review"), Noon("2026-02-17"), Calendar()))),
      "2026-02-17");
  EXPECT_EQ(
      FormatDate(DateOf(DueMs(Rule(rules, "procedural_reply"), Noon("2025-09-24"), Calendar()))),
      "2025-10-01")
      << "the 7th day, National Day, kept";
  EXPECT_EQ(FormatDate(DateOf(DueMs(Rule(rules, "handle_answer"), Noon("2025-03-03"), Calendar()))),
            "2025-05-06")
      << "not listed: still moved past Labour Day";
}

// Every rule names its source and the action that meets it.
TEST(Deadlines, EveryRuleCitesItsSource) {
  for (const auto& r : DeadlineRules()) {
    EXPECT_NE(std::string(r.source), "") << r.id;
    EXPECT_NE(std::string(r.source).find('['), std::string::npos) << r.id << ": [V]/[S]/[U]";
  }
}

// Transitions the rules allow lead to the right status.
TEST(Transitions, Allowed) {
  const struct {
    Status from;
    Action action;
    Status to;
  } kCases[] = {
      {Status::kReceived, Action::kStartReview, Status::kUnderReview},
      {Status::kUnderReview, Action::kAccept, Status::kAccepted},
      {Status::kUnderReview, Action::kRequestMaterials, Status::kNeedsMaterials},
      {Status::kNeedsMaterials, Action::kAccept, Status::kAccepted},
      {Status::kUnderReview, Action::kNotAccept, Status::kNotAccepted},
      {Status::kUnderReview, Action::kTransfer, Status::kTransferred},
      {Status::kAccepted, Action::kProceduralReply, Status::kAccepted},
      {Status::kAccepted, Action::kStartWork, Status::kInProgress},
      {Status::kInProgress, Action::kSubstantiveReply, Status::kConcluded},
      {Status::kConcluded, Action::kClose, Status::kClosed},
      {Status::kClosed, Action::kReopen, Status::kInProgress},
  };
  for (const auto& c : kCases) {
    ItemFacts item;
    item.status = c.from;
    auto to = Transition(item, c.action, Noon("2025-03-03"), Calendar());
    ASSERT_TRUE(to.ok()) << ActionName(c.action) << " from " << StatusName(c.from) << ": "
                         << to.status();
    EXPECT_EQ(*to, c.to) << ActionName(c.action);
  }
}

// A forbidden transition is refused with a reason that names what is allowed.
TEST(Transitions, ForbiddenNamesWhatIsAllowed) {
  ItemFacts item;  // received
  auto r = Transition(item, Action::kClose, Noon("2025-03-03"), Calendar());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string msg(r.status().message());
  EXPECT_NE(msg.find("已登记"), std::string::npos) << msg;
  EXPECT_NE(msg.find("start_review"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'close' is not allowed in status 'received'"), std::string::npos) << msg;
  EXPECT_FALSE(Transition(item, Action::kRegister, Noon("2025-03-03"), Calendar()).ok());
}

// 信访工作条例 art. 34: one extension only, asked while the 60 days run
// (an extension after the deadline is refused: the missed deadline stays missed).
TEST(Transitions, ExtendOnceBeforeTheDeadline) {
  ItemFacts item;
  item.status = Status::kInProgress;
  item.answer_due_ms = EndOfDayMs(*ParseDate("2025-05-06"));
  EXPECT_TRUE(Transition(item, Action::kExtend, Noon("2025-05-06"), Calendar()).ok());
  auto late = Transition(item, Action::kExtend, Noon("2025-05-07"), Calendar());
  ASSERT_FALSE(late.ok());
  EXPECT_NE(std::string(late.status().message()).find("届满"), std::string::npos) << late.status();
  item.extended = true;
  auto r = Transition(item, Action::kExtend, Noon("2025-03-03"), Calendar());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("第三十四条"), std::string::npos);
  item.extended = false;
  item.answer_due_ms = 0;
  EXPECT_FALSE(Transition(item, Action::kExtend, Noon("2025-03-03"), Calendar()).ok())
      << "no 60-day clock running (not accepted yet)";
}

// Each kind of agency owes its own table (docs/ledger.md): the SPP's
// 7 days and 3 months only at a procuratorate (件件有回复), the 15-day
// transfer at a petition office (条例 art. 22), the 15-day written notice
// at every other organ (art. 23); the 60 days and the review opinion at all.
TEST(Deadlines, EachKindOwesItsOwnTable) {
  RuleOptions o;
  o.procuratorates = {"jcy"};
  o.petition_office = "xfj";
  EXPECT_EQ(o.KindOf("jcy"), AgencyKind::kProcuratorate);
  EXPECT_EQ(o.KindOf("xfj"), AgencyKind::kPetitionOffice);
  EXPECT_EQ(o.KindOf("fy"), AgencyKind::kOther);
  std::map<AgencyKind, std::set<std::string>> owed;
  for (const DeadlineRule& r : DeadlineRules(o))
    for (AgencyKind k :
         {AgencyKind::kProcuratorate, AgencyKind::kPetitionOffice, AgencyKind::kOther})
      if (r.anchor != Anchor::kTracked && Owes(r, k)) owed[k].insert(r.id);
  using Set = std::set<std::string>;
  EXPECT_EQ(owed[AgencyKind::kProcuratorate],
            (Set{"register_review", "procedural_reply", "substantive_reply", "handle_answer",
                 "review_opinion"}));
  EXPECT_EQ(owed[AgencyKind::kPetitionOffice],
            (Set{"transfer_or_assign", "handle_answer", "review_opinion"}));
  EXPECT_EQ(owed[AgencyKind::kOther], (Set{"receipt_notice", "handle_answer", "review_opinion"}));
}

// Review within 30 days of receiving the written answer (its delivery, not
// its date); the re-review opinion is final (arts. 35-36).
TEST(Transitions, ReviewWindowAndFinality) {
  ItemFacts item;
  item.status = Status::kConcluded;
  item.answered_ms = Noon("2025-03-03");
  EXPECT_TRUE(Transition(item, Action::kRequestReview, Noon("2025-04-02"), Calendar()).ok());
  EXPECT_FALSE(Transition(item, Action::kRequestReview, Noon("2025-04-03"), Calendar()).ok())
      << "31 days after the answer";
  item.answer_received_ms = Noon("2025-03-10");  // delivered a week later
  EXPECT_TRUE(Transition(item, Action::kRequestReview, Noon("2025-04-09"), Calendar()).ok());
  EXPECT_FALSE(Transition(item, Action::kRequestReview, Noon("2025-04-10"), Calendar()).ok());
  item.answer_received_ms = Noon("2025-09-01");  // the 30th day is National Day: 10-09
  EXPECT_TRUE(Transition(item, Action::kRequestReview, Noon("2025-10-09"), Calendar()).ok());
  item.answer_received_ms = 0;
  item.status = Status::kUnderReReview;
  EXPECT_EQ(*Transition(item, Action::kReviewOpinion, Noon("2025-04-10"), Calendar()),
            Status::kConcluded)
      << "复查 opinion";
  item.reviews = 1;
  EXPECT_EQ(*Transition(item, Action::kReviewOpinion, Noon("2025-05-10"), Calendar()),
            Status::kFinal)
      << "复核 opinion is final";
  item.status = Status::kConcluded;
  item.reviews = 2;
  EXPECT_FALSE(Transition(item, Action::kRequestReview, Noon("2025-05-11"), Calendar()).ok());
}

// The receiving organ may object to a transfer within 5 working days (art. 23).
TEST(Transitions, ObjectionWindowInWorkingDays) {
  ItemFacts item;
  item.status = Status::kReceived;
  item.transferred_in_ms = Noon("2025-09-26");  // Friday before National Day
  // 5 working days: 09-28 (Sun, workday), 09-29, 09-30, 10-09, 10-10.
  EXPECT_TRUE(Transition(item, Action::kObjectToTransfer, Noon("2025-10-10"), Calendar()).ok());
  EXPECT_FALSE(Transition(item, Action::kObjectToTransfer, Noon("2025-10-11"), Calendar()).ok());
  item.transferred_in_ms = 0;
  EXPECT_FALSE(Transition(item, Action::kObjectToTransfer, Noon("2025-09-27"), Calendar()).ok())
      << "not transferred in";
}

// The holidays the national rules fix for every year (全国年节及纪念日放假办法,
// 2024): in 2025 and 2026 every one of them is a holiday in the State
// Council's notices (which add bridging days and make-up workdays).
TEST(Calendar, FixedHolidaysAreInEveryNotice) {
  for (int year : {2025, 2026}) {
    const auto fixed = FixedHolidays(year);
    EXPECT_EQ(fixed.size(), 13u) << year << ": 1 + 4 + 1 + 2 + 1 + 1 + 3 days";
    for (const FixedHoliday& h : fixed)
      EXPECT_FALSE(Calendar().IsWorkingDay(h.date)) << FormatDate(h.date) << " " << h.name;
  }
  std::map<std::string, std::string> y2028;
  for (const FixedHoliday& h : FixedHolidays(2028)) y2028[FormatDate(h.date)] = h.name;
  // 2028: 春节 01-26 (除夕 01-25), 清明 04-04, 端午 05-28, 中秋 10-03 (on 国庆).
  EXPECT_EQ(y2028["2028-01-25"], "春节");
  EXPECT_EQ(y2028["2028-01-28"], "春节");
  EXPECT_EQ(y2028["2028-04-04"], "清明节");
  EXPECT_EQ(y2028["2028-05-28"], "端午节");
  EXPECT_EQ(y2028["2028-10-03"], "国庆节") << "中秋 falls on 国庆 that year";
}

// A year the file does not hold is counted provisionally: weekends and the
// fixed holidays, no make-up workdays; the file's years are not.
TEST(Calendar, UnloadedYearsAreProvisional) {
  const HolidayCalendar& c = Calendar();  // 2025 and 2026
  EXPECT_FALSE(c.IsProvisional(*ParseDate("2026-12-31")));
  EXPECT_TRUE(c.IsProvisional(*ParseDate("2027-01-04")));
  EXPECT_FALSE(c.IsWorkingDay(*ParseDate("2027-01-01"))) << "元旦";
  EXPECT_FALSE(c.IsWorkingDay(*ParseDate("2027-10-01"))) << "国庆";
  EXPECT_TRUE(c.IsWorkingDay(*ParseDate("2027-10-04")))
      << "a Monday: no bridging day without the notice";
  EXPECT_FALSE(c.IsWorkingDay(*ParseDate("2027-04-05"))) << "清明";
  // A 30-day period from 2027-09-01 ends 10-01 (国庆): 10-04, not 10-01.
  EXPECT_EQ(FormatDate(c.AddDays(*ParseDate("2027-09-01"), 30)), "2027-10-04");
}

// Calendar files are checked line by line.
// Times are read strictly: a sign, a space or a short field is an error, not a guess.
TEST(Calendar, DateTimesAreStrict) {
  EXPECT_EQ(kEarliestPlausibleMs, *ParseDateTimeMs("2000-01-01 00:00"));
  EXPECT_EQ(*ParseDateTimeMs("2026-03-05 09:30"),
            StartOfDayMs(*ParseDate("2026-03-05")) + 570 * 60 * 1000);
  EXPECT_EQ(*ParseDateTimeMs("2026-03-05"), StartOfDayMs(*ParseDate("2026-03-05")));
  for (const char* bad :
       {"2026-03-05 +9:30", "2026-03-05  9:30", "2026-03-05 09:3 ", "2026-03-05 24:00",
        "2026-03-05T09:30", "2026-3-5", "+026-03-05", "2026-02-30", "26-03-05 09:30"})
    EXPECT_FALSE(ParseDateTimeMs(bad).ok()) << bad;
  EXPECT_EQ(FormatDateTime(*ParseDateTimeMs("2026-12-31 23:59")), "2026-12-31 23:59");
}

TEST(Calendar, ParseErrorsNameTheLine) {
  EXPECT_TRUE(HolidayCalendar::Parse("year 2025\n2025-10-01 holiday 国庆\n").ok());
  const struct {
    const char* text;
    const char* line;
  } kCases[] = {
      {"2025-10-01 holiday\n", "line 1"},               // year not declared
      {"year 2025\n\n2025-02-30 holiday\n", "line 3"},  // no such date
      {"year 2025\n2025-10-01 vacation\n", "line 2"},   // unknown kind
      {"year twenty\n", "line 1"},
  };
  for (const auto& c : kCases) {
    auto r = HolidayCalendar::Parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(std::string(r.status().message()).find(c.line), std::string::npos) << r.status();
  }
}

}  // namespace
}  // namespace concord::ledger

// The ledger on a real SQLite file with a fake clock (times are passed in):
// registration, one history across a transfer, the deadline clock's warnings
// and escalations, a restart, and a simulated year.
#include "agents/ledger/ledger.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "agents/ledger/agent.h"
#include "common/config.h"
#include "tests/support/test_book.h"

namespace concord::ledger {
namespace {

constexpr int64_t kHour = kHourMs, kDay = kDayMs;

const HolidayCalendar& Calendar() {
  static const HolidayCalendar c =
      *HolidayCalendar::Load(std::string(CONCORD_SOURCE_DIR) + "/deploy/calendar/cn-holidays.txt");
  return c;
}

int64_t At(const std::string& date, int hour = 10) {
  return StartOfDayMs(*ParseDate(date)) + hour * kHour;
}

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/ledger_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    std::filesystem::remove(path_);
    Reopen();
  }
  void Reopen() {
    ledger_.reset();
    db_ = *testing::OpenTestBook(path_);
    ledger_ = *Ledger::Open(db_, Calendar(), Options());
  }
  // The district: the petition office, the procuratorate, and the organs
  // above them (who review their answers).
  static RuleOptions Options() {
    RuleOptions o;
    o.petition_office = "petition";
    o.procuratorates = {"procuratorate", "city.procuratorate"};
    o.superiors = {{"procuratorate", "city.procuratorate"},
                   {"city.procuratorate", "province.procuratorate"},
                   {"police", "city.police"},
                   {"court", "city.court"},
                   {"petition", "city.petition"}};
    return o;
  }
  PetitionInput Petition(const std::string& intake, int64_t received, bool anonymous = false) {
    PetitionInput p;
    p.agency = "procuratorate";
    p.intake_id = intake;
    p.channel = "letter";
    p.received_ms = received;
    p.petitioner = anonymous ? "" : "王某";
    p.contact = anonymous ? "" : "13800138000";
    p.anonymous = anonymous;
    p.matter = "不服不起诉决定";
    return p;
  }
  // A step's input: its note, days (extend, hearing), approver (extend) and
  // when the written answer was received (request_review).
  static ActInput Step(const std::string& note, int days, const std::string& approved_by = "",
                       int64_t answer_received_ms = 0) {
    return ActInput{.note = note,
                    .to_agency = "",
                    .department = "",
                    .handler = "",
                    .actor = {},
                    .days = days,
                    .approved_by = approved_by,
                    .answer_received_ms = answer_received_ms};
  }
  // An action's input routed to a department with its first handler.
  static ActInput Routed(const std::string& department, const std::string& handler = "李科长") {
    return ActInput{.note = "", .to_agency = "", .department = department, .handler = handler};
  }
  // (By value: a range-for over *StatusOr would outlive its temporary.)
  std::vector<Ledger::DeadlineView> DeadlinesOf(const std::string& no) {
    return *ledger_->Deadlines(no);
  }
  std::set<std::string> RulesAlerted(const std::vector<Alert>& alerts, Alert::Kind kind) {
    std::set<std::string> out;
    for (const auto& a : alerts)
      if (a.kind == kind) out.insert(a.rule);
    return out;
  }

  std::string path_;
  sql::Db db_;
  std::unique_ptr<Ledger> ledger_;
};

// The same petition sent twice is one item; numbers count per year.
TEST_F(LedgerTest, RegistrationIsIdempotentAndNumbered) {
  auto a = ledger_->Register(Petition("XF-1", At("2025-03-03")));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(*a, "信-2025-000001");
  EXPECT_EQ(*ledger_->Register(Petition("XF-1", At("2025-03-03"))), *a);
  EXPECT_EQ(*ledger_->Register(Petition("XF-2", At("2025-03-04"))), "信-2025-000002");
  EXPECT_EQ(*ledger_->Register(Petition("XF-3", At("2026-01-05"))), "信-2026-000001");
  EXPECT_EQ(ledger_->History(*a)->size(), 1u);
  PetitionInput bad = Petition("XF-4", At("2025-03-03"));
  bad.matter.clear();
  EXPECT_EQ(ledger_->Register(bad).status().code(), absl::StatusCode::kInvalidArgument);
}

// An anonymous petition starts no reply clock; only same-day registration and review.
TEST_F(LedgerTest, AnonymousPetitionOwesNoReply) {
  const std::string no = *ledger_->Register(Petition("A-1", At("2025-03-03"), /*anonymous=*/true));
  std::vector<Alert> all;
  for (int64_t t = At("2025-03-03"); t < At("2025-07-01"); t += 6 * kHour)
    for (auto& a : ledger_->Scan(t)) all.push_back(a);
  const auto rules = RulesAlerted(all, Alert::kOverdue);
  EXPECT_FALSE(rules.count("procedural_reply"));
  EXPECT_FALSE(rules.count("substantive_reply"));
  EXPECT_TRUE(rules.count("register_review")) << "same-day review is still owed";
}

// Warnings come before the deadline, once; overdue and escalation after, once each.
TEST_F(LedgerTest, WarningsThenOverdueThenEscalationOnce) {
  const std::string no = *ledger_->Register(Petition("W-1", At("2025-03-03", 9)));
  ASSERT_TRUE(ledger_->Apply(no, "procuratorate", Action::kStartReview, At("2025-03-03", 11)).ok());
  // procedural_reply due 2025-03-10 (end of day); warned 2 days before.
  EXPECT_TRUE(RulesAlerted(ledger_->Scan(At("2025-03-07")), Alert::kWarning).empty());
  EXPECT_TRUE(
      RulesAlerted(ledger_->Scan(At("2025-03-09")), Alert::kWarning).count("procedural_reply"));
  EXPECT_FALSE(
      RulesAlerted(ledger_->Scan(At("2025-03-09", 12)), Alert::kWarning).count("procedural_reply"))
      << "warned once";
  auto over = ledger_->Scan(At("2025-03-11"));
  EXPECT_TRUE(RulesAlerted(over, Alert::kOverdue).count("procedural_reply"));
  EXPECT_TRUE(
      ledger_->Scan(At("2025-03-12")).empty() ||
      !RulesAlerted(ledger_->Scan(At("2025-03-12")), Alert::kOverdue).count("procedural_reply"));
  EXPECT_TRUE(
      RulesAlerted(ledger_->Scan(At("2025-03-15")), Alert::kEscalation).count("procedural_reply"));
  // It stays visibly overdue until handled.
  auto open = *ledger_->OpenItems(At("2025-03-20"));
  ASSERT_EQ(open.size(), 1u);
  EXPECT_TRUE(open[0].overdue);
  ASSERT_TRUE(
      ledger_->Apply(no, "procuratorate", Action::kProceduralReply, At("2025-03-20"), "短信告知")
          .ok());
  open = *ledger_->OpenItems(At("2025-03-20"));
  EXPECT_FALSE(open[0].overdue) << "next: the 3-month reply";
  EXPECT_EQ(open[0].next_rule, "substantive_reply");
}

// An online petition on the first day of Spring Festival (2026-02-17) is
// due for registration and review the day the office reopens (02-24), not
// that night: no overdue mark and no escalation during the holiday.
// 人民检察院信访工作规定 (当日登记、当日审查); 民法典 art. 203 by analogy.
TEST_F(LedgerTest, SameDayRuleOnADayOffIsDueWhenTheOfficeReopens) {
  PetitionInput p = Petition("SF-1", At("2026-02-17", 9));
  p.channel = "online";
  const std::string no = *ledger_->Register(p);
  for (const char* day : {"2026-02-17", "2026-02-18", "2026-02-20", "2026-02-23"})
    for (const Alert& a : ledger_->Scan(At(day, 23)))
      EXPECT_NE(a.rule, "register_review") << day << ": " << a.text;
  auto open = *ledger_->OpenItems(At("2026-02-23", 23));
  ASSERT_EQ(open.size(), 1u);
  EXPECT_FALSE(open[0].overdue) << "the office is closed until 02-24";
  EXPECT_TRUE(
      RulesAlerted(ledger_->Scan(At("2026-02-24", 21)), Alert::kWarning).count("register_review"))
      << "warned 4 h before the end of the day it is due";
  EXPECT_TRUE(
      RulesAlerted(ledger_->Scan(At("2026-02-25", 9)), Alert::kOverdue).count("register_review"))
      << "not reviewed by the end of 02-24";
  (void)no;
}

// A transfer keeps one item and one history; the receiving agency is now
// responsible, the sender can no longer act, and the receiver's own clocks
// start at its own receipt (信访工作条例 art. 23; 件件有回复: 7 days and 3
// months from the procuratorate's own receipt).
TEST_F(LedgerTest, TransferKeepsOneHistoryAndStartsTheReceiversClock) {
  PetitionInput p = Petition("T-1", At("2025-03-03"));
  p.agency = "petition";
  const std::string no = *ledger_->Register(p);
  ASSERT_TRUE(ledger_->Apply(no, "petition", Action::kStartReview, At("2025-03-03", 11)).ok());
  EXPECT_EQ(ledger_->Apply(no, "petition", Action::kTransfer, At("2025-03-14"), "", "procuratorate")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument)
      << "a transfer explains itself to the petitioner";
  // Day 11: lawful for the petition office (15 days, art. 22).
  ASSERT_TRUE(ledger_
                  ->Apply(no, "petition", Action::kTransfer, At("2025-03-14"),
                          "属检察机关管辖，已告知信访人", "procuratorate")
                  .ok());
  EXPECT_EQ(ledger_->Apply(no, "petition", Action::kAccept, At("2025-03-15")).status().code(),
            absl::StatusCode::kPermissionDenied);
  // The procuratorate's 7 days run from its own receipt (03-14): due 03-21,
  // nothing overdue or escalated on arrival.
  std::map<std::string, std::string> due;
  for (const auto& d : DeadlinesOf(no))
    if (d.met_ms == 0) due[d.rule + "@" + d.agency] = FormatDate(DateOf(d.due_ms));
  EXPECT_EQ(due,
            (std::map<std::string, std::string>{{"register_review@procuratorate", "2025-03-14"},
                                                {"procedural_reply@procuratorate", "2025-03-21"},
                                                {"substantive_reply@procuratorate", "2025-06-16"}}))
      << "06-14 is a Saturday";
  for (const Alert& a : ledger_->Scan(At("2025-03-14", 12)))
    EXPECT_NE(a.kind, Alert::kOverdue) << a.text;
  ASSERT_TRUE(ledger_->Apply(no, "procuratorate", Action::kStartReview, At("2025-03-14", 15)).ok());
  ASSERT_TRUE(ledger_
                  ->Apply(no, "procuratorate", Action::kAccept, At("2025-03-17"),
                          Routed("控申部门", "张检察官"))
                  .ok());
  ASSERT_TRUE(
      ledger_->Apply(no, "procuratorate", Action::kProceduralReply, At("2025-03-18"), "电话告知")
          .ok());
  ASSERT_TRUE(ledger_->Apply(no, "procuratorate", Action::kStartWork, At("2025-03-19")).ok());
  ASSERT_TRUE(
      ledger_->Apply(no, "procuratorate", Action::kSubstantiveReply, At("2025-04-20"), "书面答复")
          .ok());
  ASSERT_TRUE(
      ledger_->Apply(no, "procuratorate", Action::kClose, At("2025-05-10"), "息诉罢访").ok());
  const auto h = *ledger_->History(no);
  std::vector<std::string> who;
  for (const auto& e : h) who.push_back(e.agency + ":" + e.action);
  EXPECT_EQ(who, (std::vector<std::string>{
                     "petition:register", "petition:start_review", "petition:transfer",
                     "procuratorate:start_review", "procuratorate:accept",
                     "procuratorate:procedural_reply", "procuratorate:start_work",
                     "procuratorate:substantive_reply", "procuratorate:close"}));
  // Every deadline was met or voided: nothing warns or escalates later.
  EXPECT_TRUE(ledger_->Scan(At("2025-12-31")).empty());
  EXPECT_TRUE(ledger_->OpenItems(At("2025-12-31"))->empty());
}

// Each kind of agency owes its own table: a court receiving a petition
// directly owes the written notice of art. 23 in 15 days, not the
// procuratorate's 7 days and 3 months; accepted, it owes the answer in 60
// days (art. 34). A police station receiving it by transfer from the court
// owes its own 15 days from its own receipt.
TEST_F(LedgerTest, EachAgencyKindHasItsOwnClock) {
  PetitionInput p = Petition("K-1", At("2025-03-03"));
  p.agency = "court";
  const std::string no = *ledger_->Register(p);
  auto owed = [&] {
    std::map<std::string, std::string> out;
    for (const auto& d : DeadlinesOf(no))
      if (d.met_ms == 0 && !d.lapsed) out[d.rule + "@" + d.agency] = FormatDate(DateOf(d.due_ms));
    return out;
  };
  using Due = std::map<std::string, std::string>;
  EXPECT_EQ(owed(), (Due{{"receipt_notice@court", "2025-03-18"}}));
  for (int64_t t = At("2025-03-03"); t < At("2025-03-17"); t += 6 * kHour)
    for (const Alert& a : ledger_->Scan(t))
      EXPECT_EQ(a.kind, Alert::kWarning) << "nothing is overdue within the 15 days: " << a.text;
  ASSERT_TRUE(
      ledger_->Apply(no, "court", Action::kTransfer, At("2025-03-17"), "属公安机关管辖", "police")
          .ok());
  EXPECT_EQ(owed(), (Due{{"receipt_notice@police", "2025-04-01"}}));
  ASSERT_TRUE(
      ledger_->Apply(no, "police", Action::kProceduralReply, At("2025-03-20"), "书面告知").ok());
  ASSERT_TRUE(
      ledger_->Apply(no, "police", Action::kAccept, At("2025-03-21"), Routed("信访科")).ok());
  EXPECT_EQ(owed(), (Due{{"handle_answer@police", "2025-05-20"}}));
}

// A procuratorate that let its 7 days and its 60 days pass transfers the
// item: the late transfer meets the procedural reply late (the petitioner is
// told only then), the missed 60-day answer lapses (still missed, shown, and
// counted), the 3 months not yet due are no longer owed; the court starts
// clean on its own receipt.
TEST_F(LedgerTest, MissedDeadlineStaysMissedWhenTheItemMovesOn) {
  const std::string no = *ledger_->Register(Petition("M-1", At("2025-03-03")));
  ASSERT_TRUE(ledger_->Apply(no, "procuratorate", Action::kStartReview, At("2025-03-03", 11)).ok());
  ASSERT_TRUE(
      ledger_->Apply(no, "procuratorate", Action::kAccept, At("2025-03-03", 12), Routed("控申"))
          .ok());
  EXPECT_TRUE(
      RulesAlerted(ledger_->Scan(At("2025-03-11")), Alert::kOverdue).count("procedural_reply"));
  EXPECT_TRUE(
      RulesAlerted(ledger_->Scan(At("2025-05-07")), Alert::kOverdue).count("handle_answer"));
  ASSERT_TRUE(ledger_
                  ->Apply(no, "procuratorate", Action::kTransfer, At("2025-05-08"),
                          "属法院管辖，已告知信访人", "court")
                  .ok());
  std::map<std::string, std::string> state;
  for (const auto& d : DeadlinesOf(no))
    state[d.rule] = d.lapsed              ? "lapsed"
                    : d.met_ms > d.due_ms ? "met late"
                    : d.met_ms            ? "met"
                                          : "owed by " + d.agency;
  EXPECT_EQ(state, (std::map<std::string, std::string>{{"register_review", "met"},
                                                       {"procedural_reply", "met late"},
                                                       {"handle_answer", "lapsed"},
                                                       {"receipt_notice", "owed by court"}}));
  const auto s = *ledger_->Stats("2025-03", At("2025-05-10"));
  EXPECT_EQ(s.procedural_due, 1);
  EXPECT_EQ(s.procedural_on_time, 0) << "a missed deadline stays missed";
  EXPECT_EQ(s.overdue_now, 0) << "nothing is overdue now: the court's 15 days run from 05-08";
  EXPECT_FALSE(ledger_->OpenItems(At("2025-05-10"))->at(0).overdue);
}

// A contact found unusable after registration (phone never answered, address
// unknown): no reply is owed from then on (DOMAIN.md, "no reply owed"): the
// reply clocks not yet due end, one already missed stays missed, and an
// agency it is transferred to owes no written notice.
TEST_F(LedgerTest, ContactFoundUnreachableEndsTheRepliesOwed) {
  const std::string no = *ledger_->Register(Petition("U-1", At("2025-03-03")));
  ASSERT_TRUE(ledger_->Apply(no, "procuratorate", Action::kStartReview, At("2025-03-03", 11)).ok());
  EXPECT_EQ(ledger_->Apply(no, "procuratorate", Action::kContactUnreachable, At("2025-03-05"))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument)
      << "how it was tried is recorded";
  ASSERT_TRUE(ledger_
                  ->Apply(no, "procuratorate", Action::kContactUnreachable, At("2025-03-05"),
                          "三次电话无人接听，短信无回复")
                  .ok());
  for (const auto& d : DeadlinesOf(no))
    EXPECT_TRUE(d.met_ms || d.rule == "register_review") << d.rule << " is still owed";
  for (int64_t t = At("2025-03-05"); t < At("2025-07-01"); t += 12 * kHour)
    for (const Alert& a : ledger_->Scan(t)) ADD_FAILURE() << "nothing is owed now: " << a.text;
  EXPECT_FALSE(
      ledger_->Apply(no, "procuratorate", Action::kContactUnreachable, At("2025-03-06"), "再次")
          .ok())
      << "already without a usable contact";
  ASSERT_TRUE(
      ledger_
          ->Apply(no, "procuratorate", Action::kTransfer, At("2025-03-06"), "属法院管辖", "court")
          .ok());
  for (const auto& d : DeadlinesOf(no)) EXPECT_NE(d.rule, "receipt_notice") << "no notice owed";
  // Missed first, then found unreachable: the miss stays.
  const std::string late = *ledger_->Register(Petition("U-2", At("2025-03-03")));
  ASSERT_TRUE(
      ledger_->Apply(late, "procuratorate", Action::kStartReview, At("2025-03-03", 11)).ok());
  ASSERT_TRUE(
      ledger_->Apply(late, "procuratorate", Action::kContactUnreachable, At("2025-03-12"), "空号")
          .ok());
  bool lapsed = false;
  for (const auto& d : DeadlinesOf(late))
    if (d.rule == "procedural_reply") lapsed = d.lapsed;
  EXPECT_TRUE(lapsed) << "the 7 days passed on 03-10, before the contact was found unusable";
}

// 信访工作条例 art. 19 (as DOMAIN.md reads it): while an organ below handles
// a matter within its time limit, its superior does not accept the same
// matter: the petition there is registered as not accepted, with the reason,
// and only the reply telling the petitioner is owed. Once the time limit
// below has passed, the superior registers it for handling.
TEST_F(LedgerTest, SuperiorDoesNotAcceptAMatterPendingBelow) {
  const std::string a = *ledger_->Register(Petition("P19-1", At("2025-03-03")));
  ASSERT_TRUE(
      ledger_->Apply(a, "procuratorate", Action::kAccept, At("2025-03-03", 12), Routed("控申"))
          .ok());
  ASSERT_TRUE(
      ledger_->Apply(a, "procuratorate", Action::kProceduralReply, At("2025-03-04"), "短信").ok());
  PetitionInput up = Petition("SJ-1", At("2025-03-20"));
  up.agency = "city.procuratorate";
  const std::string b = *ledger_->Register(up);
  const auto hb = *ledger_->History(b);
  EXPECT_EQ(hb[0].to_status, "not_accepted");
  EXPECT_NE(hb[0].note.find("第十九条"), std::string::npos) << hb[0].note;
  std::set<std::string> owed;
  for (const auto& d : DeadlinesOf(b)) owed.insert(d.rule);
  EXPECT_EQ(owed, std::set<std::string>{"procedural_reply"}) << "only telling the petitioner";
  // At an agency that is not above the one handling it: a repeat, linked, not refused.
  PetitionInput again = Petition("P19-2", At("2025-03-21"));
  again.agency = "police";  // (not below the city procuratorate)
  const std::string same = *ledger_->Register(again);
  EXPECT_EQ(ledger_->History(same)->at(0).to_status, "received");
  ASSERT_TRUE(
      ledger_->Apply(same, "police", Action::kProceduralReply, At("2025-03-22"), "告知").ok());
  ASSERT_TRUE(
      ledger_->Apply(same, "police", Action::kNotAccept, At("2025-03-22"), "不属本机关").ok());
  // After the 60 days below have passed unanswered (05-06), the superior accepts it.
  PetitionInput later = Petition("SJ-2", At("2025-05-12"));
  later.agency = "city.procuratorate";
  const std::string c = *ledger_->Register(later);
  EXPECT_EQ(ledger_->History(c)->at(0).to_status, "received") << ledger_->History(c)->at(0).note;
}

// 信访工作条例 art. 20: a group petition's representatives (at most 5) are
// kept with the item and shown; six are refused with the article.
TEST_F(LedgerTest, GroupRepresentativesAreKept) {
  PetitionInput p = Petition("GR-1", At("2025-03-03"));
  p.people = 30;
  p.representatives = {"孙某", "钱某", "李某"};
  const std::string no = *ledger_->Register(p);
  auto r = ledger_->Read(no, Reader{.agency = "procuratorate"}, At("2025-03-03", 11));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->item.representatives, "孙某、钱某、李某");
  EXPECT_NE(r->history[0].note.find("代表：孙某、钱某、李某"), std::string::npos);
  p.intake_id = "GR-2";
  p.representatives = {"甲", "乙", "丙", "丁", "戊", "己"};
  auto six = ledger_->Register(p);
  ASSERT_EQ(six.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(six.status().message().find("第二十条"), std::string_view::npos);
}

// A deadline in a year the calendar file does not hold (2027 here) is
// counted on the fixed national holidays, shown and warned as provisional;
// when the year's notice is added, the running deadlines are counted again
// (a later one is warned again), and one already reported overdue is not
// moved (a deadline once missed stays missed). The 2027 lines below are a
// notice made up for the test.
TEST_F(LedgerTest, UnloadedYearIsProvisionalAndRecountedWhenItsNoticeComes) {
  const std::string a = *ledger_->Register(Petition("Y27-1", At("2026-12-10")));
  PetitionInput pb = Petition("Y27-2", At("2026-12-25"));
  pb.contact = "13900000027";
  pb.matter = "另一事项";
  const std::string b = *ledger_->Register(pb);
  ASSERT_TRUE(ledger_->Apply(a, "procuratorate", Action::kStartReview, At("2026-12-10", 11)).ok());
  ASSERT_TRUE(ledger_->Apply(b, "procuratorate", Action::kStartReview, At("2026-12-25", 11)).ok());
  std::map<std::string, std::pair<std::string, bool>> due;  // rule -> date, provisional
  for (const auto& d : DeadlinesOf(a))
    if (!d.met_ms) due[d.rule] = {FormatDate(DateOf(d.due_ms)), d.provisional};
  EXPECT_EQ(due["procedural_reply"], std::make_pair(std::string("2026-12-17"), false));
  EXPECT_EQ(due["substantive_reply"], std::make_pair(std::string("2027-03-10"), true));
  // b's 7 days end 2027-01-01 (元旦, fixed by the national rules): 01-04.
  bool reported = false;
  for (const Alert& al : ledger_->Scan(At("2027-01-05")))
    if (al.ledger_no == b && al.kind == Alert::kOverdue) {
      reported = true;
      EXPECT_NE(al.text.find("暂计"), std::string::npos) << al.text;
      EXPECT_NE(al.text.find("2027-01-04"), std::string::npos) << al.text;
    }
  EXPECT_TRUE(reported);
  bool warned = false;
  for (const Alert& al : ledger_->Scan(At("2027-03-05")))
    if (al.ledger_no == a && al.rule == "substantive_reply" && al.kind == Alert::kWarning)
      warned = al.text.find("暂计") != std::string::npos;
  EXPECT_TRUE(warned) << "the warning says the date is provisional";

  // The 2027 notice arrives (made up): 01-04 and 03-10 are days off.
  std::ifstream in(std::string(CONCORD_SOURCE_DIR) + "/deploy/calendar/cn-holidays.txt");
  std::stringstream text;
  text << in.rdbuf() << "year 2027\n2027-01-04 holiday 测试\n2027-03-10 holiday 测试\n";
  auto with2027 = HolidayCalendar::Parse(text.str());
  ASSERT_TRUE(with2027.ok()) << with2027.status();
  auto moved = ledger_->Recount(*with2027, At("2027-01-06"));
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(*moved, 1) << "a's 3 months; b's reported miss stays";
  for (const auto& d : DeadlinesOf(a))
    if (d.rule == "substantive_reply") {
      EXPECT_EQ(FormatDate(DateOf(d.due_ms)), "2027-03-11");
      EXPECT_FALSE(d.provisional);
    }
  for (const auto& d : DeadlinesOf(b)) {
    if (d.rule == "procedural_reply") {
      EXPECT_EQ(FormatDate(DateOf(d.due_ms)), "2027-01-04");
    }
  }
  warned = false;
  for (const Alert& al : ledger_->Scan(At("2027-03-10", 12)))
    if (al.ledger_no == a && al.rule == "substantive_reply" && al.kind == Alert::kWarning)
      warned = al.text.find("2027-03-11") != std::string::npos;
  EXPECT_TRUE(warned) << "warned again for the later date";
}

// Found in review: each agency's 60 days carry their own one extension (a
// receiver may extend after the sender did); a hearing after the opinion
// was due does not reopen the missed deadline; review is offered while a
// receipt of the answer could still be in time (the form asks its date).
TEST_F(LedgerTest, ExtensionsHearingsAndReviewOfferEachByTheirOwnClock) {
  PetitionInput p = Petition("X-1", At("2025-03-03"));
  p.agency = "court";
  const std::string no = *ledger_->Register(p);
  ASSERT_TRUE(
      ledger_->Apply(no, "court", Action::kAccept, At("2025-03-04"), Routed("立案庭")).ok());
  ASSERT_TRUE(
      ledger_->Apply(no, "court", Action::kExtend, At("2025-03-10"), Step("复杂", 10, "庭长"))
          .ok());
  ASSERT_TRUE(
      ledger_->Apply(no, "court", Action::kTransfer, At("2025-03-11"), "属公安管辖", "police")
          .ok());
  ASSERT_TRUE(
      ledger_->Apply(no, "police", Action::kAccept, At("2025-03-12"), Routed("信访科")).ok());
  EXPECT_TRUE(
      ledger_->Apply(no, "police", Action::kExtend, At("2025-04-01"), Step("复杂", 5, "局长")).ok())
      << "the police's own 60 days, its own extension";
  ASSERT_TRUE(
      ledger_->Apply(no, "police", Action::kSubstantiveReply, At("2025-04-02"), "书面答复").ok());
  // 36 days after the answer: offered (the receipt may be later), and accepted
  // with a receipt date 10 days after the answer.
  const int64_t late = At("2025-05-08");
  const std::vector<Action> offered = *ledger_->AllowedActions(no, "police", late);
  EXPECT_NE(std::find(offered.begin(), offered.end(), Action::kRequestReview), offered.end());
  ASSERT_TRUE(
      ledger_
          ->Apply(no, "police", Action::kRequestReview, late, Step("不服", 0, "", At("2025-04-12")))
          .ok());
  // The city police's opinion was due 06-09; a hearing on 06-12 is refused.
  auto hearing =
      ledger_->Apply(no, "city.police", Action::kHearing, At("2025-06-12"), Step("听证", 5));
  ASSERT_EQ(hearing.status().code(), absl::StatusCode::kFailedPrecondition) << hearing.status();
  EXPECT_NE(hearing.status().message().find("到期"), std::string_view::npos);
}

// Art. 19 again: once the organ below has missed a deadline (here its notice,
// given late), the matter is no longer "within its time limit": the organ
// above registers it for handling.
TEST_F(LedgerTest, SuperiorAcceptsOnceTheOrganBelowMissedADeadline) {
  PetitionInput below = Petition("B19-1", At("2025-03-03"));
  below.agency = "police";
  const std::string a = *ledger_->Register(below);
  ASSERT_TRUE(
      ledger_->Apply(a, "police", Action::kProceduralReply, At("2025-03-25"), "迟告知").ok());
  ASSERT_TRUE(
      ledger_->Apply(a, "police", Action::kAccept, At("2025-03-25"), Routed("信访科")).ok());
  PetitionInput up = Petition("B19-2", At("2025-04-01"));
  up.agency = "city.police";
  const std::string b = *ledger_->Register(up);
  EXPECT_EQ(ledger_->History(b)->at(0).to_status, "received") << ledger_->History(b)->at(0).note;
}

// [ledger] names the procuratorates and the organ above each agency; a
// superior that is the agency itself, or a chain that comes back, is refused
// when the agent starts (a review would go round in circles).
TEST(LedgerConfig, SuperiorsAndKinds) {
  auto load = [](const std::string& extra) {
    auto file = ConfigFile::Parse(
        "[ledger]\ncalendar = \"cal.txt\"\npetition_office = \"d.xfj\"\n"
        "procuratorates = [\"d.jcy\", \"d.shi-jcy\"]\n" +
            extra,
        "ledger.toml");
    EXPECT_TRUE(file.ok()) << file.status();
    return LoadAgentConfig((*file)["ledger"]);
  };
  auto ok = load("[ledger.superiors]\n\"d.jcy\" = \"d.shi-jcy\"\n");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->rules.KindOf("d.shi-jcy"), AgencyKind::kProcuratorate);
  EXPECT_EQ(ok->rules.KindOf("d.xfj"), AgencyKind::kPetitionOffice);
  EXPECT_EQ(ok->rules.KindOf("d.fy"), AgencyKind::kOther);
  EXPECT_EQ(ok->rules.SuperiorOf("d.jcy"), "d.shi-jcy");
  EXPECT_EQ(ok->rules.SuperiorOf("d.shi-jcy"), "");
  auto self = load("[ledger.superiors]\n\"d.jcy\" = \"d.jcy\"\n");
  EXPECT_EQ(self.status().code(), absl::StatusCode::kInvalidArgument);
  auto cycle = load("[ledger.superiors]\n\"d.a\" = \"d.b\"\n\"d.b\" = \"d.a\"\n");
  ASSERT_EQ(cycle.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(cycle.status().message().find("成环"), std::string_view::npos) << cycle.status();
}

// 信访工作条例 art. 34: an extension is asked before the 60 days end,
// approved by the agency's head, for the days given (at most 30), with its
// reason told to the petitioner; once only.
TEST_F(LedgerTest, ExtensionMovesTheAnswerDeadlineByTheDaysGranted) {
  const std::string no = *ledger_->Register(Petition("E-1", At("2025-03-03")));
  ASSERT_TRUE(
      ledger_->Apply(no, "procuratorate", Action::kAccept, At("2025-03-03", 12), Routed("信访科"))
          .ok());
  ASSERT_TRUE(
      ledger_->Apply(no, "procuratorate", Action::kProceduralReply, At("2025-03-04"), "短信").ok());
  ASSERT_TRUE(
      ledger_->Apply(no, "procuratorate", Action::kProgressReply, At("2025-04-20"), "阶段性答复")
          .ok());
  auto extend = [&](int64_t at, int days, const std::string& approver) {
    return ledger_->Apply(no, "procuratorate", Action::kExtend, at,
                          Step("案情复杂，需调取外地材料", days, approver, 0));
  };
  EXPECT_EQ(extend(At("2025-04-25"), 31, "刘检察长").status().code(),
            absl::StatusCode::kInvalidArgument)
      << "at most 30 days";
  EXPECT_EQ(extend(At("2025-04-25"), 20, "").status().code(), absl::StatusCode::kInvalidArgument)
      << "approved by the head";
  ASSERT_TRUE(extend(At("2025-04-25"), 20, "刘检察长").ok());
  EXPECT_NE(ledger_->History(no)->back().note.find("经 刘检察长 批准"), std::string::npos);
  // 60 days end 05-02 (Labour Day) -> 05-06; 20 more from there: 05-26.
  EXPECT_FALSE(
      RulesAlerted(ledger_->Scan(At("2025-05-26")), Alert::kOverdue).count("handle_answer"));
  EXPECT_TRUE(
      RulesAlerted(ledger_->Scan(At("2025-05-27")), Alert::kOverdue).count("handle_answer"));
  EXPECT_FALSE(extend(At("2025-05-21"), 5, "刘检察长").ok()) << "once only";
}

// The issue's case: a 60-day answer overdue since 05-06, warned and
// reported, "extended" on 05-20. The extension is refused; the item stays
// overdue and the escalation comes; the statistics count it missed.
TEST_F(LedgerTest, ExtensionAfterTheDeadlineIsRefusedAndTheMissStays) {
  PetitionInput p = Petition("E-2", At("2025-03-03"));
  p.agency = "police";
  const std::string no = *ledger_->Register(p);
  ASSERT_TRUE(
      ledger_->Apply(no, "police", Action::kProceduralReply, At("2025-03-04"), "书面告知").ok());
  ASSERT_TRUE(
      ledger_->Apply(no, "police", Action::kAccept, At("2025-03-03", 12), Routed("信访科")).ok());
  std::vector<Alert> alerts;
  for (int64_t t = At("2025-05-01"); t <= At("2025-05-09"); t += 6 * kHour)
    for (auto& a : ledger_->Scan(t)) alerts.push_back(a);
  EXPECT_TRUE(RulesAlerted(alerts, Alert::kWarning).count("handle_answer"));
  EXPECT_TRUE(RulesAlerted(alerts, Alert::kOverdue).count("handle_answer"));
  auto late = ledger_->Apply(no, "police", Action::kExtend, At("2025-05-20"),
                             Step("案情复杂", 30, "局长", 0));
  ASSERT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(late.status().message().find("第三十四条"), std::string_view::npos) << late.status();
  EXPECT_TRUE(ledger_->OpenItems(At("2025-05-20"))->at(0).overdue);
  EXPECT_TRUE(ledger_->AllowedActions(no, "police", At("2025-05-20")).ok());
  const std::vector<Action> allowed = *ledger_->AllowedActions(no, "police", At("2025-05-20"));
  for (Action a : allowed)
    EXPECT_NE(a, Action::kExtend) << "the console offers no extension after the deadline";
  ASSERT_TRUE(
      ledger_->Apply(no, "police", Action::kSubstantiveReply, At("2025-05-25"), "书面答复").ok());
  bool late_met = false;
  for (const auto& d : DeadlinesOf(no))
    if (d.rule == "handle_answer") late_met = d.met_ms > d.due_ms;
  EXPECT_TRUE(late_met) << "answered on 05-25, after its due date 05-06";
}

// 信访工作条例 arts. 35-36: review (复查) by the organ one level above the
// one that answered, asked within 30 days of receiving the written answer,
// its opinion due in 30 days (a hearing's days not counted); re-review (复核)
// by the organ above the reviewer; then final.
TEST_F(LedgerTest, ReviewGoesUpToTheSuperiorOrgans) {
  const std::string no = *ledger_->Register(Petition("V-1", At("2025-03-03")));
  for (Action act : {Action::kAccept, Action::kProceduralReply, Action::kSubstantiveReply})
    ASSERT_TRUE(ledger_->Apply(no, "procuratorate", act, At("2025-03-10"), Routed("办理")).ok());
  auto request = [&](const std::string& by, int64_t at, int64_t received) {
    return ledger_->Apply(no, by, Action::kRequestReview, at, Step("不服答复", 0, "", received));
  };
  EXPECT_EQ(request("court", At("2025-03-20"), 0).status().code(),
            absl::StatusCode::kPermissionDenied)
      << "only the answering agency or its superior";
  // Received the written answer on 03-14: 30 days to 04-13 (a Sunday) -> 04-14.
  EXPECT_FALSE(request("city.procuratorate", At("2025-04-15"), At("2025-03-14")).ok());
  EXPECT_EQ(request("city.procuratorate", At("2025-04-14"), At("2025-04-15")).status().code(),
            absl::StatusCode::kInvalidArgument)
      << "received after the request: impossible";
  // The superior reads the item it is asked about (by its number).
  EXPECT_TRUE(ledger_->Read(no, Reader{.agency = "city.procuratorate"}, At("2025-04-14")).ok());
  EXPECT_FALSE(ledger_->Read(no, Reader{.agency = "city.police"}, At("2025-04-14")).ok());
  ASSERT_TRUE(request("city.procuratorate", At("2025-04-14"), At("2025-03-14")).ok());
  EXPECT_EQ(*ledger_->Responsible(no), "city.procuratorate");
  EXPECT_EQ(ledger_->Apply(no, "procuratorate", Action::kReviewOpinion, At("2025-04-20"), "维持")
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied)
      << "the answering agency does not review itself";
  // A 5-day hearing: the opinion is due 30 + 5 days after 04-14.
  ASSERT_TRUE(ledger_
                  ->Apply(no, "city.procuratorate", Action::kHearing, At("2025-04-20"),
                          Step("公开听证", 5, "", 0))
                  .ok());
  std::string due;
  for (const auto& d : DeadlinesOf(no))
    if (d.rule == "review_opinion") due = d.agency + " " + FormatDate(DateOf(d.due_ms));
  EXPECT_EQ(due, "city.procuratorate 2025-05-19");
  ASSERT_TRUE(
      ledger_->Apply(no, "city.procuratorate", Action::kReviewOpinion, At("2025-05-15"), "维持")
          .ok());
  // Re-review: asked of the reviewer's superior, here by the reviewer forwarding it.
  ASSERT_TRUE(request("city.procuratorate", At("2025-05-20"), 0).ok());
  EXPECT_EQ(*ledger_->Responsible(no), "province.procuratorate");
  EXPECT_EQ(*ledger_->Apply(no, "province.procuratorate", Action::kReviewOpinion, At("2025-06-10"),
                            "维持"),
            Status::kFinal);
  EXPECT_FALSE(request("province.procuratorate", At("2025-06-11"), 0).ok()) << "final (art. 36)";
  // Every organ's clock was met: nothing overdue later.
  EXPECT_TRUE(ledger_->OpenItems(At("2025-12-31"))->empty());
}

// An agency whose superior is not configured cannot forward a review: the
// refusal names the setting.
TEST_F(LedgerTest, ReviewWithoutASuperiorNamesTheSetting) {
  PetitionInput p = Petition("V-2", At("2025-03-03"));
  p.agency = "justice";
  const std::string no = *ledger_->Register(p);
  for (Action act : {Action::kAccept, Action::kProceduralReply, Action::kSubstantiveReply})
    ASSERT_TRUE(ledger_->Apply(no, "justice", act, At("2025-03-10"), Routed("法律援助科")).ok());
  auto r = ledger_->Apply(no, "justice", Action::kRequestReview, At("2025-03-20"), "不服");
  ASSERT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("ledger.superiors"), std::string_view::npos) << r.status();
}

// A restart (the database reopened) loses no timer and repeats no alert.
TEST_F(LedgerTest, RestartKeepsTimersAndSentMarks) {
  const std::string no = *ledger_->Register(Petition("R-1", At("2025-03-03")));
  ASSERT_TRUE(ledger_->Apply(no, "procuratorate", Action::kStartReview, At("2025-03-03", 11)).ok());
  ASSERT_FALSE(ledger_->Scan(At("2025-03-09")).empty());  // the procedural-reply warning
  Reopen();
  EXPECT_TRUE(ledger_->Scan(At("2025-03-09", 12)).empty()) << "not warned twice";
  EXPECT_TRUE(
      RulesAlerted(ledger_->Scan(At("2025-03-11")), Alert::kOverdue).count("procedural_reply"));
}

// A repeat petition (same petitioner, same matter, written differently) is
// linked to the earlier item; after a final re-review it is not accepted (art. 36).
TEST_F(LedgerTest, RepeatPetitionsAreLinked) {
  const std::string a = *ledger_->Register(Petition("P-1", At("2025-03-03")));
  PetitionInput again = Petition("P-2", At("2025-03-20"));
  again.petitioner = "王 某";           // spacing differs
  again.contact = "+86 138-0013-8000";  // phone written differently
  const std::string b = *ledger_->Register(again);
  EXPECT_NE(b, a) << "a new item, linked";
  const auto hb = *ledger_->History(b);
  EXPECT_NE(hb[0].note.find("关联 " + a), std::string::npos) << hb[0].note;
  EXPECT_NE(hb[0].note.find("第十九条"), std::string::npos)
      << "the earlier one is still being handled";
  PetitionInput other = Petition("P-3", At("2025-03-21"));
  other.contact = "13900000000";
  other.matter = "另一事项";
  EXPECT_EQ(ledger_->History(*ledger_->Register(other))->at(0).note.find("关联"), std::string::npos)
      << "same name, other contact and matter: another person or matter";

  // Walk the first to a final re-review, then the same matter comes again.
  // (Review by the city's procuratorate, re-review by the province's.)
  const int64_t t = At("2025-03-04");
  const std::pair<const char*, Action> kWalk[] = {
      {"procuratorate", Action::kAccept},
      {"procuratorate", Action::kProceduralReply},
      {"procuratorate", Action::kSubstantiveReply},
      {"procuratorate", Action::kRequestReview},
      {"city.procuratorate", Action::kReviewOpinion},
      {"city.procuratorate", Action::kRequestReview},
      {"province.procuratorate", Action::kReviewOpinion}};
  for (const auto& [by, act] : kWalk)
    ASSERT_TRUE(ledger_->Apply(a, by, act, t, Routed("办理")).ok()) << ActionName(act);
  const std::string c = *ledger_->Register(Petition("P-4", At("2025-06-01")));
  const auto hc = *ledger_->History(c);
  EXPECT_EQ(hc[0].to_status, "not_accepted");
  EXPECT_NE(hc[0].note.find("第三十六条"), std::string::npos) << hc[0].note;
  EXPECT_EQ(ledger_->Stats("2025-03", At("2025-07-01"))->repeat, 1);
}

// The month's statistics: received by channel, group and anonymous petitions,
// the 7-day and 3-month reply rates as of a date, transfers, closures, overdue.
TEST_F(LedgerTest, MonthlyStatistics) {
  auto reg = [&](const std::string& id, const std::string& channel, int64_t at, int people = 1,
                 bool anonymous = false) {
    PetitionInput p = Petition(id, at, anonymous);
    p.channel = channel;
    p.people = people;
    return *ledger_->Register(p);
  };
  const std::string a = reg("S-1", "letter", At("2025-03-03"));
  const std::string b = reg("S-2", "visit", At("2025-03-04"), 6);
  reg("S-3", "online", At("2025-03-05"), 1, /*anonymous=*/true);
  reg("S-4", "letter", At("2025-04-01"));  // another month
  ASSERT_TRUE(
      ledger_->Apply(a, "procuratorate", Action::kAccept, At("2025-03-03", 12), Routed("科室"))
          .ok());
  ASSERT_TRUE(
      ledger_->Apply(a, "procuratorate", Action::kProceduralReply, At("2025-03-05"), "短信").ok());
  ASSERT_TRUE(
      ledger_->Apply(a, "procuratorate", Action::kSubstantiveReply, At("2025-04-20"), "答复").ok());
  ASSERT_TRUE(ledger_->Apply(a, "procuratorate", Action::kClose, At("2025-04-25"), "息诉").ok());
  ASSERT_TRUE(
      ledger_->Apply(b, "procuratorate", Action::kTransfer, At("2025-03-06"), "移送法院", "court")
          .ok());
  const auto s = ledger_->Stats("2025-03", At("2025-07-01"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->received, 3);
  EXPECT_EQ(s->channels.at("letter"), 1);
  EXPECT_EQ(s->group, 1);
  EXPECT_EQ(s->anonymous, 1);
  EXPECT_EQ(s->transferred, 1);
  EXPECT_EQ(s->closed, 0) << "closed in April";
  EXPECT_EQ(ledger_->Stats("2025-04", At("2025-07-01"))->closed, 1);
  EXPECT_EQ(s->procedural_due, 2) << "the anonymous petition owes none";
  EXPECT_EQ(s->procedural_on_time, 2) << "b's transfer told the petitioner where it went";
  EXPECT_EQ(s->substantive_due, 1) << "b's 3 months ended with its transfer, before they were due";
  EXPECT_EQ(s->substantive_on_time, 1);
  EXPECT_EQ(s->overdue_now, 2)
      << "the court's written notice on b (15 days from 03-06), and the same-day review the "
         "anonymous S-3 still owed";
  EXPECT_FALSE(ledger_->Stats("2025-13", At("2025-07-01")).ok());
}

// A simulated year of 3,000 petitions, scanned every 3 hours: every deadline
// that passed unmet was warned before it and reported overdue after it, and
// every met deadline was met before or after its warning, never silently.
TEST_F(LedgerTest, SimulatedYearNothingSilentlyOverdue) {
  std::mt19937_64 rng(7);
  const int64_t start = At("2025-01-02", 9), end = At("2025-12-31", 18);
  struct Item {
    std::string no;
    int64_t next_act_ms;
    int step = 0;
    bool slow;
  };
  std::vector<Item> items;
  std::map<std::string, int64_t> warned, overdue;  // "no|rule" -> when
  int registered = 0;
  auto key = [](const Alert& a) { return a.ledger_no + "|" + a.rule; };
  for (int64_t t = start; t < end; t += 3 * kHour) {
    // The clock runs first: a deadline passed since the last scan is reported
    // before a clerk can meet it late in the same instant.
    for (const auto& a : ledger_->Scan(t)) {
      if (a.kind == Alert::kWarning) {
        EXPECT_TRUE(warned.emplace(key(a), t).second) << "warned twice: " << key(a);
        EXPECT_LE(t, a.due_ms) << "a warning after the deadline: " << key(a);
      } else if (a.kind == Alert::kOverdue) {
        EXPECT_TRUE(overdue.emplace(key(a), t).second) << "overdue twice: " << key(a);
        EXPECT_GT(t, a.due_ms);
      }
    }
    // About 13 petitions a working day.
    const int arrivals =
        Calendar().IsWorkingDay(DateOf(t)) && DateOf(t) != DateOf(t - 3 * kHour) ? 13 : 0;
    for (int i = 0; i < arrivals && registered < 3000; ++i) {
      PetitionInput p = Petition("Y-" + std::to_string(registered++), t, rng() % 20 == 0);
      p.people = rng() % 25 == 0 ? 6 : 1;
      auto no = ledger_->Register(p);
      ASSERT_TRUE(no.ok()) << no.status();
      items.push_back({*no, t + static_cast<int64_t>(rng() % 6) * kHour, 0, rng() % 10 == 0});
    }
    // Clerks work: one step at a time; one item in ten is slow (misses dates).
    static const Action kPath[] = {Action::kStartReview,      Action::kAccept,
                                   Action::kProceduralReply,  Action::kStartWork,
                                   Action::kSubstantiveReply, Action::kClose};
    for (auto& it : items) {
      if (it.step >= 6 || it.next_act_ms > t) continue;
      auto r = ledger_->Apply(it.no, "procuratorate", kPath[it.step], t, Routed("办理"));
      ASSERT_TRUE(r.ok()) << it.no << " " << ActionName(kPath[it.step]) << ": " << r.status();
      ++it.step;
      const int64_t gap = it.step == 4 ? 30 * kDay : kDay;  // the substantive work takes a month
      it.next_act_ms = t + (it.slow ? 4 * gap : gap / 2) + static_cast<int64_t>(rng() % 8) * kHour;
    }
  }
  EXPECT_EQ(registered, 3000);
  // Every deadline that passed unmet: warned before, reported overdue after.
  auto st = db_.Prepare(
      "SELECT ledger_no, rule, due_ms, met_ms FROM deadlines WHERE void=0 AND due_ms < ? AND "
      "(met_ms = 0 OR met_ms > due_ms)");
  st->Bind(1, end - kDay);
  int late = 0;
  while (*st->Step()) {
    ++late;
    const std::string k = st->Text(0) + "|" + st->Text(1);
    EXPECT_TRUE(warned.count(k)) << "never warned: " << k;
    EXPECT_TRUE(overdue.count(k)) << "silently overdue: " << k;
  }
  EXPECT_GT(late, 0) << "the slow clerks must have missed some dates";
}

// A simulated year on the real calendar across every agency kind (issue 14):
// petitions registered at the petition office, the procuratorate, the court
// and the police; the office transfers within its 15 days (now and then
// late), the others answer, extend before the deadline (or try after it, and
// are refused; or find late that it is another organ's and transfer it), and
// one answer in four is contested before the organ above.
// Clerks work office hours (09:00-15:00 ticks); the clock scans every 3 hours.
// Checked: each agency owed only its kind's clocks, the receiver's started at
// its own receipt, every review went to the superior, every missed deadline
// was warned and reported overdue before it lapsed, none silently; the year
// runs into 2027, which the calendar file does not hold: every alert on a
// deadline there says it is provisional, and no other does.
TEST_F(LedgerTest, SimulatedYearAcrossAgencyKinds) {
  std::mt19937_64 rng(14);
  // From March 2026 into 2027, a year the calendar file does not hold: its
  // deadlines are counted provisionally and their alerts say so.
  const int64_t start = At("2026-03-02", 0), end = At("2027-03-01", 0);
  const std::vector<std::string> kAgencies = {"petition", "procuratorate", "court", "police"};
  auto pick = [&](const std::vector<std::string>& from) { return from[rng() % from.size()]; };
  struct Item {
    std::string no, at;  // the agency responsible now
    int step = 0;
    int64_t next_ms = 0;
    bool slow = false, contest = false;
  };
  std::vector<Item> items;
  std::map<std::string, int64_t> warned, overdue;  // "no|rule|due" -> when
  int registered = 0, late_extensions_refused = 0, extensions = 0, reviews = 0, provisional = 0;
  auto key = [](const Alert& a) {
    return a.ledger_no + "|" + a.rule + "|" + std::to_string(a.due_ms);
  };
  auto act = [&](Item& it, Action a, int64_t t, ActInput in = {}) {
    if (in.note.empty()) in.note = "办理";
    if (in.handler.empty()) in.handler = "承办人";
    return ledger_->Apply(it.no, it.at, a, t, in);
  };
  for (int64_t t = start; t < end; t += 3 * kHour) {
    for (const auto& a : ledger_->Scan(t)) {
      const bool in_2027 = DateOf(a.due_ms).year() == std::chrono::year{2027};
      EXPECT_EQ(a.text.find("暂计") != std::string::npos, in_2027) << a.text;
      provisional += in_2027;
      if (a.kind == Alert::kWarning) {
        EXPECT_TRUE(warned.emplace(key(a), t).second) << "warned twice: " << key(a);
        EXPECT_LE(t, a.due_ms) << key(a);
      } else if (a.kind == Alert::kOverdue) {
        EXPECT_TRUE(overdue.emplace(key(a), t).second) << "overdue twice: " << key(a);
        EXPECT_GT(t, a.due_ms) << key(a);
      }
    }
    const int hour = static_cast<int>((t - StartOfDayMs(DateOf(t))) / kHour);
    if (hour < 9 || hour > 15) continue;  // office hours
    if (hour == 9 && Calendar().IsWorkingDay(DateOf(t)))
      for (int i = 0; i < 4; ++i) {
        PetitionInput p = Petition("S-" + std::to_string(registered++), t, rng() % 25 == 0);
        p.agency = pick(kAgencies);
        p.contact = "1390000" + std::to_string(1000 + registered);  // each petitioner their own
        auto no = ledger_->Register(p);
        ASSERT_TRUE(no.ok()) << no.status();
        Item it{
            *no,           p.agency, 0, t + static_cast<int64_t>(rng() % 3) * kHour, rng() % 8 == 0,
            rng() % 4 == 0};
        if (p.agency == "petition")  // lawful: day 1-14; a slow office, day 20
          it.next_ms = t + (it.slow ? 20 : 1 + static_cast<int64_t>(rng() % 14)) * kDay;
        items.push_back(it);
      }
    for (Item& it : items) {
      if (it.step < 0 || it.next_ms > t) continue;
      const int64_t day = kDay;
      int64_t gap = day;
      if (it.at == "petition" && it.step == 0) {  // the office transfers (day 1-14; slow: day 20)
        const std::string to = pick({"procuratorate", "court", "police"});
        auto r =
            ledger_->Apply(it.no, it.at, Action::kTransfer, t, "转有权处理机关，已告知信访人", to);
        ASSERT_TRUE(r.ok()) << it.no << ": " << r.status();
        it.at = to;
        gap = day / 3;
      } else {
        switch (it.step) {
          case 0:  // review and accept (the procuratorate the same day)
            ASSERT_TRUE(act(it, Action::kAccept, t).ok()) << it.no;
            break;
          case 1:  // the procedural reply or written notice (one clerk in ten forgets it)
            if (rng() % 10 != 0) {
              ASSERT_TRUE(act(it, Action::kProceduralReply, t).ok()) << it.no;
            }
            gap = 40 * day;
            break;
          case 2: {  // an extension: before the 60 days end it is granted, after, refused
            if (it.slow && rng() % 3 == 0) {
              // Found at last to be another organ's: transferred after its 60 days
              // passed (the missed answer lapses here, the receiver starts afresh).
              std::string to = it.at;
              while (to == it.at) to = pick({"procuratorate", "court", "police"});
              ASSERT_TRUE(
                  ledger_->Apply(it.no, it.at, Action::kTransfer, t, "属他机关管辖，已告知", to)
                      .ok());
              it.at = to;
              it.step = 0;
              it.next_ms = t + day / 3;
              continue;
            }
            auto r = act(it, Action::kExtend, t,
                         Step("案情复杂", 1 + static_cast<int>(rng() % 30), "负责人", 0));
            if (r.ok()) {
              ++extensions;
            } else {
              ASSERT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << r.status();
              ++late_extensions_refused;
            }
            gap = 15 * day;
            break;
          }
          case 3:  // the answer
            ASSERT_TRUE(act(it, Action::kSubstantiveReply, t).ok()) << it.no;
            gap = 5 * day;
            break;
          case 4:  // contested before the organ above, or closed
            if (it.contest) {
              const std::string up = Options().SuperiorOf(it.at);
              ASSERT_FALSE(up.empty()) << it.at;
              ASSERT_TRUE(ledger_->Apply(it.no, up, Action::kRequestReview, t, "请求复查").ok());
              it.at = up;
              ++reviews;
              gap = 20 * day;
            } else {
              ASSERT_TRUE(act(it, Action::kClose, t).ok()) << it.no;
              it.step = -1;
              continue;
            }
            break;
          case 5:
            ASSERT_TRUE(act(it, Action::kReviewOpinion, t).ok()) << it.no;
            it.step = -1;
            continue;
        }
        ++it.step;
      }
      // A slow clerk takes four times as long (and misses dates).
      it.next_ms = t + (it.slow ? 4 : 1) * gap + static_cast<int64_t>(rng() % 2) * 3 * kHour;
      if (it.at != "petition" && it.step == 0 && it.slow) it.next_ms += 10 * day;
    }
  }
  EXPECT_GT(registered, 900);
  EXPECT_GT(provisional, 100) << "alerts on deadlines in 2027";
  EXPECT_GT(extensions, 50);
  EXPECT_GT(late_extensions_refused, 5) << "slow clerks asked after the deadline";
  EXPECT_GT(reviews, 100);
  // Each agency owed only its kind's clocks.
  const RuleOptions o = Options();
  const std::vector<DeadlineRule> rules = DeadlineRules(o);
  auto rows = db_.Prepare(
      "SELECT d.ledger_no, d.rule, d.agency, d.anchor_ms, d.due_ms, d.met_ms, d.void, "
      "p.registered_by FROM deadlines d JOIN petitions p ON p.ledger_no = d.ledger_no "
      "WHERE d.track_key = ''");
  ASSERT_TRUE(rows.ok());
  int lapsed = 0, late = 0;
  while (*rows->Step()) {
    const std::string no = rows->Text(0), rule = rows->Text(1), agency = rows->Text(2);
    const int64_t anchor = rows->Int(3), due = rows->Int(4), met = rows->Int(5),
                  void_state = rows->Int(6);
    const DeadlineRule* r = nullptr;
    for (const auto& x : rules)
      if (rule == x.id) r = &x;
    ASSERT_NE(r, nullptr) << rule;
    EXPECT_TRUE(Owes(*r, o.KindOf(agency))) << no << " " << rule << " owed by " << agency;
    if (r->anchor == Anchor::kReceived && agency != rows->Text(7)) {
      // The receiver's clock starts at its own receipt: the transfer to it.
      auto moved = db_.QueryInt(
          "SELECT count(*) FROM petition_events WHERE ledger_no=? AND action='transfer' AND "
          "to_agency=? AND at_ms=?",
          no, agency, anchor);
      EXPECT_EQ(*moved, 1) << no << " " << rule << " at " << agency;
    }
    if (rule == "review_opinion") {
      auto answered_by = db_.QueryInt(
          "SELECT count(*) FROM petition_events e WHERE e.ledger_no=? AND "
          "e.action='request_review' AND e.to_agency=?",
          no, agency);
      EXPECT_EQ(*answered_by, 1) << no << ": the review went to " << agency;
    }
    const bool missed = due < end - kDay && void_state != 1 && (met == 0 || met > due);
    if (!missed) continue;
    (void_state == 2 ? lapsed : late)++;
    const std::string k = no + "|" + rule + "|" + std::to_string(due);
    EXPECT_TRUE(warned.count(k)) << "never warned: " << k;
    EXPECT_TRUE(overdue.count(k)) << "silently overdue: " << k;
  }
  EXPECT_GT(late, 0);
  EXPECT_GT(lapsed, 0) << "a missed answer lapses when the item is transferred late";
}

// Accepting names the first handler (首办责任制); the clock's alerts name
// them; a transfer leaves the receiving agency to name its own.
TEST_F(LedgerTest, AcceptNamesTheFirstHandler) {
  const std::string no = *ledger_->Register(Petition("H-1", At("2025-03-03", 9)));
  EXPECT_EQ(ledger_->Apply(no, "procuratorate", Action::kStartReview, At("2025-03-03", 8))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument)
      << "dated before the petition was received";
  auto refused =
      ledger_->Apply(no, "procuratorate", Action::kAccept, At("2025-03-03", 10), "信访科");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("首办责任人"), std::string_view::npos);
  ASSERT_TRUE(ledger_
                  ->Apply(no, "procuratorate", Action::kAccept, At("2025-03-03", 10),
                          Routed("信访科", "赵敏"))
                  .ok());
  auto open = *ledger_->OpenItems(At("2025-03-04"));
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].handler, "赵敏");
  EXPECT_EQ(open[0].department, "信访科");
  EXPECT_NE(ledger_->History(no)->back().note.find("首办责任人 赵敏"), std::string::npos);
  bool named = false;
  for (const auto& a : ledger_->Scan(At("2025-03-09")))
    if (a.rule == "procedural_reply")
      named = a.handler == "赵敏" && a.text.find("赵敏") != std::string::npos;
  EXPECT_TRUE(named) << "the warning names the first handler";
  ASSERT_TRUE(
      ledger_
          ->Apply(no, "procuratorate", Action::kTransfer, At("2025-03-09"), "属法院管辖", "court")
          .ok());
  EXPECT_EQ(ledger_->OpenItems(At("2025-03-09"))->at(0).handler, "")
      << "the receiving agency names its own";
}

// Overdue goes to the agency's leader; still overdue, to its head, and for a
// group or major item also to the political-legal committee.
TEST_F(LedgerTest, SecondEscalationOfMajorAndGroupItems) {
  PetitionInput group = Petition("G-1", At("2025-03-03", 9));
  group.people = 8;
  PetitionInput major = Petition("G-2", At("2025-03-03", 9));
  major.matter = "重大事项";
  major.major = true;
  PetitionInput plain = Petition("G-3", At("2025-03-03", 9));
  plain.matter = "一般事项";
  std::map<std::string, std::string> kind;
  for (const auto& p : {group, major, plain}) kind[*ledger_->Register(p)] = p.intake_id;
  std::map<std::string, Alert> escalations;
  for (int64_t t = At("2025-03-03", 12); t < At("2025-03-20"); t += 6 * kHour)
    for (const auto& a : ledger_->Scan(t))
      if (a.kind == Alert::kEscalation && a.rule == "procedural_reply")
        escalations.emplace(kind[a.ledger_no], a);
  ASSERT_EQ(escalations.size(), 3u);
  EXPECT_TRUE(escalations.at("G-1").major);
  EXPECT_TRUE(escalations.at("G-2").major);
  EXPECT_FALSE(escalations.at("G-3").major);
  EXPECT_NE(escalations.at("G-1").text.find("政法委"), std::string::npos);
  EXPECT_EQ(escalations.at("G-3").text.find("政法委"), std::string::npos);
}

// Lead times come from the options; an item inside its lead time is due soon.
TEST_F(LedgerTest, LeadTimesAreConfigurable) {
  const std::string no = *ledger_->Register(Petition("L-1", At("2025-03-03", 9)));
  ASSERT_TRUE(ledger_->Apply(no, "procuratorate", Action::kStartReview, At("2025-03-03", 11)).ok());
  ScanOptions early;
  early.days_lead_ms = 5 * kDay;  // procedural reply due 03-10: warned from 03-05 on
  EXPECT_FALSE(RulesAlerted(ledger_->Scan(At("2025-03-04"), early), Alert::kWarning)
                   .count("procedural_reply"));
  EXPECT_FALSE(ledger_->OpenItems(At("2025-03-04"), early)->at(0).due_soon);
  EXPECT_TRUE(ledger_->OpenItems(At("2025-03-06"), early)->at(0).due_soon);
  EXPECT_FALSE(ledger_->OpenItems(At("2025-03-06"))->at(0).due_soon)
      << "the default lead is 2 days";
  EXPECT_TRUE(RulesAlerted(ledger_->Scan(At("2025-03-06"), early), Alert::kWarning)
                  .count("procedural_reply"));
}

// The three zeros: incidents recorded once each, counted in their month.
TEST_F(LedgerTest, ThreeZerosAreCounted) {
  const std::string no = *ledger_->Register(Petition("Z-1", At("2025-03-03")));
  ASSERT_TRUE(ledger_
                  ->RecordIncident("petition", "I-1", IncidentKind::kComplaint, At("2025-03-10"),
                                   no, "投诉办理拖延")
                  .ok());
  ASSERT_TRUE(ledger_
                  ->RecordIncident("petition", "I-1", IncidentKind::kComplaint, At("2025-03-10"),
                                   no, "补充")
                  .ok());
  ASSERT_TRUE(ledger_
                  ->RecordIncident("police", "I-1", IncidentKind::kIrregularPetition,
                                   At("2025-03-12"), "", "")
                  .ok());
  EXPECT_EQ(ledger_
                ->RecordIncident("police", "I-2", IncidentKind::kSafetyIncident, At("2025-03-12"),
                                 "信-2025-999999", "")
                .code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(
      ledger_
          ->RecordIncident("police", "I-3", IncidentKind::kSafetyIncident, At("2025-04-01"), "", "")
          .ok());
  const auto march = *ledger_->Stats("2025-03", At("2025-05-01"));
  EXPECT_EQ(march.complaints, 1) << "recorded twice, one incident";
  EXPECT_EQ(march.irregular_petitions, 1);
  EXPECT_EQ(march.safety_incidents, 0) << "April's";
  EXPECT_EQ(ledger_->Stats("2025-04", At("2025-05-01"))->safety_incidents, 1);
  EXPECT_EQ(IncidentKindFromName("赴省进京非正常上访"), IncidentKind::kIrregularPetition);
  EXPECT_FALSE(IncidentKindFromName("other"));
}

// Reception days: the host publishes, bookers book within capacity, the host
// records the outcome, and a petition raised there enters the ledger with its
// clock from the reception day.
TEST_F(LedgerTest, ReceptionDay) {
  const int64_t now = At("2025-03-03", 9);
  ReceptionSlotInput slot{
      "procuratorate",      "R-03", "检察长 王某", "12309检察服务中心", At("2025-03-14", 9),
      At("2025-03-14", 12), 2,      false};
  ASSERT_TRUE(ledger_->PublishSlot(slot, now).ok());
  ReceptionSlotInput bad = slot;
  bad.ends_ms = bad.starts_ms;
  EXPECT_EQ(ledger_->PublishSlot(bad, now).code(), absl::StatusCode::kInvalidArgument);
  bad.ends_ms = bad.starts_ms + 3600 * 1000;
  EXPECT_EQ(ledger_->PublishSlot(bad, now).code(), absl::StatusCode::kInvalidArgument)
      << "an hour is not half a day";
  bad = slot;
  bad.slot_id = "R-PAST";
  EXPECT_EQ(ledger_->PublishSlot(bad, At("2025-03-15")).code(), absl::StatusCode::kInvalidArgument)
      << "published after the fact";

  PetitionInput v0 = Petition("V-0", At("2025-02-20"));
  v0.agency = "petition";  // the booker handled it
  const std::string earlier = *ledger_->Register(v0);
  BookingInput b{"petition",         "B-1", "",      "R-03", "李某", "13900000000",
                 "申请国家司法救助", "",    earlier, 1,      false};
  ASSERT_TRUE(ledger_->Book(b, now).ok());
  ASSERT_TRUE(ledger_->Book(b, now).ok()) << "the same booking again is one booking";
  BookingInput court = b;
  court.booked_by = "court";
  court.booking_id = "C-1";
  EXPECT_EQ(ledger_->Book(court, now).code(), absl::StatusCode::kPermissionDenied)
      << "a visit about an item the booker never handled";
  BookingInput c = b;
  c.booking_id = "B-2";
  c.petitioner = "张某";
  c.ledger_no.clear();
  ASSERT_TRUE(ledger_->Book(c, now).ok());
  BookingInput d = c;
  d.booking_id = "B-3";
  EXPECT_EQ(ledger_->Book(d, now).code(), absl::StatusCode::kResourceExhausted) << "two places";
  slot.capacity = 1;
  EXPECT_EQ(ledger_->PublishSlot(slot, now).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ledger_->Book(d, At("2025-03-14", 10)).code(), absl::StatusCode::kFailedPrecondition)
      << "begun";
  d.slot_id = "R-99";
  EXPECT_EQ(ledger_->Book(d, now).code(), absl::StatusCode::kNotFound);
  auto slots = *ledger_->Slots(now);
  ASSERT_EQ(slots.size(), 1u);
  EXPECT_EQ(slots[0].booked, 2);

  OutcomeInput o{"procuratorate", "petition", "B-1", true, "释法说理，当场答复", "", true};
  EXPECT_EQ(ledger_->RecordOutcome(o, At("2025-03-13")).status().code(),
            absl::StatusCode::kFailedPrecondition)
      << "not before the reception";
  OutcomeInput other = o;
  other.host = "court";
  EXPECT_EQ(ledger_->RecordOutcome(other, At("2025-03-14", 11)).status().code(),
            absl::StatusCode::kPermissionDenied);
  ReceptionSlotInput moved = slot;
  moved.capacity = 2;
  moved.starts_ms = At("2025-03-20", 9);
  moved.ends_ms = At("2025-03-20", 12);
  EXPECT_EQ(ledger_->PublishSlot(moved, At("2025-03-14", 10)).code(),
            absl::StatusCode::kFailedPrecondition)
      << "begun: its time is fixed";
  auto raised = ledger_->RecordOutcome(o, At("2025-03-14", 11));
  ASSERT_TRUE(raised.ok()) << raised.status();
  ASSERT_FALSE(raised->empty());
  EXPECT_EQ(*ledger_->RecordOutcome(o, At("2025-03-14", 12)), *raised) << "recorded once";
  OutcomeInput changed = o;
  changed.attended = false;
  changed.register_petition = false;
  EXPECT_EQ(ledger_->RecordOutcome(changed, At("2025-03-14", 12)).status().code(),
            absl::StatusCode::kFailedPrecondition)
      << "a different outcome is refused, not dropped";
  EXPECT_EQ(*ledger_->Responsible(*raised), "procuratorate");
  const auto h = *ledger_->History(*raised);
  EXPECT_EQ(h[0].at_ms, slot.starts_ms) << "received at the reception";
  EXPECT_NE(h[0].note.find("检察长接待日"), std::string::npos) << h[0].note;
  EXPECT_NE(h[0].note.find("channel=visit"), std::string::npos) << h[0].note;
  EXPECT_EQ(ledger_->History(earlier)->back().action, "reception")
      << "the item the visit was about keeps it";
  // The clock runs from the reception day: the procedural reply is due 7 days later (03-21).
  auto alerts_of = [&](int64_t t) {
    std::set<std::string> out;
    for (const auto& a : ledger_->Scan(t))
      if (a.ledger_no == *raised && a.rule == "procedural_reply")
        out.insert(std::to_string(a.kind));
    return out;
  };
  EXPECT_FALSE(alerts_of(At("2025-03-21", 20)).count(std::to_string(Alert::kOverdue)));
  EXPECT_TRUE(alerts_of(At("2025-03-22")).count(std::to_string(Alert::kOverdue)));

  OutcomeInput absent{"procuratorate", "petition", "B-2", false, "未到场", "", false};
  EXPECT_EQ(*ledger_->RecordOutcome(absent, At("2025-03-14", 12)), "");
  BookingInput cancel = c;
  cancel.cancel = true;
  EXPECT_EQ(ledger_->Book(cancel, At("2025-03-14", 12)).code(),
            absl::StatusCode::kFailedPrecondition);
  const auto stats = *ledger_->Stats("2025-03", At("2025-04-01"));
  ASSERT_EQ(stats.receptions.size(), 1u);
  EXPECT_EQ(stats.receptions.at("procuratorate").held, 1);
  EXPECT_EQ(stats.reception_visitors, 1);
}

// Booking rules: a group takes as many places as people; a used id is not
// silently reused; an outcome is not recorded for a cancelled slot; two hosts
// with one slot id must be told apart; visitors count by the reception's day.
TEST_F(LedgerTest, ReceptionBookingRules) {
  const int64_t now = At("2025-03-03", 9);
  ReceptionSlotInput city{
      "city", "2025-03", "检察长 甲", "", At("2025-03-31", 9), At("2025-03-31", 12), 10, false};
  ReceptionSlotInput district{"district",           "2025-03", "检察长 乙", "", At("2025-03-20", 9),
                              At("2025-03-20", 12), 5,         false};
  ASSERT_TRUE(ledger_->PublishSlot(city, now).ok());
  ASSERT_TRUE(ledger_->PublishSlot(district, now).ok());
  BookingInput group{"petition", "G-1", "", "2025-03", "赵某等8人", "",
                     "拖欠工资", "",    "", 8,         false};
  EXPECT_EQ(ledger_->Book(group, now).code(), absl::StatusCode::kInvalidArgument)
      << "which host's 2025-03?";
  group.slot_agency = "district";
  EXPECT_EQ(ledger_->Book(group, now).code(), absl::StatusCode::kResourceExhausted)
      << "8 people, 5 places";
  group.slot_agency = "city";
  ASSERT_TRUE(ledger_->Book(group, now).ok());
  EXPECT_EQ(ledger_->Slots(now)->at(1).booked, 8) << "places are people";
  BookingInput other = group;
  other.petitioner = "钱某";
  other.people = 1;
  EXPECT_EQ(ledger_->Book(other, now).code(), absl::StatusCode::kAlreadyExists)
      << "id G-1 is taken";
  BookingInput cancel = group;
  cancel.cancel = true;
  ASSERT_TRUE(ledger_->Book(cancel, now).ok());
  EXPECT_EQ(ledger_->Book(group, now).code(), absl::StatusCode::kAlreadyExists)
      << "a cancelled booking's id booked again: the clerk is told, not answered OK";
  BookingInput again = group;
  again.booking_id = "G-2";
  ASSERT_TRUE(ledger_->Book(again, now).ok());
  // A walk-in on the day: only the host books into a slot that has begun.
  BookingInput late{"petition", "W-2", "city", "2025-03", "孙某", "", "咨询", "", "", 1, false};
  EXPECT_EQ(ledger_->Book(late, At("2025-03-31", 10)).code(),
            absl::StatusCode::kFailedPrecondition);
  BookingInput walk_in{"city", "W-1", "city", "2025-03", "孙某", "", "咨询", "", "", 1, false};
  ASSERT_TRUE(ledger_->Book(walk_in, At("2025-03-31", 10)).ok());
  // Recorded the next day: the visitors count in March, by the reception's day, as people.
  ASSERT_TRUE(
      ledger_->RecordOutcome({"city", "petition", "G-2", true, "", "", false}, At("2025-04-01", 9))
          .ok());
  ASSERT_TRUE(
      ledger_->RecordOutcome({"city", "", "W-1", true, "", "", false}, At("2025-04-01", 9)).ok());
  EXPECT_EQ(ledger_->Stats("2025-03", At("2025-04-02"))->reception_visitors, 9);
  EXPECT_EQ(ledger_->Stats("2025-04", At("2025-04-02"))->reception_visitors, 0);
  // A cancelled slot takes no outcome.
  BookingInput d{"petition", "D-1", "district", "2025-03", "周某", "", "申诉", "", "", 1, false};
  ASSERT_TRUE(ledger_->Book(d, now).ok());
  district.cancelled = true;
  ASSERT_TRUE(ledger_->PublishSlot(district, now).ok());
  EXPECT_EQ(
      ledger_
          ->RecordOutcome({"district", "petition", "D-1", true, "", "", true}, At("2025-03-20", 10))
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);
  const auto years = *ledger_->ReceptionsThisYear(At("2025-04-02"));
  EXPECT_EQ(years.size(), 1u) << "the cancelled one is not planned";
  EXPECT_EQ(years.at("city").held, 1);
}

// Due soon means any unmet deadline inside its own lead time, not only the
// earliest one.
TEST_F(LedgerTest, DueSoonLooksAtEveryDeadline) {
  const std::string no = *ledger_->Register(Petition("D-1", At("2025-01-02", 9)));
  ASSERT_TRUE(ledger_->Apply(no, "procuratorate", Action::kStartReview, At("2025-01-02", 10)).ok());
  ASSERT_TRUE(
      ledger_->Apply(no, "procuratorate", Action::kProceduralReply, At("2025-01-03"), "短信").ok());
  // Accepted on 01-30: the 60-day answer is due 03-31, the 3-month reply 04-02.
  ASSERT_TRUE(
      ledger_->Apply(no, "procuratorate", Action::kAccept, At("2025-01-30"), Routed("控申")).ok());
  EXPECT_FALSE(ledger_->OpenItems(At("2025-03-20", 10))->at(0).due_soon);
  // On 03-28 the 60-day answer (3 days away) is not within its 2 days, but
  // the 3-month reply (5 days away) is within its 7.
  auto items = *ledger_->OpenItems(At("2025-03-28", 10));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].next_rule, "handle_answer");
  EXPECT_FALSE(items[0].overdue);
  EXPECT_TRUE(items[0].due_soon);
}

// A corrected incident (the same id again) replaces the first.
TEST_F(LedgerTest, IncidentCorrected) {
  ASSERT_TRUE(
      ledger_->RecordIncident("police", "I-1", IncidentKind::kComplaint, At("2025-03-10"), "", "")
          .ok());
  ASSERT_TRUE(ledger_
                  ->RecordIncident("police", "I-1", IncidentKind::kSafetyIncident, At("2025-03-10"),
                                   "", "更正")
                  .ok());
  const auto m = *ledger_->Stats("2025-03", At("2025-04-01"));
  EXPECT_EQ(m.complaints, 0);
  EXPECT_EQ(m.safety_incidents, 1);
}

// A joint plan's task on the ledger's clock: warned before its due date,
// overdue and escalated after, naming the task and its person; a transfer of
// the item does not move it; met, it stops; tracked again, its date moves.
TEST_F(LedgerTest, TrackedTaskOnTheSameClock) {
  PetitionInput p = Petition("TT-1", At("2025-03-03", 9));
  p.people = 30;  // a group petition: escalations also go to the committee
  const std::string no = *ledger_->Register(p);
  EXPECT_EQ(ledger_
                ->Track("会-2025-001/T1", "信-2025-999999", "police", "刘警官", "核查",
                        At("2025-03-20"), false, At("2025-03-04"))
                .code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(ledger_
                  ->Track("会-2025-001/T1", no, "police", "刘警官",
                          "会-2025-001 T1 调查核实：核查欠薪款去向", At("2025-03-20", 12), false,
                          At("2025-03-04"))
                  .ok());
  ASSERT_TRUE(ledger_
                  ->Track("会-2025-001/T2", no, "justice", "王律师", "T2 法律援助",
                          At("2025-03-25", 12), false, At("2025-03-04"))
                  .ok());
  ASSERT_TRUE(
      ledger_->Apply(no, "procuratorate", Action::kTransfer, At("2025-03-05"), "移送", "court")
          .ok());
  auto task_alerts = [&](int64_t t) {
    std::vector<Alert> out;
    for (auto& a : ledger_->Scan(t))
      if (a.rule == "plan_task") out.push_back(a);
    return out;
  };
  EXPECT_TRUE(task_alerts(At("2025-03-10")).empty());
  auto warned = task_alerts(At("2025-03-19"));
  ASSERT_EQ(warned.size(), 1u);
  EXPECT_EQ(warned[0].kind, Alert::kWarning);
  EXPECT_EQ(warned[0].agency, "police") << "the task's agency, not the item's";
  EXPECT_EQ(warned[0].handler, "刘警官");
  EXPECT_NE(warned[0].text.find("核查欠薪款去向"), std::string::npos) << warned[0].text;
  ASSERT_TRUE(ledger_
                  ->Track("会-2025-001/T2", no, "justice", "王律师", "T2 法律援助", 0, true,
                          At("2025-03-21"))
                  .ok());
  auto over = task_alerts(At("2025-03-21"));
  ASSERT_EQ(over.size(), 1u);
  EXPECT_EQ(over[0].kind, Alert::kOverdue);
  auto escalated = task_alerts(At("2025-03-26"));
  ASSERT_EQ(escalated.size(), 1u) << "T2 was met: only T1";
  EXPECT_EQ(escalated[0].kind, Alert::kEscalation);
  EXPECT_TRUE(escalated[0].major) << "a group petition's task";
  // Moved to a later date: warned again for the new one.
  ASSERT_TRUE(ledger_
                  ->Track("会-2025-001/T1", no, "police", "刘警官", "T1", At("2025-04-10", 12),
                          false, At("2025-03-27"))
                  .ok());
  EXPECT_EQ(task_alerts(At("2025-04-09")).at(0).kind, Alert::kWarning);
}

}  // namespace
}  // namespace concord::ledger

// The aid procedure at the aid agent (agents/aid/applications.h) on a real
// SQLite file and the shipped calendar, the clock given as each step's time.
// Sources of each rule: domain/aid_rules.cc and docs/aid.md.
#include "agents/aid/applications.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/temp_folder.h"
#include "tests/support/test_book.h"

namespace concord::aid {
namespace {

using ::testing::HasSubstr;

int64_t At(const std::string& s) { return *ParseDateTimeMs(s); }
std::string Day(int64_t ms) { return FormatDate(DateOf(ms)); }

class ApplicationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = concord::testing::OpenTestBook(dir_.File("aid.db"));
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    ASSERT_TRUE(
        db_.Migrate("aid_applications", ApplicationMigrations(), ApplicationPostgresqlMigrations())
            .ok());
    auto cal =
        HolidayCalendar::Load(std::string(CONCORD_SOURCE_DIR) + "/deploy/calendar/cn-holidays.txt");
    ASSERT_TRUE(cal.ok());
    apps_ = std::make_unique<Applications>(db_, *cal, 2);
  }
  absl::StatusOr<AppStatus> Step(AppAction a, const std::string& when, StepInput in = {}) {
    in.agency = in.agency.empty() ? "court" : in.agency;
    in.application_id = in.application_id.empty() ? "救-1" : in.application_id;
    in.action = a;
    in.at_ms = At(when);
    return apps_->Step(in, At(when));
  }
  std::map<std::string, v1::AidDeadline> Deadlines(const std::string& id = "救-1") {
    std::map<std::string, v1::AidDeadline> out;
    auto ds = apps_->Deadlines("court", id);
    EXPECT_TRUE(ds.ok());
    if (ds.ok())
      for (const auto& d : *ds) out[d.rule()] = d;
    return out;
  }

  concord::testing::TempFolder dir_{"applications_test"};
  sql::Db db_;
  std::unique_ptr<Applications> apps_;
};

// The whole procedure on the 2026 calendar (中秋 09-25..27, 国庆 10-01..07,
// make-up workday 10-10): materials asked within 5 working days of receipt;
// the decision within 10 working days of the complete application; the
// applicant told and paid within 2 working days of the funds (2014 意见;
// SPP 2021 细则; SPC 2019 程序规定; DOMAIN.md "deadlines").
TEST_F(ApplicationsTest, TheProcedureRunsOnTheWorkingDayCalendar) {
  ASSERT_EQ(*Step(AppAction::kApply, "2026-09-23 10:00"), AppStatus::kApplied);
  // 09-24, 09-28, 09-29, 09-30, then 10-08 (the holidays and weekend skipped).
  EXPECT_EQ(Day(Deadlines()["aid_materials"].due_ms()), "2026-10-08");

  StepInput ask;
  ask.missing = {"生活困难证明", "医疗费用票据"};
  ASSERT_EQ(*Step(AppAction::kRequestMaterials, "2026-09-29 09:00", ask),
            AppStatus::kNeedsMaterials);
  EXPECT_GT(Deadlines()["aid_materials"].met_ms(), 0);
  EXPECT_FALSE(Deadlines()["aid_materials"].missed());
  // 一次性告知: asked once.
  EXPECT_EQ(Step(AppAction::kRequestMaterials, "2026-09-30 09:00", ask).status().code(),
            absl::StatusCode::kFailedPrecondition);

  ASSERT_EQ(*Step(AppAction::kMaterialsComplete, "2026-10-12 09:00"), AppStatus::kUnderReview);
  // 10-13..16, 10-19..23, 10-26.
  EXPECT_EQ(Day(Deadlines()["aid_decision"].due_ms()), "2026-10-26");

  StepInput grant;
  grant.amount_fen = 30'000 * 100;
  grant.grounds = "被害人因伤致残，家庭生活陷入困难";
  ASSERT_EQ(*Step(AppAction::kGrant, "2026-10-23 15:00", grant), AppStatus::kGranted);
  EXPECT_FALSE(Deadlines()["aid_decision"].missed());
  // Paid only once the funds have arrived.
  EXPECT_EQ(Step(AppAction::kPay, "2026-10-26 09:00").status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_EQ(*Step(AppAction::kFundsArrived, "2026-10-30 16:00"), AppStatus::kGranted);
  EXPECT_EQ(Day(Deadlines()["aid_payment"].due_ms()), "2026-11-03");  // 11-02, 11-03
  ASSERT_EQ(*Step(AppAction::kPay, "2026-11-04 10:00"), AppStatus::kPaid);
  EXPECT_TRUE(Deadlines()["aid_payment"].missed());  // a day late: recorded as missed
}

// A complete application owes no materials notice; its 10 days start at receipt.
TEST_F(ApplicationsTest, CompleteOnReceiptStartsTheDecisionClock) {
  StepInput in;
  in.complete = true;
  ASSERT_EQ(*Step(AppAction::kApply, "2026-11-02 10:00", in), AppStatus::kUnderReview);
  auto d = Deadlines();
  EXPECT_GT(d["aid_materials"].met_ms(), 0);
  EXPECT_EQ(Day(d["aid_decision"].due_ms()), "2026-11-16");
}

// A refusal names one of the grounds of 2014 意见 and says why; a grant
// says its amount and grounds; nothing changes on a refused step.
TEST_F(ApplicationsTest, DecisionsCarryTheirGrounds) {
  StepInput in;
  in.complete = true;
  ASSERT_TRUE(Step(AppAction::kApply, "2026-11-02 10:00", in).ok());
  StepInput bad;
  bad.ground = "not_a_ground";
  bad.grounds = "……";
  auto r = Step(AppAction::kRefuse, "2026-11-03 10:00", bad);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("hardship_not_from_case"));
  StepInput no_text;
  no_text.ground = "major_fault";
  EXPECT_EQ(Step(AppAction::kRefuse, "2026-11-03 10:00", no_text).status().code(),
            absl::StatusCode::kInvalidArgument);
  StepInput grant_no_text;
  grant_no_text.amount_fen = 100;
  EXPECT_EQ(Step(AppAction::kGrant, "2026-11-03 10:00", grant_no_text).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(apps_->Facts("court", "救-1")->status, AppStatus::kUnderReview);

  StepInput refuse;
  refuse.ground = "hardship_not_from_case";
  refuse.grounds = "申请人生活困难系其他原因所致，与本案无关";
  ASSERT_EQ(*Step(AppAction::kRefuse, "2026-11-03 10:00", refuse), AppStatus::kRefused);
  EXPECT_GT(Deadlines()["aid_decision"].met_ms(), 0);
  // Decided: no second decision, no withdrawal.
  EXPECT_FALSE(Step(AppAction::kGrant, "2026-11-04 10:00", refuse).ok());
  EXPECT_FALSE(Step(AppAction::kWithdraw, "2026-11-04 10:00").ok());
}

// 先行救助: in an urgent case, once, before the decision; the decision's
// amount includes it and cannot be less.
TEST_F(ApplicationsTest, AdvanceAidBeforeTheDecision) {
  ASSERT_TRUE(Step(AppAction::kApply, "2026-11-02 10:00").ok());
  StepInput adv;
  adv.amount_fen = 5'000 * 100;
  EXPECT_EQ(Step(AppAction::kAdvance, "2026-11-02 11:00", adv).status().code(),
            absl::StatusCode::kInvalidArgument);  // no urgency stated
  adv.grounds = "被害人重伤住院，急需医疗救治";
  ASSERT_EQ(*Step(AppAction::kAdvance, "2026-11-02 11:00", adv), AppStatus::kApplied);
  EXPECT_FALSE(Step(AppAction::kAdvance, "2026-11-02 12:00", adv).ok());  // once
  ASSERT_TRUE(Step(AppAction::kMaterialsComplete, "2026-11-03 10:00").ok());
  StepInput less;
  less.amount_fen = 4'000 * 100;
  less.grounds = "……";
  EXPECT_EQ(Step(AppAction::kGrant, "2026-11-05 10:00", less).status().code(),
            absl::StatusCode::kInvalidArgument);
  less.amount_fen = 20'000 * 100;
  EXPECT_EQ(*Step(AppAction::kGrant, "2026-11-05 10:00", less), AppStatus::kGranted);
}

// Deadlines warn a day ahead, are reported overdue once due, and escalate
// three days later to the head and the committee, each once; one met gives
// nothing. A withdrawal after the due date leaves it missed.
TEST_F(ApplicationsTest, ScanWarnsReportsAndEscalatesOnce) {
  ASSERT_TRUE(Step(AppAction::kApply, "2026-11-02 10:00").ok());  // materials due 11-09
  StepInput other;
  other.application_id = "救-2";
  ASSERT_TRUE(Step(AppAction::kApply, "2026-11-02 10:00", other).ok());
  StepInput ask;
  ask.application_id = "救-2";
  ask.missing = {"身份证明"};
  ASSERT_TRUE(Step(AppAction::kRequestMaterials, "2026-11-03 10:00", ask).ok());

  auto kinds = [&](const std::string& when) {
    std::vector<std::string> out;
    for (const AppAlert& a : apps_->Scan(At(when))) {
      EXPECT_EQ(a.application_id, "救-1");
      EXPECT_THAT(a.text, HasSubstr("一次性告知补充材料"));
      out.push_back(a.kind == AppAlert::kWarning   ? "warning"
                    : a.kind == AppAlert::kOverdue ? "overdue"
                                                   : "escalation");
    }
    return out;
  };
  EXPECT_TRUE(kinds("2026-11-07 12:00").empty());
  EXPECT_EQ(kinds("2026-11-09 08:00"), std::vector<std::string>{"warning"});
  EXPECT_TRUE(kinds("2026-11-09 20:00").empty());
  EXPECT_EQ(kinds("2026-11-10 08:00"), std::vector<std::string>{"overdue"});
  EXPECT_TRUE(kinds("2026-11-11 08:00").empty());
  EXPECT_EQ(kinds("2026-11-13 08:00"), std::vector<std::string>{"escalation"});
  EXPECT_TRUE(kinds("2026-11-20 08:00").empty());

  ASSERT_EQ(*Step(AppAction::kWithdraw, "2026-11-20 09:00"), AppStatus::kWithdrawn);
  EXPECT_TRUE(Deadlines()["aid_materials"].missed());
}

// A new calendar moves the running deadlines (not the passed ones).
TEST_F(ApplicationsTest, RecountOnANewCalendar) {
  StepInput in;
  in.complete = true;
  ASSERT_TRUE(Step(AppAction::kApply, "2026-11-02 10:00", in).ok());
  ASSERT_EQ(Day(Deadlines()["aid_decision"].due_ms()), "2026-11-16");
  auto cal = HolidayCalendar::Parse("year 2026\n2026-11-10 holiday 测试\n");
  ASSERT_TRUE(cal.ok());
  auto moved = apps_->Recount(*cal, At("2026-11-03 10:00"));
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, 1);
  EXPECT_EQ(Day(Deadlines()["aid_decision"].due_ms()), "2026-11-17");
}

// The relatives of a deceased victim file one application (SPC 2019 art. 4):
// the number of applicants is recorded with it; the same number twice is refused.
TEST_F(ApplicationsTest, RelativesApplyTogether) {
  StepInput in;
  in.applicants = 3;
  in.deceased_victim = true;
  ASSERT_TRUE(Step(AppAction::kApply, "2026-11-02 10:00", in).ok());
  EXPECT_EQ(Step(AppAction::kApply, "2026-11-03 10:00", in).status().code(),
            absl::StatusCode::kAlreadyExists);
  auto note = db_.Prepare("SELECT note FROM aid_app_events WHERE action='apply'");
  ASSERT_TRUE(note.ok() && *note->Step());
  EXPECT_THAT(note->Text(0), HasSubstr("近亲属共同申请"));
  in.applicants = 0;
  in.application_id = "救-9";
  EXPECT_EQ(Step(AppAction::kApply, "2026-11-03 10:00", in).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace concord::aid

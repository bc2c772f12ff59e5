// Joint conferences on a real SQLite file, times passed in: convening,
// inputs, a plan with versions that everyone signs again after a change
// request, tasks carried out, closing with the outcome, the plan as a document.
#include "agents/conference/conference.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "agents/conference/plan_document.h"
#include "domain/calendar.h"
#include "tests/support/test_book.h"

namespace concord::conference {
namespace {

constexpr int64_t kDay = kDayMs;

int64_t At(const std::string& date, int hour = 10) {
  return StartOfDayMs(*ParseDate(date)) + hour * kHourMs;
}

Task MakeTask(const std::string& id, const std::string& agency, const std::string& person,
              const std::string& measure, const std::string& detail, int64_t due_ms) {
  Task t;
  t.task_id = id;
  t.agency = agency;
  t.person = person;
  t.measure = measure;
  t.detail = detail;
  t.due_ms = due_ms;
  return t;
}

class ConferenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string path = ::testing::TempDir() + "/conference_" +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name() +
                             ".db";
    std::filesystem::remove(path);
    db_ = *testing::OpenTestBook(path);
    book_ = *Conferences::Open(db_);
  }
  std::string Convene() {
    auto id = book_->Convene(
        "procuratorate", "REQ-1", "信-2026-000002", "三十名工人欠薪集体访联席会议",
        {"plc", "court", "police", "justice", "petition"}, At("2026-03-06"), At("2026-03-03"));
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or("");
  }
  Plan APlan() {
    Plan p;
    p.summary = "某建筑公司拖欠三十名工人工资，公安已立案侦查拒不支付劳动报酬罪";
    p.core_demand = "尽快拿到工资";
    p.risk_level = "红色";
    p.lead_leader = "检察长 周某";
    p.closing_criteria = "工资兑付，信访人签订息诉罢访协议";
    p.follow_ups_ms = {At("2026-04-15")};
    p.tasks = {
        MakeTask("T1", "police", "刘警官", "investigation", "追查欠薪款去向", At("2026-03-20")),
        MakeTask("T2", "justice", "法律援助中心 王律师", "legal_aid", "为工人提供法律援助",
                 At("2026-03-15")),
        MakeTask("T3", "procuratorate", "控申部门 张检察官", "judicial_aid", "困难工人司法救助",
                 At("2026-03-25"))};
    return p;
  }

  // A hearing of `conference_id` in the procuratorate's room, at 09:00 on `day`.
  static Hearing AHearing(const std::string& conference_id, const std::string& hearing_id,
                          const std::string& day, std::vector<Participant> participants) {
    Hearing h;
    h.hearing_id = hearing_id;
    h.conference_id = conference_id;
    h.chair = "承办检察官 张某";
    h.place = "检察院听证室";
    h.starts_ms = At(day, 9);
    h.participants = std::move(participants);
    return h;
  }

  sql::Db db_;
  std::unique_ptr<Conferences> book_;
};

TEST_F(ConferenceTest, ConveneIsIdempotentAndChecked) {
  const std::string id = Convene();
  EXPECT_EQ(id, "会-2026-001");
  EXPECT_EQ(Convene(), id) << "the same request again";
  EXPECT_EQ(
      *book_->Convene("procuratorate", "REQ-1", "信-2026-000002", "三十名工人欠薪集体访联席会议",
                      {"plc", "court"}, At("2026-03-06"), At("2026-03-10")),
      id)
      << "re-sent after the inputs deadline: still the same conference";
  EXPECT_EQ(book_
                ->Convene("procuratorate", "REQ-1", "信-2026-000999", "另一案", {"court"},
                          At("2026-03-20"), At("2026-03-10"))
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists)
      << "the request id reused for another case";
  auto c = *book_->Get(id);
  EXPECT_EQ(c.status, "collecting");
  EXPECT_EQ(c.invited.size(), 6u) << "the convenor takes part";
  EXPECT_EQ(book_
                ->Convene("procuratorate", "REQ-2", "信-1", "会", {"procuratorate"},
                          At("2026-03-06"), At("2026-03-03"))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument)
      << "nobody else invited";
  EXPECT_EQ(book_
                ->Convene("procuratorate", "REQ-3", "信-1", "会", {"court"}, At("2026-03-01"),
                          At("2026-03-03"))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument)
      << "the deadline for inputs has passed";
  EXPECT_EQ(book_->Get("会-2026-999").status().code(), absl::StatusCode::kNotFound);
}

// The convenor adds the case's other numbers; the case key and known ones are
// skipped; nobody else may.
TEST_F(ConferenceTest, CaseNumbersAddedByTheConvenor) {
  const std::string id = Convene();
  EXPECT_EQ(book_->AddCaseRefs(id, "court", {"（2026）上0102刑初88号"}).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(
      *book_->AddCaseRefs(id, "procuratorate", {"（2026）上0102刑初88号", "信-2026-000002", ""}));
  EXPECT_FALSE(*book_->AddCaseRefs(id, "procuratorate", {"（2026）上0102刑初88号"})) << "known";
  EXPECT_TRUE(*book_->AddCaseRefs(id, "procuratorate", {"（2026）上0102执12号"}));
  EXPECT_EQ(book_->Get(id)->case_refs,
            (std::vector<std::string>{"（2026）上0102刑初88号", "（2026）上0102执12号"}));
}

TEST_F(ConferenceTest, InputsFromInvitedAgenciesOnly) {
  const std::string id = Convene();
  ASSERT_TRUE(book_
                  ->SubmitInput(id, {"police", "已立案侦查", {{"investigation", "追赃"}}, 0},
                                At("2026-03-04"))
                  .ok());
  ASSERT_TRUE(
      book_->SubmitInput(id, {"justice", "", {{"法律援助", "指派律师"}}, 0}, At("2026-03-04")).ok())
      << "measures by Chinese name";
  ASSERT_TRUE(book_->SubmitInput(id, {"police", "已抓获法定代表人", {}, 0}, At("2026-03-05")).ok())
      << "replaces";
  EXPECT_EQ(book_->SubmitInput(id, {"education", "意见", {}, 0}, At("2026-03-05")).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(book_->SubmitInput(id, {"court", "意见", {{"magic", ""}}, 0}, At("2026-03-05")).code(),
            absl::StatusCode::kInvalidArgument);
  auto c = *book_->Get(id);
  ASSERT_EQ(c.inputs.size(), 2u);
  EXPECT_EQ(c.inputs[1].agency, "police");
  EXPECT_EQ(c.inputs[1].assessment, "已抓获法定代表人");
  EXPECT_EQ(c.inputs[0].measures[0].measure, "legal_aid");
}

// A change request gives a new version that everyone signs again; the plan is
// final when all signed the latest, and shows who signed which version.
TEST_F(ConferenceTest, ChangeRequestMeansEveryoneSignsAgain) {
  const std::string id = Convene();
  EXPECT_EQ(book_->ProposePlan(id, "court", APlan(), At("2026-03-06")).status().code(),
            absl::StatusCode::kPermissionDenied)
      << "only the convenor drafts";
  Plan bad = APlan();
  bad.tasks[0].agency = "education";
  EXPECT_EQ(book_->ProposePlan(id, "procuratorate", bad, At("2026-03-06")).status().code(),
            absl::StatusCode::kInvalidArgument)
      << "a task for an agency not invited";
  bad = APlan();
  bad.lead_leader.clear();
  EXPECT_FALSE(book_->ProposePlan(id, "procuratorate", bad, At("2026-03-06")).ok()) << "一包案领导";
  ASSERT_EQ(*book_->ProposePlan(id, "procuratorate", APlan(), At("2026-03-06")), 1);
  bool created = true;
  EXPECT_EQ(*book_->ProposePlan(id, "procuratorate", APlan(), At("2026-03-06"), &created), 1)
      << "the same plan sent again is not a new version";
  EXPECT_FALSE(created);
  for (const char* a : {"procuratorate", "plc", "court", "police", "petition"})
    ASSERT_TRUE(book_->Sign(id, a, 1, true, "", At("2026-03-07")).ok()) << a;
  EXPECT_EQ(book_->Sign(id, "justice", 1, false, "", At("2026-03-07")).status().code(),
            absl::StatusCode::kInvalidArgument)
      << "a change request says what";
  ASSERT_TRUE(
      book_->Sign(id, "justice", 1, false, "法律援助期限改为3月12日", At("2026-03-07")).ok());
  EXPECT_EQ(book_->Get(id)->status, "signing");
  EXPECT_EQ(book_->Get(id)->pending_latest, std::vector<std::string>{"justice"});
  Plan v2 = APlan();
  v2.tasks[1].due_ms = At("2026-03-12");
  ASSERT_EQ(*book_->ProposePlan(id, "procuratorate", v2, At("2026-03-08")), 2);
  auto c = *book_->Get(id);
  EXPECT_EQ(c.pending_latest.size(), 6u) << "a new version: everyone signs again";
  EXPECT_EQ(book_->Sign(id, "court", 1, true, "", At("2026-03-08")).status().code(),
            absl::StatusCode::kFailedPrecondition)
      << "only the latest version";
  EXPECT_EQ(book_->UpdateTask(id, "police", "T1", "进展", false, At("2026-03-08")).status().code(),
            absl::StatusCode::kFailedPrecondition)
      << "not final yet";
  for (const char* a : {"procuratorate", "plc", "court", "police", "justice", "petition"})
    ASSERT_TRUE(book_->Sign(id, a, 2, true, "", At("2026-03-09")).ok()) << a;
  c = *book_->Get(id);
  EXPECT_EQ(c.status, "final");
  EXPECT_EQ(c.signed_latest.size(), 6u);
  EXPECT_EQ(c.plans.size(), 2u);
  EXPECT_EQ(book_->ProposePlan(id, "procuratorate", APlan(), At("2026-03-10")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  const std::string html = *PlanHtml(*book_, id, {{"justice", "上州区司法局"}});
  EXPECT_NE(html.find("第 2 版，定稿"), std::string::npos);
  EXPECT_NE(html.find("<td>上州区司法局</td>"), std::string::npos) << "agencies by name";
  EXPECT_NE(html.find("要求修改（第 1 版"), std::string::npos)
      << "justice's first decision is on record";
  EXPECT_NE(html.find("同意（第 2 版"), std::string::npos);
  EXPECT_NE(html.find("2026-03-12"), std::string::npos) << "the changed due date";
  EXPECT_NE(html.find("检察长 周某"), std::string::npos);
}

// The person who signed for an agency at its console stays with the
// signature; an agency's list holds the conferences it is part of (the
// convenor's too), newest first.
TEST_F(ConferenceTest, SignersKeptAndEachAgencysList) {
  const std::string id = Convene();
  ASSERT_EQ(*book_->ProposePlan(id, "procuratorate", APlan(), At("2026-03-06")), 1);
  const Person leader{"lingdao", "孙院长", "院/局领导"};
  ASSERT_TRUE(book_->Sign(id, "court", 1, true, "", At("2026-03-07"), leader).ok());
  ASSERT_TRUE(book_->Sign(id, "plc", 1, true, "", At("2026-03-07")).ok());
  const Conference c = *book_->Get(id);
  ASSERT_EQ(c.signatures.size(), 2u);
  EXPECT_EQ(c.signatures[0].signer.name, "孙院长");
  EXPECT_EQ(c.signatures[0].signer.role, "院/局领导");
  EXPECT_TRUE(c.signatures[1].signer.empty()) << "the agency's own system signed";

  auto second = book_->Convene("procuratorate", "REQ-2", "信-2026-000003", "另一起", {"court"},
                               At("2026-03-08"), At("2026-03-04"));
  ASSERT_TRUE(second.ok()) << second.status();
  auto court = book_->ForAgency("court", 10);
  ASSERT_TRUE(court.ok()) << court.status();
  ASSERT_EQ(court->size(), 2u);
  EXPECT_EQ((*court)[0].id, *second) << "newest first";
  EXPECT_EQ((*court)[1].id, id);
  EXPECT_EQ(book_->ForAgency("police", 10)->size(), 1u);
  EXPECT_EQ(book_->ForAgency("procuratorate", 1)->size(), 1u) << "the convenor's, to the limit";
  EXPECT_TRUE(book_->ForAgency("education", 10)->empty());
}

// Tasks are carried out by their agency; closing needs every task done and the outcome.
TEST_F(ConferenceTest, TasksThenClosing) {
  const std::string id = Convene();
  ASSERT_TRUE(book_->ProposePlan(id, "procuratorate", APlan(), At("2026-03-06")).ok());
  for (const char* a : {"procuratorate", "plc", "court", "police", "justice", "petition"})
    ASSERT_TRUE(book_->Sign(id, a, 1, true, "", At("2026-03-07")).ok());
  EXPECT_EQ(book_->UpdateTask(id, "court", "T1", "代办", true, At("2026-03-08")).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(book_->UpdateTask(id, "police", "T9", "x", true, At("2026-03-08")).status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(
      book_->UpdateTask(id, "police", "T1", "已冻结公司账户", false, At("2026-03-10")).ok());
  ASSERT_TRUE(
      book_->UpdateTask(id, "police", "T1", "追回欠薪 42 万元", true, At("2026-03-18")).ok());
  ASSERT_TRUE(book_->UpdateTask(id, "justice", "T2", "已指派律师", true, At("2026-03-11")).ok());
  auto view = *book_->ForLeader("检察长 周某");
  ASSERT_EQ(view.size(), 1u) << "the lead leader's view";
  EXPECT_EQ(view[0].id, id);
  EXPECT_TRUE(book_->ForLeader("检察长 别人")->empty());
  EXPECT_EQ(book_->Close(id, "procuratorate", "息诉罢访", At("2026-03-20")).code(),
            absl::StatusCode::kFailedPrecondition)
      << "T3 still open";
  ASSERT_TRUE(
      book_->UpdateTask(id, "procuratorate", "T3", "已发放救助金", true, At("2026-03-22")).ok());
  EXPECT_EQ(
      book_->UpdateTask(id, "procuratorate", "T3", "again", true, At("2026-03-22")).status().code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(book_->Close(id, "procuratorate", "", At("2026-03-25")).code(),
            absl::StatusCode::kInvalidArgument)
      << "closing records the outcome";
  EXPECT_EQ(book_->Close(id, "court", "息诉罢访", At("2026-03-25")).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(
      book_->Close(id, "procuratorate", "工资全部兑付，30 名工人签订息诉罢访协议", At("2026-03-25"))
          .ok());
  auto c = *book_->Get(id);
  EXPECT_EQ(c.status, "closed");
  EXPECT_TRUE(book_->ForLeader("检察长 周某")->empty()) << "closed: off the leader's list";
  EXPECT_EQ(c.plans.back().tasks[0].status, "done");
  EXPECT_EQ(c.plans.back().tasks[0].last_note, "追回欠薪 42 万元");
  EXPECT_NE(PlanHtml(*book_, id)->find("工资全部兑付"), std::string::npos);
}

// A public hearing: notified 3 days ahead, with outside hearing members;
// attendance, opinions and the outcome recorded once it has begun.
TEST_F(ConferenceTest, PublicHearingRecorded) {
  const std::string id = Convene();
  Hearing h = AHearing(id, "听-2026-01", "2026-03-05",  // two days after convening
                       {{"信访人", "工人代表 赵某", false, ""},
                        {"npc_deputy", "人大代表 钱某", false, ""},
                        {"people_supervisor", "人民监督员 孙某", false, ""},
                        {"lawyer", "王律师", false, ""}});
  EXPECT_EQ(book_->ScheduleHearing("procuratorate", h, At("2026-03-03")).code(),
            absl::StatusCode::kInvalidArgument)
      << "less than 3 days' notice";
  h.starts_ms = At("2026-03-10", 9);
  EXPECT_EQ(book_->ScheduleHearing("court", h, At("2026-03-03")).code(),
            absl::StatusCode::kPermissionDenied);
  Hearing early = h;
  early.hearing_id = "听-2026-03";
  early.starts_ms = At("2026-03-06", 9);  // under 72 hours, but three calendar days' notice
  EXPECT_TRUE(book_->ScheduleHearing("procuratorate", early, At("2026-03-03", 10)).ok());
  Hearing inside = h;
  inside.hearing_id = "听-2026-02";
  inside.participants = {{"petitioner", "赵某", false, ""}};
  EXPECT_EQ(book_->ScheduleHearing("procuratorate", inside, At("2026-03-03")).code(),
            absl::StatusCode::kInvalidArgument)
      << "no outside hearing member";
  ASSERT_TRUE(book_->ScheduleHearing("procuratorate", h, At("2026-03-03")).ok());
  bool created = true;
  ASSERT_TRUE(book_->ScheduleHearing("procuratorate", h, At("2026-03-03"), &created).ok())
      << "the same again";
  EXPECT_FALSE(created) << "no second notice";
  Hearing moved = h;
  moved.starts_ms = At("2026-03-12", 9);
  EXPECT_EQ(book_->ScheduleHearing("procuratorate", moved, At("2026-03-03")).code(),
            absl::StatusCode::kAlreadyExists)
      << "another time under the same id is not silently kept";
  EXPECT_EQ(
      book_->RecordHearing("procuratorate", h.hearing_id, {}, "结论", At("2026-03-09")).code(),
      absl::StatusCode::kFailedPrecondition)
      << "not begun";
  const std::vector<Participant> record = {{"", "工人代表 赵某", true, "要求尽快支付工资"},
                                           {"", "人大代表 钱某", true, "建议先行司法救助"},
                                           {"", "人民监督员 孙某", false, ""}};
  EXPECT_EQ(book_
                ->RecordHearing("procuratorate", h.hearing_id, {{"", "路人", true, ""}}, "结论",
                                At("2026-03-10", 11))
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      book_->RecordHearing("procuratorate", h.hearing_id, record, "", At("2026-03-10", 11)).code(),
      absl::StatusCode::kInvalidArgument)
      << "the outcome is required";
  ASSERT_TRUE(book_
                  ->RecordHearing("procuratorate", h.hearing_id, record, "听证员一致同意化解方案",
                                  At("2026-03-10", 11))
                  .ok());
  EXPECT_EQ(
      book_->RecordHearing("procuratorate", h.hearing_id, record, "again", At("2026-03-10", 12))
          .code(),
      absl::StatusCode::kFailedPrecondition);
  auto hearings = *book_->Hearings(id);
  ASSERT_EQ(hearings.size(), 2u);
  ASSERT_EQ(hearings[0].hearing_id, "听-2026-03") << "by time";
  hearings.erase(hearings.begin());
  EXPECT_EQ(hearings[0].participants[0].role, "petitioner") << "roles by Chinese name";
  EXPECT_TRUE(hearings[0].participants[1].attended);
  EXPECT_FALSE(hearings[0].participants[2].attended);
  EXPECT_EQ(hearings[0].participants[1].opinion, "建议先行司法救助");
  ASSERT_TRUE(book_->ProposePlan(id, "procuratorate", APlan(), At("2026-03-11")).ok());
  const std::string html = *PlanHtml(*book_, id);
  EXPECT_NE(html.find("听证员一致同意化解方案"), std::string::npos);
  EXPECT_NE(html.find("人大代表 钱某"), std::string::npos);
}

// A conference convened by the political-legal committee: its hearing is the
// procuratorate's (the hearing host), which schedules and records it; the
// convenor and other agencies may not.
TEST_F(ConferenceTest, HearingHostedByTheProcuratorate) {
  book_->set_hearing_hosts({"procuratorate"});
  auto id = book_->Convene("plc", "PLC-1", "信-2026-000007", "征地补偿群体访联席会议",
                           {"procuratorate", "court"}, At("2026-03-06"), At("2026-03-03"));
  ASSERT_TRUE(id.ok()) << id.status();
  Hearing h = AHearing(
      *id, "听-PLC-1", "2026-03-10",
      {{"petitioner", "村民代表 周某", false, ""}, {"cppcc_member", "政协委员 吴某", false, ""}});
  auto by_plc = book_->ScheduleHearing("plc", h, At("2026-03-03"));
  EXPECT_EQ(by_plc.code(), absl::StatusCode::kPermissionDenied)
      << "the convenor is not the hearing host";
  EXPECT_NE(by_plc.message().find("procuratorate"), absl::string_view::npos) << by_plc;
  EXPECT_EQ(book_->ScheduleHearing("court", h, At("2026-03-03")).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(book_->ScheduleHearing("procuratorate", h, At("2026-03-03")).ok());
  const std::vector<Participant> record = {{"", "政协委员 吴某", true, "补偿标准应公开"}};
  EXPECT_EQ(book_->RecordHearing("plc", h.hearing_id, record, "结论", At("2026-03-10", 11)).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(book_
                  ->RecordHearing("procuratorate", h.hearing_id, record, "同意按公开标准补偿",
                                  At("2026-03-10", 11))
                  .ok());
  // A procuratorate not invited to the conference hosts none of its hearings.
  auto other = book_->Convene("plc", "PLC-2", "信-2026-000008", "另一案", {"court"},
                              At("2026-03-06"), At("2026-03-03"));
  ASSERT_TRUE(other.ok());
  h.hearing_id = "听-PLC-2";
  h.conference_id = *other;
  EXPECT_EQ(book_->ScheduleHearing("procuratorate", h, At("2026-03-03")).code(),
            absl::StatusCode::kPermissionDenied);
}

// A lawyer through the justice bureau's scheme (律师参与化解): scheduled
// without a name, arranged by the justice bureau, which names the lawyer; only
// it may, once; then attendance is recorded by that name.
TEST_F(ConferenceTest, LawyerNamedByTheJusticeBureau) {
  const std::string id = Convene();
  Hearing h =
      AHearing(id, "听-2026-09", "2026-03-10",
               {{"petitioner", "工人代表 赵某", false, ""}, {"律师", "", false, "", "education"}});
  EXPECT_EQ(book_->ScheduleHearing("procuratorate", h, At("2026-03-03")).code(),
            absl::StatusCode::kInvalidArgument)
      << "the arranging agency must be invited";
  h.participants[1].arranged_by = "";
  EXPECT_EQ(book_->ScheduleHearing("procuratorate", h, At("2026-03-03")).code(),
            absl::StatusCode::kInvalidArgument)
      << "no name and nobody to name them";
  h.participants[1].arranged_by = "justice";
  ASSERT_TRUE(book_->ScheduleHearing("procuratorate", h, At("2026-03-03")).ok())
      << "the lawyer is an outside member";
  EXPECT_EQ(book_->NameParticipant("court", h.hearing_id, "lawyer", "李律师").status().code(),
            absl::StatusCode::kPermissionDenied)
      << "not the court's to name";
  EXPECT_EQ(book_->NameParticipant("justice", h.hearing_id, "律师", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  bool created = false;
  auto named = book_->NameParticipant("justice", h.hearing_id, "律师", "王律师", &created);
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(*named, id);
  EXPECT_TRUE(created);
  ASSERT_TRUE(book_->NameParticipant("justice", h.hearing_id, "lawyer", "王律师", &created).ok())
      << "sent again";
  EXPECT_FALSE(created);
  EXPECT_EQ(book_->NameParticipant("justice", h.hearing_id, "lawyer", "李律师").status().code(),
            absl::StatusCode::kPermissionDenied)
      << "no second lawyer was asked for";
  ASSERT_TRUE(book_
                  ->RecordHearing("procuratorate", h.hearing_id,
                                  {{"", "王律师", true, "建议先行司法救助"}}, "同意化解方案",
                                  At("2026-03-10", 11))
                  .ok());
  auto hearings = *book_->Hearings(id);
  ASSERT_EQ(hearings.size(), 1u);
  EXPECT_EQ(hearings[0].participants[1].name, "王律师");
  EXPECT_EQ(hearings[0].participants[1].arranged_by, "justice");
  EXPECT_TRUE(hearings[0].participants[1].attended);
  EXPECT_EQ(book_->NameParticipant("justice", h.hearing_id, "lawyer", "赵律师").status().code(),
            absl::StatusCode::kFailedPrecondition)
      << "on record";
  ASSERT_TRUE(book_->ProposePlan(id, "procuratorate", APlan(), At("2026-03-11")).ok());
  EXPECT_NE(PlanHtml(*book_, id)->find("王律师（justice指派）"), std::string::npos);
}

}  // namespace
}  // namespace concord::conference

// End to end over the bus: the real hub under the shipped ACL
// (deploy/examples/acl.toml), the real conference agent, and agencies as bus
// clients sending what an agency's console sends (the person who acted in
// Envelope.actor). A console reads a conference with ConferenceQuery and
// gets a ConferenceQueryReply correlated with it, expiring after a minute:
// the plan's versions with who signed each for which agency, the tasks, and
// the steps the asking agency may take now; an agency that is not part of
// the conference is refused, and its list holds only its own conferences.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "common/clock.h"
#include "concord/v1/conference.pb.h"
#include "concord/v1/envelope.pb.h"
#include "domain/calendar.h"
#include "tests/support/asker.h"
#include "tests/support/daemon.h"
#include "tests/support/district.h"

namespace concord::testing {
namespace {

namespace pb = ::concord::v1;

const std::string kAgent = "shangzhou.agent.conference";
const std::string kProcuratorate = "shangzhou.procuratorate";
const std::string kCourt = "shangzhou.court";
const std::string kPetition = "shangzhou.petition";
const std::string kPolice = "shangzhou.police";
constexpr int64_t kDay = kDayMs;

bool Has(const google::protobuf::RepeatedPtrField<std::string>& list, const std::string& x) {
  return std::find(list.begin(), list.end(), x) != list.end();
}

// One agency on the bus, asking the conference agent.
class Agency : public Asker {
 public:
  Agency(const TestDistrict& d, const std::string& name) : Asker(d, name, kAgent) {}

  pb::ConferenceReply Request(const google::protobuf::Message& payload,
                              const pb::Actor* actor = nullptr) {
    return AskFor<pb::ConferenceReply>(payload, actor);
  }
  pb::ConferenceQueryReply Query(const pb::ConferenceQuery& q) {
    return AskFor<pb::ConferenceQueryReply>(q);
  }
  pb::ConferenceQueryReply One(const std::string& id) {
    pb::ConferenceQuery q;
    q.set_conference_id(id);
    return Query(q);
  }
  pb::ConferenceQueryReply Mine() {
    pb::ConferenceQuery q;
    q.set_mine(true);
    return Query(q);
  }
};

class ConferenceQueryDistrict : public ::testing::Test {
 protected:
  void SetUp() override {
    d_.WriteAcl(ReadFile(std::string(CONCORD_SOURCE_DIR) + "/deploy/examples/acl.toml"));
    ASSERT_TRUE(d_.StartHub().ok());
    agent_ = std::make_unique<DaemonProcess>(
        d_, kAgent, "concord-conference-agent",
        "[conference]\nconvenors = [\"" + kProcuratorate + "\"]\n", "conference.db");
    ASSERT_TRUE(agent_->ok()) << agent_->log();
    procuratorate_ = std::make_unique<Agency>(d_, kProcuratorate);
    court_ = std::make_unique<Agency>(d_, kCourt);
    petition_ = std::make_unique<Agency>(d_, kPetition);
    police_ = std::make_unique<Agency>(d_, kPolice);
  }

  // A conference of the procuratorate with the court and the petition office.
  std::string Convene(const std::string& request_id) {
    pb::ConferenceConvene m;
    m.set_request_id(request_id);
    m.set_case_key("（2026）上0102刑初88号");
    m.add_case_refs("（2026）上0102执12号");
    m.set_title("欠薪集体访联席会议");
    m.add_invited(kCourt);
    m.add_invited(kPetition);
    m.set_inputs_due_ms(SystemClock::Get().NowMs() + 2 * kDay);
    const pb::ConferenceReply r = procuratorate_->Request(m);
    EXPECT_TRUE(r.ok()) << r.reason();
    return r.conference_id();
  }

  pb::ConferencePlan Plan(const std::string& id) {
    pb::ConferencePlan p;
    p.set_conference_id(id);
    p.set_summary("某建筑公司拖欠工人工资");
    p.set_lead_leader("检察长 陈某");
    const int64_t now = SystemClock::Get().NowMs();
    for (const auto& [task, agency] : {std::pair{"T1", kCourt}, std::pair{"T2", kPetition}}) {
      pb::ConferenceTask* t = p.add_tasks();
      t->set_task_id(task);
      t->set_agency(agency);
      t->set_person("责任人");
      t->set_measure("enforcement");
      t->set_detail("执行兑付");
      t->set_due_ms(now + 10 * kDay);
    }
    return p;
  }

  TestDistrict d_{{kProcuratorate, kCourt, kPetition, kPolice, kAgent + ":conference"}};
  std::unique_ptr<DaemonProcess> agent_;
  std::unique_ptr<Agency> procuratorate_, court_, petition_, police_;
};

pb::ConferenceSign Sign(const std::string& id, int version, bool approve,
                        const std::string& note = "") {
  pb::ConferenceSign s;
  s.set_conference_id(id);
  s.set_version(version);
  s.set_approve(approve);
  s.set_note(note);
  return s;
}

// Signed at the consoles by named leaders: every agency reads the versions
// with who signed each, and the steps the rules leave it; the reply expires
// after a minute.
TEST_F(ConferenceQueryDistrict, ReadsTheVersionsWithWhoSigned) {
  const std::string id = Convene("Q-1");
  pb::ConferenceInput in;
  in.set_conference_id(id);
  in.set_assessment("已有财产保全");
  pb::ConferenceMeasure* m = in.add_measures();
  m->set_measure("执行");
  m->set_detail("执行保全财产");
  ASSERT_TRUE(court_->Request(in).ok());
  ASSERT_TRUE(procuratorate_->Request(Plan(id)).ok());
  const pb::Actor court_leader = MakeActor("lingdao", "孙院长", "院/局领导");
  const pb::Actor office_leader = MakeActor("lingdao", "周局长", "院/局领导");
  ASSERT_TRUE(court_->Request(Sign(id, 1, true), &court_leader).ok());
  ASSERT_TRUE(petition_->Request(Sign(id, 1, false, "请明确回访"), &office_leader).ok());

  const pb::Envelope answer = petition_->Ask([&] {
    pb::ConferenceQuery q;
    q.set_conference_id(id);
    return q;
  }());
  pb::ConferenceQueryReply r;
  ASSERT_TRUE(answer.payload().UnpackTo(&r));
  ASSERT_TRUE(r.ok()) << r.reason();
  EXPECT_EQ(answer.from(), kAgent);
  EXPECT_EQ(answer.expires_at_ms(), answer.created_at_ms() + 60000);
  EXPECT_FALSE(r.may_convene());
  ASSERT_EQ(r.conferences_size(), 1);
  const pb::ConferenceView& c = r.conferences(0);
  EXPECT_EQ(c.conference_id(), id);
  EXPECT_EQ(c.status(), "signing");
  EXPECT_EQ(c.convenor(), kProcuratorate);
  EXPECT_TRUE(Has(c.invited(), kProcuratorate)) << "the convenor takes part too";
  EXPECT_TRUE(Has(c.case_refs(), "（2026）上0102执12号"));
  EXPECT_EQ(c.latest_version(), 1);
  EXPECT_EQ(c.lead_leader(), "检察长 陈某");
  ASSERT_EQ(c.inputs_size(), 1);
  EXPECT_EQ(c.inputs(0).agency(), kCourt);
  EXPECT_EQ(c.inputs(0).measures(0).measure(), "enforcement") << "canonical measure ids";
  ASSERT_EQ(c.plans_size(), 1);
  EXPECT_EQ(c.plans(0).plan().tasks_size(), 2);
  ASSERT_EQ(c.signatures_size(), 2);
  EXPECT_EQ(c.signatures(0).agency(), kCourt);
  EXPECT_TRUE(c.signatures(0).approved());
  EXPECT_EQ(c.signatures(0).signer().name(), "孙院长");
  EXPECT_EQ(c.signatures(0).signer().role(), "院/局领导");
  EXPECT_FALSE(c.signatures(1).approved());
  EXPECT_EQ(c.signatures(1).note(), "请明确回访");
  EXPECT_EQ(c.signatures(1).signer().name(), "周局长");
  EXPECT_TRUE(Has(c.signed_latest(), kCourt));
  EXPECT_TRUE(Has(c.pending_latest(), kPetition));
  EXPECT_TRUE(Has(c.allowed(), "sign")) << "changes requested: it signs again later";
  EXPECT_TRUE(Has(c.allowed(), "input"));
  EXPECT_FALSE(Has(c.allowed(), "plan")) << "only the convenor drafts";

  const pb::ConferenceView by_court = court_->One(id).conferences(0);
  EXPECT_FALSE(Has(by_court.allowed(), "sign")) << "signed the latest version already";
  const pb::ConferenceQueryReply by_convenor = procuratorate_->One(id);
  EXPECT_TRUE(by_convenor.may_convene());
  EXPECT_TRUE(Has(by_convenor.conferences(0).allowed(), "plan"));
  EXPECT_TRUE(Has(by_convenor.conferences(0).allowed(), "hearing"))
      << "no hearing_hosts: the convenor hosts";

  // Everyone signs: final; the task's agency may report it, the convenor not yet close.
  ASSERT_TRUE(petition_->Request(Sign(id, 1, true), &office_leader).ok());
  ASSERT_TRUE(procuratorate_->Request(Sign(id, 1, true)).ok());
  const pb::ConferenceView final_view = court_->One(id).conferences(0);
  EXPECT_EQ(final_view.status(), "final");
  EXPECT_EQ(final_view.open_tasks(), 2);
  EXPECT_GT(final_view.next_due_ms(), 0);
  EXPECT_TRUE(Has(final_view.allowed(), "task"));
  EXPECT_FALSE(Has(final_view.allowed(), "input"));
  EXPECT_FALSE(Has(procuratorate_->One(id).conferences(0).allowed(), "close"));
  EXPECT_EQ(procuratorate_->One(id).conferences(0).signatures(3).signer().name(), "")
      << "sent by the agency's own system: no person";
}

// Only the conferences an agency takes part in: another agency's is refused
// by name, an unknown number says so, and each list holds its own.
TEST_F(ConferenceQueryDistrict, OnlyAnAgencysOwnConferences) {
  const std::string id = Convene("Q-2");
  const pb::ConferenceQueryReply refused = police_->One(id);
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(refused.reason(), "无权查看该联席会议 / not a conference of your agency");
  EXPECT_EQ(refused.code(), static_cast<int32_t>(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(refused.conferences_size(), 0);
  const pb::ConferenceQueryReply unknown = court_->One("会-2099-001");
  EXPECT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.reason(), "没有联席会议 会-2099-001 / no conference 会-2099-001");
  EXPECT_EQ(unknown.code(), static_cast<int32_t>(absl::StatusCode::kNotFound));

  const pb::ConferenceQueryReply none = police_->Mine();
  ASSERT_TRUE(none.ok()) << none.reason();
  EXPECT_EQ(none.conferences_size(), 0);
  const std::string second = Convene("Q-3");
  const pb::ConferenceQueryReply mine = court_->Mine();
  ASSERT_TRUE(mine.ok()) << mine.reason();
  ASSERT_EQ(mine.conferences_size(), 2);
  EXPECT_EQ(mine.conferences(0).conference_id(), second) << "newest first";
  EXPECT_EQ(mine.conferences(1).conference_id(), id);
  EXPECT_EQ(mine.conferences(0).status(), "collecting");
  EXPECT_TRUE(Has(mine.conferences(0).allowed(), "input"));
  EXPECT_EQ(mine.conferences(0).plans_size(), 0) << "a list carries summaries";
  EXPECT_EQ(procuratorate_->Mine().conferences_size(), 2) << "the convenor's own";

  pb::ConferenceQuery bad;
  bad.set_mine(true);
  bad.set_limit(500);
  const pb::ConferenceQueryReply too_many = court_->Query(bad);
  EXPECT_FALSE(too_many.ok());
  EXPECT_NE(too_many.reason().find("limit"), std::string::npos) << too_many.reason();
  const pb::ConferenceQueryReply nothing = court_->Query(pb::ConferenceQuery());
  EXPECT_FALSE(nothing.ok());
  EXPECT_NE(nothing.reason().find("mine"), std::string::npos) << nothing.reason();
}

}  // namespace
}  // namespace concord::testing

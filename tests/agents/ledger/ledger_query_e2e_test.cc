// End to end over the bus: the real hub under the shipped ACL
// (deploy/examples/acl.toml), the real ledger agent, and agencies as bus
// clients sending what an agency's daemon sends for its console (the person
// who acted in Envelope.actor). A console reads the ledger with LedgerQuery
// and gets a LedgerQueryReply correlated with it: the people who acted are in
// the shared history; an agency that never handled the item is refused, a
// supervisor reads it; a search by the petitioner's name finds it; the
// actions offered are the rules' next steps for the responsible agency only.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "concord/v1/envelope.pb.h"
#include "concord/v1/petition.pb.h"
#include "tests/support/asker.h"
#include "tests/support/daemon.h"
#include "tests/support/district.h"

namespace concord::testing {
namespace {

namespace pb = ::concord::v1;

const std::string kLedger = "shangzhou.agent.ledger";
constexpr int64_t kHour = 3600 * 1000;

// One agency on the bus, asking the ledger agent.
class Agency : public Asker {
 public:
  Agency(const TestDistrict& d, const std::string& name) : Asker(d, name, kLedger) {}

  pb::PetitionReply Petition(const google::protobuf::Message& payload,
                             const pb::Actor* actor = nullptr) {
    return AskFor<pb::PetitionReply>(payload, actor);
  }
  pb::LedgerQueryReply Query(const pb::LedgerQuery& q) { return AskFor<pb::LedgerQueryReply>(q); }
  pb::LedgerQueryReply Item(const std::string& no) {
    pb::LedgerQuery q;
    q.set_ledger_no(no);
    return Query(q);
  }
};

pb::PetitionAct Act(const std::string& no, const std::string& action, const std::string& note = "",
                    const std::string& to = "") {
  pb::PetitionAct a;
  a.set_ledger_no(no);
  a.set_action(action);
  a.set_note(note);
  a.set_to_agency(to);
  return a;
}

std::set<std::string> Allowed(const pb::LedgerQueryReply& r) {
  return {r.allowed_actions().begin(), r.allowed_actions().end()};
}

class LedgerQueryDistrict : public ::testing::Test {
 protected:
  void SetUp() override {
    d_.WriteAcl(ReadFile(std::string(CONCORD_SOURCE_DIR) + "/deploy/examples/acl.toml"));
    ASSERT_TRUE(d_.StartHub().ok());
    agent_ = std::make_unique<DaemonProcess>(
        d_, kLedger, "concord-ledger-agent",
        "[ledger]\ncalendar = \"" + std::string(CONCORD_SOURCE_DIR) +
            "/deploy/calendar/cn-holidays.txt\"\npetition_office = \"shangzhou.petition\"\n"
            "supervisors = [\"shangzhou.plc\"]\n",
        "ledger.db");
    ASSERT_TRUE(agent_->ok()) << agent_->log();
    petition_ = std::make_unique<Agency>(d_, "shangzhou.petition");
    procuratorate_ = std::make_unique<Agency>(d_, "shangzhou.procuratorate");
    court_ = std::make_unique<Agency>(d_, "shangzhou.court");
    plc_ = std::make_unique<Agency>(d_, "shangzhou.plc");
  }

  TestDistrict d_{{"shangzhou.petition", "shangzhou.procuratorate", "shangzhou.court",
                   "shangzhou.plc", kLedger + ":ledger"}};
  std::unique_ptr<DaemonProcess> agent_;
  std::unique_ptr<Agency> petition_, procuratorate_, court_, plc_;
};

// Registered by one person and acted on by another: the console reads both
// in the history, with the next steps; the reply expires after a minute.
TEST_F(LedgerQueryDistrict, ConsoleReadsTheItemWithWhoActed) {
  const pb::Actor clerk = MakeActor("li.dengji", "李某", "登记员");
  const pb::Actor handler = MakeActor("wang.chengban", "王某", "承办人");
  pb::PetitionRegister reg;
  reg.set_intake_id("XF-Q-1");
  reg.set_channel("visit");
  reg.set_received_ms(SystemClock::Get().NowMs() - kHour);
  reg.set_petitioner("赵小红");
  reg.set_contact("13900000011");
  reg.set_matter("对不起诉决定不服");
  reg.set_people(1);
  const pb::PetitionReply registered = petition_->Petition(reg, &clerk);
  ASSERT_TRUE(registered.ok()) << registered.reason();
  const std::string no = registered.ledger_no();
  ASSERT_TRUE(petition_->Petition(Act(no, "start_review"), &handler).ok());

  pb::LedgerQuery q;
  q.set_ledger_no(no);
  const pb::Envelope answer = petition_->Ask(q);
  pb::LedgerQueryReply item;
  ASSERT_TRUE(answer.payload().UnpackTo(&item));
  ASSERT_TRUE(item.ok()) << item.reason();
  EXPECT_EQ(answer.from(), kLedger);
  EXPECT_EQ(answer.expires_at_ms(), answer.created_at_ms() + 60000);
  ASSERT_EQ(item.items_size(), 1);
  EXPECT_EQ(item.items(0).ledger_no(), no);
  EXPECT_EQ(item.items(0).petitioner(), "赵小红");
  EXPECT_EQ(item.items(0).status(), "under_review");
  EXPECT_FALSE(item.items(0).next_rule_text().empty());
  ASSERT_EQ(item.history_size(), 2);
  EXPECT_EQ(item.history(0).action(), "register");
  EXPECT_EQ(item.history(0).actor().login(), "li.dengji");
  EXPECT_EQ(item.history(0).actor().name(), "李某");
  EXPECT_EQ(item.history(0).actor().role(), "登记员");
  EXPECT_EQ(item.history(1).action(), "start_review");
  EXPECT_EQ(item.history(1).actor().name(), "王某");
  EXPECT_EQ(item.history(1).actor().role(), "承办人");
  EXPECT_FALSE(item.deadlines().empty());
  EXPECT_TRUE(Allowed(item).count("accept")) << "the next legal step is offered";
  EXPECT_FALSE(Allowed(item).count("close"));
}

// Who sees the item: not an agency that never handled it (nor an unknown
// number), the supervisor yes (without actions), and after a transfer the
// receiving agency acts while the sender only reads.
TEST_F(LedgerQueryDistrict, VisibilityAndActionsFollowTheItem) {
  pb::PetitionRegister reg;
  reg.set_intake_id("XF-Q-2");
  reg.set_channel("letter");
  reg.set_received_ms(SystemClock::Get().NowMs() - kHour);
  reg.set_petitioner("钱多多");
  reg.set_contact("13900000012");
  reg.set_matter("申诉");
  const pb::PetitionReply registered = petition_->Petition(reg);
  ASSERT_TRUE(registered.ok()) << registered.reason();
  const std::string no = registered.ledger_no();

  const pb::LedgerQueryReply refused = court_->Item(no);
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(refused.reason(),
            "无权查看该事项：它不由本机关经办 / not an item your agency has handled");
  EXPECT_EQ(refused.code(), static_cast<int32_t>(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(refused.items_size(), 0);
  const pb::LedgerQueryReply unknown = court_->Item("信-2099-000001");
  EXPECT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.code(), static_cast<int32_t>(absl::StatusCode::kNotFound));
  EXPECT_EQ(unknown.reason(), "没有这个信访事项 / no such item: 信-2099-000001");

  const pb::LedgerQueryReply supervised = plc_->Item(no);
  ASSERT_TRUE(supervised.ok()) << supervised.reason();
  EXPECT_EQ(supervised.history_size(), 1);
  EXPECT_TRUE(supervised.allowed_actions().empty()) << "the supervisor is not responsible";

  const pb::Actor clerk = MakeActor("sun.dengji", "孙某", "登记员");
  ASSERT_TRUE(
      petition_->Petition(Act(no, "transfer", "属检察机关管辖", "shangzhou.procuratorate"), &clerk)
          .ok());
  const pb::LedgerQueryReply receiver = procuratorate_->Item(no);
  ASSERT_TRUE(receiver.ok()) << receiver.reason();
  EXPECT_TRUE(Allowed(receiver).count("start_review"));
  EXPECT_TRUE(Allowed(receiver).count("object_to_transfer"));
  ASSERT_EQ(receiver.history_size(), 2);
  EXPECT_EQ(receiver.history(1).to_agency(), "shangzhou.procuratorate");
  EXPECT_EQ(receiver.history(1).actor().name(), "孙某");
  const pb::LedgerQueryReply sender = petition_->Item(no);
  ASSERT_TRUE(sender.ok()) << sender.reason();
  EXPECT_TRUE(sender.allowed_actions().empty()) << "no longer responsible: reads only";
  EXPECT_FALSE(court_->Item(no).ok());
  // The former agency's step is refused with its code, as the console reads it.
  const pb::PetitionReply late = petition_->Petition(Act(no, "accept", "", ""), &clerk);
  EXPECT_FALSE(late.ok());
  EXPECT_EQ(late.code(), static_cast<int32_t>(absl::StatusCode::kPermissionDenied))
      << late.reason();
}

// A search by a substring of the petitioner's name finds the item for the
// agencies that see it, and nothing for the others; a bad query names its field.
TEST_F(LedgerQueryDistrict, SearchByPetitionerName) {
  pb::PetitionRegister reg;
  reg.set_intake_id("XF-Q-3");
  reg.set_channel("phone");
  reg.set_received_ms(SystemClock::Get().NowMs() - kHour);
  reg.set_petitioner("周大勇");
  reg.set_contact("13900000013");
  reg.set_matter("拖欠工资");
  const pb::PetitionReply registered = petition_->Petition(reg);
  ASSERT_TRUE(registered.ok()) << registered.reason();

  pb::LedgerQuery search;
  search.set_text("大勇");
  const pb::LedgerQueryReply found = petition_->Query(search);
  ASSERT_TRUE(found.ok()) << found.reason();
  EXPECT_EQ(found.total(), 1);
  ASSERT_EQ(found.items_size(), 1);
  EXPECT_EQ(found.items(0).ledger_no(), registered.ledger_no());
  EXPECT_EQ(found.items(0).petitioner(), "周大勇");
  EXPECT_EQ(plc_->Query(search).total(), 1) << "the supervisor sees every item";
  const pb::LedgerQueryReply other = court_->Query(search);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other.total(), 0);

  pb::LedgerQuery bad;
  bad.set_limit(501);
  const pb::LedgerQueryReply refused = petition_->Query(bad);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.reason().find("limit"), std::string::npos) << refused.reason();
}

}  // namespace
}  // namespace concord::testing

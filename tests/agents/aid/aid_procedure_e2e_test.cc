// The judicial-aid procedure end to end across agencies, real processes: the
// hub, two agency adapters (procuratorate, court) and the aid agent on a
// drill clock (a FileClock) with the shipped calendar and a wage table. The
// agencies send each step of their applications through their adapters;
// the agent keeps the procedure, checks every grant (duplicate, cap) and
// warns of its deadlines. Rules and sources: domain/aid_rules.cc, docs/aid.md.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "domain/calendar.h"
#include "domain/linkage/tokens.h"
#include "domain/linkage/wire.h"
#include "tests/support/daemon.h"
#include "tests/support/district.h"

namespace concord::testing {
namespace {

using nlohmann::json;

class AidProcedure : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d_.StartHub().ok());
    SetClock("2026-11-02 09:00");
    court_ = std::make_unique<DaemonProcess>(d_, "court");
    procuratorate_ = std::make_unique<DaemonProcess>(d_, "procuratorate");
    agent_ = std::make_unique<DaemonProcess>(
        d_, "aid", "concord-aid-agent",
        "[aid]\ncalendar = \"" + std::string(CONCORD_SOURCE_DIR) +
            "/deploy/calendar/cn-holidays.txt\"\nscan_seconds = 1\nsupervisors = [\"plc\"]\n"
            "clock_file = \"" +
            clock_file_ + "\"\n[aid.wages]\n\"2025\" = 8200\n",
        "aid.db");
    ASSERT_TRUE(court_->ok() && procuratorate_->ok() && agent_->ok()) << agent_->log();
  }
  void SetClock(const std::string& when) { SetFileClock(clock_file_, *ParseDateTimeMs(when)); }

  // The grantee's keyed encodings, as the agency's adapter makes them.
  json Encoding(const std::string& name, const std::string& id_number, const std::string& case_ref,
                int64_t yuan) {
    aid::AidRecord r;
    r.name = name;
    r.id_number = id_number;
    r.case_refs = {case_ref};
    r.aid_type = aid::AidType::kMoney;
    r.amount_fen = yuan * 100;
    r.granted_on = "2026-11-02";
    std::string out;
    EXPECT_TRUE(
        google::protobuf::util::MessageToJsonString(aid::GrantToProto(encoder_.Encode(r)), &out)
            .ok());
    return json::parse(out);
  }
  // One step through `agency`'s adapter; the agent's AidApplicationReply.
  json Step(const DaemonProcess& agency, json step) {
    json r =
        agency.Ask("aid", "concord.v1.AidApplicationStep", step, "concord.v1.AidApplicationReply");
    EXPECT_TRUE(r.is_object()) << "no reply to " << step.dump();
    return r.is_object() ? r : json::object();
  }
  std::map<std::string, int> Alerts(const DaemonProcess& a) {
    std::map<std::string, int> out;
    json inbox = a.Get("/inbox?limit=1000");
    if (inbox.is_object())
      for (const auto& m : inbox["messages"])
        if (m.value("type", "") == "concord.v1.DeadlineAlert")
          ++out[m["payload"].value("ledger_no", "") + "|" + m["payload"].value("rule", "") + "|" +
                m["payload"].value("kind", "")];
    return out;
  }

  TestDistrict d_{{"court", "procuratorate", "plc", "aid:aid"}};
  const std::string clock_file_ = d_.dir() + "/aid-clock";
  aid::Encoder encoder_{aid::RandomLinkageKey()};
  std::unique_ptr<DaemonProcess> court_, procuratorate_, agent_;
};

const std::string kCase = "（2026）陕1002刑初45号";

// Materials asked, decided in time, paid; the relatives of a deceased victim
// in one application; the second agency's grant for the same victim and
// case stopped and refused on its ground; a grant over the cap of the wage
// table is 超出上限 and goes out only with special approval.
TEST_F(AidProcedure, ApplicationsAcrossAgencies) {
  // The procuratorate: three relatives of a deceased victim apply together.
  json r = Step(*procuratorate_, {{"application_id", "JC-救-1"},
                                  {"action", "apply"},
                                  {"applicants", 3},
                                  {"deceased_victim", true}});
  ASSERT_TRUE(r.value("ok", false)) << r.dump(2);
  EXPECT_EQ(r["status"], "applied");
  ASSERT_EQ(r["deadlines"].size(), 1u);
  EXPECT_EQ(r["deadlines"][0]["rule"], "aid_materials");
  EXPECT_EQ(FormatDate(DateOf(std::stoll(r["deadlines"][0]["due_ms"].get<std::string>()))),
            "2026-11-09");  // 5 working days
  r = Step(*procuratorate_, {{"application_id", "JC-救-1"},
                             {"action", "request_materials"},
                             {"missing", json::array({"死亡证明", "亲属关系证明"})}});
  ASSERT_TRUE(r.value("ok", false)) << r.dump(2);
  SetClock("2026-11-05 10:00");
  r = Step(*procuratorate_, {{"application_id", "JC-救-1"}, {"action", "materials_complete"}});
  ASSERT_TRUE(r.value("ok", false)) << r.dump(2);
  // A grant needs the grantee's encodings; the deceased victim's here.
  const json victim = Encoding("李建国", "610102195003041230", kCase, 60'000);
  r = Step(*procuratorate_, {{"application_id", "JC-救-1"},
                             {"action", "grant"},
                             {"amount_fen", 60'000 * 100},
                             {"grounds", "被害人死亡，近亲属生活陷入困难"},
                             {"grant", victim}});
  ASSERT_TRUE(r.value("ok", false)) << r.dump(2);
  EXPECT_EQ(r["status"], "granted");
  EXPECT_EQ(r["check"]["verdict"], "AID_CLEAR");
  EXPECT_TRUE(r["check"].value("registered", false));
  // Paid within 2 working days of the funds (11-10 Tue: 11-11, 11-12).
  SetClock("2026-11-10 09:00");
  ASSERT_TRUE(Step(*procuratorate_, {{"application_id", "JC-救-1"}, {"action", "funds_arrived"}})
                  .value("ok", false));
  SetClock("2026-11-11 15:00");
  r = Step(*procuratorate_, {{"application_id", "JC-救-1"}, {"action", "pay"}});
  ASSERT_TRUE(r.value("ok", false)) << r.dump(2);
  EXPECT_EQ(r["status"], "paid");
  for (const auto& d : r["deadlines"]) EXPECT_FALSE(d.value("missed", false)) << d.dump();

  // The court: another relative applies for the same victim and case. The
  // grant is stopped (one case, one application of the relatives); the
  // court refuses it on that ground.
  r = Step(*court_, {{"application_id", "FY-救-7"}, {"action", "apply"}, {"complete", true}});
  ASSERT_TRUE(r.value("ok", false)) << r.dump(2);
  r = Step(*court_, {{"application_id", "FY-救-7"},
                     {"action", "grant"},
                     {"amount_fen", 20'000 * 100},
                     {"grounds", "……"},
                     {"grant", Encoding("李 建國", "610102195003041230", kCase, 20'000)}});
  EXPECT_FALSE(r.value("ok", true)) << r.dump(2);
  EXPECT_EQ(r["check"]["verdict"], "AID_DUPLICATE");
  EXPECT_NE(r.value("error", "").find("重复救助"), std::string::npos) << r.dump(2);
  ASSERT_EQ(r["check"]["matches"].size(), 1u);
  EXPECT_EQ(r["check"]["matches"][0]["agency"], "procuratorate");
  r = Step(*court_, {{"application_id", "FY-救-7"},
                     {"action", "refuse"},
                     {"ground", "duplicate"},
                     {"grounds", "被害人近亲属已就本案向区检察院申请并获救助"}});
  ASSERT_TRUE(r.value("ok", false)) << r.dump(2);
  EXPECT_EQ(r["status"], "refused");

  // The court, another victim: 400,000 yuan is over 36 x 8,200 (2025):
  // 超出上限, not a duplicate, nothing decided; with special approval it is.
  ASSERT_TRUE(
      Step(*court_, {{"application_id", "FY-救-8"}, {"action", "apply"}, {"complete", true}})
          .value("ok", false));
  const json big = Encoding("王秀兰", "610102196805120026", "（2026）陕1002刑初77号", 400'000);
  json grant = {{"application_id", "FY-救-8"},
                {"action", "grant"},
                {"amount_fen", 400'000 * 100},
                {"grounds", "被害人重伤致残，丧失劳动能力"},
                {"grant", big}};
  r = Step(*court_, grant);
  EXPECT_FALSE(r.value("ok", true)) << r.dump(2);
  EXPECT_EQ(r["check"]["verdict"], "AID_OVER_CAP");
  EXPECT_NE(r.value("error", "").find("超出上限"), std::string::npos) << r.dump(2);
  EXPECT_EQ(r.value("error", "").find("重复救助"), std::string::npos) << r.dump(2);
  EXPECT_EQ(r["check"]["cap_fen"], std::to_string(36 * 8'200 * 100));
  grant["approved_exception"] = true;
  grant["exception_reason"] = "损失特别重大，经院审判委员会特别审批";
  r = Step(*court_, grant);
  ASSERT_TRUE(r.value("ok", false)) << r.dump(2);
  EXPECT_EQ(r["status"], "granted");

  // An application left unanswered: warned, then overdue, then escalated to
  // the committee (plc), on the agent's scans.
  SetClock("2026-11-12 09:00");
  ASSERT_TRUE(
      Step(*court_, {{"application_id", "FY-救-9"}, {"action", "apply"}}).value("ok", false));
  SetClock("2026-11-19 09:00");  // materials due 11-19 (5 working days)
  EXPECT_TRUE(
      WaitFor([&] { return Alerts(*court_)["FY-救-9|aid_materials|warning"] == 1; }, 15000));
  SetClock("2026-11-20 09:00");
  EXPECT_TRUE(
      WaitFor([&] { return Alerts(*court_)["FY-救-9|aid_materials|overdue"] == 1; }, 15000));
  SetClock("2026-11-23 09:00");
  EXPECT_TRUE(
      WaitFor([&] { return Alerts(*court_)["FY-救-9|aid_materials|escalation"] == 1; }, 15000));
  EXPECT_EQ(Alerts(*court_)["FY-救-9|aid_materials|warning"], 1);  // once each
}

}  // namespace
}  // namespace concord::testing

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
    key_ = d_.dir() + "/linkage.key";
    ASSERT_TRUE(aid::WriteNewLinkageKey(key_).ok());
    const std::string adapter_aid = "[aid]\nlinkage_key = \"" + key_ + "\"\nagent = \"aid\"\n";
    court_ = std::make_unique<DaemonProcess>(d_, "court", "concord-adapter", adapter_aid);
    procuratorate_ =
        std::make_unique<DaemonProcess>(d_, "procuratorate", "concord-adapter", adapter_aid);
    agent_ = std::make_unique<DaemonProcess>(
        d_, "aid", "concord-aid-agent",
        "[aid]\ncalendar = \"" + std::string(CONCORD_SOURCE_DIR) +
            "/deploy/calendar/cn-holidays.txt\"\nscan_seconds = 1\nsupervisors = [\"plc\"]\n"
            "clock_file = \"" +
            clock_file_ + "\"\n[aid.wages]\n\"2025\" = 8200\n",
        "aid.db");
    ASSERT_TRUE(court_->ok() && procuratorate_->ok() && agent_->ok()) << agent_->log();
  }
  // The agent's drill clock; each step is dated with it (the adapters run
  // on the real clock).
  void SetClock(const std::string& when) {
    now_ = when;
    SetFileClock(clock_file_, *ParseDateTimeMs(when));
  }

  // A step through the agency's REST API (as its console sends it), and the
  // aid agent's answer: {state: ok | refused, error, reply}.
  json Post(const DaemonProcess& agency, const std::string& path, const json& body) {
    HttpResult r = agency.Post(path, body);
    EXPECT_EQ(r.status, 202) << path << " " << body.dump() << ": " << r.body;
    const std::string step = json::parse(r.body, nullptr, false).value("step", "");
    json out;
    WaitFor(
        [&] {
          out = agency.Get("/aid/applications/step?id=" + step);
          return out.is_object() && out.value("state", "") != "sent";
        },
        15000);
    EXPECT_TRUE(out.is_object() && out.value("state", "") != "sent")
        << "no answer to " << path << "\n"
        << agent_->log();
    return out.is_object() ? out : json::object();
  }
  json Apply(const DaemonProcess& agency, json body) {
    body["received_at"] = now_;
    return Post(agency, "/aid/applications", body);
  }
  json Act(const DaemonProcess& agency, json body) {
    body["at"] = now_;
    return Post(agency, "/aid/applications/act", body);
  }
  std::map<std::string, int> Alerts(const DaemonProcess& a) { return a.AlertsSeen(); }

  TestDistrict d_{{"court", "procuratorate", "plc", "aid:aid"}};
  const std::string clock_file_ = d_.dir() + "/aid-clock";
  std::string key_, now_;
  std::unique_ptr<DaemonProcess> court_, procuratorate_, agent_;
};

const std::string kCase = "（2026）陕1002刑初45号";

// Materials asked, decided in time, paid; the relatives of a deceased victim
// in one application; the second agency's grant for the same victim and
// case stopped and refused on its ground; a grant over the cap of the wage
// table is 超出上限 and goes out only with special approval.
TEST_F(AidProcedure, ApplicationsAcrossAgencies) {
  // The procuratorate: three relatives of a deceased victim apply together.
  const json victim = {{"name", "李建国"}, {"id_number", "610102195003041230"}};
  json r = Apply(*procuratorate_, {{"application_id", "JC-救-1"},
                                   {"deceased_victim", true},
                                   {"victim", victim},
                                   {"applicants",
                                    {{{"name", "王桂兰"}, {"relation", "配偶"}},
                                     {{"name", "李明"}, {"relation", "子女"}},
                                     {{"name", "李丽"}, {"relation", "子女"}}}},
                                   {"case_ref", kCase},
                                   {"crime", "故意杀人"}});
  ASSERT_EQ(r.value("state", ""), "ok") << r.dump(2);
  EXPECT_EQ(r["reply"]["status"], "applied");
  ASSERT_EQ(r["reply"]["deadlines"].size(), 1u);
  EXPECT_EQ(r["reply"]["deadlines"][0]["rule"], "aid_materials");
  EXPECT_EQ(FormatDate(DateOf(std::stoll(r["reply"]["deadlines"][0]["due_ms"].get<std::string>()))),
            "2026-11-09");  // 5 working days
  json app = procuratorate_->Get("/aid/applications?id=JC-救-1");
  EXPECT_EQ(app["application"]["applicants"].size(), 3u) << app.dump(2);
  r = Act(*procuratorate_, {{"application_id", "JC-救-1"},
                            {"action", "request_materials"},
                            {"missing", "死亡证明、亲属关系证明"}});
  ASSERT_EQ(r.value("state", ""), "ok") << r.dump(2);
  SetClock("2026-11-05 10:00");
  r = Act(*procuratorate_, {{"application_id", "JC-救-1"}, {"action", "materials_complete"}});
  ASSERT_EQ(r.value("state", ""), "ok") << r.dump(2);
  r = Act(*procuratorate_, {{"application_id", "JC-救-1"},
                            {"action", "grant"},
                            {"amount_yuan", "60000"},
                            {"grounds", "被害人死亡，近亲属生活陷入困难"}});
  ASSERT_EQ(r.value("state", ""), "ok") << r.dump(2);
  EXPECT_EQ(r["reply"]["status"], "granted");
  EXPECT_EQ(r["reply"]["check"]["verdict"], "AID_CLEAR");
  EXPECT_TRUE(r["reply"]["check"].value("registered", false));
  // Paid within 2 working days of the funds (11-10 Tue: 11-11, 11-12).
  SetClock("2026-11-10 09:00");
  ASSERT_EQ(Act(*procuratorate_, {{"application_id", "JC-救-1"}, {"action", "funds_arrived"}})
                .value("state", ""),
            "ok");
  SetClock("2026-11-11 15:00");
  r = Act(*procuratorate_, {{"application_id", "JC-救-1"}, {"action", "pay"}});
  ASSERT_EQ(r.value("state", ""), "ok") << r.dump(2);
  EXPECT_EQ(r["reply"]["status"], "paid");
  for (const auto& d : r["reply"]["deadlines"]) EXPECT_FALSE(d.value("missed", false)) << d.dump();

  // The court: another relative applies for the same victim and case (the
  // name written in traditional characters). The check at application
  // already shows the grant; the grant is stopped (one case, one
  // application of the relatives); the court refuses on that ground.
  r = Apply(*court_, {{"application_id", "FY-救-7"},
                      {"deceased_victim", true},
                      {"complete", true},
                      {"victim", {{"name", "李 建國"}, {"id_number", "610102195003041230"}}},
                      {"applicants", {{{"name", "李强"}, {"relation", "子女"}}}},
                      {"case_ref", "(2026)陕1002刑初45号"}});
  ASSERT_EQ(r.value("state", ""), "ok") << r.dump(2);
  EXPECT_EQ(r["reply"]["check"]["verdict"], "AID_DUPLICATE") << r.dump(2);
  r = Act(*court_, {{"application_id", "FY-救-7"},
                    {"action", "grant"},
                    {"amount_yuan", "20000"},
                    {"grounds", "……"}});
  EXPECT_EQ(r.value("state", ""), "refused") << r.dump(2);
  EXPECT_EQ(r["reply"]["check"]["verdict"], "AID_DUPLICATE");
  EXPECT_NE(r.value("error", "").find("重复救助"), std::string::npos) << r.dump(2);
  ASSERT_EQ(r["reply"]["check"]["matches"].size(), 1u);
  EXPECT_EQ(r["reply"]["check"]["matches"][0]["agency"], "procuratorate");
  r = Act(*court_, {{"application_id", "FY-救-7"},
                    {"action", "refuse"},
                    {"ground", "duplicate"},
                    {"grounds", "被害人近亲属已就本案向区检察院申请并获救助"}});
  ASSERT_EQ(r.value("state", ""), "ok") << r.dump(2);
  EXPECT_EQ(r["reply"]["status"], "refused");

  // The court, another victim: 400,000 yuan is over 36 x 8,200 (2025):
  // 超出上限, not a duplicate, nothing decided; with special approval it is.
  ASSERT_EQ(Apply(*court_, {{"application_id", "FY-救-8"},
                            {"complete", true},
                            {"victim", {{"name", "王秀兰"}, {"id_number", "610102196805120026"}}},
                            {"case_ref", "（2026）陕1002刑初77号"}})
                .value("state", ""),
            "ok");
  json grant = {{"application_id", "FY-救-8"},
                {"action", "grant"},
                {"amount_yuan", "400000"},
                {"grounds", "被害人重伤致残，丧失劳动能力"}};
  r = Act(*court_, grant);
  EXPECT_EQ(r.value("state", ""), "refused") << r.dump(2);
  EXPECT_EQ(r["reply"]["check"]["verdict"], "AID_OVER_CAP");
  EXPECT_NE(r.value("error", "").find("超出上限"), std::string::npos) << r.dump(2);
  EXPECT_EQ(r.value("error", "").find("重复救助"), std::string::npos) << r.dump(2);
  EXPECT_EQ(r["reply"]["check"]["cap_fen"], std::to_string(36 * 8'200 * 100));
  grant["approved_exception"] = true;
  grant["exception_reason"] = "损失特别重大，经院审判委员会特别审批";
  r = Act(*court_, grant);
  ASSERT_EQ(r.value("state", ""), "ok") << r.dump(2);
  EXPECT_EQ(r["reply"]["status"], "granted");

  // A step the rules forbid is answered with the reason, nothing changed.
  r = Act(*court_, {{"application_id", "FY-救-8"}, {"action", "pay"}});
  EXPECT_EQ(r.value("state", ""), "refused") << r.dump(2);
  EXPECT_NE(r.value("error", "").find("到账后方可发放"), std::string::npos) << r.dump(2);
  EXPECT_EQ(court_->Get("/aid/applications?id=FY-救-8").value("status", ""), "granted");

  // Bad input is refused by the adapter with the field to mark.
  HttpResult bad = court_->Post("/aid/applications/act", {{"application_id", "FY-救-8"},
                                                          {"action", "refuse"},
                                                          {"ground", "no_such_ground"},
                                                          {"grounds", "……"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("\"ground\""), std::string::npos) << bad.body;

  // An application left unanswered: warned, then overdue, then escalated to
  // the committee (plc), on the agent's scans.
  SetClock("2026-11-12 09:00");
  ASSERT_EQ(Apply(*court_, {{"application_id", "FY-救-9"},
                            {"victim", {{"name", "赵刚"}}},
                            {"case_ref", "（2026）陕1002刑初90号"}})
                .value("state", ""),
            "ok");
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

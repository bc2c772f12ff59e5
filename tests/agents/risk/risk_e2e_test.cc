// End to end with real processes: the hub, the adapters of the petition
// office, the procuratorate and the political-legal committee, the ledger
// agent (observed by the risk agent) and the risk agent. A group petition over
// unpaid wages registered at the petition office is assessed red at once and
// warned to the committee and the convenor; the handlers' risk forms are
// answered; the monthly screening follows the risk agent's clock; the agent
// SIGKILLed and restarted keeps its assessments.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "common/url.h"
#include "domain/calendar.h"
#include "tests/support/daemon.h"
#include "tests/support/district.h"

namespace concord::testing {
namespace {

using nlohmann::json;

class RiskDistrict : public ::testing::Test {
 protected:
  void SetUp() override {
    SetClock(ledger_clock_, "2026-09-22 08:00");
    SetClock(risk_clock_, "2026-09-22 08:00");
    ASSERT_TRUE(d_.StartHub().ok());
    const std::string intake = "[petitions]\nledger = \"ledger\"\n";
    // (The petition office's tools read the risk agent over the bus: [console] risk.)
    petition_ = std::make_unique<DaemonProcess>(d_, "petition", "concord-adapter",
                                                intake + "[console]\nrisk = \"risk\"\n");
    procuratorate_ =
        std::make_unique<DaemonProcess>(d_, "procuratorate", "concord-adapter", intake);
    plc_ = std::make_unique<DaemonProcess>(d_, "plc", "concord-adapter");
    ledger_ =
        std::make_unique<DaemonProcess>(d_, "ledger", "concord-ledger-agent",
                                        "[ledger]\ncalendar = \"" + kCalendar +
                                            "\"\npetition_office = \"petition\"\nscan_seconds = 1\n"
                                            "observers = [\"risk\"]\nclock_file = \"" +
                                            ledger_clock_ + "\"\n",
                                        "ledger.db");
    StartRiskAgent();
    ASSERT_TRUE(petition_->ok() && procuratorate_->ok() && plc_->ok() && ledger_->ok() &&
                risk_->ok());
  }
  void StartRiskAgent() {
    risk_ = std::make_unique<DaemonProcess>(
        d_, "risk", "concord-risk-agent",
        "[risk]\nfactors = \"" + std::string(CONCORD_SOURCE_DIR) +
            "/deploy/risk/factors.toml\"\ncalendar = \"" + kCalendar +
            "\"\nsupervisors = [\"plc\"]\nconvenors = [\"procuratorate\"]\nscan_seconds = "
            "1\nledger = \"ledger\"\n"
            "clock_file = \"" +
            risk_clock_ + "\"\n",
        "risk.db");
  }
  // An agent's clock (a FileClock): set before it starts, moved by the test.
  static void SetClock(const std::string& file, const std::string& date_time) {
    SetFileClock(file, *ParseDateTimeMs(date_time));
  }

  // Publishes `payload` of `type` to `to` and waits for its PetitionReply.
  json Ask(const DaemonProcess& a, const std::string& to, const std::string& type,
           const json& payload) {
    return a.Ask(to, type, payload, "concord.v1.PetitionReply");
  }
  // Registers the group petition of 30 workers over unpaid wages, received this
  // morning (not yet overdue); its ledger number.
  std::string RegisterWageGroup() {
    json r = Ask(*petition_, "ledger", "concord.v1.PetitionRegister",
                 {{"intake_id", "XF-2026-0921"},
                  {"channel", "visit"},
                  {"received_ms", *ParseDateTimeMs("2026-09-22 07:30")},
                  {"petitioner", "李某等30人"},
                  {"contact", "13800138000"},
                  {"matter", "某建筑公司拖欠工资"},
                  {"people", 30}});
    EXPECT_TRUE(r.value("ok", false)) << r.dump();
    return r.value("ledger_no", "");
  }
  // The payloads of `type` in an agency's inbox.
  std::vector<json> Received(const DaemonProcess& a, const std::string& type) {
    std::vector<json> out;
    json inbox = a.Get("/inbox?limit=1000");
    if (inbox.is_object())
      for (const auto& m : inbox["messages"])
        if (m.value("type", "") == type) out.push_back(m["payload"]);
    return out;
  }
  // Waits for a message of `type` at `a` that `match` accepts; null if none comes.
  json WaitForMessage(const DaemonProcess& a, const std::string& type,
                      const std::function<bool(const json&)>& match) {
    json found;
    WaitFor(
        [&] {
          for (const json& p : Received(a, type))
            if (match(p)) {
              found = p;
              return true;
            }
          return false;
        },
        15000);
    return found;
  }
  // The risk agent's record of a case; an empty object when it has none (yet).
  json RiskCase(const std::string& key) {
    json c = risk_->Get("/risk/case?key=" + PercentEncode(key));
    return c.is_object() ? c : json::object();
  }

  const std::string kCalendar =
      std::string(CONCORD_SOURCE_DIR) + "/deploy/calendar/cn-holidays.txt";
  TestDistrict d_{{"petition", "procuratorate", "plc", "court", "ledger:ledger", "risk:risk"}};
  const std::string ledger_clock_ = d_.dir() + "/ledger-clock";
  const std::string risk_clock_ = d_.dir() + "/risk-clock";
  std::unique_ptr<DaemonProcess> petition_, procuratorate_, plc_, ledger_, risk_;
};

// Registered at the petition office, the group wage petition is red at once:
// the committee and the convenor get a warning proposing a joint conference,
// the petition office the assessment with its reasons.
TEST_F(RiskDistrict, GroupWagePetitionWarnsAtOnce) {
  const std::string no = RegisterWageGroup();
  ASSERT_FALSE(no.empty());
  for (const DaemonProcess* a : {plc_.get(), procuratorate_.get(), petition_.get()}) {
    json w = WaitForMessage(*a, "concord.v1.RiskWarning", [&](const json& p) {
      return p["assessment"].value("case_key", "") == no;
    });
    ASSERT_TRUE(w.is_object()) << "no warning at "
                               << (a == plc_.get()        ? "plc"
                                   : a == petition_.get() ? "petition"
                                                          : "procuratorate");
    EXPECT_TRUE(w.value("conference_proposed", false)) << w.dump();
    EXPECT_EQ(w["assessment"].value("level", ""), "red");
    EXPECT_NE(w.value("text", "").find(no), std::string::npos) << w.dump();
  }
  json a = WaitForMessage(*petition_, "concord.v1.RiskAssessment",
                          [&](const json& p) { return p.value("case_key", "") == no; });
  ASSERT_TRUE(a.is_object());
  EXPECT_EQ(a.value("level", ""), "red") << a.dump();
  EXPECT_EQ(a.value("agency", ""), "petition");
  EXPECT_EQ(a.value("score", 0), 65);
  EXPECT_NE(a.value("required", "").find("联席会议"), std::string::npos) << a.dump();
  std::set<std::string> ids;
  for (const auto& f : a["factors"]) {
    ids.insert(f.value("id", ""));
    EXPECT_FALSE(f.value("reason", "").empty()) << f.dump();
  }
  EXPECT_EQ(ids, (std::set<std::string>{"group", "large_group", "sensitive"}));
  EXPECT_TRUE(Received(*plc_, "concord.v1.RiskAssessment").empty())
      << "the assessment goes to the agency";

  json open = risk_->Get("/risk/open");
  ASSERT_TRUE(open.is_object());
  ASSERT_EQ(open["risks"].size(), 1u) << open.dump();
  EXPECT_EQ(open["risks"][0].value("case_key", ""), no);
  EXPECT_EQ(open["risks"][0].value("level", ""), "red");
  EXPECT_EQ(risk_->Get("/risk/open?agency=petition")["risks"].size(), 1u);
  EXPECT_TRUE(risk_->Get("/risk/open?agency=court")["risks"].empty());
  EXPECT_TRUE(risk_->Get("/health").is_object());
}

// A risk form with an unknown factor is refused with the reason naming it; a
// valid one is answered with the level and re-assesses the case.
TEST_F(RiskDistrict, RiskReportsAreAnswered) {
  const std::string no = RegisterWageGroup();
  ASSERT_FALSE(no.empty());
  ASSERT_TRUE(WaitFor([&] { return RiskCase(no).contains("level"); }, 15000));

  json bad = Ask(*procuratorate_, "risk", "concord.v1.RiskReport",
                 {{"case_key", no}, {"factors", {"weather"}}, {"note", "天气"}});
  ASSERT_TRUE(bad.is_object()) << "no reply";
  EXPECT_FALSE(bad.value("ok", true)) << bad.dump();
  EXPECT_NE(bad.value("reason", "").find("weather"), std::string::npos) << bad.dump();
  EXPECT_EQ(RiskCase(no).value("score", 0), 65) << "nothing recorded";

  // The court does not handle the petition office's item: its form is refused, with the reason.
  DaemonProcess court(d_, "court", "concord-adapter");
  ASSERT_TRUE(court.ok());
  json outsider =
      Ask(court, "risk", "concord.v1.RiskReport", {{"case_key", no}, {"factors", {"media"}}});
  ASSERT_TRUE(outsider.is_object()) << "no reply";
  EXPECT_FALSE(outsider.value("ok", true)) << outsider.dump();
  EXPECT_NE(outsider.value("reason", "").find("不是"), std::string::npos) << outsider.dump();
  EXPECT_EQ(RiskCase(no).value("score", 0), 65) << "nothing recorded";

  json good = Ask(*procuratorate_, "risk", "concord.v1.RiskReport",
                  {{"case_key", no}, {"factors", {"extreme"}}, {"note", "扬言跳楼"}});
  ASSERT_TRUE(good.is_object()) << "no reply";
  EXPECT_TRUE(good.value("ok", false)) << good.dump();
  EXPECT_EQ(good.value("status", ""), "red");
  EXPECT_EQ(good.value("intake_id", ""), no);
  json c = RiskCase(no);
  EXPECT_EQ(c.value("score", 0), 105) << c.dump();
  bool extreme = false;
  for (const auto& f : c["factors"])
    if (f.value("id", "") == "extreme")
      extreme = f.value("reason", "").find("扬言跳楼") != std::string::npos;
  EXPECT_TRUE(extreme) << c.dump();

  // "No risk" for the procuratorate's own case: recorded, green.
  const std::string own = "（2026）检刑诉 7 号";
  json none = Ask(*procuratorate_, "risk", "concord.v1.RiskReport",
                  {{"case_key", own}, {"no_risk", true}, {"matter", "审查起诉"}});
  EXPECT_TRUE(none.value("ok", false)) << none.dump();
  EXPECT_EQ(none.value("status", ""), "green");
  EXPECT_EQ(RiskCase(own).value("level", ""), "green");
  EXPECT_EQ(RiskCase(own).value("agency", ""), "procuratorate");
}

// On the first working day of October 2026 (after the National Day week) the
// petition office gets its screening; the agent SIGKILLed and restarted keeps
// its assessments.
TEST_F(RiskDistrict, MonthlyScreeningAndRestart) {
  const std::string no = RegisterWageGroup();
  ASSERT_FALSE(no.empty());
  ASSERT_TRUE(WaitFor([&] { return RiskCase(no).value("level", "") == "red"; }, 15000));
  EXPECT_TRUE(Received(*petition_, "concord.v1.RiskScreening").empty())
      << "September's had no risks";

  SetClock(risk_clock_, "2026-10-08 09:00");
  json s = WaitForMessage(*petition_, "concord.v1.RiskScreening",
                          [](const json& p) { return p.value("month", "") == "2026-10"; });
  ASSERT_TRUE(s.is_object()) << "no screening";
  EXPECT_EQ(s.value("agency", ""), "petition");
  EXPECT_EQ(s.value("open", 0), 1);
  EXPECT_EQ(s.value("new_risks", 0), 1);
  EXPECT_NE(s.value("markdown", "").find(no), std::string::npos) << s.value("markdown", "");
  EXPECT_NE(s.value("csv", "").find(no), std::string::npos);

  json kept = risk_->Get("/risk/screening?month=2026-10&agency=petition");
  ASSERT_TRUE(kept.is_object());
  EXPECT_EQ(kept.value("open", 0), 1);
  EXPECT_EQ(kept.value("markdown", ""), s.value("markdown", ""));
  EXPECT_EQ(risk_->Call("GET", "/risk/screening?month=2026-10&agency=plc").status, 404);

  // The same, read by the petition office's concordctl over the bus through
  // its own adapter (RiskQuery: the agent may be on another machine).
  const std::string via = " --adapter 127.0.0.1:" + std::to_string(petition_->port());
  const CommandResult open = RunConcordctl("risk" + via);
  EXPECT_EQ(open.exit_code, 0) << open.out;
  EXPECT_NE(open.out.find(no), std::string::npos) << open.out;
  EXPECT_NE(open.out.find("红色"), std::string::npos) << open.out;
  const CommandResult other = RunConcordctl("risk --agency court" + via);
  EXPECT_EQ(other.exit_code, 0) << other.out;
  EXPECT_EQ(other.out.find(no), std::string::npos) << "--agency narrows: " << other.out;
  const CommandResult screening = RunConcordctl("risk --screening 2026-10" + via);
  EXPECT_EQ(screening.exit_code, 0) << screening.out;
  EXPECT_EQ(screening.out, s.value("markdown", ""));
  const CommandResult none = RunConcordctl("risk --screening 2026-09" + via);
  EXPECT_EQ(none.exit_code, 1) << none.out;
  EXPECT_NE(none.out.find("没有"), std::string::npos) << none.out;
  const CommandResult unset =
      RunConcordctl("risk --adapter 127.0.0.1:" + std::to_string(plc_->port()));
  EXPECT_EQ(unset.exit_code, 3) << unset.out;
  EXPECT_NE(unset.out.find("[console] risk"), std::string::npos) << unset.out;

  risk_->Kill();
  StartRiskAgent();
  ASSERT_TRUE(risk_->ok());
  json c = RiskCase(no);
  ASSERT_TRUE(c.contains("level")) << "the assessment survives a SIGKILL";
  EXPECT_EQ(c.value("level", ""), "red");
  EXPECT_EQ(c.value("score", 0), 65);
  EXPECT_TRUE(risk_->Get("/risk/screening?month=2026-10&agency=petition").is_object());
  EXPECT_EQ(risk_->Call("GET", "/risk/case?key=" + PercentEncode("信-1999-000001")).status, 404);
}

}  // namespace
}  // namespace concord::testing

// End to end with real processes: the hub, the petition office's and the
// procuratorate's adapters, and the ledger agent. A petition registered at
// the petition office is transferred to the procuratorate and answered there:
// one item, one history that both agencies see; a forbidden step is refused
// with the reason; the agent killed with SIGKILL and restarted keeps it all.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "domain/calendar.h"
#include "tests/support/daemon.h"
#include "tests/support/district.h"

namespace concord::testing {
namespace {

using nlohmann::json;

class LedgerDistrict : public ::testing::Test {
 protected:
  void SetUp() override {
    SetClock("2026-09-22 08:00");
    // The agent's own copy of the calendar file (a test adds a year to it).
    std::filesystem::copy_file(std::string(CONCORD_SOURCE_DIR) + "/deploy/calendar/cn-holidays.txt",
                               calendar_, std::filesystem::copy_options::overwrite_existing);
    ASSERT_TRUE(d_.StartHub().ok());
    const std::string intake = "[petitions]\nledger = \"ledger\"\n";
    petition_ = std::make_unique<DaemonProcess>(d_, "petition", "concord-adapter", intake);
    procuratorate_ =
        std::make_unique<DaemonProcess>(d_, "procuratorate", "concord-adapter", intake);
    StartAgent();
    ASSERT_TRUE(petition_->ok() && procuratorate_->ok() && agent_->ok());
  }
  void StartAgent() {
    agent_ = std::make_unique<DaemonProcess>(
        d_, "ledger", "concord-ledger-agent",
        "[ledger]\ncalendar = \"" + calendar_ +
            "\"\npetition_office = \"petition\"\nscan_seconds = 1\n"
            "procuratorates = [\"procuratorate\"]\n"
            "reception_hosts = [\"procuratorate\"]\nreception_bookers = [\"petition\"]\n"
            "clock_file = \"" +
            clock_file_ + "\"\n",
        "ledger.db");
  }
  // The ledger agent's clock (a FileClock): set before it starts, moved by the test.
  void SetClock(const std::string& date_time) {
    SetFileClock(clock_file_, *ParseDateTimeMs(date_time));
  }

  // Publishes `payload` of `type` to the ledger and waits for its PetitionReply.
  json Ask(const DaemonProcess& a, const std::string& type, const json& payload) {
    return a.Ask("ledger", type, payload, "concord.v1.PetitionReply");
  }
  json Act(const DaemonProcess& a, const std::string& no, const std::string& action,
           const std::string& note = "", const std::string& to = "",
           const std::string& handler = "") {
    return Ask(a, "concord.v1.PetitionAct",
               {{"ledger_no", no},
                {"action", action},
                {"note", note},
                {"to_agency", to},
                {"department", handler.empty() ? "" : "控告申诉部门"},
                {"handler", handler}});
  }
  // Posts to an adapter's reception or incident API and waits for the ledger's answer.
  json Request(const DaemonProcess& a, const std::string& path, const json& body) {
    HttpResult r = a.Post(path, body);
    EXPECT_EQ(r.status, 202) << path << ": " << r.body;
    const std::string id = json::parse(r.body, nullptr, false).value("id", "");
    json out;
    WaitFor(
        [&] {
          out = a.Get("/ledger/requests?id=" + id);
          return out.is_object() && out.value("status", "") != "sent";
        },
        15000);
    return out;
  }
  std::map<std::string, int> AlertsSeen(const DaemonProcess& a) { return a.AlertsSeen(); }
  // The PetitionEvent actions an agency has received for `no`, in order.
  std::vector<std::string> EventsSeen(const DaemonProcess& a, const std::string& no) {
    std::vector<std::string> out;
    json inbox = a.Get("/inbox?limit=1000");
    if (inbox.is_object())
      for (const auto& m : inbox["messages"])
        if (m.value("type", "") == "concord.v1.PetitionEvent" &&
            m["payload"].value("ledger_no", "") == no)
          out.push_back(m["payload"].value("agency", "") + ":" + m["payload"].value("action", ""));
    return out;
  }

  TestDistrict d_{{"petition", "procuratorate", "ledger:ledger"}};
  const std::string clock_file_ = d_.dir() + "/ledger-clock";
  const std::string calendar_ = d_.dir() + "/cn-holidays.txt";
  std::unique_ptr<DaemonProcess> petition_, procuratorate_, agent_;
};

// 信访工作条例 art. 25: a matter registered as major is reported at once (a
// DeadlineAlert "report" to the registering agency and the supervisors), not
// only when its risk turns red; the same petition sent again is not reported twice.
TEST_F(LedgerDistrict, MajorMatterIsReportedWhenRegistered) {
  const json major = {{"intake_id", "XF-MAJOR-1"},
                      {"channel", "visit"},
                      {"received_ms", *ParseDateTimeMs("2026-09-22 09:00")},
                      {"petitioner", "钱某等四人"},
                      {"contact", "13700000001"},
                      {"matter", "征地补偿款被截留"},
                      {"major", true}};
  const json r = Ask(*petition_, "concord.v1.PetitionRegister", major);
  ASSERT_TRUE(r.value("ok", false)) << r.dump();
  const std::string no = r.value("ledger_no", "");
  std::map<std::string, int> seen;
  ASSERT_TRUE(WaitFor(
      [&] {
        seen = AlertsSeen(*petition_);
        return seen.count(no + "|major_report|report") > 0;
      },
      15000))
      << json(seen).dump();
  ASSERT_EQ(Ask(*petition_, "concord.v1.PetitionRegister", major).value("ledger_no", ""), no);
  json plain = major;
  plain["intake_id"] = "XF-PLAIN-1";
  plain["major"] = false;
  plain["contact"] = "13700000002";
  plain["matter"] = "咨询";
  const std::string other = Ask(*petition_, "concord.v1.PetitionRegister", plain)["ledger_no"];
  std::this_thread::sleep_for(std::chrono::seconds(2));
  seen = AlertsSeen(*petition_);
  EXPECT_EQ(seen[no + "|major_report|report"], 1) << "reported once";
  EXPECT_FALSE(seen.count(other + "|major_report|report")) << "only a major matter";
}

// The next year's notice added to the calendar file while the agent runs: the
// agent loads it at its next scan and recounts the running deadlines, which
// stop being provisional (issue 14, point 5). The 2027 line is made up.
TEST_F(LedgerDistrict, CalendarFileChangeRecountsRunningDeadlines) {
  SetClock("2026-12-10 10:00");
  const json r = Ask(*procuratorate_, "concord.v1.PetitionRegister",
                     {{"intake_id", "JC-2027"},
                      {"channel", "letter"},
                      {"received_ms", *ParseDateTimeMs("2026-12-10 09:00")},
                      {"petitioner", "周某"},
                      {"contact", "13600000027"},
                      {"matter", "申诉"}});
  ASSERT_TRUE(r.value("ok", false)) << r.dump();
  const std::string no = r["ledger_no"];
  auto substantive = [&] {
    json h = agent_->Get("/ledger/history?ledger_no=" + no);
    if (h.is_object())
      for (const auto& d : h["deadlines"])
        if (d.value("rule", "") == "substantive_reply") return d;
    return json();
  };
  json d = substantive();
  ASSERT_TRUE(d.is_object());
  EXPECT_EQ(d.value("due", "").substr(0, 10), "2027-03-10");
  EXPECT_TRUE(d.value("provisional", false));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a later mtime
  std::ofstream(calendar_, std::ios::app) << "year 2027\n2027-03-10 holiday 测试\n";
  EXPECT_TRUE(WaitFor(
      [&] {
        d = substantive();
        return d.is_object() && d.value("due", "").substr(0, 10) == "2027-03-11";
      },
      15000))
      << d.dump() << "\n"
      << agent_->log();
  EXPECT_FALSE(d.value("provisional", true));
  // A broken file is refused and the calendar in use kept.
  std::ofstream(calendar_, std::ios::app) << "2027-13-40 holiday 错\n";
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(substantive().value("due", "").substr(0, 10), "2027-03-11");
  EXPECT_NE(agent_->log().find("节假日文件有误"), std::string::npos) << agent_->log();
}

// What an operator watches (issue 13): the agent's /metrics counts open,
// due-soon, overdue and escalated items per responsible agency, as the clock
// moves past the deadlines; /readyz says the agent can work.
TEST_F(LedgerDistrict, MetricsCountOverdueItemsPerAgency) {
  const int64_t now = *ParseDateTimeMs("2026-09-22 08:00");
  for (const char* id : {"XF-2026-0101", "XF-2026-0102"}) {
    const json r = Ask(*petition_, "concord.v1.PetitionRegister",
                       {{"intake_id", id},
                        {"channel", "visit"},
                        {"received_ms", now},
                        {"petitioner", "李某"},
                        {"matter", "反映执行款未到位"},
                        {"people", 1}});
    ASSERT_TRUE(r.value("ok", false)) << r.dump();
  }
  auto metric = [&](const std::string& series) {
    const HttpResult m = agent_->Call("GET", "/metrics");
    const size_t at = m.body.find(series + " ");
    return at == std::string::npos ? -1.0 : std::stod(m.body.substr(at + series.size() + 1));
  };
  EXPECT_EQ(metric("concord_ledger_open_items{agency=\"petition\"}"), 2);
  EXPECT_EQ(metric("concord_ledger_overdue_items{agency=\"petition\"}"), 0);
  EXPECT_EQ(metric("concord_ledger_escalated_items{agency=\"petition\"}"), 0);
  EXPECT_NE(agent_->Call("GET", "/metrics").body.find("concord_ledger_agent_build_info{version="),
            std::string::npos);
  EXPECT_EQ(agent_->Call("GET", "/readyz").status, 200);

  // Forty days on, past the petition office's 15-day transfer rule and the
  // second escalation three days after it.
  SetClock("2026-11-01 10:00");
  EXPECT_TRUE(WaitFor(
      [&] { return metric("concord_ledger_escalated_items{agency=\"petition\"}") == 2; }, 15000))
      << agent_->Call("GET", "/metrics").body;
  EXPECT_EQ(metric("concord_ledger_overdue_items{agency=\"petition\"}"), 2);
  EXPECT_EQ(metric("concord_ledger_open_items{agency=\"petition\"}"), 2);
  EXPECT_EQ(metric("concord_ledger_open_items{agency=\"procuratorate\"}"), -1);
}

// Register at the petition office, transfer, answer at the procuratorate:
// one ledger number, one history both agencies see, a refusal with its reason.
TEST_F(LedgerDistrict, TransferKeepsOneItemAcrossAgencies) {
  const json reg = {{"intake_id", "XF-2026-0001"},
                    {"channel", "letter"},
                    {"received_ms", 1790000000000},
                    {"petitioner", "王某"},
                    {"contact", "13800138000"},
                    {"matter", "对不起诉决定不服"},
                    {"people", 1}};
  json r = Ask(*petition_, "concord.v1.PetitionRegister", reg);
  ASSERT_TRUE(r.value("ok", false)) << r.dump();
  const std::string no = r.value("ledger_no", "");
  EXPECT_EQ(no.rfind("信-", 0), 0u) << no;
  EXPECT_EQ(Ask(*petition_, "concord.v1.PetitionRegister", reg).value("ledger_no", ""), no)
      << "registering twice gives the same item";

  json refused = Act(*petition_, no, "close");
  EXPECT_FALSE(refused.value("ok", true));
  EXPECT_NE(refused.value("reason", "").find("不能"), std::string::npos) << refused.dump();

  ASSERT_TRUE(Act(*petition_, no, "start_review").value("ok", false));
  ASSERT_TRUE(Act(*petition_, no, "transfer", "属检察机关管辖，已告知信访人", "procuratorate")
                  .value("ok", false));
  EXPECT_FALSE(Act(*petition_, no, "accept").value("ok", true)) << "the sender no longer acts";
  ASSERT_TRUE(Act(*procuratorate_, no, "start_review").value("ok", false));
  EXPECT_FALSE(Act(*procuratorate_, no, "accept", "控告申诉部门").value("ok", true))
      << "names no handler";
  ASSERT_TRUE(Act(*procuratorate_, no, "accept", "", "", "张检察官").value("ok", false));
  ASSERT_TRUE(Act(*procuratorate_, no, "procedural_reply", "电话告知已受理").value("ok", false));

  // The agent is killed (SIGKILL) and restarted: the item and its clock survive.
  agent_->Kill();
  StartAgent();
  ASSERT_TRUE(agent_->ok());
  json open = agent_->Get("/ledger/open");
  ASSERT_TRUE(open.is_object());
  ASSERT_EQ(open["items"].size(), 1u) << open.dump();
  EXPECT_EQ(open["items"][0]["agency"], "procuratorate");
  EXPECT_EQ(open["items"][0]["status"], "accepted");
  EXPECT_NE(open["items"][0]["next_due"], "");
  // The clerk's view: concordctl ledger lists it under the procuratorate.
  const std::string report =
      RunConcordctl("ledger --ledger-http 127.0.0.1:" + std::to_string(agent_->port())).out;
  EXPECT_NE(report.find(no), std::string::npos) << report;
  EXPECT_NE(report.find("procuratorate"), std::string::npos) << report;
  // The same through the procuratorate's own adapter, over the bus (the
  // ledger agent could be on another machine): what that agency sees.
  const std::string adapter = "127.0.0.1:" + std::to_string(procuratorate_->port());
  const std::string via = RunConcordctl("ledger --adapter " + adapter).out;
  EXPECT_NE(via.find(no), std::string::npos) << via;
  EXPECT_NE(via.find("procuratorate"), std::string::npos) << via;

  ASSERT_TRUE(Act(*procuratorate_, no, "start_work").value("ok", false));
  ASSERT_TRUE(Act(*procuratorate_, no, "substantive_reply", "书面答复").value("ok", false));
  EXPECT_EQ(Act(*procuratorate_, no, "close", "息诉罢访").value("status", ""), "closed");

  const std::vector<std::string> tail = {"procuratorate:start_work",
                                         "procuratorate:substantive_reply", "procuratorate:close"};
  for (const DaemonProcess* a : {petition_.get(), procuratorate_.get()}) {
    std::vector<std::string> seen;
    ASSERT_TRUE(WaitFor([&] {
      seen = EventsSeen(*a, no);
      return seen.size() >= 3 && std::equal(tail.rbegin(), tail.rend(), seen.rbegin());
    })) << "both agencies see the history; got "
        << seen.size();
  }
  EXPECT_TRUE(agent_->Get("/ledger/open")["items"].empty());
  // One item, one history, read by the clerk (the number is Chinese: percent-encoded on the way).
  const std::string item = RunConcordctl("ledger --item " + no + " --ledger-http 127.0.0.1:" +
                                         std::to_string(agent_->port()))
                               .out;
  for (const char* step :
       {"登记 register", "移送 transfer", "首办责任人 张检察官", "息诉罢访 close"})
    EXPECT_NE(item.find(step), std::string::npos) << step << " in\n" << item;
  const CommandResult via_item = RunConcordctl("ledger --item " + no + " --adapter " + adapter);
  EXPECT_EQ(via_item.exit_code, 0) << via_item.out;
  for (const char* step : {"登记 register", "移送 transfer", "息诉罢访 close"})
    EXPECT_NE(via_item.out.find(step), std::string::npos) << step << " in\n" << via_item.out;
  const CommandResult unknown = RunConcordctl("ledger --item 信-1999-000001 --adapter " + adapter);
  EXPECT_EQ(unknown.exit_code, 1) << unknown.out;
  EXPECT_NE(unknown.out.find("没有这个信访事项"), std::string::npos) << unknown.out;
  EXPECT_NE(RunConcordctl("ledger --item 信-1999-000001 --ledger-http 127.0.0.1:" +
                          std::to_string(agent_->port()))
                .out.find("没有信访件"),
            std::string::npos);
  // The monthly report counts it (received_ms above is 2026-09-21 CST).
  const std::string month = RunConcordctl("ledger --report 2026-09 --ledger-http 127.0.0.1:" +
                                          std::to_string(agent_->port()))
                                .out;
  EXPECT_NE(month.find("| 收到信访件 | received | 1 |"), std::string::npos) << month;
  // The same report as a page to print.
  const std::string page = d_.dir() + "/report.html";
  ASSERT_EQ(RunConcordctl("ledger --report 2026-09 --html " + page +
                          " --ledger-http 127.0.0.1:" + std::to_string(agent_->port()))
                .exit_code,
            0);
  const std::string html = ReadFile(page);
  EXPECT_NE(html.find("<title>信访工作月报 2026-09</title>"), std::string::npos) << html;
  EXPECT_NE(html.find("<tr><td>收到信访件</td><td class=\"en\">received</td><td>1</td></tr>"),
            std::string::npos)
      << html;
}

// The monthly report through an agency's adapter, over the bus (the ledger
// agent on another machine), is the loopback report: the same Markdown and CSV.
TEST_F(LedgerDistrict, MonthlyReportThroughAdapterEqualsLoopback) {
  struct Row {
    const char* intake;
    const char* channel;
    const char* received;
    const char* petitioner;
    bool anonymous;
    int people;
  };
  const Row rows[] = {{"XF-RPT-1", "letter", "2026-09-03 09:00", "赵某", false, 1},
                      {"XF-RPT-2", "letter", "2026-09-10 14:30", "", true, 1},
                      {"XF-RPT-3", "visit", "2026-09-15 10:00", "钱某", false, 6},
                      {"XF-RPT-4", "online", "2026-08-28 16:00", "孙某", false, 1}};
  for (const Row& row : rows) {
    json r = Ask(*petition_, "concord.v1.PetitionRegister",
                 {{"intake_id", row.intake},
                  {"channel", row.channel},
                  {"received_ms", *ParseDateTimeMs(row.received)},
                  {"petitioner", row.petitioner},
                  {"contact", row.anonymous ? "" : "13800138000"},
                  {"anonymous", row.anonymous},
                  {"matter", std::string("申请复查 ") + row.intake},
                  {"people", row.people}});
    ASSERT_TRUE(r.value("ok", false)) << row.intake << ": " << r.dump();
  }
  const std::string loopback = "--ledger-http 127.0.0.1:" + std::to_string(agent_->port());
  const std::string adapter = "--adapter 127.0.0.1:" + std::to_string(petition_->port());
  const std::string local_csv = d_.dir() + "/local.csv", bus_csv = d_.dir() + "/bus.csv";
  const CommandResult local =
      RunConcordctl("ledger --report 2026-09 --csv " + local_csv + " " + loopback);
  const CommandResult bus =
      RunConcordctl("ledger --report 2026-09 --csv " + bus_csv + " " + adapter);
  ASSERT_EQ(bus.exit_code, 0) << bus.out;
  for (const char* line :
       {"# 信访工作月报 2026-09 / Petition statistics, 2026-09", "| 收到信访件 | received | 3 |",
        "| 　其中渠道 letter | by channel: letter | 2 |",
        "| 　其中渠道 visit | by channel: visit | 1 |", "| 集体访 | group petitions | 1 |",
        "| 匿名或无联系方式 | anonymous or no contact | 1 |",
        "| 三零：投诉 | three zeros: complaints | 0 ✓"})
    EXPECT_NE(bus.out.find(line), std::string::npos) << line << " in\n" << bus.out;
  EXPECT_EQ(bus.out.find("online"), std::string::npos) << "August's petition is not counted";
  const std::string csv = ReadFile(bus_csv);
  for (const char* line : {"\"收到信访件\",\"received\",\"3\"\n",
                           "\"　其中渠道 letter\",\"by channel: letter\",\"2\"\n"})
    EXPECT_NE(csv.find(line), std::string::npos) << line << " in\n" << csv;
  ASSERT_EQ(local.exit_code, 0) << local.out;
  EXPECT_EQ(bus.out, local.out);
  EXPECT_EQ(csv, ReadFile(local_csv));

  // A month the ledger refuses is bad input, as over loopback.
  const CommandResult bad = RunConcordctl("ledger --report 2026-13 " + adapter);
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_NE(bad.out.find("YYYY-MM"), std::string::npos) << bad.out;
}

// The adapter's petition API: bad input named field by field; registration
// and handling through /petitions, with the ledger's answers read back.
TEST_F(LedgerDistrict, AdapterPetitionApi) {
  HttpResult bad = petition_->Post(
      "/petitions", {{"intake_id", ""}, {"channel", "pigeon"}, {"received", "2026-13-01"}});
  EXPECT_EQ(bad.status, 400);
  for (const char* field : {"intake_id", "channel", "received", "matter"})
    EXPECT_NE(bad.body.find(field), std::string::npos) << field << " in " << bad.body;

  HttpResult ok = petition_->Post("/petitions", {{"intake_id", "API-1"},
                                                 {"channel", "来访"},
                                                 {"received", "2026-11-02 09:30"},
                                                 {"petitioner", "刘某"},
                                                 {"contact", "13700000000"},
                                                 {"matter", "执行款未到位"},
                                                 {"people", 2}});
  ASSERT_EQ(ok.status, 202) << ok.body;
  json reg;
  ASSERT_TRUE(WaitFor(
      [&] {
        reg = petition_->Get("/petitions?intake_id=API-1");
        return reg.is_object() && reg.value("status", "") != "registering";
      },
      15000))
      << reg.dump();
  ASSERT_EQ(reg["status"], "registered") << reg.dump();
  const std::string no = reg["ledger_no"];
  auto act = [&](const std::string& action, const std::string& note) {
    HttpResult r =
        petition_->Post("/petitions/act", {{"ledger_no", no}, {"action", action}, {"note", note}});
    EXPECT_EQ(r.status, 202) << r.body;
    const std::string id = json::parse(r.body, nullptr, false).value("id", "");
    json out;
    WaitFor(
        [&] {
          out = petition_->Get("/petitions/act?id=" + id);
          return out.is_object() && out.value("status", "") != "sent";
        },
        15000);
    return out;
  };
  EXPECT_EQ(act("start_review", "当日审查").value("item_status", ""), "under_review");
  json refused = act("close", "");
  EXPECT_EQ(refused.value("status", ""), "refused");
  EXPECT_NE(refused.value("reason", "").find("不能"), std::string::npos) << refused.dump();
  EXPECT_EQ(petition_->Post("/petitions/act", {{"ledger_no", no}, {"action", "dance"}}).status,
            400);
}

// The agent runs on a clock the test moves (FileClock): the procuratorate's
// warnings arrive before its 7-day deadline; the agent is SIGKILLed mid-year and restarted later
// on; the overdue alerts it owes then arrive, and nothing already sent comes twice.
TEST_F(LedgerDistrict, AgentKilledMidYearLosesNoTimer) {
  std::vector<std::string> nos;
  for (int i = 0; i < 3; ++i) {
    json r = Ask(*procuratorate_, "concord.v1.PetitionRegister",
                 {{"intake_id", "K-" + std::to_string(i)},
                  {"channel", "letter"},
                  {"received_ms", *ParseDateTimeMs("2026-09-21 09:00")},
                  {"petitioner", "王某"},
                  {"contact", "1380013800" + std::to_string(i)},
                  {"matter", "事项" + std::to_string(i)}});
    ASSERT_TRUE(r.value("ok", false)) << r.dump();
    nos.push_back(r["ledger_no"]);
  }
  for (const auto& no : nos)
    ASSERT_TRUE(Act(*procuratorate_, no, "start_review").value("ok", false));
  // The procedural reply is due 2026-09-28 (7 days; the warning lead is 2 days).
  SetClock("2026-09-27 10:00");
  std::map<std::string, int> seen;
  ASSERT_TRUE(WaitFor(
      [&] {
        seen = AlertsSeen(*procuratorate_);
        for (const auto& no : nos)
          if (!seen.count(no + "|procedural_reply|warning")) return false;
        return true;
      },
      15000))
      << "warnings before the deadline; got " << json(seen).dump();

  agent_->Kill();
  SetClock("2026-10-20 10:00");  // while it is down, the deadline passes (and 3 more days)
  StartAgent();
  ASSERT_TRUE(agent_->ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        seen = AlertsSeen(*procuratorate_);
        for (const auto& no : nos)
          if (!seen.count(no + "|procedural_reply|overdue") ||
              !seen.count(no + "|procedural_reply|escalation"))
            return false;
        return true;
      },
      15000))
      << "overdue and escalated after the restart";
  std::this_thread::sleep_for(std::chrono::seconds(2));  // two more scans
  for (const auto& [key, n] : AlertsSeen(*procuratorate_)) EXPECT_EQ(n, 1) << "sent twice: " << key;
  // Still visibly overdue until handled.
  json open = agent_->Get("/ledger/open");
  ASSERT_EQ(open["items"].size(), 3u);
  for (const auto& i : open["items"]) EXPECT_TRUE(i.value("overdue", false)) << i.dump();
}

// Reception day across agencies: the procuratorate publishes a slot, the
// petition office books a petitioner into it, both see the places taken; the
// procuratorate records the visit and the petition raised there enters the
// ledger. A three-zeros incident reaches the monthly report.
TEST_F(LedgerDistrict, ReceptionDayAndIncidents) {
  const json slot = {{"slot_id", "JCZ-2026-10"},     {"host", "检察长 周某"},
                     {"place", "12309检察服务中心"}, {"starts", "2026-10-15 09:00"},
                     {"ends", "2026-10-15 12:00"},   {"capacity", 2}};
  EXPECT_EQ(Request(*petition_, "/reception/slots", slot).value("status", ""), "refused")
      << "only the host publishes";
  ASSERT_EQ(Request(*procuratorate_, "/reception/slots", slot).value("status", ""), "done");
  EXPECT_EQ(petition_->Post("/reception/bookings", {{"slot_id", "JCZ-2026-10"}}).status, 400);
  const json booking = {{"booking_id", "YY-1"},
                        {"slot_id", "JCZ-2026-10"},
                        {"petitioner", "陈某"},
                        {"contact", "13600000000"},
                        {"matter", "申请检察机关监督执行"}};
  ASSERT_EQ(Request(*petition_, "/reception/bookings", booking).value("status", ""), "done");
  for (const DaemonProcess* a : {petition_.get(), procuratorate_.get()}) {
    json view;
    ASSERT_TRUE(WaitFor(
        [&] {
          view = a->Get("/reception/slots");
          return view.is_object() && !view["slots"].empty() &&
                 view["slots"][0].value("booked", 0) == 1;
        },
        15000))
        << view.dump();
    EXPECT_EQ(view["slots"][0].value("starts", ""), "2026-10-15 09:00");
  }
  const json outcome = {{"booking_id", "YY-1"},
                        {"booked_by", "petition"},
                        {"outcome", "attended"},
                        {"note", "当面听取诉求，释法说理"},
                        {"register", true}};
  json early = Request(*procuratorate_, "/reception/outcomes", outcome);
  EXPECT_EQ(early.value("status", ""), "refused") << "not before the reception";
  SetClock("2026-10-15 11:00");
  json done = Request(*procuratorate_, "/reception/outcomes", outcome);
  ASSERT_EQ(done.value("status", ""), "done") << done.dump();
  const std::string no = done.value("ledger_no", "");
  ASSERT_FALSE(no.empty()) << done.dump();
  json open = agent_->Get("/ledger/open");
  bool listed = false;
  for (const auto& i : open["items"])
    if (i["ledger_no"] == no)
      listed = i["agency"] == "procuratorate" && i["received"] == "2026-10-15";
  EXPECT_TRUE(listed) << open.dump();

  EXPECT_EQ(petition_->Post("/incidents", {{"incident_id", "SJ-1"}, {"kind", "dance"}}).status,
            400);
  ASSERT_EQ(Request(*petition_, "/incidents",
                    {{"incident_id", "SJ-1"},
                     {"kind", "投诉"},
                     {"occurred", "2026-10-16 10:00"},
                     {"ledger_no", no}})
                .value("status", ""),
            "done");
  const std::string report = RunConcordctl("ledger --report 2026-10 --ledger-http 127.0.0.1:" +
                                           std::to_string(agent_->port()))
                                 .out;
  EXPECT_NE(report.find("| 三零：投诉 | three zeros: complaints | 1 ✗"), std::string::npos)
      << report;
  EXPECT_NE(report.find("| 三零：安全事故 | three zeros: safety incidents | 0 ✓"),
            std::string::npos)
      << report;
  EXPECT_NE(
      report.find("本月接待日来访人数 | people received at this month's reception days | 1 |"),
      std::string::npos)
      << report;
  EXPECT_NE(report.find("检察长接待日 procuratorate"), std::string::npos) << report;
  // The reception days and the three zeros come over the bus too.
  EXPECT_EQ(RunConcordctl("ledger --report 2026-10 --adapter 127.0.0.1:" +
                          std::to_string(petition_->port()))
                .out,
            report);
}

}  // namespace
}  // namespace concord::testing

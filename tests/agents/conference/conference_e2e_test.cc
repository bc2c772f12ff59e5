// End to end with real processes: the hub, the adapters of six agencies (the
// procuratorate and the political-legal committee may convene; the court, the
// police, the justice bureau and the petition office take part) and
// concord-conference-agent on the real clock. A joint conference is convened
// while the court is offline (it takes part once back, from its hub mailbox);
// a change request means every agency signs the new version; the final plan's
// tasks are carried out and the conference is closed with its outcome; a
// non-convenor is refused.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/url.h"
#include "domain/calendar.h"
#include "domain/linkage/tokens.h"
#include "tests/support/daemon.h"
#include "tests/support/district.h"

namespace concord::testing {
namespace {

using nlohmann::json;

constexpr int kWaitMs = 15000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Contains(const json& list, const std::string& item) {
  if (!list.is_array()) return false;
  for (const auto& x : list)
    if (x == item) return true;
  return false;
}

class ConferenceDistrict : public ::testing::Test {
 protected:
  // Everyone but the convenor, invited to every conference here.
  const std::vector<std::string> kOthers = {"plc", "court", "police", "justice", "petition"};
  const std::vector<std::string> kAll = {"procuratorate", "plc",     "court",
                                         "police",        "justice", "petition"};

  void SetUp() override {
    ASSERT_TRUE(d_.StartHub().ok());
    for (const auto& a : kAll) {
      agencies_[a] = std::make_unique<DaemonProcess>(d_, a);
      ASSERT_TRUE(agencies_[a]->ok()) << a;
    }
    agent_ = std::make_unique<DaemonProcess>(
        d_, "conference", "concord-conference-agent",
        "[conference]\nconvenors = [\"procuratorate\", \"plc\"]\n"
        "agencies = [\"procuratorate\", \"plc\", \"court\", \"police\", "
        "\"justice\", \"petition\"]\n",
        "conference.db");
    ASSERT_TRUE(agent_->ok());
    ASSERT_TRUE(WaitFor(
        [&] {
          json health = agent_->Get("/health");
          return health.is_object() && health.value("connected", false);
        },
        kWaitMs))
        << agent_->log();
  }

  DaemonProcess& A(const std::string& name) { return *agencies_.at(name); }

  // The court's and the procuratorate's adapters again, with the aid
  // connector (a fresh linkage key) and the aid agent at "aid".
  void WithAidAdapters() {
    const std::string key = d_.dir() + "/linkage.key";
    ASSERT_TRUE(aid::WriteNewLinkageKey(key).ok());
    const std::string with_aid =
        "[aid]\nlinkage_key = \"" + key + "\"\nagent = \"aid\"\nconference = \"conference\"\n";
    for (const char* a : {"court", "procuratorate"}) {
      agencies_[a]->Stop();
      agencies_[a] = std::make_unique<DaemonProcess>(d_, a, "concord-adapter", with_aid);
      ASSERT_TRUE(agencies_[a]->ok()) << a;
    }
  }
  // Submits a grant at `agency`'s adapter; its status once the aid agent
  // answered ("checking" when it did not).
  std::string Grant(const std::string& agency, const json& g) {
    EXPECT_EQ(A(agency).Post("/aid/grants", g).status, 202);
    json state;
    WaitFor(
        [&] {
          state = A(agency).Get("/aid/grants?record_id=" + g.value("record_id", ""));
          return state.is_object() && state.value("status", "") != "checking";
        },
        kWaitMs);
    return state.value("status", "");
  }

  // Publishes `payload` of `type` (concord.v1.<type>) to the agent and waits
  // for its ConferenceReply; an empty object when none comes.
  json Ask(const std::string& from, const std::string& type, const json& payload) {
    json reply = A(from).Ask("conference", "concord.v1." + type, payload,
                             "concord.v1.ConferenceReply", kWaitMs);
    EXPECT_TRUE(reply.is_object()) << "no ConferenceReply to " << type << " from " << from;
    return reply.is_object() ? reply : json::object();
  }

  // The payloads of concord.v1.<type> in an agency's inbox, oldest first.
  std::vector<json> Received(const std::string& agency, const std::string& type) {
    std::vector<json> out;
    json inbox = A(agency).Get("/inbox?limit=1000");
    if (inbox.is_object())
      for (const auto& m : inbox["messages"])
        if (m.value("type", "") == "concord.v1." + type) out.push_back(m["payload"]);
    return out;
  }

  // Waits until every agency in `agencies` has a concord.v1.<type> that
  // `match` accepts; the first such payload of each.
  std::map<std::string, json> WaitForAll(const std::vector<std::string>& agencies,
                                         const std::string& type,
                                         const std::function<bool(const json&)>& match) {
    std::map<std::string, json> found;
    WaitFor(
        [&] {
          for (const auto& a : agencies) {
            if (found.count(a)) continue;
            for (const json& p : Received(a, type))
              if (match(p)) {
                found[a] = p;
                break;
              }
          }
          return found.size() == agencies.size();
        },
        kWaitMs);
    for (const auto& a : agencies) EXPECT_TRUE(found.count(a)) << a << " got no matching " << type;
    return found;
  }

  // The agent's JSON view of a conference; an empty object when missing.
  json View(const std::string& id) {
    json c = agent_->Get("/conference?id=" + PercentEncode(id));
    return c.is_object() ? c : json::object();
  }

  // The procuratorate convenes the five others; the conference number.
  std::string Convene(const std::string& request_id, const json& case_file_for = json::object()) {
    json r = Ask("procuratorate", "ConferenceConvene",
                 {{"request_id", request_id},
                  {"case_key", "信-2026-000123"},
                  {"case_refs", {"（2026）上0102刑初88号"}},
                  {"title", "某建筑公司欠薪群体访联席会议"},
                  {"invited", kOthers},
                  {"inputs_due_ms", NowMs() + 7 * kDayMs},
                  {"case_file", "案情摘要：三十名工人被拖欠工资"},
                  {"case_file_for", case_file_for}});
    EXPECT_TRUE(r.value("ok", false)) << r.dump();
    EXPECT_EQ(r.value("status", ""), "collecting") << r.dump();
    return r.value("conference_id", "");
  }

  // A plan with three tasks, due in the future; `t2_detail` marks the version.
  json Plan(const std::string& id, const std::string& t2_detail) {
    const int64_t now = NowMs();
    return {{"conference_id", id},
            {"summary", "三十名工人讨要欠薪，多次集体上访"},
            {"core_demand", "支付拖欠工资"},
            {"risk_level", "high"},
            {"lead_leader", "检察长 周某"},
            {"closing_criteria", "工资兑付，息诉罢访"},
            {"follow_ups_ms", {now + 30 * kDayMs}},
            {"tasks",
             {{{"task_id", "T1"},
               {"agency", "police"},
               {"person", "王警官"},
               {"measure", "investigation"},
               {"detail", "核实欠薪事实与人数"},
               {"due_ms", now + 10 * kDayMs}},
              {{"task_id", "T2"},
               {"agency", "justice"},
               {"person", "李律师"},
               {"measure", "legal_aid"},
               {"detail", t2_detail},
               {"due_ms", now + 14 * kDayMs}},
              {{"task_id", "T3"},
               {"agency", "procuratorate"},
               {"person", "张检察官"},
               {"measure", "judicial_aid"},
               {"detail", "对生活困难的工人给予司法救助"},
               {"due_ms", now + 20 * kDayMs}}}}};
  }

  // The convenor proposes a plan; its version.
  int Propose(const json& plan) {
    json r = Ask("procuratorate", "ConferencePlan", plan);
    EXPECT_TRUE(r.value("ok", false)) << r.dump();
    EXPECT_EQ(r.value("status", ""), "signing") << r.dump();
    return r.value("version", 0);
  }

  json Sign(const std::string& agency, const std::string& id, int version, bool approve,
            const std::string& note = "") {
    return Ask(agency, "ConferenceSign",
               {{"conference_id", id}, {"version", version}, {"approve", approve}, {"note", note}});
  }

  // Convenes, proposes the plan and has everyone sign it: a final plan.
  std::string FinalConference() {
    const std::string id = Convene("final-1");
    const int v = Propose(Plan(id, "为工人提供法律援助，代为申请劳动仲裁"));
    for (const auto& a : kAll) {
      json r = Sign(a, id, v, true);
      EXPECT_TRUE(r.value("ok", false)) << a << ": " << r.dump();
    }
    WaitForAll(kAll, "ConferencePlanIssued", [&](const json& p) {
      return p["plan"].value("conference_id", "") == id && p.value("final", false);
    });
    EXPECT_EQ(View(id).value("status", ""), "final");
    return id;
  }

  TestDistrict d_{{"procuratorate", "plc", "court", "police", "justice", "petition",
                   "conference:conference", "ledger:ledger", "aid:aid"}};
  std::map<std::string, std::unique_ptr<DaemonProcess>> agencies_;
  std::unique_ptr<DaemonProcess> agent_;
};

// The court is offline when the conference is convened: the others are
// invited at once; the court, back, gets its own part of the case file from
// its hub mailbox, sends its input and signs.
TEST_F(ConferenceDistrict, OfflineAgencyTakesPartAfterReconnecting) {
  EXPECT_EQ(A("court").Stop(), 0);
  const std::string kCourtFile =
      "法院卷宗：(2025)某执字第123号执行案件，被执行人名下无可供执行财产";
  const std::string id = Convene("offline-1", {{"court", kCourtFile}});
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(id.rfind("会-", 0), 0u) << id;

  const std::vector<std::string> online = {"procuratorate", "plc", "police", "justice", "petition"};
  for (const auto& [agency, inv] : WaitForAll(online, "ConferenceInvitation", [&](const json& p) {
         return p.value("conference_id", "") == id;
       })) {
    EXPECT_EQ(inv.value("case_file", ""), "案情摘要：三十名工人被拖欠工资") << agency;
    EXPECT_EQ(inv.value("convenor", ""), "procuratorate") << agency;
    EXPECT_EQ(inv["invited"].size(), 6u) << inv.dump();
    EXPECT_TRUE(Contains(inv["invited"], "court")) << inv.dump();
  }

  // Back with the same data folder (its key and its database).
  agencies_["court"] = std::make_unique<DaemonProcess>(d_, "court");
  ASSERT_TRUE(A("court").ok());
  json inv = WaitForAll({"court"}, "ConferenceInvitation",
                        [&](const json& p) { return p.value("conference_id", "") == id; })["court"];
  EXPECT_EQ(inv.value("case_file", ""), kCourtFile) << "the court sees its own part";
  EXPECT_EQ(Received("court", "ConferenceInvitation").size(), 1u) << "invited once";

  json input = Ask("court", "ConferenceInput",
                   {{"conference_id", id},
                    {"assessment", "执行不能，建议司法救助并释法说理"},
                    {"measures",
                     {{{"measure", "judicial_aid"}, {"detail", "申请国家司法救助"}},
                      {{"measure", "释法说理"}, {"detail", "说明执行不能的法律后果"}}}}});
  ASSERT_TRUE(input.value("ok", false)) << input.dump();
  json view = View(id);
  bool court_input = false;
  for (const auto& i : view["inputs"])
    if (i.value("agency", "") == "court")
      court_input = i.value("assessment", "") == "执行不能，建议司法救助并释法说理" &&
                    i["measures"].size() == 2;
  EXPECT_TRUE(court_input) << view.dump();

  const int v = Propose(Plan(id, "为工人提供法律援助"));
  ASSERT_EQ(v, 1);
  WaitForAll({"court"}, "ConferencePlanIssued", [&](const json& p) {
    return p["plan"].value("conference_id", "") == id && p.value("version", 0) == 1;
  });
  json signed_ = Sign("court", id, v, true, "同意");
  ASSERT_TRUE(signed_.value("ok", false)) << signed_.dump();
  view = View(id);
  EXPECT_TRUE(Contains(view["signed_latest"], "court")) << view.dump();
  EXPECT_FALSE(Contains(view["pending_latest"], "court")) << view.dump();
  EXPECT_EQ(view["pending_latest"].size(), 5u) << view.dump();
}

// One agency asks for changes to version 1: the convenor issues version 2, a
// signature on version 1 is refused, and the plan is final only when all six
// have signed version 2; the plan document shows both versions' decisions.
TEST_F(ConferenceDistrict, ChangeRequestMeansAllSignAgain) {
  const std::string id = Convene("change-1");
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(Propose(Plan(id, "为工人提供法律援助")), 1);
  for (const auto& [agency, issued] : WaitForAll(kAll, "ConferencePlanIssued", [&](const json& p) {
         return p["plan"].value("conference_id", "") == id && p.value("version", 0) == 1;
       })) {
    EXPECT_FALSE(issued.value("final", true)) << agency;
    EXPECT_EQ(issued["pending"].size(), 6u) << issued.dump();
    EXPECT_EQ(issued["plan"]["tasks"].size(), 3u) << issued.dump();
  }

  for (const auto& a : {"procuratorate", "plc", "court", "police", "petition"})
    ASSERT_TRUE(Sign(a, id, 1, true).value("ok", false)) << a;
  json no_note = Sign("justice", id, 1, false);
  EXPECT_FALSE(no_note.value("ok", true)) << "a change request says what to change";
  EXPECT_FALSE(no_note.value("reason", "").empty()) << no_note.dump();
  ASSERT_TRUE(Sign("justice", id, 1, false, "法律援助应包括代为申请劳动仲裁").value("ok", false));
  json notice = WaitForAll({"procuratorate"}, "ConferenceNotice", [&](const json& p) {
    return p.value("conference_id", "") == id;
  })["procuratorate"];
  EXPECT_NE(notice.value("text", "").find("法律援助应包括代为申请劳动仲裁"), std::string::npos)
      << notice.dump();
  json view = View(id);
  EXPECT_EQ(view.value("status", ""), "signing");
  EXPECT_TRUE(Contains(view["pending_latest"], "justice")) << view.dump();

  ASSERT_EQ(Propose(Plan(id, "为工人提供法律援助，代为申请劳动仲裁")), 2);
  for (const auto& [agency, issued] : WaitForAll(kAll, "ConferencePlanIssued", [&](const json& p) {
         return p["plan"].value("conference_id", "") == id && p.value("version", 0) == 2;
       })) {
    EXPECT_FALSE(issued.value("final", true)) << agency;
    EXPECT_TRUE(issued["signed"].empty()) << "everyone signs again: " << issued.dump();
    EXPECT_EQ(issued["pending"].size(), 6u) << issued.dump();
  }
  json stale = Sign("plc", id, 1, true);
  EXPECT_FALSE(stale.value("ok", true)) << "version 1 is no longer signed";
  EXPECT_NE(stale.value("reason", "").find("2"), std::string::npos) << stale.dump();

  for (size_t i = 0; i < kAll.size(); ++i) {
    json r = Sign(kAll[i], id, 2, true);
    ASSERT_TRUE(r.value("ok", false)) << kAll[i] << ": " << r.dump();
    EXPECT_EQ(r.value("status", ""), i + 1 < kAll.size() ? "signing" : "final") << kAll[i];
  }
  for (const auto& [agency, issued] : WaitForAll(kAll, "ConferencePlanIssued", [&](const json& p) {
         return p["plan"].value("conference_id", "") == id && p.value("final", false);
       })) {
    EXPECT_EQ(issued.value("version", 0), 2) << agency;
    EXPECT_EQ(issued["signed"].size(), 6u) << issued.dump();
    EXPECT_TRUE(issued["pending"].empty()) << issued.dump();
    EXPECT_EQ(issued["plan"]["tasks"][1].value("detail", ""),
              "为工人提供法律援助，代为申请劳动仲裁");
  }
  view = View(id);
  EXPECT_EQ(view.value("status", ""), "final");
  EXPECT_EQ(view["plans"].size(), 2u) << view.dump();

  HttpResult doc = agent_->Call("GET", "/conference/plan?id=" + PercentEncode(id));
  ASSERT_EQ(doc.status, 200) << doc.body;
  for (const std::string part :
       {"定稿", "要求修改（第 1 版", "法律援助应包括代为申请劳动仲裁", "同意（第 1 版",
        "同意（第 2 版", "代为申请劳动仲裁", "检察长 周某"})
    EXPECT_NE(doc.body.find(part), std::string::npos) << part << " in\n" << doc.body;
}

// After the final plan: only a task's agency reports on it; the convenor is
// told of each; closing needs the outcome and is then noticed to all.
TEST_F(ConferenceDistrict, TasksAndClosing) {
  const std::string id = FinalConference();
  ASSERT_FALSE(id.empty());

  json wrong = Ask("court", "ConferenceTaskUpdate",
                   {{"conference_id", id}, {"task_id", "T1"}, {"note", "已核实"}, {"done", true}});
  EXPECT_FALSE(wrong.value("ok", true)) << "T1 is the police's";
  EXPECT_NE(wrong.value("reason", "").find("police"), std::string::npos) << wrong.dump();

  const std::vector<std::pair<std::string, std::string>> tasks = {
      {"T1", "police"}, {"T2", "justice"}, {"T3", "procuratorate"}};
  for (const auto& [task, agency] : tasks) {
    json r =
        Ask(agency, "ConferenceTaskUpdate",
            {{"conference_id", id}, {"task_id", task}, {"note", task + " 已办结"}, {"done", true}});
    ASSERT_TRUE(r.value("ok", false)) << task << ": " << r.dump();
    EXPECT_EQ(r.value("status", ""), "final");
  }
  for (const auto& [task, agency] : tasks) {
    const std::string t = task;
    WaitForAll({"procuratorate"}, "ConferenceNotice", [&](const json& p) {
      return p.value("conference_id", "") == id &&
             p.value("text", "").find(t + " 已办结") != std::string::npos;
    });
  }
  json view = View(id);
  ASSERT_EQ(view["plans"].size(), 1u) << view.dump();
  for (const auto& task : view["plans"][0]["tasks"])
    EXPECT_EQ(task.value("status", ""), "done") << task.dump();

  json no_outcome =
      Ask("procuratorate", "ConferenceClose", {{"conference_id", id}, {"outcome", ""}});
  EXPECT_FALSE(no_outcome.value("ok", true));
  EXPECT_NE(no_outcome.value("reason", "").find("outcome"), std::string::npos) << no_outcome.dump();
  EXPECT_EQ(View(id).value("status", ""), "final");

  json closed =
      Ask("procuratorate", "ConferenceClose", {{"conference_id", id}, {"outcome", "息诉罢访"}});
  ASSERT_TRUE(closed.value("ok", false)) << closed.dump();
  EXPECT_EQ(closed.value("status", ""), "closed");
  for (const auto& [agency, n] : WaitForAll(kAll, "ConferenceNotice", [&](const json& p) {
         return p.value("conference_id", "") == id && p.value("status", "") == "closed";
       }))
    EXPECT_NE(n.value("text", "").find("息诉罢访"), std::string::npos)
        << agency << ": " << n.dump();
  EXPECT_EQ(View(id).value("outcome", ""), "息诉罢访");
}

// Only the configured convenors convene: the court is refused with the reason
// and nothing is created; the political-legal committee may.
TEST_F(ConferenceDistrict, NonConvenorIsRefused) {
  const json convene = {{"request_id", "court-1"},
                        {"case_key", "(2025)某执字第123号"},
                        {"title", "执行案件联席会议"},
                        {"invited", {"procuratorate", "police"}},
                        {"inputs_due_ms", NowMs() + 7 * kDayMs},
                        {"case_file", "执行案件"}};
  json refused = Ask("court", "ConferenceConvene", convene);
  EXPECT_FALSE(refused.value("ok", true)) << refused.dump();
  EXPECT_NE(refused.value("reason", "").find("court"), std::string::npos) << refused.dump();
  EXPECT_TRUE(refused.value("conference_id", "x").empty()) << refused.dump();

  json by_plc = convene;
  by_plc["request_id"] = "plc-1";
  json ok = Ask("plc", "ConferenceConvene", by_plc);
  ASSERT_TRUE(ok.value("ok", false)) << ok.dump();
  const std::string id = ok.value("conference_id", "");
  EXPECT_EQ(id.substr(id.size() - 4), "-001") << "the refused one numbered nothing: " << id;
  EXPECT_EQ(Ask("plc", "ConferenceConvene", by_plc).value("conference_id", ""), id)
      << "the same request again";
  for (const auto& [agency, inv] :
       WaitForAll({"plc", "procuratorate", "police"}, "ConferenceInvitation",
                  [&](const json& p) { return p.value("conference_id", "") == id; })) {
    EXPECT_EQ(inv.value("convenor", ""), "plc") << agency;
    EXPECT_EQ(Received(agency, "ConferenceInvitation").size(), 1u) << agency << ": invited once";
  }
  json ghost = convene;
  ghost["request_id"] = "plc-2";
  ghost["invited"] = {"ghost", "court"};
  json unknown = Ask("plc", "ConferenceConvene", ghost);
  EXPECT_FALSE(unknown.value("ok", true)) << "an agency nobody knows could never sign";
  EXPECT_NE(unknown.value("reason", "").find("ghost"), std::string::npos) << unknown.dump();
  EXPECT_TRUE(Received("court", "ConferenceInvitation").empty());
  EXPECT_EQ(
      agent_->Call("GET", "/conference?id=" + PercentEncode(id.substr(0, id.size() - 3) + "002"))
          .status,
      404);
}

// The final plan's tasks run on the ledger's clock (no second clock): the
// task's agency is warned before its due date; a task done is not chased;
// the others are reported overdue after theirs.
TEST_F(ConferenceDistrict, TasksOnTheLedgersClock) {
  const std::string clock = d_.dir() + "/ledger-clock";
  auto set_clock = [&](int64_t ms) { SetFileClock(clock, ms); };
  const int64_t now = NowMs();
  set_clock(now);
  DaemonProcess ledger(
      d_, "ledger", "concord-ledger-agent",
      "[ledger]\ncalendar = \"" + std::string(CONCORD_SOURCE_DIR) +
          "/deploy/calendar/cn-holidays.txt\"\nscan_seconds = 1\ntrackers = [\"conference\"]\n"
          "clock_file = \"" +
          clock + "\"\n",
      "ledger.db");
  ASSERT_TRUE(ledger.ok());
  agent_->Stop();
  agent_ = std::make_unique<DaemonProcess>(
      d_, "conference", "concord-conference-agent",
      "[conference]\nconvenors = [\"procuratorate\"]\nledger = \"ledger\"\n", "conference.db");
  ASSERT_TRUE(agent_->ok());
  // The petition in the ledger, then a conference on it.
  HttpResult reg = A("petition")
                       .Post("/publish", {{"to", {"ledger"}},
                                          {"type", "concord.v1.PetitionRegister"},
                                          {"payload",
                                           {{"intake_id", "XF-T-1"},
                                            {"channel", "visit"},
                                            {"received_ms", now},
                                            {"petitioner", "赵某等30人"},
                                            {"contact", "13900000009"},
                                            {"matter", "拖欠工资"},
                                            {"case_ref", "（2026）上0102刑初88号"},
                                            {"people", 30}}}});
  ASSERT_EQ(reg.status, 202) << reg.body;
  std::string no;
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const json& p : Received("petition", "PetitionReply"))
          if (p.value("intake_id", "") == "XF-T-1") no = p.value("ledger_no", "");
        return !no.empty();
      },
      kWaitMs));
  // Convened on the criminal case's number: the ledger finds the item by its case reference.
  json r = Ask("procuratorate", "ConferenceConvene",
               {{"request_id", "tracked-1"},
                {"case_key", "（2026）上0102刑初88号"},
                {"title", "欠薪联席会议"},
                {"invited", kOthers},
                {"inputs_due_ms", now + 3 * kDayMs},
                {"case_file", "欠薪"}});
  ASSERT_TRUE(r.value("ok", false)) << r.dump();
  const std::string id = r.value("conference_id", "");
  const int v = Propose(Plan(id, "法律援助"));  // T1 due in 10 days, T2 in 14, T3 in 20
  for (const auto& a : kAll) ASSERT_TRUE(Sign(a, id, v, true).value("ok", false)) << a;
  auto alerts = [&](const std::string& agency, const std::string& kind) {
    std::vector<std::string> out;
    for (const json& p : Received(agency, "DeadlineAlert"))
      if (p.value("rule", "") == "plan_task" && p.value("kind", "") == kind &&
          p.value("text", "").find(id + " ") != std::string::npos)  // the first conference's
        out.push_back(p.value("text", ""));
    return out;
  };
  // The ledger's view of the item's deadlines: the task `task` met or not (null: not there yet).
  auto task_met = [&](const std::string& task) -> json {
    json h = ledger.Get("/ledger/history?ledger_no=" + PercentEncode(no));
    if (h.is_object())
      for (const auto& d : h["deadlines"])
        if (d.value("rule", "") == "plan_task" &&
            d.value("label", "").rfind(id + " " + task + " ", 0) == 0)
          return d.value("met_ms", int64_t{0}) != 0;
    return json();
  };
  ASSERT_TRUE(WaitFor([&] { return task_met("T3").is_boolean(); }, kWaitMs))
      << "the tasks are on the ledger";
  // Convened on the ledger number itself: on the same item.
  json on_no = Ask("procuratorate", "ConferenceConvene",
                   {{"request_id", "tracked-2"},
                    {"case_key", no},
                    {"title", "欠薪联席会议（二）"},
                    {"invited", kOthers},
                    {"inputs_due_ms", now + 3 * kDayMs},
                    {"case_file", "欠薪"}});
  ASSERT_TRUE(on_no.value("ok", false)) << on_no.dump();
  const std::string id2 = on_no.value("conference_id", "");
  const int v2 = Propose(Plan(id2, "法律援助"));
  for (const auto& a : kAll) ASSERT_TRUE(Sign(a, id2, v2, true).value("ok", false)) << a;
  ASSERT_TRUE(WaitFor(
      [&] {
        json h = ledger.Get("/ledger/history?ledger_no=" + PercentEncode(no));
        if (h.is_object())
          for (const auto& d : h["deadlines"])
            if (d.value("label", "").rfind(id2 + " T3 ", 0) == 0) return true;
        return false;
      },
      kWaitMs))
      << "the second conference's tasks are on the item too";
  set_clock(now + 9 * kDayMs + kDayMs / 2);
  ASSERT_TRUE(WaitFor([&] { return !alerts("police", "warning").empty(); }, kWaitMs))
      << "T1 warned before its date";
  EXPECT_NE(alerts("police", "warning")[0].find("王警官"), std::string::npos)
      << alerts("police", "warning")[0];
  ASSERT_TRUE(Ask("police", "ConferenceTaskUpdate",
                  {{"conference_id", id}, {"task_id", "T1"}, {"note", "已核实"}, {"done", true}})
                  .value("ok", false));
  ASSERT_TRUE(WaitFor([&] { return task_met("T1") == json(true); }, kWaitMs))
      << "met on the ledger";
  set_clock(now + 25 * kDayMs);
  ASSERT_TRUE(WaitFor(
      [&] {
        return !alerts("justice", "overdue").empty() && !alerts("procuratorate", "overdue").empty();
      },
      kWaitMs))
      << "T2 and T3 overdue at their agencies";
  EXPECT_TRUE(alerts("police", "overdue").empty()) << "T1 was done";
}

// A plan's judicial-aid task is done only when its grant passed the duplicate
// check: the procuratorate's grant for a worker the court already aided in
// the same case is a duplicate, so the task stays open with the reason; a
// clear grant completes it.
TEST_F(ConferenceDistrict, AidTaskNeedsTheDuplicateCheck) {
  WithAidAdapters();
  DaemonProcess aid_agent(d_, "aid", "concord-aid-agent",
                          "[aid]\ncap_yuan = 50000\nstatus_askers = [\"conference\"]\n", "aid.db");
  ASSERT_TRUE(aid_agent.ok());
  agent_->Stop();
  agent_ = std::make_unique<DaemonProcess>(
      d_, "conference", "concord-conference-agent",
      "[conference]\nconvenors = [\"procuratorate\"]\naid = \"aid\"\n", "conference.db");
  ASSERT_TRUE(agent_->ok());
  const json worker = {{"name", "赵大勇"},
                       {"id_number", "11010519491231002X"},
                       {"phone", "13900000009"},
                       {"case_ref", "（2026）上0102刑初88号"},
                       {"incident_date", "2026-05-01"},
                       {"crime", "拒不支付劳动报酬"},
                       {"aid_type", "资金救助"},
                       {"amount_yuan", "8000"}};
  json court_grant = worker;
  court_grant["record_id"] = "FY-2026-1";
  court_grant["granted_on"] = "2026-08-01";
  ASSERT_EQ(Grant("court", court_grant), "clear");
  json twin = worker;
  twin["record_id"] = "JC-2026-9";
  twin["name"] = "趙大勇";
  twin["id_number"] = "";
  twin["granted_on"] = "2026-09-01";
  ASSERT_EQ(Grant("procuratorate", twin), "duplicate");

  const std::string id = FinalConference();  // T3 is the procuratorate's judicial-aid task
  // The invitation named the case's numbers (信-2026-000123 and the court's
  // 刑初88号): each aid adapter linked them for the aid agent by itself.
  json links;
  EXPECT_TRUE(WaitFor(
      [&] {
        links = A("court").Get("/aid/case-links");
        return links.is_object() && links["links"].size() == 1u &&
               links["links"][0].contains("reply");
      },
      kWaitMs))
      << links.dump();
  if (links.is_object() && links["links"].size() == 1u) {
    EXPECT_EQ(links["links"][0].value("source", ""), "conference:" + id);
    EXPECT_EQ(links["links"][0]["reply"].value("received", 0), 1) << links.dump();
  }
  json unnamed =
      Ask("procuratorate", "ConferenceTaskUpdate",
          {{"conference_id", id}, {"task_id", "T3"}, {"note", "已发放"}, {"done", true}});
  EXPECT_FALSE(unnamed.value("ok", true)) << "an aid task names its grant";
  json dup = Ask("procuratorate", "ConferenceTaskUpdate",
                 {{"conference_id", id},
                  {"task_id", "T3"},
                  {"note", "已发放"},
                  {"done", true},
                  {"aid_record_id", "JC-2026-9"}});
  EXPECT_FALSE(dup.value("ok", true)) << dup.dump();
  EXPECT_NE(dup.value("reason", "").find("重复救助"), std::string::npos) << dup.dump();
  EXPECT_NE(dup.value("reason", "").find("FY-2026-1"), std::string::npos) << dup.dump();
  EXPECT_EQ(View(id)["plans"][0]["tasks"][2].value("status", ""), "open");

  json other = worker;  // another worker of the same case: clear
  other["record_id"] = "JC-2026-10";
  other["name"] = "钱小军";
  other["id_number"] = "440524188001010014";
  other["phone"] = "13700000007";
  other["granted_on"] = "2026-09-02";
  ASSERT_EQ(Grant("procuratorate", other), "clear");
  // A clear grant of another case does not do: the adapter refuses it at
  // once, naming both cases; and a grant it never had is refused too.
  json elsewhere = other;
  elsewhere["record_id"] = "JC-2026-11";
  elsewhere["name"] = "孙小梅";
  elsewhere["id_number"] = "110105198001010018";
  elsewhere["phone"] = "13700000011";
  elsewhere["case_ref"] = "（2026）上0102民初5号";
  ASSERT_EQ(Grant("procuratorate", elsewhere), "clear");
  auto publish = [&](const std::string& record) {
    return A("procuratorate")
        .Post("/publish", {{"to", {"conference"}},
                           {"type", "concord.v1.ConferenceTaskUpdate"},
                           {"payload",
                            {{"conference_id", id},
                             {"task_id", "T3"},
                             {"note", "已发放"},
                             {"done", true},
                             {"aid_record_id", record}}}});
  };
  auto wrong_case = publish("JC-2026-11");
  EXPECT_EQ(wrong_case.status, 400) << wrong_case.body;
  EXPECT_NE(wrong_case.body.find("不是本案"), std::string::npos) << wrong_case.body;
  EXPECT_NE(wrong_case.body.find("上0102民初5号"), std::string::npos) << wrong_case.body;
  auto unknown = publish("JC-2026-404");
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_NE(unknown.body.find("没有救助记录"), std::string::npos) << unknown.body;
  // An "invitation" from another agency naming that other case changes nothing:
  // only the conference agent's invitations count. The receiver drops it as a
  // forgery (this test's ACL lets it through the hub) and never shows it.
  const size_t invitations = Received("procuratorate", "ConferenceInvitation").size();
  ASSERT_EQ(A("court")
                .Post("/publish",
                      {{"to", {"procuratorate"}},
                       {"type", "concord.v1.ConferenceInvitation"},
                       {"payload", {{"conference_id", id}, {"case_key", "（2026）上0102民初5号"}}}})
                .status,
            202);
  ASSERT_TRUE(WaitFor(
      [&] { return A("procuratorate").log().find("forged message dropped") != std::string::npos; },
      kWaitMs))
      << A("procuratorate").log();
  EXPECT_EQ(Received("procuratorate", "ConferenceInvitation").size(), invitations);
  auto forged = publish("JC-2026-11");
  EXPECT_EQ(forged.status, 400) << forged.body;
  EXPECT_NE(forged.body.find("不是本案"), std::string::npos) << forged.body;
  EXPECT_EQ(View(id)["plans"][0]["tasks"][2].value("status", ""), "open");
  json ok = Ask("procuratorate", "ConferenceTaskUpdate",
                {{"conference_id", id},
                 {"task_id", "T3"},
                 {"note", "已发放"},
                 {"done", true},
                 {"aid_record_id", "JC-2026-10"}});
  EXPECT_TRUE(ok.value("ok", false)) << ok.dump();
  EXPECT_EQ(View(id)["plans"][0]["tasks"][2].value("status", ""), "done");

  // The convenor adds a case number by sending the convene again: every
  // invited agency gets the invitation again, with it.
  const size_t before = Received("police", "ConferenceInvitation").size();
  json again = Ask("procuratorate", "ConferenceConvene",
                   {{"request_id", "final-1"},
                    {"case_key", "信-2026-000123"},
                    {"case_refs", {"（2026）上0102刑初88号", "（2026）上0102执12号"}},
                    {"title", "某建筑公司欠薪群体访联席会议"},
                    {"invited", kOthers},
                    {"inputs_due_ms", NowMs() + 7 * kDayMs}});
  EXPECT_TRUE(again.value("ok", false)) << again.dump();
  EXPECT_EQ(again.value("conference_id", ""), id);
  ASSERT_TRUE(
      WaitFor([&] { return Received("police", "ConferenceInvitation").size() > before; }, kWaitMs));
  EXPECT_EQ(Received("police", "ConferenceInvitation").back()["case_refs"],
            json({"（2026）上0102刑初88号", "（2026）上0102执12号"}));
  EXPECT_EQ(View(id)["case_refs"].size(), 2u);
}

// The aid agent does not answer (it is down): the agency is told to try
// again after the timeout instead of waiting forever; the task stays open.
TEST_F(ConferenceDistrict, AidTaskWithoutAnAnswerIsToldToRetry) {
  WithAidAdapters();
  agent_->Stop();
  agent_ = std::make_unique<DaemonProcess>(
      d_, "conference", "concord-conference-agent",
      "[conference]\nconvenors = [\"procuratorate\"]\naid = \"aid\"\n"
      "aid_timeout_seconds = 1\n",
      "conference.db");
  ASSERT_TRUE(agent_->ok());
  const std::string id = FinalConference();
  // Submitted for the check, which stays pending: there is no aid agent.
  EXPECT_EQ(A("procuratorate")
                .Post("/aid/grants", {{"record_id", "JC-1"},
                                      {"name", "赵大勇"},
                                      {"id_number", "11010519491231002X"},
                                      {"case_ref", "（2026）上0102刑初88号"},
                                      {"aid_type", "资金救助"},
                                      {"amount_yuan", "8000"},
                                      {"granted_on", "2026-09-01"}})
                .status,
            202);
  json r = Ask("procuratorate", "ConferenceTaskUpdate",
               {{"conference_id", id},
                {"task_id", "T3"},
                {"note", "已发放"},
                {"done", true},
                {"aid_record_id", "JC-1"}});
  EXPECT_FALSE(r.value("ok", true)) << r.dump();
  EXPECT_NE(r.value("reason", "").find("重试"), std::string::npos) << r.dump();
  EXPECT_EQ(View(id)["plans"][0]["tasks"][2].value("status", ""), "open");
}

// The clerk's views through the real concordctl: a final plan with its tasks,
// signed by all; a plan still being signed (who has not, who asks for
// changes); the plan document; the lead leader's open tasks, overdue ones
// marked on the agent's clock; the agent's errors (unknown number, no plan
// yet, not reachable) exit 3, bad arguments 2.
TEST_F(ConferenceDistrict, ConcordctlShowsConferencesPlansAndTheLeadersView) {
  const std::string clock = d_.dir() + "/conference-clock";
  SetFileClock(clock, NowMs());
  agent_->Stop();
  agent_ =
      std::make_unique<DaemonProcess>(d_, "conference", "concord-conference-agent",
                                      "[conference]\nconvenors = [\"procuratorate\", \"plc\"]\n"
                                      "clock_file = \"" +
                                          clock +
                                          "\"\n"
                                          "[conference.names]\n\"police\" = \"上州区公安分局\"\n",
                                      "conference.db");
  ASSERT_TRUE(agent_->ok());
  const std::string http = "--conference-http 127.0.0.1:" + std::to_string(agent_->port());
  auto ctl = [](const std::string& args) { return RunConcordctl("conference " + args); };
  // The output line that contains `label` (empty when none).
  auto line = [](const std::string& out, const std::string& label) {
    const size_t at = out.find(label);
    if (at == std::string::npos) return std::string();
    const size_t begin = out.rfind('\n', at) + 1, end = out.find('\n', at);
    return out.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  };
  auto cst_date = [](int64_t ms) {
    const std::chrono::year_month_day d{
        std::chrono::floor<std::chrono::days>(std::chrono::sys_time<std::chrono::milliseconds>(
            std::chrono::milliseconds(ms + 8 * 3600 * 1000)))};
    char buf[16];
    snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
             static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    return std::string(buf);
  };

  const std::string final_id = FinalConference();
  ASSERT_FALSE(final_id.empty());
  ASSERT_TRUE(Ask("police", "ConferenceTaskUpdate",
                  {{"conference_id", final_id},
                   {"task_id", "T1"},
                   {"note", "已核实欠薪工人三十名"},
                   {"done", false}})
                  .value("ok", false));
  const std::string signing_id = Convene("ctl-signing");
  ASSERT_EQ(Propose(Plan(signing_id, "为工人提供法律援助")), 1);
  for (const char* a : {"procuratorate", "plc"})
    ASSERT_TRUE(Sign(a, signing_id, 1, true).value("ok", false)) << a;
  ASSERT_TRUE(Sign("justice", signing_id, 1, false, "请写明仲裁申请期限").value("ok", false));
  const std::string collecting_id = Convene("ctl-collecting");
  ASSERT_TRUE(Ask("procuratorate", "HearingSchedule",
                  {{"conference_id", final_id},
                   {"hearing_id", "听-CTL-1"},
                   {"starts_ms", NowMs() + 4 * kDayMs},
                   {"place", "检察院听证室"},
                   {"chair", "承办检察官 张某"},
                   {"participants",
                    {{{"role", "信访人"}, {"name", "工人代表 孙某"}},
                     {{"role", "人大代表"}, {"name", "钱某"}},
                     {{"role", "律师"}, {"arranged_by", "justice"}}}}})
                  .value("ok", false));
  // The justice bureau is asked for the lawyer, and names one.
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const json& n : Received("justice", "ConferenceNotice"))
          if (n.value("text", "").find("请为公开听证 听-CTL-1") != std::string::npos) return true;
        return false;
      },
      kWaitMs));
  EXPECT_FALSE(Ask("court", "HearingNominee",
                   {{"hearing_id", "听-CTL-1"}, {"role", "律师"}, {"name", "李律师"}})
                   .value("ok", true))
      << "not the court's to name";

  // The final plan: every task, its agency, person, measure, CST due date and latest progress.
  CommandResult shown = ctl("--id " + final_id + " " + http);
  ASSERT_EQ(shown.exit_code, 0) << shown.out;
  EXPECT_NE(line(shown.out, "状态 status").find("已定稿 final"), std::string::npos) << shown.out;
  EXPECT_NE(line(shown.out, "议题 title").find("某建筑公司欠薪群体访联席会议"), std::string::npos)
      << shown.out;
  EXPECT_NE(line(shown.out, "最新方案 latest plan").find("检察长 周某"), std::string::npos)
      << shown.out;
  for (const std::string a :
       {"court", "justice", "petition", "plc", "上州区公安分局", "procuratorate"})
    EXPECT_NE(line(shown.out, "已签署 signed").find(a), std::string::npos) << a << " in\n"
                                                                           << shown.out;
  EXPECT_EQ(line(shown.out, "已签署 signed").find("police"), std::string::npos)
      << "by its name: " << shown.out;
  EXPECT_NE(line(shown.out, "公开听证 hearing").find("听-CTL-1"), std::string::npos) << shown.out;
  EXPECT_NE(line(shown.out, "听证结论 outcome").find("尚未举行"), std::string::npos) << shown.out;
  EXPECT_NE(line(shown.out, "待 justice 指派").find("律师        —"), std::string::npos)
      << shown.out;
  ASSERT_TRUE(Ask("justice", "HearingNominee",
                  {{"hearing_id", "听-CTL-1"}, {"role", "律师"}, {"name", "王律师"}})
                  .value("ok", false));
  EXPECT_NE(line(shown.out, "未签署 not signed").find("无 none"), std::string::npos) << shown.out;
  const json tasks = View(final_id)["plans"][0]["tasks"];
  ASSERT_EQ(tasks.size(), 3u) << tasks.dump();
  const std::vector<std::vector<std::string>> rows = {
      {"T1", "上州区公安分局", "王警官", "调查核实", cst_date(tasks[0].value("due_ms", int64_t{0})),
       "进行中 open", "已核实欠薪工人三十名"},
      {"T2", "justice", "李律师", "法律援助", cst_date(tasks[1].value("due_ms", int64_t{0})),
       "进行中 open"},
      {"T3", "procuratorate", "张检察官", "司法救助",
       cst_date(tasks[2].value("due_ms", int64_t{0})), "进行中 open"}};
  for (const auto& row : rows) {
    const std::string l = line(shown.out, row[0] + " ");
    for (const std::string& cell : row)
      EXPECT_NE(l.find(cell), std::string::npos) << cell << " in " << l;
  }
  EXPECT_EQ(line(shown.out, "结案结果 outcome"), "") << "not closed";

  // A plan being signed: who signed, who has not, and who asks for what.
  CommandResult signing = ctl(http + " --id " + signing_id);
  ASSERT_EQ(signing.exit_code, 0) << signing.out;
  EXPECT_NE(line(signing.out, "状态 status").find("会签中 signing"), std::string::npos)
      << signing.out;
  const std::string signed_line = line(signing.out, "已签署 signed"),
                    pending = line(signing.out, "未签署 not signed");
  EXPECT_NE(signed_line.find("plc、procuratorate"), std::string::npos) << signing.out;
  EXPECT_EQ(signed_line.find("court"), std::string::npos) << signing.out;
  EXPECT_NE(pending.find("court、justice、petition、上州区公安分局"), std::string::npos)
      << signing.out;
  EXPECT_EQ(pending.find("plc"), std::string::npos) << signing.out;
  EXPECT_NE(line(signing.out, "要求修改").find("请写明仲裁申请期限"), std::string::npos)
      << signing.out;

  // --json: the agent's JSON as it is.
  CommandResult as_json = ctl("--id " + final_id + " --json " + http);
  ASSERT_EQ(as_json.exit_code, 0) << as_json.out;
  const json parsed = json::parse(as_json.out, nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << as_json.out;
  EXPECT_EQ(parsed, View(final_id));

  // --html: the plan document, written where asked.
  const std::string doc = d_.dir() + "/plan.html";
  CommandResult html = ctl("--id " + final_id + " --html " + doc + " " + http);
  ASSERT_EQ(html.exit_code, 0) << html.out;
  EXPECT_NE(html.out.find(doc), std::string::npos) << html.out;
  const std::string written = ReadFile(doc);
  for (const std::string part :
       {"<html", "某建筑公司欠薪群体访联席会议", "检察长 周某", "核实欠薪事实与人数"})
    EXPECT_NE(written.find(part), std::string::npos) << part << " in\n" << written;
  CommandResult no_plan =
      ctl("--id " + collecting_id + " --html " + d_.dir() + "/none.html " + http);
  EXPECT_EQ(no_plan.exit_code, 3) << no_plan.out;
  EXPECT_NE(no_plan.out.find("尚无方案 / no plan yet"), std::string::npos) << no_plan.out;
  EXPECT_FALSE(std::filesystem::exists(d_.dir() + "/none.html"));

  // The lead leader's view, twelve days on: both conferences with a plan, their open tasks and
  // due dates, T1 (due in ten days) overdue, T2 (in fourteen) not.
  SetFileClock(clock, NowMs() + 12 * kDayMs);
  CommandResult leader = ctl("--leader '检察长 周某' " + http);
  ASSERT_EQ(leader.exit_code, 0) << leader.out;
  ASSERT_NE(line(leader.out, final_id).find("已定稿 final"), std::string::npos) << leader.out;
  EXPECT_NE(line(leader.out, signing_id).find("会签中 signing"), std::string::npos) << leader.out;
  EXPECT_EQ(leader.out.find(collecting_id), std::string::npos)
      << "no plan, no lead leader: " << leader.out;
  EXPECT_NE(line(leader.out, "未签署 not signed").find("court、justice、petition、上州区公安分局"),
            std::string::npos)
      << leader.out;
  const std::string final_part = leader.out.substr(leader.out.find(final_id));
  const std::string t1 = line(final_part, "T1 "), t2 = line(final_part, "T2 ");
  for (const std::string& cell : {std::string("上州区公安分局"), std::string("王警官"), rows[0][4],
                                  std::string("逾期 overdue")})
    EXPECT_NE(t1.find(cell), std::string::npos) << cell << " in " << t1;
  EXPECT_NE(t2.find(rows[1][4]), std::string::npos) << t2;
  EXPECT_EQ(t2.find("逾期"), std::string::npos) << t2;
  // The hearing, held by now, on record: who came, what they said, the outcome.
  ASSERT_TRUE(Ask("procuratorate", "HearingRecord",
                  {{"hearing_id", "听-CTL-1"},
                   {"attendance",
                    {{{"name", "工人代表 孙某"}, {"attended", true}, {"opinion", "要求尽快支付"}},
                     {{"name", "钱某"}, {"attended", false}},
                     {{"name", "王律师"}, {"attended", true}, {"opinion", "依法支持工人讨薪"}}}},
                   {"outcome", "听证员同意化解方案"}})
                  .value("ok", false));
  CommandResult heard = ctl("--id " + final_id + " " + http);
  ASSERT_EQ(heard.exit_code, 0) << heard.out;
  EXPECT_NE(line(heard.out, "工人代表 孙某").find("出席 present  意见 opinion: 要求尽快支付"),
            std::string::npos)
      << heard.out;
  EXPECT_NE(line(heard.out, "钱某").find("缺席 absent"), std::string::npos) << heard.out;
  EXPECT_NE(line(heard.out, "王律师").find("justice 指派"), std::string::npos) << heard.out;
  EXPECT_NE(line(heard.out, "王律师").find("出席 present"), std::string::npos) << heard.out;
  EXPECT_NE(line(heard.out, "听证结论 outcome").find("听证员同意化解方案"), std::string::npos)
      << heard.out;
  CommandResult nobody = ctl("--leader '副检察长 无此人' " + http);
  ASSERT_EQ(nobody.exit_code, 0) << nobody.out;
  EXPECT_NE(nobody.out.find("没有在办的联席会议"), std::string::npos) << nobody.out;

  // Errors: an unknown number and an agent not running exit 3 with the reason; bad arguments 2.
  CommandResult unknown = ctl("--id 会-1999-999 " + http);
  EXPECT_EQ(unknown.exit_code, 3) << unknown.out;
  EXPECT_NE(unknown.out.find("没有联席会议 会-1999-999 / no conference 会-1999-999"),
            std::string::npos)
      << unknown.out;
  CommandResult unreachable = ctl("--id " + final_id + " --conference-http 127.0.0.1:1");
  EXPECT_EQ(unreachable.exit_code, 3) << unreachable.out;
  EXPECT_NE(unreachable.out.find("无法连接联席会议代理 / cannot reach the conference agent"),
            std::string::npos)
      << unreachable.out;
  const std::vector<std::string> bad = {
      http, "--id " + final_id + " --leader '检察长 周某' " + http,
      "--leader '检察长 周某' --json " + http, "--id x --conference-http nowhere"};
  for (const std::string& args : bad) EXPECT_EQ(ctl(args).exit_code, 2) << args;

  // The same conference read over the bus through an invited agency's own
  // adapter (ConferenceQuery: the agent may be on another machine).
  agencies_["justice"]->Stop();
  agencies_["justice"] = std::make_unique<DaemonProcess>(
      d_, "justice", "concord-adapter", "[console]\nconference = \"conference\"\n");
  ASSERT_TRUE(agencies_["justice"]->ok());
  const std::string via = "--adapter 127.0.0.1:" + std::to_string(A("justice").port());
  CommandResult bus = ctl("--id " + final_id + " " + via);
  ASSERT_EQ(bus.exit_code, 0) << bus.out;
  EXPECT_NE(line(bus.out, "状态 status").find("已定稿 final"), std::string::npos) << bus.out;
  EXPECT_NE(line(bus.out, "最新方案 latest plan").find("检察长 周某"), std::string::npos)
      << bus.out;
  EXPECT_NE(line(bus.out, "已签署 signed").find("court"), std::string::npos) << bus.out;
  EXPECT_NE(line(bus.out, "公开听证 hearing").find("听-CTL-1"), std::string::npos) << bus.out;
  for (const auto& row : rows) {
    const std::string l = line(bus.out, row[0] + " ");
    for (size_t i = 2; i < row.size(); ++i)  // (agencies by principal: no names over the bus)
      EXPECT_NE(l.find(row[i]), std::string::npos) << row[i] << " in " << l;
  }
  CommandResult bus_json = ctl("--id " + final_id + " --json " + via);
  ASSERT_EQ(bus_json.exit_code, 0) << bus_json.out;
  EXPECT_EQ(json::parse(bus_json.out, nullptr, false).value("conference_id", ""), final_id);
  CommandResult bus_unknown = ctl("--id 会-1999-999 " + via);
  EXPECT_EQ(bus_unknown.exit_code, 1) << bus_unknown.out;
  CommandResult bus_leader = ctl("--leader '检察长 周某' " + via);
  ASSERT_EQ(bus_leader.exit_code, 0) << bus_leader.out;
  EXPECT_NE(line(bus_leader.out, final_id).find("已定稿 final"), std::string::npos)
      << bus_leader.out;
  EXPECT_EQ(ctl("--leader '检察长 周某' --json " + via).exit_code, 2);
  const std::string bus_file = d_.dir() + "/plan-via-bus.html";
  CommandResult bus_html = ctl("--id " + final_id + " --html " + bus_file + " " + via);
  ASSERT_EQ(bus_html.exit_code, 0) << bus_html.out;
  EXPECT_EQ(ReadFile(bus_file),
            agent_->Call("GET", "/conference/plan?id=" + PercentEncode(final_id)).body)
      << "the same document as the agent's own";
  CommandResult unset =
      ctl("--id " + final_id + " --adapter 127.0.0.1:" + std::to_string(A("court").port()));
  EXPECT_EQ(unset.exit_code, 3) << unset.out;
  EXPECT_NE(unset.out.find("[console] conference"), std::string::npos) << unset.out;
}

}  // namespace
}  // namespace concord::testing

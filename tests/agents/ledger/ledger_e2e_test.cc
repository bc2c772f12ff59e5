// End to end with real processes: the hub, the petition office's and the
// procuratorate's adapters, and the ledger agent. A petition registered at
// the petition office is transferred to the procuratorate and answered there:
// one item, one history that both agencies see; a forbidden step is refused
// with the reason; the agent killed with SIGKILL and restarted keeps it all.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <cstdio>
#include <string>

#include "tests/support/daemon.h"
#include "tests/support/district.h"

namespace concord::testing {
namespace {

using nlohmann::json;

std::string Shell(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen((cmd + " 2>&1").c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  return out;
}

class LedgerDistrict : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d_.StartHub().ok());
    const std::string intake = "[petitions]\nledger = \"ledger\"\n";
    petition_ = std::make_unique<DaemonProcess>(d_, "petition", "concord-adapter", intake);
    procuratorate_ = std::make_unique<DaemonProcess>(d_, "procuratorate", "concord-adapter", intake);
    StartAgent();
    ASSERT_TRUE(petition_->ok() && procuratorate_->ok() && agent_->ok());
  }
  void StartAgent() {
    agent_ = std::make_unique<DaemonProcess>(
        d_, "ledger", "concord-ledger-agent",
        "[ledger]\ncalendar = \"" + std::string(CONCORD_SOURCE_DIR) +
            "/deploy/calendar/cn-holidays.txt\"\npetition_office = \"petition\"\nscan_seconds = 1\n",
        "ledger.db");
  }

  // Publishes `payload` of `type` to the ledger and waits for its PetitionReply.
  json Ask(const DaemonProcess& a, const std::string& type, const json& payload) {
    HttpResult r = a.Post("/publish", {{"to", {"ledger"}}, {"type", type}, {"payload", payload}});
    EXPECT_EQ(r.status, 202) << r.body;
    const std::string id = json::parse(r.body, nullptr, false).value("id", "");
    json reply;
    WaitFor([&] {
      json inbox = a.Get("/inbox");
      if (!inbox.is_object()) return false;
      for (const auto& m : inbox["messages"])
        if (m.value("correlation_id", "") == id && m.value("type", "") == "concord.v1.PetitionReply") {
          reply = m["payload"];
          return true;
        }
      return false;
    }, 15000);
    return reply;
  }
  json Act(const DaemonProcess& a, const std::string& no, const std::string& action,
           const std::string& note = "", const std::string& to = "") {
    return Ask(a, "concord.v1.PetitionAct",
               {{"ledger_no", no}, {"action", action}, {"note", note}, {"to_agency", to}});
  }
  // The PetitionEvent actions an agency has received for `no`, in order.
  std::vector<std::string> EventsSeen(const DaemonProcess& a, const std::string& no) {
    std::vector<std::string> out;
    json inbox = a.Get("/inbox?limit=1000");
    if (inbox.is_object())
      for (const auto& m : inbox["messages"])
        if (m.value("type", "") == "concord.v1.PetitionEvent" && m["payload"].value("ledger_no", "") == no)
          out.push_back(m["payload"].value("agency", "") + ":" + m["payload"].value("action", ""));
    return out;
  }

  TestDistrict d_{{"petition", "procuratorate", "ledger:ledger"}};
  std::unique_ptr<DaemonProcess> petition_, procuratorate_, agent_;
};

// Register at the petition office, transfer, answer at the procuratorate:
// one ledger number, one history both agencies see, a refusal with its reason.
TEST_F(LedgerDistrict, TransferKeepsOneItemAcrossAgencies) {
  const json reg = {{"intake_id", "XF-2026-0001"}, {"channel", "letter"},
                    {"received_ms", 1790000000000}, {"petitioner", "王某"},
                    {"contact", "13800138000"}, {"matter", "对不起诉决定不服"}, {"people", 1}};
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
  ASSERT_TRUE(Act(*petition_, no, "transfer", "属检察机关管辖，已告知信访人", "procuratorate").value("ok", false));
  EXPECT_FALSE(Act(*petition_, no, "accept").value("ok", true)) << "the sender no longer acts";
  ASSERT_TRUE(Act(*procuratorate_, no, "start_review").value("ok", false));
  ASSERT_TRUE(Act(*procuratorate_, no, "accept", "控告申诉部门").value("ok", false));
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
  const std::string report = Shell(BinPath("concordctl") + " ledger --ledger-http 127.0.0.1:" +
                                 std::to_string(agent_->port()));
  EXPECT_NE(report.find(no), std::string::npos) << report;
  EXPECT_NE(report.find("procuratorate"), std::string::npos) << report;

  ASSERT_TRUE(Act(*procuratorate_, no, "start_work").value("ok", false));
  ASSERT_TRUE(Act(*procuratorate_, no, "substantive_reply", "书面答复").value("ok", false));
  EXPECT_EQ(Act(*procuratorate_, no, "close", "息诉罢访").value("status", ""), "closed");

  const std::vector<std::string> tail = {"procuratorate:start_work", "procuratorate:substantive_reply",
                                         "procuratorate:close"};
  for (const DaemonProcess* a : {petition_.get(), procuratorate_.get()}) {
    std::vector<std::string> seen;
    ASSERT_TRUE(WaitFor([&] {
      seen = EventsSeen(*a, no);
      return seen.size() >= 3 && std::equal(tail.rbegin(), tail.rend(), seen.rbegin());
    })) << "both agencies see the history; got " << seen.size();
  }
  EXPECT_TRUE(agent_->Get("/ledger/open")["items"].empty());
  // The monthly report counts it (received_ms above is 2026-09-21 CST).
  const std::string month = Shell(BinPath("concordctl") + " ledger --report 2026-09 --ledger-http 127.0.0.1:" +
                                  std::to_string(agent_->port()));
  EXPECT_NE(month.find("| 收到信访件 | received | 1 |"), std::string::npos) << month;
}

// The adapter's petition API: bad input named field by field; registration
// and handling through /petitions, with the ledger's answers read back.
TEST_F(LedgerDistrict, AdapterPetitionApi) {
  HttpResult bad = petition_->Post("/petitions", {{"intake_id", ""}, {"channel", "pigeon"},
                                                  {"received", "2026-13-01"}});
  EXPECT_EQ(bad.status, 400);
  for (const char* field : {"intake_id", "channel", "received", "matter"})
    EXPECT_NE(bad.body.find(field), std::string::npos) << field << " in " << bad.body;

  HttpResult ok = petition_->Post("/petitions", {{"intake_id", "API-1"}, {"channel", "来访"},
                                                 {"received", "2026-11-02 09:30"}, {"petitioner", "刘某"},
                                                 {"contact", "13700000000"}, {"matter", "执行款未到位"},
                                                 {"people", 2}});
  ASSERT_EQ(ok.status, 202) << ok.body;
  json reg;
  ASSERT_TRUE(WaitFor([&] {
    reg = petition_->Get("/petitions?intake_id=API-1");
    return reg.is_object() && reg.value("status", "") != "registering";
  }, 15000)) << reg.dump();
  ASSERT_EQ(reg["status"], "registered") << reg.dump();
  const std::string no = reg["ledger_no"];
  auto act = [&](const std::string& action, const std::string& note) {
    HttpResult r = petition_->Post("/petitions/act", {{"ledger_no", no}, {"action", action}, {"note", note}});
    EXPECT_EQ(r.status, 202) << r.body;
    const std::string id = json::parse(r.body, nullptr, false).value("id", "");
    json out;
    WaitFor([&] {
      out = petition_->Get("/petitions/act?id=" + id);
      return out.is_object() && out.value("status", "") != "sent";
    }, 15000);
    return out;
  };
  EXPECT_EQ(act("start_review", "当日审查").value("item_status", ""), "under_review");
  json refused = act("close", "");
  EXPECT_EQ(refused.value("status", ""), "refused");
  EXPECT_NE(refused.value("reason", "").find("不能"), std::string::npos) << refused.dump();
  EXPECT_EQ(petition_->Post("/petitions/act", {{"ledger_no", no}, {"action", "dance"}}).status, 400);
}

}  // namespace
}  // namespace concord::testing

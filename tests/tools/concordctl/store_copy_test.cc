// `concordctl store copy` (issue 17): a hub moved from its SQLite file to a
// PostgreSQL server started for the test, with messages still queued for an
// offline agency; the hub on PostgreSQL delivers them, once, in order, and
// its audit chain goes on from the copied head.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "domain/linkage/tokens.h"
#include "hub/audit/audit.h"
#include "tests/support/daemon.h"
#include "tests/support/district.h"
#include "tests/support/effects.h"
#include "tests/support/hub_audit.h"

namespace concord::testing {
namespace {

std::vector<std::string> Bodies(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(absl::StrCat(prefix, i));
  return out;
}

void PublishAll(ClientThread& a, const std::vector<std::string>& bodies) {
  auto acked = std::make_shared<std::atomic<size_t>>(0);
  a.Call([&](client::Client& c) {
    for (const auto& b : bodies)
      c.Publish(Note("b", b), [acked](const absl::Status& s) {
        EXPECT_TRUE(s.ok()) << s;
        ++*acked;
      });
    return 0;
  });
  ASSERT_TRUE(WaitFor([&] { return *acked == bodies.size(); }, 30000)) << *acked;
}

// Moves the district to PostgreSQL: starts its server, then `store copy`
// of each file into it (the hub's first), each of which must succeed.
// Returns each copy's report, by file.
std::map<std::string, std::string> MoveToPostgresql(TestDistrict& d,
                                                    const std::vector<std::string>& files) {
  std::map<std::string, std::string> reports;
  d.UsePostgresql();
  const absl::Status prepared = d.PrepareStore();
  EXPECT_TRUE(prepared.ok()) << prepared;
  if (!prepared.ok()) return reports;
  for (const std::string& from : files) {
    CommandResult r =
        RunConcordctl(absl::StrCat("store copy --from ", from, " --to '", d.pg_conninfo(), "'"));
    EXPECT_EQ(r.exit_code, 0) << from << ": " << r.out;
    if (r.exit_code != 0) break;
    std::cout << r.out;
    reports[from] = r.out;
  }
  return reports;
}

// Copied while 20 messages wait for b: b, back on the PostgreSQL hub, gets
// those 20 and nothing it had already; a second copy into the same database
// is refused; a copy while the hub runs is refused.
TEST(StoreCopy, QueuedMessagesAndTheChainMoveToPostgresql) {
  unsetenv("CONCORD_TEST_STORE");
  TestDistrict d({"a", "b"});
  ASSERT_EQ(d.store_kind(), "sqlite");
  ASSERT_TRUE(d.StartHub().ok());
  {
    ClientThread a(d.ClientFor("a"));
    {
      ClientThread b(d.ClientFor("b"), RecordEffects);
      ASSERT_NO_FATAL_FAILURE(PublishAll(a, Bodies("before-", 30)));
      ASSERT_TRUE(WaitFor([&] { return b.Stats().received == 30; })) << b.Stats().received;
    }
    ASSERT_NO_FATAL_FAILURE(PublishAll(a, Bodies("queued-", 20)));  // b is offline
  }
  d.UsePostgresql();
  ASSERT_TRUE(d.PrepareStore().ok());
  const std::string copy =
      absl::StrCat("store copy --from ", d.hub_db(), " --to '", d.pg_conninfo(), "'");
  CommandResult running = RunConcordctl(copy);
  EXPECT_EQ(running.exit_code, 2) << running.out;
  EXPECT_NE(running.out.find("stop it first"), std::string::npos) << running.out;
  d.StopHub();

  CommandResult r = RunConcordctl(copy);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("messages: 50 "), std::string::npos) << r.out;
  // (mailbox rows of acknowledged messages stay until the hub compacts them)
  CommandResult again = RunConcordctl(copy);
  EXPECT_EQ(again.exit_code, 2) << again.out;
  EXPECT_NE(again.out.find("already holds a hub"), std::string::npos) << again.out;

  const size_t lines_copied = HubAuditLines(d).size();
  ASSERT_GT(lines_copied, 0u);
  ASSERT_TRUE(d.StartHub().ok());
  ClientThread b(d.ClientFor("b"), RecordEffects);
  ASSERT_TRUE(WaitFor([&] { return b.Stats().received == 20; }, 30000)) << b.Stats().received;
  std::vector<std::string> want = Bodies("before-", 30);
  for (auto& s : Bodies("queued-", 20)) want.push_back(s);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // nothing more comes
  const Effects e = ReadEffects(d.ClientFor("b").db_path);
  EXPECT_EQ(e.bodies, want);
  EXPECT_EQ(std::set<std::string>(e.ids.begin(), e.ids.end()).size(), e.ids.size());

  // The chain on PostgreSQL is the copied one, continued: every line's hash
  // follows from the one before, across the copy.
  d.StopHub();
  const std::vector<HubAuditLine> lines = HubAuditLines(d);
  EXPECT_GT(lines.size(), lines_copied);
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i].n, static_cast<int64_t>(i + 1));
  EXPECT_EQ(HubAuditLines(d, "start").size(), 2u);
}

// A district's agent moves too: the ledger's book (items, deadlines, its
// inbox and outbox) copied with the hub; on PostgreSQL the registrations
// that waited at the hub are answered, numbering goes on, an item sent again
// is the same item, and a second copy into the same schema is refused.
TEST(StoreCopy, LedgerBookMovesWithItsInbox) {
  unsetenv("CONCORD_TEST_STORE");
  TestDistrict d({"procuratorate", "ledger:ledger"});
  ASSERT_TRUE(d.StartHub().ok());
  const std::string intake = "[petitions]\nledger = \"ledger\"\n";
  const std::string ledger_toml = "[ledger]\ncalendar = \"" + std::string(CONCORD_SOURCE_DIR) +
                                  "/deploy/calendar/cn-holidays.txt\"\npetition_office = "
                                  "\"petition\"\nprocuratorates = [\"procuratorate\"]\n";
  auto office = std::make_unique<DaemonProcess>(d, "procuratorate", "concord-adapter", intake);
  auto ledger = std::make_unique<DaemonProcess>(d, "ledger", "concord-ledger-agent", ledger_toml,
                                                "ledger.db");
  ASSERT_TRUE(office->ok() && ledger->ok());
  auto petition = [](const std::string& id) {
    return nlohmann::json{
        {"intake_id", id},      {"channel", "letter"},       {"received_ms", 1790000000000},
        {"petitioner", "王某"}, {"contact", "1380000" + id}, {"matter", "事项 " + id}};
  };
  std::vector<std::string> numbers;
  for (const char* id : {"1", "2", "3"}) {
    auto r = office->Ask("ledger", "concord.v1.PetitionRegister", petition(id),
                         "concord.v1.PetitionReply");
    ASSERT_TRUE(r.value("ok", false)) << r.dump();
    numbers.push_back(r.value("ledger_no", ""));
  }
  const std::string book = ledger->db_path();
  ledger->Stop();
  std::vector<std::string> waiting;
  for (const char* id : {"4", "5"}) {
    HttpResult r = office->Post(
        "/publish",
        {{"to", {"ledger"}}, {"type", "concord.v1.PetitionRegister"}, {"payload", petition(id)}});
    ASSERT_EQ(r.status, 202) << r.body;
    waiting.push_back(nlohmann::json::parse(r.body).value("id", ""));
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // acknowledged by the hub by then
  office->Stop();
  d.StopHub();

  auto reports = MoveToPostgresql(d, {d.hub_db(), book});
  ASSERT_FALSE(HasFailure());
  EXPECT_NE(reports[book].find("schema ledger"), std::string::npos) << reports[book];
  EXPECT_NE(reports[book].find("petitions: 3 "), std::string::npos) << reports[book];
  EXPECT_NE(reports[book].find("concord_inbox: "), std::string::npos) << reports[book];
  CommandResult again =
      RunConcordctl(absl::StrCat("store copy --from ", book, " --to '", d.pg_conninfo(), "'"));
  EXPECT_EQ(again.exit_code, 2) << again.out;
  EXPECT_NE(again.out.find("already holds a book"), std::string::npos) << again.out;

  ASSERT_TRUE(d.StartHub().ok());
  office = std::make_unique<DaemonProcess>(d, "procuratorate", "concord-adapter", intake);
  ledger = std::make_unique<DaemonProcess>(d, "ledger", "concord-ledger-agent", ledger_toml,
                                           "ledger.db");
  ASSERT_TRUE(office->ok() && ledger->ok()) << ledger->log();
  EXPECT_NE(ledger->log().find("主用 / active"), std::string::npos) << "the book is on PostgreSQL";
  // The two that waited are answered, numbered after the three copied.
  std::set<std::string> answered;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto inbox = office->Get("/inbox?limit=1000");
        answered.clear();
        if (inbox.is_object())
          for (const auto& m : inbox["messages"])
            for (const auto& id : waiting)
              if (m.value("correlation_id", "") == id)
                answered.insert(m["payload"].value("ledger_no", ""));
        return answered.size() == 2;
      },
      20000));
  for (const auto& no : answered)
    EXPECT_TRUE(no.ends_with("000004") || no.ends_with("000005")) << no;
  // Sent again, a copied item is the same item.
  auto same = office->Ask("ledger", "concord.v1.PetitionRegister", petition("2"),
                          "concord.v1.PetitionReply");
  EXPECT_EQ(same.value("ledger_no", ""), numbers[1]) << same.dump();
  auto open = ledger->Get("/ledger/open");
  EXPECT_EQ(open["items"].size(), 5u) << open.dump();
}

// The aid registry moved with the district: a grant made on SQLite still
// stops another agency's grant for the same person and case once the hub
// and the aid agent run on PostgreSQL (keys, tokens and the registry copied
// as they were).
TEST(StoreCopy, AidRegistryMovesAndStillStopsADuplicate) {
  unsetenv("CONCORD_TEST_STORE");
  TestDistrict d({"court", "procuratorate", "aid:aid"});
  ASSERT_TRUE(d.StartHub().ok());
  const std::string key = d.dir() + "/linkage.key";
  ASSERT_TRUE(aid::WriteNewLinkageKey(key).ok());
  auto adapter = [&](const std::string& agency) {
    return std::make_unique<DaemonProcess>(d, agency, "concord-adapter",
                                           "[aid]\nlinkage_key = \"" + key +
                                               "\"\nagent = \"aid\"\n\n[csv]\ndrop_dir = \"drop-" +
                                               agency + "\"\n");
  };
  auto agent = [&] {
    return std::make_unique<DaemonProcess>(d, "aid", "concord-aid-agent",
                                           "[aid]\ncap_yuan = 50000\n", "aid.db");
  };
  auto grant = [](const DaemonProcess& a, const nlohmann::json& g) {
    HttpResult r = a.Post("/aid/grants", g);
    EXPECT_EQ(r.status, 202) << r.body;
    nlohmann::json state;
    WaitFor(
        [&] {
          state = a.Get("/aid/grants?record_id=" + g.value("record_id", ""));
          return state.is_object() && state.value("status", "") != "checking";
        },
        15000);
    return state;
  };
  const nlohmann::json victim = {{"name", "张伟"},
                                 {"id_number", "11010519491231002X"},
                                 {"gender", "男"},
                                 {"phone", "13800138000"},
                                 {"case_ref", "（2023）沪0104刑初123号"},
                                 {"incident_date", "2023-03-05"},
                                 {"crime", "故意伤害"},
                                 {"aid_type", "资金救助"},
                                 {"granted_on", "2023-06-01"}};
  auto court = adapter("court");
  auto aid_agent = agent();
  ASSERT_TRUE(court->ok() && aid_agent->ok());
  nlohmann::json first = victim;
  first["record_id"] = "FY-2023-001";
  first["amount_yuan"] = "10000";
  ASSERT_EQ(grant(*court, first).value("status", ""), "clear");
  const std::string book = aid_agent->db_path();
  aid_agent->Stop();
  court->Stop();
  d.StopHub();

  MoveToPostgresql(d, {d.hub_db(), book});
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(d.StartHub().ok());
  court = adapter("court");
  auto procuratorate = adapter("procuratorate");
  aid_agent = agent();
  ASSERT_TRUE(court->ok() && procuratorate->ok() && aid_agent->ok()) << aid_agent->log();
  EXPECT_NE(aid_agent->log().find("主用 / active"), std::string::npos)
      << "the book is on PostgreSQL";
  nlohmann::json twin = victim;
  twin["record_id"] = "JC-2023-017";
  twin["name"] = "張 偉";
  twin["id_number"] = "";
  twin["amount_yuan"] = 8000;
  nlohmann::json second = grant(*procuratorate, twin);
  ASSERT_EQ(second.value("status", ""), "duplicate") << second.dump(2);
  const nlohmann::json& matches = second["reply"]["matches"];
  ASSERT_EQ(matches.size(), 1u) << second.dump(2);
  EXPECT_EQ(matches[0]["agency"], "court");
  EXPECT_EQ(matches[0]["record_id"], "FY-2023-001");
}

}  // namespace
}  // namespace concord::testing

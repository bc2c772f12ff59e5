// `concordctl backup` / `restore` and schema upgrades, with real processes:
// the concord-hub binary under a publishing client, the ledger agent under
// registrations sent through an adapter, the real concordctl, real SQLite
// files; and databases in the previous release's schema opened by the
// current daemons.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agents/ledger/ledger.h"
#include "common/sqlite.h"
#include "common/uuid.h"
#include "concord/v1/envelope.pb.h"
#include "hub/audit/audit.h"
#include "hub/broker/store.h"
#include "hub/client/client.h"
#include "hub/store/schema.h"
#include "tests/support/daemon.h"
#include "tests/support/district.h"
#include "tests/support/effects.h"
#include "tests/support/temp_folder.h"

namespace concord::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The schema versions the previous release shipped (the number of migrations
// in its lists): the hub's HubMigrations() had 1 (unchanged since), the
// ledger's Schema() had 5 (the 6th, the search index and next_due_ms, came
// with dc3d73e). A release that adds a migration moves these up.
constexpr size_t kPreviousHubSchema = 1;
constexpr size_t kPreviousLedgerSchema = 5;

// Read-only: a read-write open would turn a backup's copy to WAL mode, and
// change it under its checksum.
int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  sqlite::OpenOptions ro;
  ro.read_only = true;
  auto db = sqlite::Db::Open(db_path, ro);
  if (!db.ok()) return -1;
  auto n = db->QueryInt(sql);
  return n.ok() ? *n : -1;
}

std::vector<std::string> Numbered(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(std::to_string(i));
  return out;
}

// Publishes notes "0", "1", ... from `client` to `to` without pause until
// stopped, counting the acknowledged ones.
class PublishLoad {
 public:
  PublishLoad(ClientThread& client, std::string to) : client_(client), to_(std::move(to)) {
    thread_ = std::thread([this] {
      int i = 0;
      while (!stop_) {
        client_.Call([&](client::Client& c) {
          for (int k = 0; k < 20; ++k, ++i)
            c.Publish(Note(to_, std::to_string(i)), [this](const absl::Status& s) {
              if (s.ok()) ++acked_;
            });
          return 0;
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  ~PublishLoad() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int acked() const { return acked_; }

 private:
  ClientThread& client_;
  std::string to_;
  std::atomic<bool> stop_{false};
  std::atomic<int> acked_{0};
  std::thread thread_;
};

// Flips one byte in the middle of `path`.
void Tamper(const std::string& path) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(fs::file_size(path) / 2));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5a);
  f.seekp(static_cast<std::streamoff>(fs::file_size(path) / 2));
  f.write(&c, 1);
}

// A backup taken while a client keeps publishing holds every message
// acknowledged before it began, restores (not over a running hub, not from a
// damaged copy) to a hub that delivers the queued messages in order and
// serves new ones, and whose audit chain verifies.
TEST(Backup, HubUnderLoadRestoresToAServingHub) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  TempFolder tmp("backup");
  const std::string hub_dir = d.dir() + "/hub", backup = tmp.File("hub-backup");

  auto a = std::make_unique<ClientThread>(d.ClientFor("a"));
  PublishLoad load(*a, "b");  // b stays offline: its messages stay queued in hub.db
  ASSERT_TRUE(WaitFor([&] { return load.acked() >= 500; }, 30000)) << load.acked();
  const int acked_before = load.acked();
  CommandResult r = RunConcordctl(absl::StrCat("backup --data-dir ", hub_dir, " --out ", backup));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "已备份 / backed up")) << r.out;
  const int acked_after = load.acked();
  EXPECT_GT(acked_after, acked_before) << "the hub stopped accepting while the backup ran";
  ASSERT_TRUE(WaitFor([&] { return load.acked() >= acked_after + 200; }, 30000));
  load.Stop();
  a.reset();

  // The copy: a snapshot taken under load, in order, with its manifest.
  const int64_t copied = QueryInt(backup + "/hub.db", "SELECT count(*) FROM messages");
  EXPECT_GE(copied, acked_before) << "a message acknowledged before the backup is missing";
  EXPECT_LT(copied, QueryInt(d.hub_db(), "SELECT count(*) FROM messages"))
      << "the hub did not keep writing";
  std::ifstream manifest_file(backup + "/manifest.json");
  const json manifest = json::parse(manifest_file, nullptr, false);
  ASSERT_TRUE(manifest.is_object()) << "manifest.json";
  bool listed_db = false, listed_head = false;
  for (const auto& f : manifest["files"]) {
    if (f["path"] == "hub.db") {
      listed_db = true;
      EXPECT_EQ(f["schema"]["hub"], hub::HubMigrations().size());
      EXPECT_EQ(f["bytes"], fs::file_size(backup + "/hub.db"));
      EXPECT_EQ(f["sha256"].get<std::string>().size(), 64u);
    }
    if (f["path"] == "hub.db.audit-head") listed_head = true;
  }
  EXPECT_TRUE(listed_db && listed_head) << manifest.dump(2);
  EXPECT_FALSE(manifest.value("concordctl_version", "").empty());

  // Not over the folder of a running hub, even with --force.
  r = RunConcordctl(absl::StrCat("restore --from ", backup, " --data-dir ", hub_dir, " --force"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "concord-hub")) << r.out;
  // Not into a non-empty folder without --force.
  d.StopHub();
  r = RunConcordctl(absl::StrCat("restore --from ", backup, " --data-dir ", hub_dir));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "--force")) << r.out;
  // Not from a damaged copy.
  const std::string damaged = tmp.File("damaged");
  fs::copy(backup, damaged);
  Tamper(damaged + "/hub.db");
  r = RunConcordctl(absl::StrCat("restore --from ", damaged, " --data-dir ", tmp.File("x")));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "hub.db: 校验和或大小不符 / checksum or size mismatch"))
      << r.out;
  EXPECT_FALSE(fs::exists(tmp.File("x")));

  // Into a fresh folder: the chain verifies there.
  r = RunConcordctl(absl::StrCat("restore --from ", backup, " --data-dir ", tmp.File("fresh")));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = RunConcordctl(absl::StrCat("audit verify --db ", tmp.File("fresh/hub.db")));
  EXPECT_EQ(r.exit_code, 0) << r.out;

  // Over the hub's own folder (stopped): it starts, delivers what was queued
  // in the copy once and in order, and serves a new client.
  r = RunConcordctl(absl::StrCat("restore --from ", backup, " --data-dir ", hub_dir, " --force"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "before-restore")) << r.out;
  ASSERT_TRUE(d.StartHub().ok());
  ClientThread b(d.ClientFor("b"), RecordEffects);
  const std::string b_db = d.ClientFor("b").db_path;
  ASSERT_TRUE(WaitFor([&] { return CountEffects(b_db) >= copied; }, 30000)) << CountEffects(b_db);
  ClientThread a2(d.ClientFor("a"));
  a2.Call([](client::Client& c) { return c.Publish(Note("b", "after restore")); });
  ASSERT_TRUE(WaitFor([&] { return CountEffects(b_db) >= copied + 1; }, 30000));
  std::vector<std::string> want = Numbered(static_cast<int>(copied));
  want.push_back("after restore");
  EXPECT_EQ(ReadEffects(b_db).bodies, want);
  d.StopHub();
  r = RunConcordctl(absl::StrCat("audit verify --db ", d.hub_db()));
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

// A receiver that applied messages after the backup (its resume point is
// beyond the restored hub's last seq) still gets every message published to
// the restored hub while it was offline: the restore raises the sequence.
TEST(Backup, RestoredHubDeliversToAReceiverThatWasAhead) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  TempFolder tmp("backup");
  const std::string hub_dir = d.dir() + "/hub", backup = tmp.File("hub-backup");
  const std::string b_db = d.ClientFor("b").db_path;
  auto b = std::make_unique<ClientThread>(d.ClientFor("b"), RecordEffects);
  {
    ClientThread a(d.ClientFor("a"));
    a.Call([](client::Client& c) {
      for (int i = 0; i < 50; ++i) c.Publish(Note("b", std::to_string(i)));
      return 0;
    });
    ASSERT_TRUE(WaitFor([&] { return CountEffects(b_db) >= 50; }, 30000));
    CommandResult r = RunConcordctl(absl::StrCat("backup --data-dir ", hub_dir, " --out ", backup));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    a.Call([](client::Client& c) {
      for (int i = 50; i < 100; ++i) c.Publish(Note("b", std::to_string(i)));
      return 0;
    });
    ASSERT_TRUE(WaitFor([&] { return CountEffects(b_db) >= 100; }, 30000));
  }
  b.reset();
  d.StopHub();
  CommandResult r =
      RunConcordctl(absl::StrCat("restore --from ", backup, " --data-dir ", hub_dir, " --force"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_TRUE(d.StartHub().ok());
  {
    ClientThread a(d.ClientFor("a"));
    int acked = 0;
    std::mutex mu;
    a.Call([&](client::Client& c) {
      for (int i = 0; i < 5; ++i)
        c.Publish(Note("b", absl::StrCat("after restore ", i)), [&](const absl::Status& s) {
          std::lock_guard<std::mutex> lock(mu);
          acked += s.ok();
        });
      return 0;
    });
    ASSERT_TRUE(WaitFor([&] {
      std::lock_guard<std::mutex> lock(mu);
      return acked == 5;
    }));
  }
  b = std::make_unique<ClientThread>(d.ClientFor("b"), RecordEffects);  // back, resuming at 100
  ASSERT_TRUE(WaitFor([&] { return CountEffects(b_db) >= 105; }, 15000)) << CountEffects(b_db);
  std::vector<std::string> want = Numbered(100);
  for (int i = 0; i < 5; ++i) want.push_back(absl::StrCat("after restore ", i));
  EXPECT_EQ(ReadEffects(b_db).bodies, want);
  b.reset();
  d.StopHub();
  r = RunConcordctl(absl::StrCat("audit verify --db ", d.hub_db()));
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

// The ledger agent's folder copied while registrations keep arriving
// restores to an agent that starts with every item registered before.
TEST(Backup, LedgerAgentUnderLoadRestores) {
  TestDistrict d({"petition", "ledger:ledger"});
  ASSERT_TRUE(d.StartHub().ok());
  TempFolder tmp("backup");
  const std::string ledger_toml = "[ledger]\ncalendar = \"" + std::string(CONCORD_SOURCE_DIR) +
                                  "/deploy/calendar/cn-holidays.txt\"\npetition_office = "
                                  "\"petition\"\n";
  DaemonProcess petition(d, "petition", "concord-adapter", "[petitions]\nledger = \"ledger\"\n");
  auto agent = std::make_unique<DaemonProcess>(d, "ledger", "concord-ledger-agent", ledger_toml,
                                               "ledger.db");
  ASSERT_TRUE(petition.ok() && agent->ok());
  const std::string data_dir = agent->data_dir(), db = agent->db_path();

  std::atomic<bool> stop{false};
  std::atomic<int> registered{0};
  std::thread load([&] {
    for (int i = 0; !stop; ++i) {
      json reply = petition.Ask("ledger", "concord.v1.PetitionRegister",
                                {{"intake_id", absl::StrCat("XF-LOAD-", i)},
                                 {"channel", "letter"},
                                 {"received_ms", 1790000000000},
                                 {"petitioner", absl::StrCat("王某", i)},
                                 {"contact", "13800138000"},
                                 {"matter", "对不起诉决定不服"},
                                 {"people", 1}},
                                "concord.v1.PetitionReply");
      if (reply.is_object() && reply.value("ok", false)) ++registered;
    }
  });
  ASSERT_TRUE(WaitFor([&] { return registered >= 20; }, 40000)) << registered;
  const int before = registered;
  // The folder found through the agent's config ([storage] data_dir).
  const std::string config = d.dir() + "/ledger.concord-ledger-agent.toml";
  ASSERT_TRUE(fs::exists(config)) << config;
  CommandResult r =
      RunConcordctl(absl::StrCat("backup --config ", config, " --out ", tmp.File("ledger")));
  const int after = registered;
  WaitFor([&] { return registered >= after + 5; }, 20000);
  stop = true;
  load.join();
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const int64_t copied = QueryInt(tmp.File("ledger/ledger.db"), "SELECT count(*) FROM petitions");
  EXPECT_GE(copied, before);

  agent.reset();  // stopped
  r = RunConcordctl(
      absl::StrCat("restore --from ", tmp.File("ledger"), " --data-dir ", data_dir, " --force"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM petitions"), copied);
  agent = std::make_unique<DaemonProcess>(d, "ledger", "concord-ledger-agent", ledger_toml,
                                          "ledger.db");
  ASSERT_TRUE(agent->ok()) << agent->log();
  json reply = petition.Ask("ledger", "concord.v1.PetitionRegister",
                            {{"intake_id", "XF-AFTER-RESTORE"},
                             {"channel", "letter"},
                             {"received_ms", 1790000000000},
                             {"petitioner", "李某"},
                             {"contact", "13900139000"},
                             {"matter", "恢复之后"},
                             {"people", 1}},
                            "concord.v1.PetitionReply");
  EXPECT_TRUE(reply.is_object() && reply.value("ok", false)) << reply.dump();
  EXPECT_GE(QueryInt(db, "SELECT count(*) FROM petitions"), copied + 1);
}

// hub.db as the previous release left it, with messages queued for an
// offline receiver: the current hub upgrades it and delivers every one,
// once, in order; the audit chain, old lines and new, verifies.
TEST(Upgrade, HubFromPreviousSchemaDeliversEveryQueuedMessage) {
  TestDistrict d({"a", "b"});
  constexpr int kQueued = 300;
  {
    fs::create_directories(d.dir() + "/hub");
    auto db = sqlite::Db::Open(d.hub_db());
    ASSERT_TRUE(db.ok()) << db.status();
    const auto& all = hub::HubMigrations();
    ASSERT_GE(all.size(), kPreviousHubSchema);
    ASSERT_TRUE(db->Migrate("hub", {all.begin(), all.begin() + kPreviousHubSchema}).ok());
    ASSERT_TRUE(db->Exec("INSERT INTO recipients(id, name, acked_through) VALUES(1, 'a', 0), "
                         "(2, 'b', 0)")
                    .ok());
    auto msg = db->Prepare(
        "INSERT INTO messages(seq, id, sender, created_ms, expires_ms, stored_ms, envelope) "
        "VALUES(?, ?, 'a', ?, ?, ?, ?)");
    auto box = db->Prepare("INSERT INTO mailbox(recipient, seq) VALUES(2, ?)");
    auto audit = db->Prepare("INSERT INTO audit(n, line, hash) VALUES(?, ?, ?)");
    ASSERT_TRUE(msg.ok() && box.ok() && audit.ok());
    hub::AuditChain chain;
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    ASSERT_TRUE(chain.Append(*audit, {now, "start", "hub", "previous release"}).ok());
    for (int i = 0; i < kQueued; ++i) {
      v1::Envelope env = Note("b", std::to_string(i));
      env.set_from("a");  // as the hub stores it: sender, id and time set
      env.set_id(NewUuidV7());
      env.set_created_at_ms(now);
      msg->BindAll(int64_t{i + 1}, env.id(), env.created_at_ms(), env.expires_at_ms(), now);
      msg->BindBlob(6, env.SerializeAsString());
      absl::Status st = msg->Run();
      ASSERT_TRUE(st.ok()) << st;
      box->Bind(1, int64_t{i + 1});
      st = box->Run();
      ASSERT_TRUE(st.ok()) << st;
      ASSERT_TRUE(chain
                      .Append(*audit, {now, "accept", "a",
                                       absl::StrCat(env.id(), " seq=", i + 1,
                                                    " type=concord.v1.TextNote to=b recipients=1")})
                      .ok());
    }
    ASSERT_TRUE(
        hub::WriteAuditHead(hub::AuditHeadPath(d.hub_db()), chain.last_n(), chain.last_hash())
            .ok());
  }
  ASSERT_TRUE(d.StartHub().ok());
  EXPECT_EQ(QueryInt(d.hub_db(), "SELECT version FROM concord_schema WHERE component='hub'"),
            static_cast<int64_t>(hub::HubMigrations().size()));
  ClientThread b(d.ClientFor("b"), RecordEffects);
  const std::string b_db = d.ClientFor("b").db_path;
  ASSERT_TRUE(WaitFor([&] { return CountEffects(b_db) >= kQueued; }, 30000)) << CountEffects(b_db);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // room for a late duplicate
  EXPECT_EQ(ReadEffects(b_db).bodies, Numbered(kQueued));
  d.StopHub();
  CommandResult r = RunConcordctl(absl::StrCat("audit verify --db ", d.hub_db()));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_GT(QueryInt(d.hub_db(), "SELECT count(*) FROM audit"), kQueued + 1);
}

// ledger.db in the previous release's schema (with the bus client's tables,
// as the agent left it) opens in the current agent: the migration runs and
// the items are kept and found by the new search index.
TEST(Upgrade, LedgerAgentFromPreviousSchemaKeepsItsItems) {
  TestDistrict d({"petition", "ledger:ledger"});
  ASSERT_TRUE(d.StartHub().ok());
  const std::string ledger_toml = "[ledger]\ncalendar = \"" + std::string(CONCORD_SOURCE_DIR) +
                                  "/deploy/calendar/cn-holidays.txt\"\npetition_office = "
                                  "\"petition\"\n";
  const std::string data_dir = d.dir() + "/concord-ledger-agent-ledger",
                    db_path = data_dir + "/ledger.db";
  {
    fs::create_directories(data_dir);
    auto db = sqlite::Db::Open(db_path);
    ASSERT_TRUE(db.ok());
    const auto& all = ledger::Ledger::Schema();
    ASSERT_GT(all.size(), kPreviousLedgerSchema);
    ASSERT_TRUE(db->Migrate("ledger", {all.begin(), all.begin() + kPreviousLedgerSchema}).ok());
    ASSERT_TRUE(db->Exec(R"sql(
      INSERT INTO petitions(ledger_no, year, seq, registered_by, intake_id, agency,
        transferred_from, channel, received_ms, petitioner, contact, anonymous, matter,
        case_ref, people, status)
      VALUES('信-2026-000001', 2026, 1, 'petition', 'OLD-1', 'petition', '',
        'letter', 1790000000000, '赵某某', '', 0, '旧的事项', '', 1, 'received'),
        ('信-2026-000002', 2026, 2, 'petition', 'OLD-2', 'petition', '',
        'letter', 1790000000000, '钱某某', '', 0, '另一事项', '', 1, 'received');
      )sql")
                    .ok());
  }
  DaemonProcess agent(d, "ledger", "concord-ledger-agent", ledger_toml, "ledger.db");
  ASSERT_TRUE(agent.ok()) << agent.log();
  ASSERT_EQ(agent.db_path(), db_path);
  EXPECT_EQ(QueryInt(db_path, "SELECT version FROM concord_schema WHERE component='ledger'"),
            static_cast<int64_t>(ledger::Ledger::Schema().size()));
  EXPECT_EQ(QueryInt(db_path, "SELECT count(*) FROM petitions"), 2);
  EXPECT_EQ(QueryInt(db_path, "SELECT count(*) FROM item_grams_stale"), 0);  // indexed at start
}

}  // namespace
}  // namespace concord::testing

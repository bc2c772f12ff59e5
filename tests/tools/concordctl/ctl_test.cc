// concordctl as an operator runs it: a real binary against a real hub.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "common/sqlite.h"
#include "concord/v1/envelope.pb.h"
#include "tests/support/daemon.h"
#include "tests/support/district.h"
#include "tests/support/effects.h"

namespace concord::testing {
namespace {

void Traffic(TestDistrict& d, int n) {
  ClientThread b(d.ClientFor("b"), [](client::Client& c) {
    c.OnMessage([](const v1::Envelope&, sql::Db&) { return absl::OkStatus(); });
  });
  ClientThread a(d.ClientFor("a"));
  a.Call([&](client::Client& c) {
    for (int i = 0; i < n; ++i) {
      v1::TextNote note;
      note.set_body("m" + std::to_string(i));
      c.Publish(client::MakeEnvelope({"b"}, note));
    }
    return 0;
  });
  ASSERT_TRUE(WaitFor([&] { return b.Stats().received == static_cast<uint64_t>(n); }));
}

// After real traffic the chain verifies; a changed line and a deleted line are each named.
TEST(ConcordCtl, AuditVerifyNamesTheFirstBadLine) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  Traffic(d, 50);
  d.StopHub();
  CommandResult ok = RunConcordctl("audit verify --db " + d.hub_db());
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("intact"), std::string::npos) << ok.out;
  {
    auto db = sqlite::Db::Open(d.hub_db());
    ASSERT_TRUE(db->Exec("UPDATE audit SET line = line || 'X' WHERE n = 5").ok());
  }
  CommandResult changed = RunConcordctl("audit verify --db " + d.hub_db());
  EXPECT_EQ(changed.exit_code, 1) << changed.out;
  EXPECT_NE(changed.out.find("line 5"), std::string::npos) << changed.out;
  {
    auto db = sqlite::Db::Open(d.hub_db());
    ASSERT_TRUE(
        db->Exec("UPDATE audit SET line = substr(line, 1, length(line) - 1) WHERE n = 5").ok());
    ASSERT_TRUE(db->Exec("DELETE FROM audit WHERE n = 3").ok());
  }
  CommandResult deleted = RunConcordctl("audit verify --db " + d.hub_db());
  EXPECT_EQ(deleted.exit_code, 1) << deleted.out;
  EXPECT_NE(deleted.out.find("line 3"), std::string::npos) << deleted.out;
}

// Issue 16, finding 5: after the tail was cut and the head file rewritten
// to match, verify said intact. The hub now sends every agency a signed
// checkpoint of its head; with the heads one agency kept, verify names the cut.
TEST(ConcordCtl, AgencyCheckpointsCatchACutTail) {
  TestDistrict d({"court", "a:ops", "b:ops"});  // checkpoints go to the agencies only
  d.SetLimits("\n[audit]\ncheckpoint_s = 1");
  ASSERT_TRUE(d.StartHub().ok());
  DaemonProcess court(d, "court");
  ASSERT_TRUE(court.ok());
  nlohmann::json kept;
  ASSERT_TRUE(WaitFor(
      [&] {
        kept = court.Get("/audit/checkpoints");
        return kept.is_object() && kept["checkpoints"].size() == 1;
      },
      15000))
      << kept.dump() << court.log();
  Traffic(d, 20);  // a new head: a second checkpoint
  ASSERT_TRUE(WaitFor(
      [&] {
        kept = court.Get("/audit/checkpoints");
        return kept.is_object() && kept["checkpoints"].size() >= 2;
      },
      15000))
      << kept.dump() << court.log();
  EXPECT_EQ(kept.value("agency", ""), "court");
  EXPECT_EQ(court.Get("/inbox?limit=100")["messages"].size(), 0u)
      << "checkpoints are kept, not shown as messages";
  court.Stop();
  d.StopHub();
  const std::string file = d.dir() + "/court-checkpoints.json";
  std::ofstream(file) << kept.dump();
  const std::string verify = "audit verify --db " + d.hub_db() + " --checkpoints " + file;
  CommandResult ok = RunConcordctl(verify);
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("every checkpoint court kept is in the chain"), std::string::npos)
      << ok.out;

  // Cut the chain back to before the last checkpoint and rewrite the head
  // file to match the new tail: alone, the chain looks intact.
  const int64_t last_seen = kept["checkpoints"].back().value("line", int64_t{0});
  {
    auto db = sqlite::Db::Open(d.hub_db());
    ASSERT_TRUE(db->Exec("DELETE FROM audit WHERE n >= " + std::to_string(last_seen - 1)).ok());
    auto head = db->Prepare("SELECT n, hash FROM audit ORDER BY n DESC LIMIT 1");
    ASSERT_TRUE(head.ok() && *head->Step());
    std::ofstream(d.hub_db() + ".audit-head") << head->Int(0) << "\t" << head->Text(1) << "\n";
  }
  CommandResult alone = RunConcordctl("audit verify --db " + d.hub_db());
  EXPECT_NE(alone.out.find("audit chain intact"), std::string::npos) << alone.out;
  CommandResult cut = RunConcordctl(verify);
  EXPECT_EQ(cut.exit_code, 1) << cut.out;
  EXPECT_NE(cut.out.find("its tail was cut after the agency saw line " + std::to_string(last_seen)),
            std::string::npos)
      << cut.out;

  // A forged checkpoint (its signature does not match) is named as such.
  kept["checkpoints"][0]["hash"] = std::string(64, 'f');
  std::ofstream(file) << kept.dump();
  CommandResult forged = RunConcordctl(verify);
  EXPECT_EQ(forged.exit_code, 1) << forged.out;
  EXPECT_NE(forged.out.find("bad signature"), std::string::npos) << forged.out;
  std::cout << "[ what the operator reads ]\n" << ok.out << cut.out << forged.out;
}

// The status table lists each principal with its queue, and --json is machine-readable.
TEST(ConcordCtl, StatusShowsPrincipals) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  Traffic(d, 5);
  const std::string hp = "--hub-http 127.0.0.1:" + std::to_string(d.metrics_port());
  CommandResult table = RunConcordctl("status " + hp);
  EXPECT_EQ(table.exit_code, 0) << table.out;
  EXPECT_NE(table.out.find("a "), std::string::npos);
  EXPECT_NE(table.out.find("queued"), std::string::npos);
  CommandResult json = RunConcordctl("status --json " + hp);
  EXPECT_NE(json.out.find("\"delivered\": 5"), std::string::npos) << json.out;
}

// A dead letter is listed by concordctl and, once replayed, delivered.
TEST(ConcordCtl, DeadLetterListAndReplay) {
  TestDistrict d({"a", "b"});
  d.SetLimits("ack_timeout_ms = 100\nmax_attempts = 2");
  ASSERT_TRUE(d.StartHub().ok());
  auto failing = std::make_shared<std::atomic<bool>>(true);
  ClientThread b(d.ClientFor("b"), [failing](client::Client& c) {
    RecordEffects(c);
    c.OnMessage([failing](const v1::Envelope& env, sql::Db& db) -> absl::Status {
      if (*failing) return absl::UnavailableError("receiver not ready");
      auto st = db.Prepare("INSERT INTO effects(id, body) VALUES(?, 'replayed')");
      if (!st.ok()) return st.status();
      st->Bind(1, env.id());
      return st->Run();
    });
  });
  ClientThread a(d.ClientFor("a"));
  a.Call([](client::Client& c) { return c.Publish(Note("b", "poison")); });
  const std::string hp = "--hub-http 127.0.0.1:" + std::to_string(d.metrics_port());
  ASSERT_TRUE(WaitFor(
      [&] {
        return RunConcordctl("deadletters list " + hp).out.find("total 1") != std::string::npos;
      },
      20000))
      << RunConcordctl("deadletters list " + hp).out;
  EXPECT_EQ(CountEffects(d.ClientFor("b").db_path), 0);
  *failing = false;
  CommandResult replay = RunConcordctl("deadletters replay --id 1 " + hp);
  ASSERT_EQ(replay.exit_code, 0) << replay.out;
  ASSERT_TRUE(WaitFor([&] { return CountEffects(d.ClientFor("b").db_path) == 1; }));
  EXPECT_NE(RunConcordctl("deadletters list " + hp).out.find("yes"), std::string::npos);
  CommandResult missing = RunConcordctl("deadletters replay --id 99 " + hp);
  EXPECT_EQ(missing.exit_code, 1) << missing.out;

  // The dead letter is in the chain: its row cannot be deleted unseen.
  d.StopHub();
  CommandResult intact = RunConcordctl("audit verify --db " + d.hub_db());
  EXPECT_EQ(intact.exit_code, 0) << intact.out;
  EXPECT_NE(intact.out.find("1 条死信"), std::string::npos) << intact.out;
  ASSERT_TRUE(sqlite::Db::Open(d.hub_db())->Exec("DELETE FROM dead_letters").ok());
  CommandResult gone = RunConcordctl("audit verify --db " + d.hub_db());
  EXPECT_EQ(gone.exit_code, 1) << gone.out;
  EXPECT_NE(gone.out.find("dead letter"), std::string::npos) << gone.out;
  EXPECT_NE(gone.out.find("for b is missing"), std::string::npos) << gone.out;
}

// Issue 16, finding 5: the chain passed after a stored envelope was edited,
// every queued message deleted or a cursor pushed forward. Each accept line
// now carries the envelope's digest and its recipients, and verify compares
// the stored state with the chain.
// Audit retention: old lines go to an archive file under a signed record;
// the lines queued messages still need stay; verify goes on from the record,
// checks the files, and names an edited file or record; the hub carries the
// chain on after it.
TEST(ConcordCtl, AuditArchiveKeepsTheChainVerifiable) {
  TestDistrict d({"a", "b", "c"});
  d.SetLimits("dedup_window_s = 1");  // acknowledged messages leave hub.db soon
  ASSERT_TRUE(d.StartHub().ok());
  {
    ClientThread b(d.ClientFor("b"), [](client::Client& c) {
      c.OnMessage([](const v1::Envelope&, sql::Db&) { return absl::OkStatus(); });
    });
    ClientThread a(d.ClientFor("a"));
    a.Call([&](client::Client& c) {
      for (int i = 0; i < 20; ++i) c.Publish(Note("b", "m" + std::to_string(i)));
      return 0;
    });
    ASSERT_TRUE(WaitFor([&] { return b.Stats().received == 20u; }));
    a.Call([&](client::Client& c) {
      for (int i = 0; i < 3; ++i) c.Publish(Note("c", "queued " + std::to_string(i)));
      return 0;
    });
    ASSERT_TRUE(WaitFor([&] { return a.Stats().outbox == 0 && a.Stats().unacked == 0; }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  d.StopHub();
  ASSERT_TRUE(d.StartHub().ok());  // compacts at once: b's 20 leave, c's 3 stay
  auto count = [&](const std::string& sql) {
    auto db = sqlite::Db::Open(d.hub_db());
    return db.ok() ? db->QueryInt(sql).value_or(-1) : -1;
  };
  ASSERT_TRUE(WaitFor([&] { return count("SELECT count(*) FROM messages") == 3; }));
  d.StopHub();
  const int64_t lines_before = count("SELECT count(*) FROM audit");
  const std::string dir = d.dir() + "/audit-archive";

  CommandResult young = RunConcordctl("audit archive --db " + d.hub_db() + " --out " + dir);
  EXPECT_EQ(young.exit_code, 1) << "all lines are younger than a year: " << young.out;
  CommandResult archived =
      RunConcordctl("audit archive --db " + d.hub_db() + " --out " + dir + " --keep-days 0");
  ASSERT_EQ(archived.exit_code, 0) << archived.out;
  EXPECT_NE(archived.out.find("已归档第 1 至 "), std::string::npos) << archived.out;
  const int64_t kept = count("SELECT count(*) FROM audit");
  EXPECT_GT(kept, 0);
  EXPECT_LT(kept, lines_before) << "b's settled messages' lines went";
  // The lines c's queued messages need are still there (verify below finds
  // each stored envelope's accept entry).
  EXPECT_GE(count("SELECT count(*) FROM audit WHERE line LIKE '%to=c recipients=%'"), 1);
  CommandResult ok = RunConcordctl("audit verify --db " + d.hub_db() + " --archive-dir " + dir);
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("archived under a signed record"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("归档文件完整"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("3 条待投递"), std::string::npos) << ok.out;
  CommandResult nothing =
      RunConcordctl("audit archive --db " + d.hub_db() + " --out " + dir + " --keep-days 0");
  EXPECT_EQ(nothing.exit_code, 1) << "the rest is needed: " << nothing.out;

  // An edited archive file, and a record moved without the hub's key.
  std::string file;
  for (const auto& e : std::filesystem::directory_iterator(dir)) file = e.path().string();
  ASSERT_FALSE(file.empty());
  {
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string original = text;
    text[text.size() / 2] = text[text.size() / 2] == 'x' ? 'y' : 'x';
    std::ofstream(file, std::ios::trunc) << text;
    CommandResult bad = RunConcordctl("audit verify --db " + d.hub_db() + " --archive-dir " + dir);
    EXPECT_EQ(bad.exit_code, 1) << bad.out;
    EXPECT_NE(bad.out.find("SHA-256"), std::string::npos) << bad.out;
    std::ofstream(file, std::ios::trunc) << original;
  }
  {
    const std::string moved = d.dir() + "/moved.db";
    std::filesystem::copy_file(d.hub_db(), moved);
    std::filesystem::copy_file(d.hub_db() + ".audit-head", moved + ".audit-head");
    auto db = sqlite::Db::Open(moved);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("UPDATE audit_archives SET last = last + 1").ok());
    CommandResult bad = RunConcordctl("audit verify --db " + moved);
    EXPECT_EQ(bad.exit_code, 1) << bad.out;
    EXPECT_NE(bad.out.find("归档记录签名无效"), std::string::npos) << bad.out;
  }

  // The hub goes on from the archive: c gets its three, the chain still verifies.
  ASSERT_TRUE(d.StartHub().ok());
  {
    ClientThread c(d.ClientFor("c"), [](client::Client& cl) {
      cl.OnMessage([](const v1::Envelope&, sql::Db&) { return absl::OkStatus(); });
    });
    ASSERT_TRUE(WaitFor([&] { return c.Stats().received == 3u; }));
  }
  d.StopHub();
  CommandResult after = RunConcordctl("audit verify --db " + d.hub_db() + " --archive-dir " + dir);
  EXPECT_EQ(after.exit_code, 0) << after.out;
  EXPECT_NE(after.out.find("stored state matches the chain"), std::string::npos) << after.out;

  // A backup of the archived hub verifies, and so does its restore.
  const std::string hub_dir = std::filesystem::path(d.hub_db()).parent_path().string();
  CommandResult backup =
      RunConcordctl("backup --data-dir " + hub_dir + " --out " + d.dir() + "/backup");
  ASSERT_EQ(backup.exit_code, 0) << backup.out;
  CommandResult restore =
      RunConcordctl("restore --from " + d.dir() + "/backup --data-dir " + d.dir() + "/restored");
  ASSERT_EQ(restore.exit_code, 0) << restore.out;
  CommandResult restored = RunConcordctl("audit verify --db " + d.dir() + "/restored/hub.db");
  EXPECT_EQ(restored.exit_code, 0) << restored.out;
}

TEST(ConcordCtl, AuditVerifyChecksStoredStateAgainstTheChain) {
  TestDistrict d({"a", "b", "c"});
  ASSERT_TRUE(d.StartHub().ok());
  {
    ClientThread b(d.ClientFor("b"), [](client::Client& c) {
      c.OnMessage([](const v1::Envelope&, sql::Db&) { return absl::OkStatus(); });
    });
    ClientThread a(d.ClientFor("a"));
    a.Call([&](client::Client& c) {
      for (int i = 0; i < 20; ++i) c.Publish(Note(i % 2 ? "b" : "c", "m" + std::to_string(i)));
      return 0;
    });
    ASSERT_TRUE(WaitFor([&] { return b.Stats().received == 10u; }));
    ASSERT_TRUE(WaitFor([&] { return a.Stats().outbox == 0; }));
  }
  d.StopHub();
  // Each case on its own copy of hub.db and its head file.
  auto copy = [&](const std::string& name) {
    const std::string path = d.dir() + "/" + name + ".db";
    std::filesystem::copy_file(d.hub_db(), path);
    std::filesystem::copy_file(d.hub_db() + ".audit-head", path + ".audit-head");
    return path;
  };
  auto verify = [](const std::string& path) { return RunConcordctl("audit verify --db " + path); };

  CommandResult ok = verify(d.hub_db());
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("stored state matches the chain"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("10 条待投递"), std::string::npos) << ok.out << "(c never connected)";

  const std::string edited = copy("edited");
  ASSERT_TRUE(sqlite::Db::Open(edited)
                  ->Exec("UPDATE messages SET envelope = envelope || x'00' WHERE seq = "
                         "(SELECT max(seq) FROM messages)")
                  .ok());
  CommandResult e = verify(edited);
  EXPECT_EQ(e.exit_code, 1) << e.out;
  EXPECT_NE(e.out.find("differs from the digest"), std::string::npos) << e.out;

  const std::string emptied = copy("emptied");
  ASSERT_TRUE(sqlite::Db::Open(emptied)->Exec("DELETE FROM mailbox").ok());
  CommandResult m = verify(emptied);
  EXPECT_EQ(m.exit_code, 1) << m.out;
  EXPECT_NE(m.out.find("10 处"), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("queued for c is missing"), std::string::npos) << m.out;

  const std::string pushed = copy("pushed");
  ASSERT_TRUE(sqlite::Db::Open(pushed)
                  ->Exec("UPDATE recipients SET acked_through = (SELECT max(seq) FROM messages) "
                         "WHERE name = 'c'; DELETE FROM mailbox")
                  .ok());
  CommandResult p = verify(pushed);
  EXPECT_EQ(p.exit_code, 1) << p.out;
  EXPECT_NE(p.out.find("recipient c's cursor"), std::string::npos) << p.out;
  std::cout << "[ what the operator reads ]\n" << e.out << m.out << p.out;
}

// `concordctl send` is acknowledged and `concordctl tail` prints what arrives.
TEST(ConcordCtl, SendAndTail) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  auto write_config = [&](const std::string& name) {
    ASSERT_TRUE(SaveCurveKeyPair(d.KeyOf(name), d.dir() + "/keys/" + name, true).ok());
    std::ofstream(d.dir() + "/" + name + ".toml")
        << "[agency]\nname = \"" << name << "\"\n[hub]\nendpoint = \"" << d.endpoint()
        << "\"\npublic_key = \"keys/hub.pub\"\n[keys]\nsecret_key = \"keys/" << name
        << ".key\"\n[storage]\ndata_dir = \"data-" << name << "\"\n";
  };
  write_config("a");
  write_config("b");
  CommandResult tail;
  std::thread tailer(
      [&] { tail = RunConcordctl("tail --count 1 --timeout 20 --config " + d.dir() + "/b.toml"); });
  CommandResult sent =
      RunConcordctl("send --config " + d.dir() + "/a.toml --to b --subject 值班 --body 测试消息");
  EXPECT_EQ(sent.exit_code, 0) << sent.out;
  EXPECT_NE(sent.out.find("acknowledged"), std::string::npos) << sent.out;
  tailer.join();
  EXPECT_EQ(tail.exit_code, 0) << tail.out;
  EXPECT_NE(tail.out.find("测试消息"), std::string::npos) << tail.out;
  CommandResult refused =
      RunConcordctl("send --config " + d.dir() + "/a.toml --to nobody --body x");
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_NE(refused.out.find("unknown recipient"), std::string::npos) << refused.out;
}

// Unreachable hub: a clear message and exit code 3, not a crash.
TEST(ConcordCtl, UnreachableHubIsReported) {
  CommandResult r = RunConcordctl("status --hub-http 127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("cannot reach"), std::string::npos) << r.out;
}

// Keys made by concordctl load, and revoke marks the registry entry.
TEST(ConcordCtl, KeysGenAddRevoke) {
  TestDistrict d({"a"});
  const std::string prefix = d.dir() + "/keys/newcomer";
  CommandResult gen = RunConcordctl("keys gen --out " + prefix);
  ASSERT_EQ(gen.exit_code, 0) << gen.out;
  EXPECT_TRUE(LoadCurveKeyPair(prefix).ok());
  CommandResult again = RunConcordctl("keys gen --out " + prefix);
  EXPECT_EQ(again.exit_code, 2) << "must not overwrite a key";
  CommandResult add = RunConcordctl("keys add --registry " + d.registry_file() +
                                    " --name newcomer --pub " + prefix + ".pub --roles agency");
  ASSERT_EQ(add.exit_code, 0) << add.out;
  CommandResult rev =
      RunConcordctl("keys revoke --registry " + d.registry_file() + " --name newcomer");
  ASSERT_EQ(rev.exit_code, 0) << rev.out;
  ASSERT_TRUE(d.StartHub().ok()) << "registry stays valid TOML";
  CommandResult missing =
      RunConcordctl("keys revoke --registry " + d.registry_file() + " --name nobody");
  EXPECT_EQ(missing.exit_code, 2);
}

// `aid dedup` writes id_a,id_b,score for the duplicate grants, reports a bad
// row with its line number (exit 1), and refuses an unknown format (exit 2).
TEST(ConcordCtl, AidDedupWritesPairsAndNamesBadRows) {
  TestDistrict d({"a"});
  const std::string in = d.dir() + "/grants.csv", out = d.dir() + "/pairs.csv";
  std::ofstream(in)
      << "记录编号,救助机关,姓名,身份证号,电话,案号,救助类型,金额,救助日期\n"
         "F1,court,张伟,11010519491231002X,13800138000,（2023）沪0104刑初1号,资金救助,1000,2023-06-"
         "01\n"
         "J1,procuratorate,張 偉,,+86 138 0013 8000,(2023)沪0104刑初1号,money,2000,2023-07-01\n"
         "J2,procuratorate,张伟,11010519491231002X,13800138000,（2024）沪0104刑初9号,money,500,"
         "2024-01-02\n"
         "X1,police,李四,,,,cash,10,2023-01-01\n";
  CommandResult r = RunConcordctl("aid dedup --input " + in + " --out " + out);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find(":5:"), std::string::npos) << "the bad row's line: " << r.out;
  std::ifstream pairs(out);
  std::string header, line, rest;
  std::getline(pairs, header);
  EXPECT_EQ(header, "id_a,id_b,score");
  std::getline(pairs, line);
  EXPECT_EQ(line.substr(0, 6), "F1,J1,") << "same person, same case";
  EXPECT_FALSE(std::getline(pairs, rest)) << "J2 is another case: " << rest;
  EXPECT_EQ(
      RunConcordctl("aid dedup --input " + in + " --out " + out + " --format excel").exit_code, 2);
}

// `aid dedup --case-links`: two agencies' numbers of one case tie only once
// linked; a case unknown goes to --review-out; a bad link row names its line.
TEST(ConcordCtl, AidDedupCaseLinksAndReview) {
  TestDistrict d({"a"});
  const std::string in = d.dir() + "/grants.csv", out = d.dir() + "/pairs.csv",
                    links = d.dir() + "/links.csv", review = d.dir() + "/review.csv";
  std::ofstream(in) << "记录编号,救助机关,姓名,身份证号,电话,案号,案由,救助类型,金额,救助日期\n"
                       "G1,police,张伟,11010519491231002X,13800138000,A1101052023000123,故意伤害案,"
                       "资金救助,1000,2023-06-01\n"
                       "F1,court,张伟,11010519491231002X,13800138000,（2024）京0105刑初9号,"
                       "故意伤害罪,资金救助,2000,2024-07-01\n";
  std::ofstream(links) << "case_ref_a,case_ref_b\n"
                          "A1101052023000123,京朝检刑诉〔2023〕5号\n"
                          "京朝检刑诉[2023]5号,(2024)京0105刑初9号\n"
                          "京朝检刑诉[2023]6号,\n";
  auto lines = [](const std::string& path) {
    std::ifstream f(path);
    std::vector<std::string> out;
    for (std::string l; std::getline(f, l);) out.push_back(l);
    return out;
  };
  CommandResult r =
      RunConcordctl("aid dedup --input " + in + " --out " + out + " --review-out " + review);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(lines(out).size(), 1u) << "no shared number, no date: not a duplicate";
  ASSERT_EQ(lines(review).size(), 2u) << r.out;
  EXPECT_EQ(lines(review)[1].substr(0, 6), "G1,F1,");
  EXPECT_NE(lines(review)[1].find(",unknown,"), std::string::npos) << lines(review)[1];

  r = RunConcordctl("aid dedup --input " + in + " --out " + out + " --case-links " + links +
                    " --review-out " + review + " --report " + d.dir() + "/report");
  EXPECT_EQ(r.exit_code, 1) << "the bad link row: " << r.out;
  EXPECT_NE(r.out.find("links.csv:4:"), std::string::npos) << r.out;
  ASSERT_EQ(lines(out).size(), 2u) << r.out;
  EXPECT_EQ(lines(out)[1].substr(0, 6), "G1,F1,") << "linked: same person, same case";
  EXPECT_EQ(lines(review).size(), 1u);
  const std::string html = ReadFile(d.dir() + "/report.html");
  EXPECT_NE(html.find("第 1 组：重复救助（2 条记录"), std::string::npos) << html;
  EXPECT_NE(html.find("A1101052023000123"), std::string::npos) << "fields side by side";
  EXPECT_EQ(ReadFile(d.dir() + "/report.xlsx").substr(0, 2), "PK");
}

// `aid dedup --map`: an export with the agency's own headers, the mapping
// echoed; a bad map is refused before anything is read.
TEST(ConcordCtl, AidDedupReadsOwnHeadersThroughTheMap) {
  TestDistrict d({"a"});
  const std::string in = d.dir() + "/export.csv", out = d.dir() + "/pairs.csv";
  std::ofstream(in) << "登记号,受助人,证件号码,联系电话,案号,类别,金额,发放日期\n"
                       "J1,张伟,11010519491231002X,13800138000,（2023）沪0104刑初1号,资金救助,"
                       "1000,2023-06-01\n"
                       "J2,張偉,,13800138000,(2023)沪0104刑初1号,资金救助,2000,2023-07-01\n";
  const std::string map =
      " --map record_id=登记号,name=受助人,id_number=证件号码,phone=联系电话,aid_type=类别,"
      "granted_on=发放日期";
  CommandResult r = RunConcordctl("aid dedup --input " + in + " --out " + out + map);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("证件号码 -> id_number"), std::string::npos) << r.out;
  std::ifstream pairs(out);
  std::string header, line;
  std::getline(pairs, header);
  std::getline(pairs, line);
  EXPECT_EQ(line.substr(0, 6), "J1,J2,");
  EXPECT_EQ(
      RunConcordctl("aid dedup --input " + in + " --out " + out + " --map nom=姓名").exit_code, 2);
}

}  // namespace
}  // namespace concord::testing

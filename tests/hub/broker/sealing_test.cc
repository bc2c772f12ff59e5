// Issue 16, finding 6 (readable at rest) and the last point of finding 4:
// payloads sealed to their recipients, so that the hub stores and routes
// ciphertext and metadata only. Real hub, real clients, real keys; the hub's
// files are read byte by byte after the run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/sqlite.h"
#include "concord/v1/envelope.pb.h"
#include "concord/v1/hub.pb.h"
#include "hub/transport/envelope_sign.h"
#include "hub/transport/payload_seal.h"
#include "tests/support/district.h"
#include "tests/support/effects.h"
#include "tests/support/raw_peer.h"

namespace concord::testing {
namespace {

namespace pb = ::concord::v1;
namespace fs = std::filesystem;

// What a petition office sends about a petitioner: name, phone, matter.
constexpr char kName[] = "欧阳秀英";
constexpr char kPhone[] = "13912345678";
constexpr char kMatter[] = "拖欠工资四万二千元";

std::string Petition(int i) {
  return absl::StrCat("信访人 ", kName, " 电话 ", kPhone, " 事项 ", kMatter, " #", i);
}

// Every file the hub wrote (its data folder: hub.db, -wal, -shm, keys,
// tokens; and its log), with each occurrence of `needle` counted.
int BytesFound(const TestDistrict& d, const std::string& needle, std::string* where) {
  int found = 0;
  std::vector<fs::path> files = {d.dir() + "/hub.log"};
  for (const auto& e : fs::recursive_directory_iterator(d.dir() + "/hub"))
    if (e.is_regular_file()) files.push_back(e.path());
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string bytes = ss.str();
    for (size_t at = bytes.find(needle); at != std::string::npos; at = bytes.find(needle, at + 1)) {
      ++found;
      if (where) *where += f.filename().string() + " ";
    }
  }
  return found;
}

std::vector<std::string> HubFiles(const TestDistrict& d) {
  std::vector<std::string> names;
  for (const auto& e : fs::recursive_directory_iterator(d.dir() + "/hub"))
    if (e.is_regular_file()) names.push_back(e.path().filename().string());
  return names;
}

// A petition office sends to one agency, to every agency (role:) and to a
// topic an agent subscribes to; each recipient reads the petitioner's name,
// phone and matter, and no byte the hub wrote holds any of them. The same
// run without sealing (the control) finds them in the hub's files: the
// search would see them if they were there.
TEST(Sealing, NoPetitionersNameInAnyByteTheHubWrote) {
  for (const bool sealed : {true, false}) {
    SCOPED_TRACE(sealed ? "sealed" : "control: not sealed");
    TestDistrict d({"petition", "court", "police", "ledger:agent"});
    d.RegisterSignKeys();
    d.SetLimits(absl::StrCat("\n[security]\nrequire_sealed = ", sealed ? "true" : "false", "\n"));
    ASSERT_TRUE(d.StartHub().ok());
    auto opts = [&](const std::string& n) {
      client::ClientOptions o = d.ClientFor(n);
      o.seal_payloads = sealed;
      return o;
    };
    client::ClientOptions lo = opts("ledger");
    lo.topics = {"petitions"};
    ClientThread ledger(lo, RecordEffects);
    ClientThread court(opts("court"), RecordEffects);
    ClientThread police(opts("police"), RecordEffects);
    ClientThread office(opts("petition"));
    ASSERT_TRUE(WaitFor([&] {
      return ledger.Stats().connected && court.Stats().connected && police.Stats().connected &&
             office.Stats().connected;
    }));
    for (int i = 0; i < 5; ++i) {
      for (const char* to : {"court", "role:agency", "topic:petitions"}) {
        auto id =
            office.Call([&](client::Client& c) { return c.PublishDurable(Note(to, Petition(i))); });
        ASSERT_TRUE(id.ok()) << id.status();
      }
    }
    // court: 5 direct + 5 role; police: 5 role; ledger (an agent): 5 topic.
    ASSERT_TRUE(WaitFor(
        [&] {
          return court.Stats().received == 10 && police.Stats().received == 5 &&
                 ledger.Stats().received == 5;
        },
        20000))
        << court.Stats().received << " " << police.Stats().received << " "
        << ledger.Stats().received;
    EXPECT_EQ(ReadEffects(d.ClientFor("ledger").db_path).bodies.at(4), Petition(4));
    EXPECT_EQ(ReadEffects(d.ClientFor("police").db_path).bodies.at(0), Petition(0));
    EXPECT_EQ(ReadEffects(d.ClientFor("court").db_path).bodies.size(), 10u);
    EXPECT_EQ(office.Stats().sealed, sealed ? 15u : 0u);
    EXPECT_EQ(court.Stats().opened, sealed ? 10u : 0u);
    EXPECT_EQ(court.Stats().refused + police.Stats().refused + ledger.Stats().refused, 0u);
    // The hub stops as an operator stops it; its WAL stays on disk too.
    d.StopHub();
    const std::vector<std::string> files = HubFiles(d);
    EXPECT_TRUE(std::find(files.begin(), files.end(), "hub.db") != files.end());
    for (const std::string& needle :
         {std::string(kName), std::string(kPhone), std::string(kMatter)}) {
      std::string where;
      const int n = BytesFound(d, needle, &where);
      if (sealed) {
        EXPECT_EQ(n, 0) << needle << " found in " << where;
      } else {
        EXPECT_GT(n, 0) << needle << ": the control must find what the hub stored in clear";
      }
    }
    if (sealed) {
      // The signatures cover the ciphertext: the stored envelopes verify.
      CommandResult v =
          RunConcordctl("audit verify --db " + d.hub_db() + " --registry " + d.registry_file());
      EXPECT_EQ(v.exit_code, 0) << v.out;
      EXPECT_NE(v.out.find("signed"), std::string::npos) << v.out;
    }
  }
}

// Says Hello as `name` and returns the Welcome's directory.
std::unique_ptr<RawPeer> RawAs(const TestDistrict& d, const std::string& name,
                               pb::Directory* directory) {
  auto p = std::make_unique<RawPeer>(d.endpoint(), d.KeyOf(name), d.hub_public_key());
  pb::Frame hello;
  hello.mutable_hello()->set_client("raw");
  hello.mutable_hello()->set_credit(16);
  p->Send(hello);
  while (auto f = p->Recv(5000))
    if (f->has_welcome()) {
      *directory = f->welcome().directory();
      return p;
    }
  ADD_FAILURE() << "no Welcome for " << name;
  return p;
}

SealRecipient KeyFromDirectory(const pb::Directory& dir, const std::string& name) {
  for (const auto& p : dir.principals())
    if (p.name() == name) return {name, p.sign_key()};
  ADD_FAILURE() << name << " not in the directory";
  return {name, ""};
}

// The hub refuses what is not sealed to every recipient it routes to: an
// unsealed payload for good (PERMISSION_DENIED), one sealed with a directory
// older than a subscription retryably (UNAVAILABLE), the current directory
// sent first so the sender can seal again. Receivers refuse a payload sealed
// to another key or changed after sealing (kept with the reason, never
// applied), and open the one sealed to them.
TEST(Sealing, HubAndReceiversRefuseWhatIsNotSealedToThem) {
  TestDistrict d({"a", "b", "c"});
  d.RegisterSignKeys();
  d.SetLimits("\n[security]\nrequire_sealed = true\n");
  ASSERT_TRUE(d.StartHub().ok());
  ClientThread b(d.ClientFor("b"), RecordEffects);
  ASSERT_TRUE(WaitFor([&] { return b.Stats().connected; }));
  pb::Directory dir;
  auto raw = RawAs(d, "a", &dir);
  ASSERT_EQ(dir.principals_size(), 3);
  const EnvelopeSigner a_signer = *EnvelopeSigner::FromCurveSecret(d.KeyOf("a").secret_z85);
  PayloadSealer a_sealer = *PayloadSealer::FromCurveSecret(d.KeyOf("a").secret_z85);
  int n = 0;
  auto envelope = [&](const std::string& to, const std::string& body) {
    pb::Envelope e = Note(to, body);
    e.set_id(absl::StrCat("0190a0b0-0000-7000-8000-0000000001", 10 + n++));
    e.set_created_at_ms(1);
    return e;
  };
  // Publishes and returns the answer; `directory_first` is set when the hub
  // sent its directory before the answer.
  auto publish = [&](const pb::Envelope& e, bool* directory_first = nullptr) -> pb::Frame {
    pb::Frame f;
    *f.mutable_publish()->mutable_envelope() = e;
    raw->Send(f);
    while (auto r = raw->Recv(5000)) {
      if (r->has_directory()) {
        if (directory_first) *directory_first = true;
        dir = r->directory();
      }
      if (r->has_ack() || r->has_nack()) return *r;
    }
    return {};
  };

  pb::Envelope clear = envelope("b", "clear");
  a_signer.Sign(clear);
  pb::Frame r = publish(clear);
  ASSERT_TRUE(r.has_nack());
  EXPECT_EQ(r.nack().code(), pb::PERMISSION_DENIED);
  EXPECT_NE(r.nack().reason().find("须加密"), std::string::npos) << r.nack().reason();

  // c subscribes after a's directory was sent: sealed to b only, refused
  // retryably with the new directory ahead of the Nack; sealed again, taken.
  client::ClientOptions co = d.ClientFor("c");
  co.topics = {"news"};
  ClientThread c(co, RecordEffects);
  client::ClientOptions bo = d.ClientFor("b");
  ASSERT_TRUE(WaitFor([&] { return c.Stats().connected; }));
  b.Call([](client::Client& cl) {
    cl.Subscribe("news");
    return 0;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  pb::Envelope stale = envelope("topic:news", "news for b and c");
  ASSERT_TRUE(a_sealer.Seal(stale, {KeyFromDirectory(dir, "b")}).ok());
  a_signer.Sign(stale);
  bool directory_first = false;
  r = publish(stale, &directory_first);
  ASSERT_TRUE(r.has_nack());
  EXPECT_EQ(r.nack().code(), pb::UNAVAILABLE);
  EXPECT_EQ(r.nack().id(), stale.id());
  EXPECT_NE(r.nack().reason().find("未加密给收件人"), std::string::npos) << r.nack().reason();
  EXPECT_TRUE(directory_first);
  // Sealed again with that directory, the same id: taken (and what a sent
  // behind the refused one waited for it).
  pb::Envelope resealed = Note("topic:news", "news for b and c");
  resealed.set_id(stale.id());
  resealed.set_created_at_ms(1);
  ASSERT_TRUE(
      a_sealer.Seal(resealed, {KeyFromDirectory(dir, "b"), KeyFromDirectory(dir, "c")}).ok());
  a_signer.Sign(resealed);
  EXPECT_TRUE(publish(resealed).has_ack());

  // Sealed to c under b's name, and a's signature over a changed ciphertext:
  // both pass the hub (it cannot tell), both are refused by b.
  pb::Envelope wrong_key = envelope("b", "wrong key");
  ASSERT_TRUE(a_sealer.Seal(wrong_key, {{"b", KeyFromDirectory(dir, "c").sign_key}}).ok());
  // Marked as boxed for c's key, the hub sends it back to be sealed again.
  a_signer.Sign(wrong_key);
  r = publish(wrong_key);
  ASSERT_TRUE(r.has_nack());
  EXPECT_EQ(r.nack().code(), pb::UNAVAILABLE);
  EXPECT_NE(r.nack().reason().find("现用密钥"), std::string::npos) << r.nack().reason();
  // Marked as boxed for b's key (the hub cannot open a box to check it).
  wrong_key.mutable_seal()->mutable_keys(0)->set_key_id(
      SealKeyId(KeyFromDirectory(dir, "b").sign_key));
  a_signer.Sign(wrong_key);
  EXPECT_TRUE(publish(wrong_key).has_ack());
  pb::Envelope changed = envelope("b", "changed");
  ASSERT_TRUE(a_sealer.Seal(changed, {KeyFromDirectory(dir, "b")}).ok());
  changed.mutable_payload()->mutable_value()->at(2) ^= 1;
  a_signer.Sign(changed);
  EXPECT_TRUE(publish(changed).has_ack());
  ASSERT_TRUE(WaitFor([&] { return b.Stats().refused == 2; })) << b.Stats().refused;

  // The real client seals with the directory it has (c subscribed): both read it.
  ClientThread a(d.ClientFor("a"));
  a.Call([](client::Client& cl) { return cl.Publish(Note("topic:news", "read by b and c")); });
  ASSERT_TRUE(WaitFor([&] { return b.Stats().received == 2 && c.Stats().received == 2; }));
  const std::vector<std::string> news = {"news for b and c", "read by b and c"};
  EXPECT_EQ(ReadEffects(bo.db_path).bodies, news);
  EXPECT_EQ(ReadEffects(co.db_path).bodies, news);
  auto db = sqlite::Db::Open(bo.db_path);
  ASSERT_TRUE(db.ok());
  auto rows = db->Prepare("SELECT reason FROM concord_refused ORDER BY id");
  ASSERT_TRUE(rows.ok());
  std::vector<std::string> reasons;
  while (*rows->Step()) reasons.push_back(rows->Text(0));
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_NE(reasons[0].find("无法解开内容密钥"), std::string::npos) << reasons[0];
  EXPECT_NE(reasons[1].find("密文无法解密"), std::string::npos) << reasons[1];
}

}  // namespace
}  // namespace concord::testing

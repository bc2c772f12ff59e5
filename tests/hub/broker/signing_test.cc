// Issue 16, finding 4 (forgery): envelopes signed by their sending agency and
// checked by every receiver, by the hub against its registry, and by
// `concordctl audit verify`. Real hub, real clients, real keys; the forger is
// a raw ZeroMQ peer holding an agency's CurveZMQ key (a hub, or whoever holds
// its database, can put any `from` on an envelope: only the signature tells).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/sqlite.h"
#include "concord/v1/envelope.pb.h"
#include "concord/v1/hub.pb.h"
#include "hub/transport/envelope_sign.h"
#include "tests/support/district.h"
#include "tests/support/effects.h"
#include "tests/support/raw_peer.h"

namespace concord::testing {
namespace {

namespace pb = ::concord::v1;

EnvelopeSigner SignerOf(const CurveKeyPair& kp) {
  return *EnvelopeSigner::FromCurveSecret(kp.secret_z85);
}

// Says Hello as `name` and waits for the Welcome.
std::unique_ptr<RawPeer> RawAs(const TestDistrict& d, const std::string& name) {
  auto p = std::make_unique<RawPeer>(d.endpoint(), d.KeyOf(name), d.hub_public_key());
  pb::Frame hello;
  hello.mutable_hello()->set_client("forger");
  hello.mutable_hello()->set_credit(16);
  p->Send(hello);
  while (auto f = p->Recv(5000))
    if (f->has_welcome()) return p;
  ADD_FAILURE() << "no Welcome for " << name;
  return p;
}

// Publishes `env` through `p`; the hub's answer: "" for an Ack, else the
// Nack's reason.
std::string PublishRaw(RawPeer& p, const pb::Envelope& env) {
  pb::Frame f;
  *f.mutable_publish()->mutable_envelope() = env;
  p.Send(f);
  while (auto r = p.Recv(5000)) {
    if (r->has_ack()) return "";
    if (r->has_nack()) return r->nack().reason().empty() ? "nack" : r->nack().reason();
  }
  return "no answer";
}

pb::Envelope NoteWithId(const std::string& to, const std::string& body, const std::string& id) {
  pb::Envelope e = Note(to, body);
  e.set_id(id);
  e.set_created_at_ms(1);
  return e;
}

int64_t Count(const std::string& db_path, const std::string& sql) {
  auto db = sqlite::Db::Open(db_path);
  if (!db.ok()) return -1;
  auto n = db->QueryInt(sql);
  return n.ok() ? *n : -1;
}

// Three forgeries from a's connection reach b: unsigned, signed by a key that
// is not a's, and a's signature over another body. b refuses each (kept in
// concord_refused with the reason, acknowledged, never applied) and goes on
// applying what a really sends.
TEST(Signing, ReceiverRefusesWhatItsSenderDidNotSign) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  ClientThread b(d.ClientFor("b"), RecordEffects);
  ClientThread a(d.ClientFor("a"));
  a.Call([](client::Client& c) { return c.Publish(Note("b", "one")); });
  ASSERT_TRUE(WaitFor([&] { return b.Stats().received == 1; }));  // b pins a's key

  auto forger = RawAs(d, "a");
  EXPECT_EQ(
      PublishRaw(*forger, NoteWithId("b", "unsigned", "0190a0b0-0000-7000-8000-0000000000f1")), "");
  pb::Envelope other = NoteWithId("b", "other key", "0190a0b0-0000-7000-8000-0000000000f2");
  d.MakeKey("mallory");
  SignerOf(d.KeyOf("mallory")).Sign(other);
  EXPECT_EQ(PublishRaw(*forger, other), "");
  pb::Envelope edited = NoteWithId("b", "what a signed", "0190a0b0-0000-7000-8000-0000000000f3");
  SignerOf(d.KeyOf("a")).Sign(edited);
  pb::TextNote changed;
  changed.set_subject("test");
  changed.set_body("what a never said");
  edited.mutable_payload()->PackFrom(changed);
  EXPECT_EQ(PublishRaw(*forger, edited), "");

  ASSERT_TRUE(WaitFor([&] { return b.Stats().refused == 3; })) << b.Stats().refused;
  a.Call([](client::Client& c) { return c.Publish(Note("b", "two")); });
  ASSERT_TRUE(WaitFor([&] { return b.Stats().received == 2; }));
  const std::string bdb = d.ClientFor("b").db_path;
  EXPECT_EQ(ReadEffects(bdb).bodies, (std::vector<std::string>{"one", "two"}));
  auto db = sqlite::Db::Open(bdb);
  ASSERT_TRUE(db.ok());
  auto rows = db->Prepare("SELECT id, sender, reason FROM concord_refused ORDER BY id");
  ASSERT_TRUE(rows.ok());
  std::vector<std::string> reasons;
  while (*rows->Step()) {
    EXPECT_EQ(rows->Text(1), "a");
    reasons.push_back(rows->Text(2));
  }
  ASSERT_EQ(reasons.size(), 3u);
  EXPECT_NE(reasons[0].find("未签名"), std::string::npos) << reasons[0];
  EXPECT_NE(reasons[1].find("签名密钥与此前记下的不同"), std::string::npos) << reasons[1];
  EXPECT_NE(reasons[2].find("签名无效"), std::string::npos) << reasons[2];
  // Refused once: acknowledged, so the hub does not send them again.
  EXPECT_EQ(Count(bdb, "SELECT count(*) FROM concord_inbox"), 5);
}

// With `sign_key` in the registry the hub refuses, at once and to the
// sender, an envelope not signed with it; the real client passes.
TEST(Signing, HubRefusesAKeyOtherThanTheRegisteredOne) {
  TestDistrict d({"a", "b"});
  {
    std::ifstream in(d.registry_file());
    std::stringstream text;
    text << in.rdbuf();
    std::string reg = text.str();
    const std::string at = "name = \"a\"\n";
    ASSERT_NE(reg.find(at), std::string::npos) << reg;
    reg.insert(
        reg.find(at) + at.size(),
        absl::StrCat("sign_key = \"", SignKeyHex(SignerOf(d.KeyOf("a")).public_key()), "\"\n"));
    std::ofstream(d.registry_file()) << reg;
  }
  ASSERT_TRUE(d.StartHub().ok());
  auto forger = RawAs(d, "a");
  EXPECT_NE(PublishRaw(*forger, NoteWithId("b", "x", "0190a0b0-0000-7000-8000-0000000000f1"))
                .find("消息未签名"),
            std::string::npos);
  d.MakeKey("mallory");
  pb::Envelope other = NoteWithId("b", "y", "0190a0b0-0000-7000-8000-0000000000f2");
  SignerOf(d.KeyOf("mallory")).Sign(other);
  EXPECT_NE(PublishRaw(*forger, other).find("签名密钥与登记不符"), std::string::npos);
  pb::Envelope good = NoteWithId("b", "z", "0190a0b0-0000-7000-8000-0000000000f3");
  SignerOf(d.KeyOf("a")).Sign(good);
  EXPECT_EQ(PublishRaw(*forger, good), "");

  ClientThread a(d.ClientFor("a"));
  std::promise<absl::Status> acked;
  a.Call([&](client::Client& c) {
    return c.Publish(Note("b", "real"), [&](const absl::Status& s) { acked.set_value(s); });
  });
  auto fut = acked.get_future();
  ASSERT_EQ(fut.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(fut.get().ok());
}

// Whoever holds the hub's database rewrites a queued envelope: the receiver
// refuses it when it comes, and `audit verify --registry` names it.
TEST(Signing, EnvelopeRewrittenInTheHubsDatabaseIsRefusedAndNamed) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  const std::string bdb = d.ClientFor("b").db_path;
  {
    ClientThread b(d.ClientFor("b"), RecordEffects);
    ClientThread a(d.ClientFor("a"));
    a.Call([](client::Client& c) { return c.Publish(Note("b", "one")); });
    ASSERT_TRUE(WaitFor([&] { return b.Stats().received == 1; }));
  }
  {
    ClientThread a(d.ClientFor("a"));
    std::promise<absl::Status> acked;
    a.Call([&](client::Client& c) {
      return c.Publish(Note("b", "pay 1000"), [&](const absl::Status& s) { acked.set_value(s); });
    });
    auto fut = acked.get_future();
    ASSERT_EQ(fut.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  }
  d.StopHub();
  {
    auto db = sqlite::Db::Open(d.hub_db());
    ASSERT_TRUE(db.ok());
    auto sel = db->Prepare("SELECT seq, envelope FROM messages ORDER BY seq DESC LIMIT 1");
    ASSERT_TRUE(sel.ok() && *sel->Step());
    const int64_t seq = sel->Int(0);
    pb::Envelope env;
    ASSERT_TRUE(env.ParseFromString(sel->Blob(1)));
    sel->Reset();
    pb::TextNote note;
    note.set_subject("test");
    note.set_body("pay 9000");
    env.mutable_payload()->PackFrom(note);
    auto upd = db->Prepare("UPDATE messages SET envelope=? WHERE seq=?");
    ASSERT_TRUE(upd.ok());
    upd->BindBlob(1, env.SerializeAsString());
    upd->Bind(2, seq);
    ASSERT_TRUE(upd->Run().ok());
  }
  auto verify = RunConcordctl(
      absl::StrCat("audit verify --db ", d.hub_db(), " --registry ", d.registry_file()));
  EXPECT_EQ(verify.exit_code, 1) << verify.out;
  EXPECT_NE(verify.out.find("签名无效"), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find("消息签名不符"), std::string::npos) << verify.out;

  ASSERT_TRUE(d.StartHub().ok());
  ClientThread b(d.ClientFor("b"), RecordEffects);
  ASSERT_TRUE(WaitFor([&] { return b.Stats().refused == 1; })) << b.Stats().refused;
  EXPECT_EQ(ReadEffects(bdb).bodies, std::vector<std::string>{"one"});
}

}  // namespace
}  // namespace concord::testing

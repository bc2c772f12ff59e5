// Multi-process tests of concord-adapter: the real concord-hub and real
// adapter processes (one per agency, each with its own config file and SQLite
// file), driven through the adapters' loopback HTTP/JSON API.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "common/http_client.h"
#include "common/sql.h"
#include "common/uuid.h"
#include "concord/v1/aid.pb.h"
#include "concord/v1/envelope.pb.h"
#include "hub/transport/curve_keys.h"
#include "tests/support/daemon.h"
#include "tests/support/district.h"
#include "tests/support/raw_peer.h"

namespace concord::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json Note(const std::string& to, const std::string& subject, const std::string& body) {
  return {{"to", {to}},
          {"type", "concord.v1.TextNote"},
          {"payload", {{"subject", subject}, {"body", body}}}};
}

bool Connected(const DaemonProcess& a) {
  json h = a.Get("/health");
  return h.is_object() && h.value("connected", false);
}

json InboxMessages(const DaemonProcess& a, const std::string& query = "") {
  json r = a.Get("/inbox" + query);
  return r.is_object() ? r["messages"] : json::array();
}

int64_t CountRows(const std::string& db_path, const std::string& table) {
  auto db = sql::Db::Open(db_path);
  if (!db.ok()) return -1;
  auto n = db->QueryInt("SELECT count(*) FROM " + table);
  return n.ok() ? *n : -1;
}

// A note published on A's REST API reaches B's inbox with its payload, and
// B's acknowledgement marks it read.
TEST(AdapterTest, PublishReachesPeerInboxAndAckMarksRead) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  DaemonProcess a(d, "a"), b(d, "b");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(WaitFor([&] { return Connected(a) && Connected(b); }, 5000));
  EXPECT_EQ(a.Get("/health")["principal"], "a");

  HttpResult r = a.Post("/publish", Note("b", "开庭通知", "3月5日上午9时开庭"));
  ASSERT_EQ(r.status, 202) << r.body;
  json accepted = json::parse(r.body);
  EXPECT_EQ(accepted["status"], "queued");
  const std::string id = accepted["id"];

  ASSERT_TRUE(WaitFor([&] { return InboxMessages(b).size() == 1; }, 5000)) << b.log();
  json m = InboxMessages(b)[0];
  EXPECT_EQ(m["id"], id);
  EXPECT_EQ(m["from"], "a");
  EXPECT_EQ(m["type"], "concord.v1.TextNote");
  EXPECT_EQ(m["payload"]["subject"], "开庭通知");
  EXPECT_EQ(m["payload"]["body"], "3月5日上午9时开庭");
  EXPECT_EQ(m["read"], false);
  EXPECT_EQ(b.Get("/health")["inbox_unread"], 1);

  r = b.Post("/inbox/ack", {{"ids", {id}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["acked"], 1);
  EXPECT_EQ(InboxMessages(b)[0]["read"], true);
  EXPECT_TRUE(InboxMessages(b, "?unread=1").empty());
  EXPECT_EQ(b.Get("/health")["inbox_unread"], 0);
  EXPECT_TRUE(WaitFor([&] { return a.Get("/health")["outbox"] == 0; }, 5000));
  EXPECT_EQ(CountRows(a.db_path(), "sent_messages"), 1);
  EXPECT_EQ(a.Stop(), 0) << "SIGTERM must stop the adapter cleanly";
}

// Publishes made while the hub is down are queued, then delivered in order
// once it is back, and the sender's outbox drains.
TEST(AdapterTest, PublishesWhileHubIsDownFlowWhenItReturns) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  DaemonProcess a(d, "a"), b(d, "b");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(WaitFor([&] { return Connected(a) && Connected(b); }, 5000));

  d.KillHub();
  constexpr int kCount = 5;
  for (int i = 0; i < kCount; ++i) {
    HttpResult r = a.Post("/publish", Note("b", "批次", std::to_string(i)));
    ASSERT_EQ(r.status, 202) << r.body;
  }
  json health = a.Get("/health");
  EXPECT_EQ(health["outbox"], kCount) << health.dump();
  EXPECT_EQ(a.Get("/outbox")["pending"], kCount);

  ASSERT_TRUE(d.StartHub().ok());
  ASSERT_TRUE(WaitFor([&] { return InboxMessages(b).size() == kCount; }, 10000))
      << InboxMessages(b).dump() << "\n"
      << a.log();
  json messages = InboxMessages(b);
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(messages[i]["payload"]["body"], std::to_string(i));
  EXPECT_TRUE(WaitFor([&] { return a.Get("/health")["outbox"] == 0; }, 5000));
  EXPECT_EQ(a.Get("/health")["published"], kCount);
}

// Malformed requests are answered 400 with a reason, and nothing is queued.
TEST(AdapterTest, BadPublishIsRefusedAndNothingQueued) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  DaemonProcess a(d, "a");
  ASSERT_TRUE(a.ok());
  struct Case {
    std::string body;
    std::string reason;  // part of the English half of the error
  };
  const std::vector<Case> cases = {
      {"{\"to\": [\"b\"], ", "not valid JSON"},
      {"[\"b\"]", "must be a JSON object"},
      {R"({"to": ["b"], "type": "concord.v1.NoSuchNote", "payload": {}})", "unknown payload type"},
      {R"({"type": "concord.v1.TextNote", "payload": {"subject": "x"}})", "`to`"},
      {R"({"to": [], "payload": {"subject": "x"}})", "`to`"},
      {R"({"to": [7], "payload": {"subject": "x"}})", "`to`"},
      {R"({"to": ["b"], "payload": {"subjekt": "x"}})", "does not fit"},
      {R"({"to": ["b"], "payload": "x"})", "`payload`"},
      {R"({"to": ["b"], "payload": {}, "expires_in_s": -1})", "expires_in_s"},
  };
  for (const auto& c : cases) {
    HttpResult r = a.Call("POST", "/publish", c.body);
    EXPECT_EQ(r.status, 400) << c.body << " -> " << r.body;
    json err = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(err.is_object() && err.contains("error")) << r.body;
    const std::string reason = err["error"];
    EXPECT_NE(reason.find(" / "), std::string::npos) << "Chinese / English: " << reason;
    EXPECT_NE(reason.find(c.reason), std::string::npos) << c.body << " -> " << reason;
  }
  EXPECT_EQ(a.Get("/health")["unacked"], 0);
  EXPECT_EQ(a.Get("/outbox")["pending"], 0);
  EXPECT_EQ(CountRows(a.db_path(), "sent_messages"), 0);
  EXPECT_EQ(CountRows(a.db_path(), "concord_outbox"), 0);
}

// Unknown paths, wrong methods and bad query parameters get JSON errors.
TEST(AdapterTest, UnknownPathsAndBadQueriesAreErrors) {
  TestDistrict d({"a"});
  ASSERT_TRUE(d.StartHub().ok());
  DaemonProcess a(d, "a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.Call("GET", "/nowhere").status, 404);
  EXPECT_EQ(a.Call("GET", "/publish").status, 405);
  EXPECT_EQ(a.Call("GET", "/inbox?limit=abc").status, 400);
  EXPECT_EQ(a.Call("GET", "/inbox?limit=0").status, 400);
  EXPECT_EQ(a.Call("POST", "/inbox/ack", "{}").status, 400);
  HttpResult metrics = a.Call("GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("concord_adapter_outbox 0"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("concord_adapter_connected "), std::string::npos);
}

// A publish the hub's ACL forbids shows up in /outbox's failed list with
// PERMISSION_DENIED and leaves the pending outbox.
TEST(AdapterTest, RefusedPublishIsListedAsFailed) {
  TestDistrict d({"a", "b"});
  d.WriteAcl("[[allow]]\nfrom = \"b\"\ntype = \"*\"\nto = [\"*\"]\n");  // a may send nothing
  ASSERT_TRUE(d.StartHub().ok());
  DaemonProcess a(d, "a");
  ASSERT_TRUE(a.ok());
  HttpResult r = a.Post("/publish", Note("b", "越权", "should be refused"));
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string id = json::parse(r.body)["id"];

  json outbox;
  ASSERT_TRUE(WaitFor(
      [&] {
        outbox = a.Get("/outbox");
        return outbox.is_object() && outbox["failed"].size() == 1;
      },
      5000))
      << outbox.dump() << "\n"
      << a.log();
  const json& failed = outbox["failed"][0];
  EXPECT_EQ(failed["id"], id);
  EXPECT_EQ(failed["code"], "PERMISSION_DENIED");
  EXPECT_FALSE(failed["reason"].get<std::string>().empty());
  EXPECT_EQ(failed["to"], json::array({"b"}));
  EXPECT_EQ(failed["type"], "concord.v1.TextNote");
  EXPECT_EQ(outbox["pending"], 0);
}

// Issue 16, finding 4, at the receiver: even with an ACL that lets agencies
// send anything, an aid agent's duplicate notice from the police is dropped
// and logged as forged; the aid agent's own is shown.
TEST(AdapterTest, AgentOnlyTypeFromAnotherSenderIsDroppedAsForged) {
  TestDistrict d({"sz.court", "sz.police", "sz.agent.aid:aid"});  // ACL: anything goes
  ASSERT_TRUE(d.StartHub().ok());
  DaemonProcess court(d, "sz.court"), police(d, "sz.police");
  ASSERT_TRUE(court.ok() && police.ok());
  ASSERT_TRUE(WaitFor([&] { return Connected(court) && Connected(police); }, 5000));
  const json notice = {{"to", {"sz.court"}},
                       {"type", "concord.v1.AidDuplicateNotice"},
                       {"payload", {{"your_record_id", "FY-1"}, {"other_agency", "sz.police"}}}};
  HttpResult r = police.Post("/publish", notice);
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string forged = json::parse(r.body)["id"];
  ASSERT_EQ(police.Post("/publish", Note("sz.court", "after", "the forged one")).status, 202);
  ASSERT_TRUE(WaitFor([&] { return InboxMessages(court).size() == 1; }, 5000)) << court.log();
  EXPECT_EQ(InboxMessages(court)[0]["type"], "concord.v1.TextNote");
  EXPECT_TRUE(absl::StrContains(court.log(), "forged message dropped")) << court.log();
  EXPECT_TRUE(absl::StrContains(court.log(), forged));

  ClientThread aid(d.ClientFor("sz.agent.aid"));
  aid.Call([](client::Client& c) {
    v1::Envelope env;
    env.add_to("sz.court");
    v1::AidDuplicateNotice n;
    n.set_your_record_id("FY-2");
    env.mutable_payload()->PackFrom(n);
    return c.Publish(env);
  });
  ASSERT_TRUE(WaitFor([&] { return InboxMessages(court).size() == 2; }, 5000)) << court.log();
  EXPECT_EQ(InboxMessages(court)[1]["type"], "concord.v1.AidDuplicateNotice");
  EXPECT_EQ(InboxMessages(court)[1]["from"], "sz.agent.aid");
}

// A payload type the adapter does not know is kept, as base64 of its bytes.
TEST(AdapterTest, UnknownPayloadTypeArrivesAsBase64) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  DaemonProcess b(d, "b");
  ASSERT_TRUE(b.ok());
  ClientThread a(d.ClientFor("a"));
  a.Call([](client::Client& c) {
    v1::Envelope env;
    env.add_to("b");
    env.mutable_payload()->set_type_url("type.googleapis.com/other.v9.Secret");
    env.mutable_payload()->set_value("abc");
    return c.Publish(env);
  });
  ASSERT_TRUE(WaitFor([&] { return InboxMessages(b).size() == 1; }, 5000)) << b.log();
  json m = InboxMessages(b)[0];
  EXPECT_EQ(m["type"], "other.v9.Secret");
  EXPECT_EQ(m["payload"], json({{"base64", "YWJj"}}));
}

// While the local database stays locked, /publish answers 503 and queues
// nothing; once it is free again, publishing works.
TEST(AdapterTest, LockedLocalDatabaseAnswers503) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  DaemonProcess a(d, "a");
  ASSERT_TRUE(a.ok());
  {
    auto db = sql::Db::Open(a.db_path());
    ASSERT_TRUE(db.ok());
    auto lock = sql::Txn::Begin(*db);  // BEGIN IMMEDIATE: holds the write lock
    ASSERT_TRUE(lock.ok());
    HttpResult r = a.Post("/publish", Note("b", "锁", "locked"));  // waits out busy_timeout
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_NE(r.body.find("local database"), std::string::npos) << r.body;
  }
  EXPECT_EQ(CountRows(a.db_path(), "sent_messages"), 0);
  EXPECT_EQ(a.Post("/publish", Note("b", "锁", "free")).status, 202);
  EXPECT_TRUE(WaitFor([&] { return a.Get("/health")["published"] == 1; }, 5000));
}

// Publishes `env` from a raw peer holding `name`'s CurveZMQ key (Hello,
// then the publish); true once the hub acknowledged it.
bool PublishAs(const TestDistrict& d, const std::string& name, const v1::Envelope& env) {
  RawPeer p(d.endpoint(), d.KeyOf(name), d.hub_public_key());
  v1::Frame hello;
  hello.mutable_hello()->set_client("forger");
  p.Send(hello);
  bool welcome = false;
  while (auto f = p.Recv(5000))
    if ((welcome = f->has_welcome())) break;
  if (!welcome) return false;
  v1::Frame f;
  *f.mutable_publish()->mutable_envelope() = env;
  p.Send(f);
  while (auto r = p.Recv(5000)) {
    if (r->has_ack()) return true;
    if (r->has_nack()) return false;
  }
  return false;
}

v1::Envelope TextNote(const std::string& to, const std::string& body) {
  v1::Envelope env;
  env.set_id(NewUuidV7());
  env.set_created_at_ms(1);
  env.add_to(to);
  v1::TextNote note;
  note.set_subject("测试");
  note.set_body(body);
  env.mutable_payload()->PackFrom(note);
  return env;
}

// A delivery signed by another key than the one b pinned for a (a forger
// holding a's CurveZMQ key) is refused: not in b's inbox, listed by GET
// /refused (newest first, with the reason), and only with the API token.
TEST(AdapterTest, DeliveryRefusedForItsSignatureIsListed) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  DaemonProcess b(d, "b");
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(WaitFor([&] { return Connected(b); }, 5000));
  EXPECT_EQ(b.Get("/refused"), json({{"refused", json::array()}}));

  ASSERT_TRUE(PublishAs(d, "a", SignedBy(d.KeyOf("a"), TextNote("b", "signed by a"))));
  ASSERT_TRUE(WaitFor([&] { return InboxMessages(b).size() == 1; }, 5000)) << b.log();  // pinned
  d.MakeKey("mallory");
  const v1::Envelope first = SignedBy(d.KeyOf("mallory"), TextNote("b", "forged 1"));
  const v1::Envelope second = SignedBy(d.KeyOf("mallory"), TextNote("b", "forged 2"));
  ASSERT_TRUE(PublishAs(d, "a", first));
  ASSERT_TRUE(WaitFor([&] { return b.Get("/refused")["refused"].size() == 1; }, 5000)) << b.log();
  ASSERT_TRUE(PublishAs(d, "a", second));
  json refused;
  ASSERT_TRUE(WaitFor(
      [&] {
        refused = b.Get("/refused");
        return refused["refused"].size() == 2;
      },
      5000))
      << refused.dump() << "\n"
      << b.log();

  const json& newest = refused["refused"][0];
  EXPECT_EQ(newest["id"], second.id());
  EXPECT_EQ(refused["refused"][1]["id"], first.id());
  EXPECT_EQ(newest["sender"], "a");
  EXPECT_EQ(newest["type"], "type.googleapis.com/concord.v1.TextNote");
  EXPECT_TRUE(absl::StrContains(newest["reason"].get<std::string>(), "签名密钥与此前记下的不同"))
      << newest.dump();
  EXPECT_GT(newest["at_ms"].get<int64_t>(), 0);
  EXPECT_EQ(newest["seen_ms"], 0);
  EXPECT_FALSE(newest.contains("envelope"));
  EXPECT_EQ(b.Get("/refused?limit=1")["refused"].size(), 1u);
  EXPECT_EQ(b.Call("GET", "/refused?limit=0").status, 400);
  EXPECT_EQ(InboxMessages(b).size(), 1u);  // never applied

  // The API token is required, as for /outbox.
  auto anonymous = HttpCall("127.0.0.1", b.port(), "GET", "/refused");
  ASSERT_TRUE(anonymous.ok()) << anonymous.status();
  EXPECT_EQ(anonymous->status, 401) << anonymous->body;
}

}  // namespace
}  // namespace concord::testing

// Multi-process tests: the real concord-hub binary, real CurveZMQ keys, real
// SQLite files, real sockets on 127.0.0.1.
#include <gtest/gtest.h>

#include <mutex>

#include "concord/v1/envelope.pb.h"
#include "hub/common/sqlite.h"
#include "tests/support/district.h"

namespace concord::testing {
namespace {

namespace pb = ::concord::v1;

pb::Envelope Note(const std::string& to, const std::string& body) {
  pb::TextNote n;
  n.set_subject("test");
  n.set_body(body);
  return client::MakeEnvelope({to}, n);
}

// Records every applied delivery's body, in order, in the receiver's own table
// (in the same transaction as the inbox entry).
void RecordBodies(client::Client& c) {
  (void)c.db().Exec("CREATE TABLE IF NOT EXISTS effects(n INTEGER PRIMARY KEY, id TEXT, body TEXT)");
  c.OnMessage([](const pb::Envelope& env, sqlite::Db& db) -> absl::Status {
    pb::TextNote note;
    env.payload().UnpackTo(&note);
    auto st = db.Prepare("INSERT INTO effects(id, body) VALUES(?, ?)");
    if (!st.ok()) return st.status();
    st->BindAll(env.id(), note.body());
    return st->Run();
  });
}

std::vector<std::string> Bodies(const std::string& db_path) {
  auto db = sqlite::Db::Open(db_path);
  std::vector<std::string> out;
  auto st = db->Prepare("SELECT body FROM effects ORDER BY n");
  if (!st.ok()) return out;
  while (*st->Step()) out.push_back(st->Text(0));
  return out;
}

// A message from one agency reaches another and both sides see it acknowledged.
TEST(HubIntegration, DirectMessageIsDeliveredOnce) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  ClientThread b(d.ClientFor("b"), RecordBodies);
  ClientThread a(d.ClientFor("a"));
  std::promise<absl::Status> acked;
  a.Call([&](client::Client& c) { return c.Publish(Note("b", "hello"), [&](const absl::Status& s) { acked.set_value(s); }); });
  auto fut = acked.get_future();
  ASSERT_EQ(fut.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(fut.get().ok());
  ASSERT_TRUE(WaitFor([&] { return b.Stats().received == 1; }));
  EXPECT_EQ(Bodies(d.ClientFor("b").db_path), std::vector<std::string>{"hello"});
}

// An offline agency receives its backlog, in order, after it reconnects.
TEST(HubIntegration, OfflineAgencyGetsBacklogInOrder) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  {
    // b connects once so the hub knows it, then goes away.
    ClientThread b(d.ClientFor("b"), RecordBodies);
    ASSERT_TRUE(WaitFor([&] { return b.Stats().connected; }));
  }
  constexpr int kCount = 500;
  {
    ClientThread a(d.ClientFor("a"));
    a.Call([&](client::Client& c) {
      for (int i = 0; i < kCount; ++i) (void)c.PublishDurable(Note("b", std::to_string(i)));
      return 0;
    });
    ASSERT_TRUE(WaitFor([&] { return a.Stats().published == kCount; }, 30000));
  }
  ClientThread b(d.ClientFor("b"), RecordBodies);
  ASSERT_TRUE(WaitFor([&] { return b.Stats().received == kCount; }, 30000)) << b.Stats().received;
  auto bodies = Bodies(d.ClientFor("b").db_path);
  ASSERT_EQ(bodies.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) ASSERT_EQ(bodies[i], std::to_string(i)) << "at " << i;
}

}  // namespace
}  // namespace concord::testing

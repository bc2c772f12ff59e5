// Multi-process tests: the real concord-hub binary, real CurveZMQ keys, real
// SQLite files, real sockets on 127.0.0.1.
#include <gtest/gtest.h>

#include <mutex>

#include "common/sqlite.h"
#include "concord/v1/envelope.pb.h"
#include "tests/support/district.h"
#include "tests/support/effects.h"

namespace concord::testing {
namespace {

namespace pb = ::concord::v1;

// A message from one agency reaches another and both sides see it acknowledged.
TEST(HubIntegration, DirectMessageIsDeliveredOnce) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  ClientThread b(d.ClientFor("b"), RecordEffects);
  ClientThread a(d.ClientFor("a"));
  std::promise<absl::Status> acked;
  a.Call([&](client::Client& c) {
    return c.Publish(Note("b", "hello"), [&](const absl::Status& s) { acked.set_value(s); });
  });
  auto fut = acked.get_future();
  ASSERT_EQ(fut.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(fut.get().ok());
  ASSERT_TRUE(WaitFor([&] { return b.Stats().received == 1; }));
  EXPECT_EQ(ReadEffects(d.ClientFor("b").db_path).bodies, std::vector<std::string>{"hello"});
}

// An offline agency receives its backlog, in order, after it reconnects.
TEST(HubIntegration, OfflineAgencyGetsBacklogInOrder) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  {
    // b connects once so the hub knows it, then goes away.
    ClientThread b(d.ClientFor("b"), RecordEffects);
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
  ClientThread b(d.ClientFor("b"), RecordEffects);
  ASSERT_TRUE(WaitFor([&] { return b.Stats().received == kCount; }, 30000)) << b.Stats().received;
  auto bodies = ReadEffects(d.ClientFor("b").db_path).bodies;
  ASSERT_EQ(bodies.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) ASSERT_EQ(bodies[i], std::to_string(i)) << "at " << i;
}

}  // namespace
}  // namespace concord::testing

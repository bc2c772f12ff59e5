// The adapter's mailbox on a real SQLite file, with a client that is never
// started (no hub): what the consoles read from the inbox.
#include "adapters/mailbox.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>

#include "common/clock.h"
#include "hub/client/client.h"
#include "hub/transport/curve_keys.h"

namespace concord::adapter {
namespace {

class MailboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string path = ::testing::TempDir() + "/mailbox_" +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name() +
                             ".db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    auto hub = GenerateCurveKeyPair();
    auto keys = GenerateCurveKeyPair();
    ASSERT_TRUE(hub.ok() && keys.ok());
    client::ClientOptions o;
    o.name = "office";
    o.hub_endpoint = "tcp://127.0.0.1:9";  // never started
    o.hub_public_key = hub->public_z85;
    o.keys = *keys;
    o.db_path = path;
    o.clock = &clock_;
    auto c = client::Client::Create(io_, o);
    ASSERT_TRUE(c.ok()) << c.status();
    client_ = std::move(*c);
    auto m = Mailbox::Create(*client_, clock_);
    ASSERT_TRUE(m.ok()) << m.status();
    mailbox_ = std::move(*m);
  }
  // A delivered message, as the mailbox's delivery handler records it.
  void Deliver(const std::string& id, const std::string& type) {
    auto st = client_->db().Prepare(
        "INSERT INTO inbox_messages(id, sender, type, payload_json, correlation_id, "
        "received_ms) VALUES(?, 'ledger', ?, '{}', '', ?)");
    ASSERT_TRUE(st.ok());
    st->BindAll(id, type, clock_.NowMs());
    ASSERT_TRUE(st->Run().ok());
  }
  static std::vector<std::string> Ids(const absl::StatusOr<std::vector<InboxItem>>& items) {
    EXPECT_TRUE(items.ok()) << items.status();
    std::vector<std::string> out;
    if (items.ok())
      for (const auto& i : *items) out.push_back(i.id);
    return out;
  }

  FakeClock clock_;
  boost::asio::io_context io_;
  std::unique_ptr<client::Client> client_;
  std::unique_ptr<Mailbox> mailbox_;
};

// Latest: the newest messages of the types asked, newest first, however many
// older ones there are (Inbox() reads from the oldest).
TEST_F(MailboxTest, LatestIsNewestFirstOfTheTypesAsked) {
  for (int i = 0; i < 1200; ++i) Deliver("a" + std::to_string(i), "concord.v1.DeadlineAlert");
  Deliver("w1", "concord.v1.RiskWarning");
  Deliver("s1", "concord.v1.RiskScreening");
  Deliver("a1200", "concord.v1.DeadlineAlert");
  Deliver("w2", "concord.v1.RiskWarning");
  EXPECT_EQ(Ids(mailbox_->Latest({"concord.v1.DeadlineAlert"}, 3)),
            (std::vector<std::string>{"a1200", "a1199", "a1198"}));
  EXPECT_EQ(Ids(mailbox_->Latest({"concord.v1.RiskWarning", "concord.v1.RiskScreening"}, 10)),
            (std::vector<std::string>{"w2", "s1", "w1"}));
  EXPECT_EQ(Ids(mailbox_->Latest({"concord.v1.RiskWarning", "concord.v1.DeadlineAlert"}, 2)),
            (std::vector<std::string>{"w2", "a1200"}));
  EXPECT_TRUE(Ids(mailbox_->Latest({"concord.v1.Nothing"}, 10)).empty());
  EXPECT_TRUE(Ids(mailbox_->Latest({"concord.v1.DeadlineAlert"}, 0)).empty());
  // The oldest-first read is unchanged.
  EXPECT_EQ(Ids(mailbox_->Inbox(0, 2, false)), (std::vector<std::string>{"a0", "a1"}));
}

}  // namespace
}  // namespace concord::adapter

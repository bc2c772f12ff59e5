// The adapter's mailbox on a real SQLite file, with a client that is never
// started (no hub): what the consoles read from the inbox.
#include "adapters/mailbox.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>

#include "adapters/payload_json.h"
#include "common/clock.h"
#include "concord/v1/petition.pb.h"
#include "hub/client/acting_as.h"
#include "hub/client/client.h"
#include "hub/transport/curve_keys.h"

namespace concord::adapter {
namespace {

namespace pb = concord::v1;

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
  void Deliver(const std::string& id, const std::string& type,
               const std::string& payload_json = "{}") {
    auto st = client_->db().Prepare(
        "INSERT INTO inbox_messages(id, sender, type, payload_json, correlation_id, "
        "received_ms) VALUES(?, 'ledger', ?, ?, '', ?)");
    ASSERT_TRUE(st.ok());
    st->BindAll(id, type, payload_json, clock_.NowMs());
    ASSERT_TRUE(st->Run().ok());
  }
  // A deadline alert for `handler`, its payload rendered as the mailbox renders it.
  void DeliverAlert(const std::string& id, const std::string& handler) {
    pb::DeadlineAlert a;
    a.set_ledger_no("信-2026-000001");
    a.set_kind("warning");
    a.set_handler(handler);
    google::protobuf::Any any;
    any.PackFrom(a);
    Deliver(id, "concord.v1.DeadlineAlert", RenderPayloadJson(any));
  }
  static std::vector<std::string> Ids(const absl::StatusOr<std::vector<InboxItem>>& items) {
    EXPECT_TRUE(items.ok()) << items.status();
    std::vector<std::string> out;
    if (items.ok())
      for (const auto& i : *items) out.push_back(i.id);
    return out;
  }

  // The hub's final refusal of staged message `id`, as the client records
  // it (its frame moves from the outbox to concord_outbox_failed).
  void Refuse(const std::string& id, const std::string& reason) {
    auto st = client_->db().Prepare(
        "INSERT INTO concord_outbox_failed(id, frame, code, reason, at_ms) "
        "SELECT id, frame, 'PERMISSION_DENIED', ?, ? FROM concord_outbox WHERE id=?");
    ASSERT_TRUE(st.ok());
    st->BindAll(reason, clock_.NowMs(), id);
    ASSERT_TRUE(st->Run().ok());
    ASSERT_EQ(client_->db().Changes(), 1) << id;
  }

  FakeClock clock_;
  boost::asio::io_context io_;
  std::unique_ptr<client::Client> client_;
  std::unique_ptr<Mailbox> mailbox_;
};

// Latest with `containing`: only the messages whose payload holds the text,
// the limit counted among those; a handler's name as the alert's JSON prints
// it (PrintedField) finds their alerts and no one else's, a longer name with
// the same start and names the printer escapes included.
TEST_F(MailboxTest, LatestContainingFindsOneHandlersAlerts) {
  const std::vector<std::string> names = {"李某", "李某某", "O'Neil <Li> & \"Wang\"", "王五"};
  for (int i = 0; i < 300; ++i) DeliverAlert("x" + std::to_string(i), names[i % names.size()]);
  auto printed = [](const std::string& name) {
    pb::DeadlineAlert a;
    a.set_handler(name);
    return PrintedField(a, "handler");
  };
  EXPECT_EQ(printed("李某"), "\"handler\":\"李某\"");
  for (size_t n = 0; n < names.size(); ++n) {
    SCOPED_TRACE(names[n]);
    auto found = mailbox_->Latest({"concord.v1.DeadlineAlert"}, 500, printed(names[n]));
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_EQ(found->size(), 75u);
    for (const InboxItem& item : *found) {
      const int i = std::stoi(item.id.substr(1));
      EXPECT_EQ(static_cast<size_t>(i) % names.size(), n) << item.id;
    }
    EXPECT_EQ(found->front().id, "x" + std::to_string(296 + n)) << "newest first";
    EXPECT_EQ(Ids(mailbox_->Latest({"concord.v1.DeadlineAlert"}, 2, printed(names[n]))).size(), 2u);
  }
  EXPECT_TRUE(Ids(mailbox_->Latest({"concord.v1.DeadlineAlert"}, 500, printed("赵六"))).empty());
}

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

// A refused publish lists what was sent and who sent it (the envelope's
// actor, read from the refused frame), a message sent without a person as
// the system's; marking one seen leaves the other unseen, once per refusal,
// and an unknown id is NotFound.
TEST_F(MailboxTest, FailedPublishesNameTheSenderAndCountTheUnseen) {
  pb::Actor clerk;
  clerk.set_login("dengji");
  clerk.set_name("王登记");
  clerk.set_role("登记员");
  absl::StatusOr<std::string> by_clerk;
  {
    client::ActingAs acting(clerk);
    OutgoingMessage notice;
    notice.to = {"court"};
    notice.type = "concord.v1.AidDuplicateNotice";
    by_clerk = mailbox_->Send(notice);
  }
  ASSERT_TRUE(by_clerk.ok()) << by_clerk.status();
  clock_.AdvanceMs(60'000);
  OutgoingMessage note;
  note.to = {"court", "procuratorate"};
  auto by_system = mailbox_->Send(note);
  ASSERT_TRUE(by_system.ok()) << by_system.status();
  EXPECT_EQ(*mailbox_->UnseenFailedCount(), 0);
  Refuse(*by_clerk, "只能由 role:aid 发送 / only role:aid may send");
  Refuse(*by_system, "未知收件人 / unknown recipient");

  auto failed = mailbox_->FailedPublishes();
  ASSERT_TRUE(failed.ok()) << failed.status();
  ASSERT_EQ(failed->size(), 2u);
  const FailedPublish& first = (*failed)[0];
  EXPECT_EQ(first.id, *by_clerk);
  EXPECT_EQ(first.type, "concord.v1.AidDuplicateNotice");
  EXPECT_EQ(first.to_json, R"(["court"])");
  EXPECT_EQ(first.code, "PERMISSION_DENIED");
  EXPECT_EQ(first.actor.name(), "王登记");
  EXPECT_EQ(first.actor.role(), "登记员");
  EXPECT_EQ((*failed)[1].actor.name(), "");
  EXPECT_EQ((*failed)[1].to_json, R"(["court","procuratorate"])");
  EXPECT_EQ(*mailbox_->UnseenFailedCount(), 2);
  EXPECT_EQ(*mailbox_->FailedCount(), 2);

  ASSERT_TRUE(mailbox_->MarkFailedSeen(*by_clerk, "登记员 王登记").ok());
  clock_.AdvanceMs(1000);
  ASSERT_TRUE(mailbox_->MarkFailedSeen(*by_clerk, "承办人 李承办").ok());  // seen before
  EXPECT_EQ(*mailbox_->UnseenFailedCount(), 1);
  EXPECT_EQ(*mailbox_->FailedCount(), 2);
  failed = mailbox_->FailedPublishes();
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ((*failed)[0].seen_by, "登记员 王登记");
  EXPECT_GT((*failed)[0].seen_ms, 0);
  EXPECT_EQ((*failed)[1].seen_ms, 0);
  EXPECT_TRUE(absl::IsNotFound(mailbox_->MarkFailedSeen("no-such-id", "登记员 王登记")));
  EXPECT_TRUE(absl::IsNotFound(mailbox_->MarkFailedSeen(*by_system + "x", "登记员 王登记")));
}

// Idempotency keys are kept a week, then forgotten: the same key a week
// later is a new request (it sends again), and the table does not grow for
// ever.
TEST_F(MailboxTest, IdempotencyKeysAreForgottenAfterAWeek) {
  OutgoingMessage note;
  note.to = {"court"};
  auto first = mailbox_->SendOnce(note, "key-1", "hash-1");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->repeated);
  clock_.AdvanceMs(Mailbox::kKeepPublishKeysMs - 3'600'000);
  auto again = mailbox_->SendOnce(note, "key-1", "hash-1");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->repeated);
  EXPECT_EQ(again->id, first->id);
  auto later = mailbox_->SendOnce(note, "key-2", "hash-2");  // kept: only a week counts
  ASSERT_TRUE(later.ok());
  clock_.AdvanceMs(3'600'000 + 1);
  auto after = mailbox_->SendOnce(note, "key-1", "hash-1");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_FALSE(after->repeated);
  EXPECT_NE(after->id, first->id);
  // key-2 was made less than a week ago: still there.
  auto second = mailbox_->SendOnce(note, "key-2", "hash-2");
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->repeated);
  EXPECT_EQ(*client_->db().QueryInt("SELECT count(*) FROM publish_keys"), 2);
}

// Deliveries refused for their signature (as the client keeps them in
// concord_refused) are read newest first up to the limit; marking one seen
// leaves the others unseen, once per refusal, apart from the failed sends
// (an id seen there is not seen here), and an unknown id is NotFound.
TEST_F(MailboxTest, RefusedDeliveriesNewestFirstAndCountTheUnseen) {
  auto put = client_->db().Prepare(
      "INSERT INTO concord_refused(id, sender, type, reason, envelope, at_ms) "
      "VALUES(?, 'court', 'type.googleapis.com/concord.v1.TextNote', ?, x'00', ?)");
  ASSERT_TRUE(put.ok()) << put.status();
  for (const char* id : {"r1", "r2", "r3"}) {
    clock_.AdvanceMs(1000);
    put->BindAll(id, "签名无效 / the signature does not verify", clock_.NowMs());
    ASSERT_TRUE(put->Run().ok());
    put->Reset();
  }
  auto refused = mailbox_->RefusedDeliveries(2);
  ASSERT_TRUE(refused.ok()) << refused.status();
  ASSERT_EQ(refused->size(), 2u);
  EXPECT_EQ((*refused)[0].id, "r3");
  EXPECT_EQ((*refused)[1].id, "r2");
  EXPECT_EQ((*refused)[0].sender, "court");
  EXPECT_EQ((*refused)[0].type, "type.googleapis.com/concord.v1.TextNote");
  EXPECT_EQ((*refused)[0].reason, "签名无效 / the signature does not verify");
  EXPECT_EQ(*mailbox_->RefusedCount(), 3);
  EXPECT_EQ(*mailbox_->UnseenRefusedCount(), 3);

  ASSERT_TRUE(mailbox_->MarkRefusedSeen("r2", "登记员 王登记").ok());
  clock_.AdvanceMs(1000);
  ASSERT_TRUE(mailbox_->MarkRefusedSeen("r2", "承办人 李承办").ok());  // seen before
  EXPECT_EQ(*mailbox_->UnseenRefusedCount(), 2);
  refused = mailbox_->RefusedDeliveries(200);
  ASSERT_TRUE(refused.ok()) << refused.status();
  ASSERT_EQ(refused->size(), 3u);
  EXPECT_EQ((*refused)[1].seen_by, "登记员 王登记");
  EXPECT_GT((*refused)[1].seen_ms, 0);
  EXPECT_EQ((*refused)[0].seen_ms, 0);
  EXPECT_TRUE(absl::IsNotFound(mailbox_->MarkRefusedSeen("no-such-id", "登记员 王登记")));
  EXPECT_TRUE(absl::IsNotFound(mailbox_->MarkFailedSeen("r1", "登记员 王登记")));
  EXPECT_EQ(*mailbox_->UnseenFailedCount(), 0);
}

}  // namespace
}  // namespace concord::adapter

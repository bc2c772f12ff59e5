// The hub's Store, on both backends: a SQLite file, and a PostgreSQL server
// started for the test (tests/support/pg_server.h).
#include "hub/broker/store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>

#include "common/pg.h"
#include "hub/broker/lead.h"
#include "tests/support/pg_server.h"
#include "tests/support/temp_folder.h"

namespace concord::hub {
namespace {

using concord::testing::PgServer;
using concord::testing::TempFolder;

NewMessage Msg(uint64_t seq, std::string id, std::vector<RecipientId> to) {
  NewMessage m;
  m.seq = seq;
  m.id = std::move(id);
  m.sender = "a";
  m.envelope = "env-" + std::to_string(seq);
  m.recipients = std::move(to);
  return m;
}

// Opens the same store again and again (a hub restarting on its data).
class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql") {
      auto server = PgServer::Start();
      ASSERT_TRUE(server.ok()) << server.status();
      pg_ = std::move(*server);
      ASSERT_TRUE(pg_->CreateDatabase("hub").ok());
    }
  }
  std::unique_ptr<Store> Open() {
    absl::StatusOr<std::unique_ptr<Store>> s =
        GetParam() == "postgresql" ? OpenPostgresStore(pg_->conninfo("hub"), dir_.File("head"))
                                   : OpenSqliteStore(dir_.File("hub.db"), "FULL");
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }
  // The audit table's lines (n, line, hash) in order.
  std::vector<std::tuple<int64_t, std::string, std::string>> AuditLines() {
    std::vector<std::tuple<int64_t, std::string, std::string>> lines;
    if (GetParam() == "postgresql") {
      auto conn = pg::Conn::Open(pg_->conninfo("hub"));
      EXPECT_TRUE(conn.ok()) << conn.status();
      if (!conn.ok()) return lines;
      auto r = conn->Query("SELECT n, line, hash FROM hub.audit ORDER BY n");
      EXPECT_TRUE(r.ok()) << r.status();
      if (!r.ok()) return lines;
      for (int i = 0; i < r->rows(); ++i)
        lines.emplace_back(r->Int(i, 0), r->Bytes(i, 1), r->Bytes(i, 2));
    } else {
      auto db = sqlite::Db::Open(dir_.File("hub.db"));
      EXPECT_TRUE(db.ok());
      if (!db.ok()) return lines;
      auto s = *db->Prepare("SELECT n, line, hash FROM audit ORDER BY n");
      while (*s.Step()) lines.emplace_back(s.Int(0), s.Text(1), s.Text(2));
    }
    return lines;
  }
  // Lines numbered 1, 2, ... each hashed on the one before.
  static void ExpectOneChain(
      const std::vector<std::tuple<int64_t, std::string, std::string>>& lines) {
    std::string prev(64, '0');
    for (size_t i = 0; i < lines.size(); ++i) {
      const auto& [n, line, hash] = lines[i];
      EXPECT_EQ(n, static_cast<int64_t>(i + 1));
      EXPECT_EQ(hash, AuditChain::HashLine(prev, line)) << line;
      prev = hash;
    }
  }
  TempFolder dir_{"store_test"};
  std::unique_ptr<PgServer> pg_;
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

// A message id is stored once; a second publish of it is reported duplicate.
TEST_P(StoreTest, DuplicateIdStoredOnce) {
  auto store = Open();
  ASSERT_TRUE(store);
  RecipientId b = *store->EnsureRecipient("b");
  WriteBatch w;
  w.messages.push_back(Msg(1, "id-1", {b}));
  w.messages.push_back(Msg(2, "id-1", {b}));
  auto r = store->Commit(w);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->duplicate[0]);
  EXPECT_TRUE(r->duplicate[1]);
  // And in a later commit too.
  WriteBatch again;
  again.messages.push_back(Msg(3, "id-1", {b}));
  again.messages.push_back(Msg(4, "id-2", {b}));
  r = store->Commit(again);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->duplicate[0]);
  EXPECT_FALSE(r->duplicate[1]);
  auto rows = store->ReadMailbox(b, 0, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].envelope, "env-1");
  EXPECT_EQ((*rows)[1].envelope, "env-4");
}

// The mailbox is read in seq order after the cursor, and recovery restores the cursor and depth.
TEST_P(StoreTest, CursorAndRecovery) {
  {
    auto store = Open();
    ASSERT_TRUE(store);
    RecipientId b = *store->EnsureRecipient("b");
    WriteBatch w;
    for (uint64_t s = 1; s <= 5; ++s) w.messages.push_back(Msg(s, "id-" + std::to_string(s), {b}));
    w.cursors[b] = 2;
    ASSERT_TRUE(store->Commit(w).ok());
    auto rows = *store->ReadMailbox(b, 2, 10);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].seq, 3u);
    EXPECT_EQ(rows[2].seq, 5u);
    EXPECT_EQ(*store->EnsureRecipient("b"), b) << "a known name keeps its id";
  }
  auto store = Open();
  ASSERT_TRUE(store);
  auto st = store->Recover();
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->last_seq, 5u);
  ASSERT_EQ(st->recipients.size(), 1u);
  EXPECT_EQ(st->recipients[0].name, "b");
  EXPECT_EQ(st->recipients[0].acked_through, 2u);
  EXPECT_EQ(st->recipients[0].depth, 3u);
  // A principal first seen now starts after what is stored.
  RecipientId c = *store->EnsureRecipient("c");
  WriteBatch w;
  w.cursors[c] = 0;
  ASSERT_TRUE(store->Commit(w).ok());
  auto again = *store->Recover();
  ASSERT_EQ(again.recipients.size(), 2u);
  EXPECT_EQ(again.recipients[1].acked_through, 5u);
}

// Compaction drops acknowledged rows and messages no mailbox needs, keeping the rest.
TEST_P(StoreTest, CompactKeepsUnacknowledged) {
  auto store = Open();
  ASSERT_TRUE(store);
  RecipientId b = *store->EnsureRecipient("b");
  RecipientId c = *store->EnsureRecipient("c");
  WriteBatch w;
  for (uint64_t s = 1; s <= 10; ++s)
    w.messages.push_back(Msg(s, "id-" + std::to_string(s), {b, c}));
  w.cursors[b] = 10;
  w.cursors[c] = 4;
  ASSERT_TRUE(store->Commit(w).ok());
  ASSERT_TRUE(store->Compact(INT64_MAX).ok());
  EXPECT_TRUE(store->ReadMailbox(b, 0, 100)->empty());
  auto rows = *store->ReadMailbox(c, 0, 100);
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0].seq, 5u);
}

// Subscriptions, dead letters and their replay mark survive a restart; a
// dead letter keeps its envelope byte for byte (NUL and high bytes included).
TEST_P(StoreTest, SubscriptionsAndDeadLetters) {
  const std::string envelope("\x00\x01\xff\xfe binary \x00", 13);
  {
    auto store = Open();
    ASSERT_TRUE(store);
    RecipientId b = *store->EnsureRecipient("b");
    WriteBatch w;
    w.subscribe.emplace_back("aid.case", b);
    w.subscribe.emplace_back("risk.warn", b);
    w.dead_letters.push_back(
        {b, 7, "id-7", "a", envelope, 5, "达到最大重试次数 / max attempts", 1234});
    ASSERT_TRUE(store->Commit(w).ok());
    WriteBatch u;
    u.unsubscribe.emplace_back("risk.warn", b);
    ASSERT_TRUE(store->Commit(u).ok());
  }
  auto store = Open();
  ASSERT_TRUE(store);
  auto rec = *store->Recover();
  ASSERT_EQ(rec.subscriptions.size(), 1u);
  EXPECT_EQ(rec.subscriptions.begin()->first, "aid.case");
  EXPECT_GE(rec.last_seq, 7u) << "a dead letter's seq is never given out again";
  auto list = *store->ListDeadLetters();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].recipient, "b");
  EXPECT_EQ(list[0].reason, "达到最大重试次数 / max attempts");
  EXPECT_EQ(list[0].attempts, 5u);
  EXPECT_FALSE(list[0].replayed);
  auto one = store->LoadDeadLetter(list[0].dl_id);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->second, envelope);
  EXPECT_TRUE(absl::IsNotFound(store->LoadDeadLetter(list[0].dl_id + 100).status()));
  WriteBatch r;
  r.replayed.push_back(list[0].dl_id);
  ASSERT_TRUE(store->Commit(r).ok());
  EXPECT_TRUE((*store->ListDeadLetters())[0].replayed);
}

// Every commit's audit lines continue one hash chain, across restarts: each
// line's hash is HashLine(previous hash, line).
TEST_P(StoreTest, AuditChainContinuesAcrossRestarts) {
  for (int round = 0; round < 3; ++round) {
    auto store = Open();
    ASSERT_TRUE(store);
    RecipientId b = *store->EnsureRecipient("b");
    WriteBatch w;
    w.messages.push_back(Msg(round * 10 + 1, "m-" + std::to_string(round), {b}));
    w.audit.push_back({1000 + round, "ack", "b", "round " + std::to_string(round)});
    ASSERT_TRUE(store->Commit(w).ok());
  }
  const auto lines = AuditLines();
  ASSERT_EQ(lines.size(), 6u) << "an accept and an ack line per round";
  if (GetParam() == "postgresql") {  // schema step 2 (Debian's server has lz4)
    auto conn = pg::Conn::Open(pg_->conninfo("hub"));
    ASSERT_TRUE(conn.ok()) << conn.status();
    auto r = conn->Query(
        "SELECT attcompression FROM pg_attribute WHERE attrelid = 'hub.audit'::regclass AND "
        "attname = 'line'");
    ASSERT_TRUE(r.ok() && r->rows() == 1) << r.status();
    EXPECT_EQ(r->Bytes(0, 0), "l") << "the accept lines are compressed with lz4";
  }
  ExpectOneChain(lines);
}

// A duplicate is found whenever it comes: among commits of new messages
// only (PostgreSQL writes those with plain INSERTs and, refused by the ids'
// UNIQUE index, writes the commit again checking), and again once the
// commits after a duplicate are back to the plain way. The audit chain
// holds no line of a refused attempt.
TEST_P(StoreTest, DuplicateAmongNewMessagesIsFoundWheneverItComes) {
  auto store = Open();
  ASSERT_TRUE(store);
  RecipientId b = *store->EnsureRecipient("b");
  uint64_t seq = 0;
  int stored = 0;
  for (int commit = 1; commit <= 60; ++commit) {
    WriteBatch w;
    const bool with_duplicate = commit == 5 || commit == 40;
    if (with_duplicate) w.messages.push_back(Msg(++seq, "m-new-1", {b}));
    w.messages.push_back(Msg(++seq, "m-new-" + std::to_string(commit), {b}));
    auto r = store->Commit(w);
    ASSERT_TRUE(r.ok()) << "commit " << commit << ": " << r.status();
    ASSERT_EQ(r->duplicate.size(), w.messages.size());
    EXPECT_EQ(r->duplicate[0], with_duplicate) << "commit " << commit;
    EXPECT_FALSE(r->duplicate.back()) << "commit " << commit;
    ++stored;
  }
  auto rows = store->ReadMailbox(b, 0, 1000);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(static_cast<int>(rows->size()), stored) << "no mailbox row for a duplicate";
  const auto lines = AuditLines();
  size_t duplicate_lines = 0;
  for (const auto& l : lines)
    if (std::get<1>(l).find("duplicate") != std::string::npos) ++duplicate_lines;
  EXPECT_EQ(lines.size(), 60u + 2u) << "an accept line per commit, a duplicate line twice";
  EXPECT_EQ(duplicate_lines, 2u);
  ExpectOneChain(lines);
}

// A store opened under a lead term refuses to commit (Aborted, nothing
// written) once another hub has moved the term on; so does compaction.
TEST(PostgresLead, CommitsStopWhenTheTermMovesOn) {
  auto server = PgServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE((*server)->CreateDatabase("hub").ok());
  const std::string conninfo = (*server)->conninfo("hub");
  auto lead = HubLead::Connect(conninfo);
  ASSERT_TRUE(lead.ok()) << lead.status();
  ASSERT_TRUE(*(*lead)->TryTake("tcp://10.1.0.11:7100", 1000));
  EXPECT_EQ((*lead)->term(), 1);
  auto other = HubLead::Connect(conninfo);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(*(*other)->TryTake("tcp://10.1.0.12:7100", 1000)) << "the lock is held";
  auto active = (*other)->ActiveHub();
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(active->endpoint, "tcp://10.1.0.11:7100");

  auto store = OpenPostgresStore(conninfo, "", (*lead)->term());
  ASSERT_TRUE(store.ok()) << store.status();
  RecipientId b = *(*store)->EnsureRecipient("b");
  WriteBatch w;
  w.messages.push_back(Msg(1, "id-1", {b}));
  ASSERT_TRUE((*store)->Commit(w).ok());

  auto conn = pg::Conn::Open(conninfo);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(conn->Exec("UPDATE hub.lead SET term = term + 1").ok());
  WriteBatch late;
  late.messages.push_back(Msg(2, "id-2", {b}));
  auto r = (*store)->Commit(late);
  EXPECT_TRUE(absl::IsAborted(r.status())) << r.status();
  WriteBatch clash;  // a seq already stored: refused before the term is read
  clash.messages.push_back(Msg(1, "id-3", {b}));
  r = (*store)->Commit(clash);
  EXPECT_TRUE(absl::IsAborted(r.status())) << "a deposed hub stops, not retries: " << r.status();
  WriteBatch duplicate;  // written checking: the term is read first there
  duplicate.messages.push_back(Msg(4, "id-1", {b}));
  r = (*store)->Commit(duplicate);
  EXPECT_TRUE(absl::IsAborted(r.status())) << r.status();
  EXPECT_TRUE(absl::IsAborted((*store)->Compact(INT64_MAX))) << "compaction deletes: fenced too";
  EXPECT_EQ(*conn->QueryInt("SELECT count(*) FROM hub.messages"), 1) << "nothing of it written";
}

}  // namespace
}  // namespace concord::hub

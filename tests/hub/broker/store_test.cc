#include "hub/broker/store.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace concord::hub {
namespace {

std::string FreshPath(const std::string& name) {
  std::string p = ::testing::TempDir() + "/store_test_" + name + ".db";
  std::filesystem::remove(p);
  std::filesystem::remove(p + "-wal");
  std::filesystem::remove(p + "-shm");
  return p;
}

NewMessage Msg(uint64_t seq, std::string id, std::vector<RecipientId> to) {
  NewMessage m;
  m.seq = seq;
  m.id = std::move(id);
  m.sender = "a";
  m.envelope = "env-" + std::to_string(seq);
  m.recipients = std::move(to);
  return m;
}

// A message id is stored once; a second publish of it is reported duplicate.
TEST(StoreTest, DuplicateIdStoredOnce) {
  auto store = *OpenSqliteStore(FreshPath("dup"), "FULL");
  RecipientId b = *store->EnsureRecipient("b");
  WriteBatch w;
  w.messages.push_back(Msg(1, "id-1", {b}));
  w.messages.push_back(Msg(2, "id-1", {b}));
  auto r = store->Commit(w);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->duplicate[0]);
  EXPECT_TRUE(r->duplicate[1]);
  auto rows = store->ReadMailbox(b, 0, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].envelope, "env-1");
}

// The mailbox is read in seq order after the cursor, and recovery restores the cursor and depth.
TEST(StoreTest, CursorAndRecovery) {
  const std::string path = FreshPath("cursor");
  {
    auto store = *OpenSqliteStore(path, "FULL");
    RecipientId b = *store->EnsureRecipient("b");
    WriteBatch w;
    for (uint64_t s = 1; s <= 5; ++s) w.messages.push_back(Msg(s, "id-" + std::to_string(s), {b}));
    w.cursors[b] = 2;
    ASSERT_TRUE(store->Commit(w).ok());
    auto rows = *store->ReadMailbox(b, 2, 10);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].seq, 3u);
    EXPECT_EQ(rows[2].seq, 5u);
  }
  auto store = *OpenSqliteStore(path, "FULL");
  auto st = store->Recover();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->last_seq, 5u);
  ASSERT_EQ(st->recipients.size(), 1u);
  EXPECT_EQ(st->recipients[0].acked_through, 2u);
  EXPECT_EQ(st->recipients[0].depth, 3u);
}

// Compaction drops acknowledged rows and messages no mailbox needs, keeping the rest.
TEST(StoreTest, CompactKeepsUnacknowledged) {
  auto store = *OpenSqliteStore(FreshPath("compact"), "FULL");
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

}  // namespace
}  // namespace concord::hub

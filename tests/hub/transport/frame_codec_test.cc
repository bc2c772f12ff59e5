// DecodeFrame: what the hub and the client refuse before handling a message.
#include "hub/transport/frame_codec.h"

#include <gtest/gtest.h>

#include <string>

#include "hub/transport/frame_batch.h"

namespace concord {
namespace {

namespace pb = concord::v1;

std::string HeartbeatBytes() {
  pb::Frame f;
  f.mutable_heartbeat()->set_sent_at_ms(42);
  return f.SerializeAsString();
}

std::string BatchOf(const std::vector<std::string>& frames) {
  FrameBatch b;
  for (const std::string& f : frames) b.Add(f);
  return b.Take().to_string();
}

// A plain frame comes back parsed.
TEST(DecodeFrame, PlainFrame) {
  absl::StatusOr<pb::Frame> f = DecodeFrame(HeartbeatBytes(), 1 << 20);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->heartbeat().sent_at_ms(), 42);
  EXPECT_TRUE(FrameKindKnown(*f));
}

// A batch comes back whole, its inner frames in order.
TEST(DecodeFrame, BatchKeepsItsFrames) {
  pb::Frame ack;
  ack.mutable_ack()->add_ids("a");
  absl::StatusOr<pb::Frame> f =
      DecodeFrame(BatchOf({HeartbeatBytes(), ack.SerializeAsString()}), 1 << 20);
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_EQ(f->batch().frames_size(), 2);
  EXPECT_EQ(f->batch().frames(1).ack().ids(0), "a");
  EXPECT_FALSE(FrameKindKnown(*f));
}

// Refused whole, with a "中文 / English" reason naming the fault.
TEST(DecodeFrame, Refusals) {
  pb::Frame empty_batch;
  empty_batch.mutable_batch();
  pb::Frame nested;
  *nested.mutable_batch()->add_frames() = empty_batch;
  *nested.mutable_batch()->add_frames() = empty_batch;
  struct Case {
    std::string bytes;
    size_t max;
    std::string reason;
  } cases[] = {
      {"", 1 << 20, "empty frame"},
      {HeartbeatBytes(), 2, "frame too large"},
      {std::string("\xff\xff\xff", 3), 1 << 20, "malformed frame"},
      {empty_batch.SerializeAsString(), 1 << 20, "at least one frame"},
      {nested.SerializeAsString(), 1 << 20, "may not contain a batch"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<pb::Frame> f = DecodeFrame(c.bytes, c.max);
    ASSERT_FALSE(f.ok()) << c.reason;
    EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(f.status().message().find(c.reason), absl::string_view::npos) << f.status();
    EXPECT_NE(f.status().message().find(" / "), absl::string_view::npos) << f.status();
  }
}

// A frame of a kind this build does not know parses (forward compatible)
// and is left to the caller to refuse.
TEST(DecodeFrame, UnknownKindIsTheCallersToRefuse) {
  const std::string unknown("\xa2\x06\x00", 3);  // field 100, length 0
  absl::StatusOr<pb::Frame> f = DecodeFrame(unknown, 1 << 20);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_FALSE(FrameKindKnown(*f));
}

}  // namespace
}  // namespace concord

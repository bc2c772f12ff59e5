// FrameBatch writes protobuf bytes by hand: these tests hold it to what the
// generated code parses.
#include "hub/transport/frame_batch.h"

#include <gtest/gtest.h>

#include "concord/v1/hub.pb.h"

namespace concord {
namespace {

namespace pb = concord::v1;

std::string PublishFrame(const std::string& id, size_t body) {
  pb::Frame f;
  f.mutable_publish()->mutable_envelope()->set_id(id);
  f.mutable_publish()->mutable_envelope()->set_trace_id(std::string(body, 'x'));
  return f.SerializeAsString();
}

TEST(FrameBatch, FieldNumbersMatchTheProto) {
  EXPECT_EQ(pb::Frame::kBatchFieldNumber, 9);
  EXPECT_EQ(pb::Batch::kFramesFieldNumber, 1);
}

TEST(FrameBatch, OneFrameGoesAlone) {
  FrameBatch b;
  const std::string frame = PublishFrame("a", 10);
  b.Add(frame);
  zmq::message_t m = b.Take();
  EXPECT_EQ(m.to_string(), frame);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.Take().size(), 0u);
}

TEST(FrameBatch, ManyFramesParseInOrder) {
  FrameBatch b;
  // 200 bytes needs a two-byte length: the varints are exercised.
  for (int i = 0; i < 50; ++i) b.Add(PublishFrame("id" + std::to_string(i), i * 7));
  EXPECT_EQ(b.count(), 50u);
  zmq::message_t m = b.Take();
  pb::Frame f;
  ASSERT_TRUE(f.ParseFromArray(m.data(), static_cast<int>(m.size())));
  ASSERT_EQ(f.kind_case(), pb::Frame::kBatch);
  ASSERT_EQ(f.batch().frames_size(), 50);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(f.batch().frames(i).publish().envelope().id(), "id" + std::to_string(i));
    EXPECT_EQ(f.batch().frames(i).publish().envelope().trace_id().size(), size_t(i * 7));
  }
  // Reusable after Take().
  b.Add(PublishFrame("again", 1));
  b.Add(PublishFrame("again2", 1));
  m = b.Take();
  ASSERT_TRUE(f.ParseFromArray(m.data(), static_cast<int>(m.size())));
  EXPECT_EQ(f.batch().frames_size(), 2);
  EXPECT_EQ(f.batch().frames(0).publish().envelope().id(), "again");
}

TEST(FrameBatch, LimitsAreKept) {
  FrameBatch b(/*max_bytes=*/1000, /*max_frames=*/3);
  EXPECT_FALSE(b.WouldOverflow(5000)) << "an empty batch takes one frame of any size";
  b.Add(std::string(400, 'a'));
  EXPECT_FALSE(b.WouldOverflow(400));
  b.Add(std::string(400, 'b'));
  EXPECT_TRUE(b.WouldOverflow(400)) << "over max_bytes";
  EXPECT_FALSE(b.WouldOverflow(10));
  b.Add(std::string(10, 'c'));
  EXPECT_TRUE(b.WouldOverflow(1)) << "over max_frames";
  EXPECT_LE(b.Take().size(), 1000u);
}

}  // namespace
}  // namespace concord

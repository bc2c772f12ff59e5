// The frame and batch decoder: every ZeroMQ message the hub takes from a
// peer, and the client from the hub, goes through DecodeFrame first
// (hub/transport/frame_codec.h). Checks beyond "no crash": what DecodeFrame
// accepts serialises again into something it accepts with the same frame
// count, and FrameBatch packs the inner frames back into a batch that
// decodes to the same frames.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "google/protobuf/stubs/logging.h"
#include "hub/transport/frame_batch.h"
#include "hub/transport/frame_codec.h"

namespace {

constexpr size_t kMaxFrameBytes = 1 << 20;  // the hub's default [limits] max_frame_bytes

void Require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

// protobuf logs every string field that is not UTF-8: millions of lines.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<concord::v1::Frame> frame = concord::DecodeFrame(bytes, kMaxFrameBytes);
  if (!frame.ok()) return 0;
  const std::string again = frame->SerializeAsString();
  absl::StatusOr<concord::v1::Frame> reparsed = concord::DecodeFrame(again, kMaxFrameBytes);
  Require(reparsed.ok());
  if (frame->kind_case() != concord::v1::Frame::kBatch) {
    Require(reparsed->kind_case() == frame->kind_case());
    return 0;
  }
  Require(reparsed->batch().frames_size() == frame->batch().frames_size());
  // The inner frames, packed again as the hub and the client pack them.
  concord::FrameBatch batch(kMaxFrameBytes, 1 << 20);
  for (const concord::v1::Frame& inner : frame->batch().frames()) {
    (void)concord::FrameKindKnown(inner);
    batch.Add(inner.SerializeAsString());
  }
  const size_t count = batch.count();
  const std::string packed = batch.Take().to_string();
  absl::StatusOr<concord::v1::Frame> unpacked = concord::DecodeFrame(packed, packed.size() + 1);
  if (count == 1) {
    // One frame goes alone; an empty inner frame serialises to nothing.
    Require(packed.empty() ? !unpacked.ok() : unpacked.ok());
  } else {
    Require(unpacked.ok() && unpacked->batch().frames_size() == static_cast<int>(count));
  }
  return 0;
}

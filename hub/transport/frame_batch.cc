#include "hub/transport/frame_batch.h"

#include <cstring>

namespace concord {
namespace {

// Field numbers and wire type of concord.v1.Frame.batch (9) and
// concord.v1.Batch.frames (1); frame_batch_test checks them against the
// generated code.
constexpr unsigned char kFrameBatchTag = (9 << 3) | 2;
constexpr unsigned char kBatchFramesTag = (1 << 3) | 2;

size_t PutVarint(char* out, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out[n++] = static_cast<char>(v);
  return n;
}

}  // namespace

bool FrameBatch::WouldOverflow(size_t frame_bytes) const {
  if (count_ == 0) return false;
  return count_ >= max_frames_ || body_.size() + frame_bytes + 11 > max_bytes_;
}

void FrameBatch::Add(std::string_view frame) {
  char head[11];
  head[0] = static_cast<char>(kBatchFramesTag);
  const size_t n = 1 + PutVarint(head + 1, frame.size());
  if (count_ == 0) first_offset_ = body_.size() + n;
  body_.append(head, n);
  body_.append(frame);
  ++count_;
}

zmq::message_t FrameBatch::Take() {
  zmq::message_t out;
  if (count_ == 1) {
    out.rebuild(body_.data() + first_offset_, body_.size() - first_offset_);
  } else if (count_ > 1) {
    char head[11];
    head[0] = static_cast<char>(kFrameBatchTag);
    const size_t n = 1 + PutVarint(head + 1, body_.size());
    out.rebuild(n + body_.size());
    std::memcpy(out.data(), head, n);
    std::memcpy(static_cast<char*>(out.data()) + n, body_.data(), body_.size());
  }
  body_.clear();
  count_ = 0;
  first_offset_ = 0;
  return out;
}

}  // namespace concord

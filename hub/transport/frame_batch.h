// Packs several serialized concord.v1.Frame messages into one ZeroMQ message.
//
// CURVE encryption, the socket's queue and its wake-ups cost about the same
// for a 600-byte message as for a 60 KB one, so the hub and the client library
// send their deliveries and publishes in batches: Frame{batch{frames...}}.
// The inner frames are appended as already-encoded bytes (protobuf's
// repeated-field encoding is plain concatenation), never parsed again.
// A batch holding one frame is sent as that frame alone.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <zmq.hpp>

namespace concord {

class FrameBatch {
 public:
  // The default keeps a batch well under the hub's 1 MiB frame limit; the
  // client lowers it to what the hub's Welcome announces.
  explicit FrameBatch(size_t max_bytes = 256 * 1024, size_t max_frames = 512)
      : max_bytes_(max_bytes), max_frames_(max_frames) {}

  void set_max_bytes(size_t n) { max_bytes_ = n; }
  bool empty() const { return count_ == 0; }
  size_t count() const { return count_; }

  // True when `frame_bytes` more would break the limits: send Take() first.
  // An empty batch always accepts one frame, however large.
  bool WouldOverflow(size_t frame_bytes) const;

  void Add(std::string_view frame);

  // The ZeroMQ message to send; the batch is empty afterwards.
  zmq::message_t Take();

 private:
  size_t max_bytes_, max_frames_;
  std::string body_;  // repeated (tag, length, frame)
  size_t count_ = 0;
  size_t first_offset_ = 0;  // where the first frame's bytes start in body_
};

}  // namespace concord

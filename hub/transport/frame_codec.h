// Decoding one ZeroMQ message from a peer into a concord.v1.Frame: the
// checks the hub and the client make before handling anything a socket
// gave them, in one pure function the fuzz target `frame_fuzz` holds.
//
// A message is refused whole (InvalidArgument, "中文 / English"; the sender
// should not retry the same bytes) when it is
//   * empty, or larger than `max_frame_bytes` (checked before any parse);
//   * not a serialized Frame;
//   * a batch holding no frame, or holding a batch (hub.proto: batches do
//     not nest).
// A batch is returned as it came: the caller handles its inner frames in
// order, each as if it had come alone. Inner frames of an unknown or empty
// kind are the caller's to refuse one by one (FrameKindKnown).
// The hub decodes a batch with WalkBatch (below) first, which refuses a
// nested batch one inner frame at a time and handles the rest; DecodeFrame's
// refusal of the whole is for a batch WalkBatch declines (its fields written
// in another order than protobuf's own).
//
// Pure: no state, any thread.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "concord/v1/hub.pb.h"

namespace concord {

absl::StatusOr<concord::v1::Frame> DecodeFrame(std::string_view bytes, size_t max_frame_bytes);

// True for a frame of one of the kinds hub.proto names (not a batch, not
// empty or of a kind added after this build).
bool FrameKindKnown(const concord::v1::Frame& frame);

// Walks a serialized Frame{batch} without parsing it whole: `each` gets the
// bytes of every inner frame, in order, and stops the walk by returning
// false. So a batch of half a million frames from a peer that is cut after
// its thousandth refusal costs a thousand parses, not half a million (and no
// half-million-element tree). The structure (tags and lengths only) is
// checked first, so `each` is called only for a well-formed batch.
// Returns the number of frames given to `each`; nullopt when `bytes` is not
// exactly one batch field holding only frames (the caller parses it whole).
std::optional<size_t> WalkBatch(std::string_view bytes,
                                const std::function<bool(std::string_view frame)>& each);

}  // namespace concord

#include "hub/transport/frame_codec.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace concord {

namespace pb = concord::v1;

absl::StatusOr<pb::Frame> DecodeFrame(std::string_view bytes, size_t max_frame_bytes) {
  if (bytes.empty()) return absl::InvalidArgumentError("空帧 / empty frame");
  if (bytes.size() > max_frame_bytes)
    return absl::InvalidArgumentError(
        absl::StrCat("帧过大 / frame too large: ", bytes.size(), " bytes > ", max_frame_bytes));
  pb::Frame frame;
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !frame.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return absl::InvalidArgumentError(
        absl::StrCat("无法解析的帧 / malformed frame (", bytes.size(), " bytes)"));
  if (frame.kind_case() != pb::Frame::kBatch) return frame;
  if (frame.batch().frames_size() == 0)
    return absl::InvalidArgumentError("空的批 / a batch must hold at least one frame");
  for (const pb::Frame& inner : frame.batch().frames())
    if (inner.kind_case() == pb::Frame::kBatch)
      return absl::InvalidArgumentError("批中不能再套批 / a batch may not contain a batch");
  return frame;
}

std::optional<size_t> WalkBatch(std::string_view bytes,
                                const std::function<bool(std::string_view frame)>& each) {
  using google::protobuf::internal::WireFormatLite;
  using google::protobuf::io::CodedInputStream;
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) return std::nullopt;
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  // Frame: exactly one field, batch (9), length-delimited, to the end.
  CodedInputStream outer(data, static_cast<int>(bytes.size()));
  uint32_t len = 0;
  if (outer.ReadTag() != WireFormatLite::MakeTag(pb::Frame::kBatchFieldNumber,
                                                 WireFormatLite::WIRETYPE_LENGTH_DELIMITED) ||
      !outer.ReadVarint32(&len))
    return std::nullopt;
  const size_t start = static_cast<size_t>(outer.CurrentPosition());
  if (start + len != bytes.size()) return std::nullopt;
  const uint32_t frame_tag = WireFormatLite::MakeTag(pb::Batch::kFramesFieldNumber,
                                                     WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
  // Batch: only frames (1), length-delimited. First the structure, then the walk.
  auto walk = [&](bool call) -> std::optional<size_t> {
    CodedInputStream in(data + start, static_cast<int>(len));
    size_t n = 0;
    while (static_cast<size_t>(in.CurrentPosition()) < len) {
      uint32_t size = 0;
      if (in.ReadTag() != frame_tag || !in.ReadVarint32(&size)) return std::nullopt;
      const size_t at = start + static_cast<size_t>(in.CurrentPosition());
      if (size > len - static_cast<size_t>(in.CurrentPosition()) ||
          !in.Skip(static_cast<int>(size)))
        return std::nullopt;
      ++n;
      if (call && !each(bytes.substr(at, size))) break;
    }
    return n;
  };
  if (!walk(false)) return std::nullopt;
  return walk(true);
}

bool FrameKindKnown(const pb::Frame& frame) {
  switch (frame.kind_case()) {
    case pb::Frame::kPublish:
    case pb::Frame::kAck:
    case pb::Frame::kNack:
    case pb::Frame::kDeliver:
    case pb::Frame::kHello:
    case pb::Frame::kWelcome:
    case pb::Frame::kHeartbeat:
    case pb::Frame::kSubscribe:
    case pb::Frame::kDirectory:
      return true;
    case pb::Frame::kBatch:
    case pb::Frame::KIND_NOT_SET:
      return false;
  }
  return false;
}

}  // namespace concord

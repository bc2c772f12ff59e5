#include "hub/broker/config.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "common/config.h"
#include "common/status_macros.h"

namespace concord::hub {

absl::StatusOr<HubConfig> LoadHubConfig(const std::string& path) {
  ASSIGN_OR_RETURN(const ConfigFile file, ConfigFile::Load(path));
  HubConfig c;
  const ConfigSection h = file["hub"];
  c.endpoint = h.String("endpoint", c.endpoint);
  c.metrics_address = h.String("metrics_address", c.metrics_address);
  c.metrics_port = static_cast<int>(h.Int("metrics_port", c.metrics_port));
  c.data_dir = h.Path("data_dir", c.data_dir);
  c.secret_key_file = h.Path("secret_key");
  c.registry_file = h.Path("registry", "registry.toml");
  c.acl_file = h.Path("acl", "acl.toml");
  c.curve = h.Bool("curve", true);
  // Every limit is a positive integer; anything else is refused below.
  const ConfigSection l = file["limits"];
  const int64_t credit = l.Int("credit", c.default_credit),
                depth = l.Int("max_queue_depth", static_cast<int64_t>(c.max_queue_depth)),
                ack_timeout = l.Int("ack_timeout_ms", c.ack_timeout_ms),
                backoff = l.Int("max_backoff_ms", c.max_backoff_ms),
                attempts = l.Int("max_attempts", c.max_attempts),
                heartbeat = l.Int("heartbeat_ms", c.heartbeat_ms),
                frame = l.Int("max_frame_bytes", static_cast<int64_t>(c.max_frame_bytes)),
                batch = l.Int("max_batch", c.max_batch);
  if (credit <= 0 || depth <= 0 || ack_timeout <= 0 || backoff <= 0 || attempts <= 0 ||
      heartbeat <= 0 || frame <= 0 || batch <= 0 || credit > UINT32_MAX || attempts > UINT32_MAX ||
      batch > UINT32_MAX || ack_timeout > INT32_MAX || backoff > INT32_MAX || heartbeat > INT32_MAX)
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": [limits] 的取值必须大于 0 / every [limits] value must be greater than 0"));
  c.default_credit = static_cast<uint32_t>(credit);
  c.max_queue_depth = static_cast<uint64_t>(depth);
  c.ack_timeout_ms = static_cast<int>(ack_timeout);
  c.max_backoff_ms = static_cast<int>(backoff);
  c.max_attempts = static_cast<uint32_t>(attempts);
  c.heartbeat_ms = static_cast<int>(heartbeat);
  c.max_frame_bytes = static_cast<uint64_t>(frame);
  c.dedup_window_s = l.Int("dedup_window_s", c.dedup_window_s);
  c.max_batch = static_cast<uint32_t>(batch);
  c.synchronous = file["storage"].String("synchronous", c.synchronous);
  if (c.curve && c.secret_key_file.empty())
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": [hub] secret_key 未配置 / is required when curve = true"));
  if (c.synchronous != "FULL" && c.synchronous != "EXTRA")
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": [storage] synchronous 必须为 FULL 或 EXTRA / must be FULL or EXTRA"));
  return c;
}

}  // namespace concord::hub

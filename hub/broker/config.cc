#include "hub/broker/config.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/config.h"
#include "common/files.h"
#include "common/status_macros.h"
#include "hub/registry/registry.h"
#include "hub/transport/curve_keys.h"

namespace concord::hub {

absl::StatusOr<HubConfig> LoadHubConfig(const std::string& path) {
  ASSIGN_OR_RETURN(const ConfigFile file, ConfigFile::Load(path));
  HubConfig c;
  const ConfigSection h = file["hub"];
  c.endpoint = h.String("endpoint", c.endpoint);
  c.advertise = h.String("advertise", c.advertise);
  c.metrics_address = h.String("metrics_address", c.metrics_address);
  c.metrics_port = h.Int("metrics_port", c.metrics_port);
  c.data_dir = h.Path("data_dir", c.data_dir);
  c.secret_key_file = h.Path("secret_key");
  c.registry_file = h.Path("registry", "registry.toml");
  c.acl_file = h.Path("acl", "acl.toml");
  c.http_token_file = h.Path("http_token_file", c.data_dir + "/http.token");
  c.curve = h.Bool("curve", true);
  const ConfigSection l = file["limits"];
  c.default_credit = l.Int("credit", c.default_credit);
  c.max_queue_depth = l.Int("max_queue_depth", c.max_queue_depth);
  c.ack_timeout_ms = l.Int("ack_timeout_ms", c.ack_timeout_ms);
  c.max_backoff_ms = l.Int("max_backoff_ms", c.max_backoff_ms);
  c.max_attempts = l.Int("max_attempts", c.max_attempts);
  c.heartbeat_ms = l.Int("heartbeat_ms", c.heartbeat_ms);
  c.max_frame_bytes = l.Int("max_frame_bytes", c.max_frame_bytes);
  c.dedup_window_s = l.Int("dedup_window_s", c.dedup_window_s);
  c.max_batch = l.Int("max_batch", c.max_batch);
  c.synchronous = file["storage"].String("synchronous", c.synchronous);
  const ConfigSection st = file["store"];
  c.store_kind = st.String("kind", c.store_kind);
  c.postgresql = st.String("postgresql", c.postgresql);
  const ConfigSection a = file["abuse"];
  c.abuse_window_s = a.Int("window_s", c.abuse_window_s);
  c.refusal_budget = a.Int("refusal_budget", c.refusal_budget);
  c.cut_s = a.Int("cut_s", c.cut_s);
  c.detailed_refusals = a.Int("detailed_refusals", c.detailed_refusals);
  c.detailed_preauth = a.Int("detailed_preauth", c.detailed_preauth);
  c.max_hellos = a.Int("max_hellos", c.max_hellos);
  c.max_credit = a.Int("max_credit", c.max_credit);
  c.max_subscriptions = a.Int("max_subscriptions", c.max_subscriptions);
  c.require_sealed = file["security"].Bool("require_sealed", c.require_sealed);
  const ConfigSection au = file["audit"];
  c.audit_signing_key = au.Path("signing_key", c.data_dir + "/audit-sign.key");
  c.checkpoint_s = au.Int("checkpoint_s", c.checkpoint_s);
  if (c.curve && c.secret_key_file.empty())
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": [hub] secret_key 未配置 / is required when curve = true"));
  if (c.default_credit == 0 || c.max_queue_depth == 0 || c.ack_timeout_ms <= 0 ||
      c.max_backoff_ms <= 0 || c.max_attempts == 0 || c.heartbeat_ms <= 0 ||
      c.max_frame_bytes == 0 || c.max_batch == 0 || c.abuse_window_s <= 0 || c.cut_s <= 0 ||
      c.refusal_budget == 0 || c.max_hellos == 0 || c.max_credit == 0 || c.max_subscriptions == 0)
    return absl::InvalidArgumentError(absl::StrCat(
        path,
        ": [limits] 与 [abuse] 的取值必须大于 0 / every [limits] and [abuse] value must be "
        "greater than 0"));
  if (c.checkpoint_s < 0)
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": [audit] checkpoint_s 不能为负（0 为不发送）/ must be 0 (off) or more seconds"));
  if (c.synchronous != "FULL" && c.synchronous != "EXTRA")
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": [storage] synchronous 必须为 FULL 或 EXTRA / must be FULL or EXTRA"));
  if (c.store_kind != "sqlite" && c.store_kind != "postgresql")
    return absl::InvalidArgumentError(
        absl::StrCat(path,
                     ": [store] kind 必须为 \"sqlite\" 或 \"postgresql\" / must be \"sqlite\" or "
                     "\"postgresql\", not \"",
                     c.store_kind, "\""));
  if (c.store_kind == "postgresql" && c.postgresql.empty())
    return absl::InvalidArgumentError(absl::StrCat(
        path,
        ": [store] postgresql 连接串未配置 / a connection string is required when kind = "
        "\"postgresql\" (e.g. \"host=10.0.0.5 dbname=concord user=concord\")"));
  if (c.store_kind == "postgresql") {
    const std::string& said = c.advertise.empty() ? c.endpoint : c.advertise;
    if (said.find('*') != std::string::npos || said.find("0.0.0.0") != std::string::npos ||
        said.find("[::]") != std::string::npos || absl::EndsWith(said, ":0"))
      return absl::InvalidArgumentError(absl::StrCat(
          path,
          ": [hub] advertise 须为各机关可拨的地址 / must be the address agencies dial (e.g. "
          "\"tcp://10.1.0.11:7100\"): a standby names it to clients, and \"",
          said, "\" is not one"));
  }
  return c;
}

absl::Status CheckHubConfig(const HubConfig& config) {
  if (config.curve) RETURN_IF_ERROR(LoadCurveKeyPair(config.secret_key_file).status());
  RETURN_IF_ERROR(Registry::Load(config.registry_file, config.acl_file).status());
  return CheckWritableFolder(config.data_dir, "[hub] data_dir");
}

}  // namespace concord::hub

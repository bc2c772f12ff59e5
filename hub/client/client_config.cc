#include "hub/client/client_config.h"

#include <filesystem>
#include <sstream>
#include <toml++/toml.h>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace concord::client {

absl::StatusOr<ProcessConfig> LoadProcessConfig(const std::string& path,
                                                const std::string& db_file) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << "配置文件错误 / config error in " << path << " line " << e.source().begin.line << ": "
       << e.description();
    return absl::InvalidArgumentError(os.str());
  }
  const auto base = std::filesystem::path(path).parent_path();
  auto resolve = [&](const std::string& p) {
    if (p.empty() || std::filesystem::path(p).is_absolute()) return p;
    return (base / p).lexically_normal().string();
  };
  ProcessConfig c;
  c.agency = t["agency"]["name"].value_or(std::string());
  c.display = t["agency"]["display"].value_or(std::string());
  c.client.name = t["agency"]["client"].value_or(c.agency.empty() ? std::string("concord") : c.agency);
  c.client.hub_endpoint = t["hub"]["endpoint"].value_or(std::string("tcp://127.0.0.1:7100"));
  const std::string hub_key = t["hub"]["public_key"].value_or(std::string());
  const std::string secret = t["keys"]["secret_key"].value_or(std::string());
  if (hub_key.empty() || secret.empty())
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": 需要 [hub] public_key 和 [keys] secret_key / [hub] public_key and [keys] "
              "secret_key are required"));
  ASSIGN_OR_RETURN(c.client.hub_public_key,
                   LoadCurvePublicKey(IsZ85Key(hub_key) ? hub_key : resolve(hub_key)));
  ASSIGN_OR_RETURN(c.client.keys, LoadCurveKeyPair(resolve(secret)));
  c.data_dir = resolve(t["storage"]["data_dir"].value_or(std::string("data")));
  std::error_code ec;
  std::filesystem::create_directories(c.data_dir, ec);
  c.client.db_path = c.data_dir + "/" + db_file;
  c.client.credit = t["hub"]["credit"].value_or(c.client.credit);
  c.client.heartbeat_ms = t["hub"]["heartbeat_ms"].value_or(c.client.heartbeat_ms);
  c.http_address = t["http"]["address"].value_or(c.http_address);
  c.http_port = t["http"]["port"].value_or(c.http_port);
  c.drop_dir = resolve(t["csv"]["drop_dir"].value_or(std::string()));
  c.aid.linkage_key = resolve(t["aid"]["linkage_key"].value_or(std::string()));
  c.aid.agent = t["aid"]["agent"].value_or(c.aid.agent);
  c.aid.conference = t["aid"]["conference"].value_or(std::string());
  c.petitions.ledger = t["petitions"]["ledger"].value_or(std::string());
  c.aid.model = resolve(t["aid"]["model"].value_or(std::string()));
  c.aid.cap_yuan = t["aid"]["cap_yuan"].value_or(c.aid.cap_yuan);
  c.aid.duplicate_probability =
      t["aid"]["duplicate_probability"].value_or(c.aid.duplicate_probability);
  c.aid.possible_probability = t["aid"]["possible_probability"].value_or(c.aid.possible_probability);
  if (auto* askers = t["aid"]["status_askers"].as_array())
    for (auto& v : *askers)
      if (auto s = v.value<std::string>()) c.aid.status_askers.push_back(*s);
  if (!(c.aid.possible_probability > 0 && c.aid.possible_probability <= c.aid.duplicate_probability &&
        c.aid.duplicate_probability < 1 && c.aid.cap_yuan > 0))
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": [aid] 须 0 < possible_probability <= duplicate_probability < 1 且 cap_yuan > 0 / "
              "[aid] needs 0 < possible_probability <= duplicate_probability < 1 and cap_yuan > 0"));
  if (auto* arr = t["subscriptions"]["topics"].as_array())
    for (auto& v : *arr)
      if (auto s = v.value<std::string>()) c.client.topics.push_back(*s);
  return c;
}

}  // namespace concord::client

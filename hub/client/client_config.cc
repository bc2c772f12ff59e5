#include "hub/client/client_config.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace concord::client {

absl::StatusOr<ProcessConfig> LoadProcessConfig(const std::string& path,
                                                const std::string& db_file) {
  ASSIGN_OR_RETURN(ConfigFile file, ConfigFile::Load(path));
  ProcessConfig c;
  c.file = file;
  c.agency = file["agency"].String("name");
  c.display = file["agency"].String("display");
  c.client.name = file["agency"].String("client", c.agency.empty() ? "concord" : c.agency);
  const ConfigSection hub = file["hub"];
  c.client.hub_endpoint = hub.String("endpoint", "tcp://127.0.0.1:7100");
  const std::string hub_key = hub.String("public_key");
  const std::string secret = file["keys"].String("secret_key");
  if (hub_key.empty() || secret.empty())
    return absl::InvalidArgumentError(
        absl::StrCat(path,
                     ": 需要 [hub] public_key 和 [keys] secret_key / [hub] public_key and [keys] "
                     "secret_key are required"));
  ASSIGN_OR_RETURN(c.client.hub_public_key,
                   LoadCurvePublicKey(IsZ85Key(hub_key) ? hub_key : file.Resolve(hub_key)));
  ASSIGN_OR_RETURN(c.client.keys, LoadCurveKeyPair(file.Resolve(secret)));
  c.data_dir = file["storage"].Path("data_dir", "data");
  std::error_code ec;
  std::filesystem::create_directories(c.data_dir, ec);
  c.client.db_path = c.data_dir + "/" + db_file;
  c.client.credit = hub.Int("credit", c.client.credit);
  c.client.heartbeat_ms = hub.Int("heartbeat_ms", c.client.heartbeat_ms);
  c.http_address = file["http"].String("address", c.http_address);
  c.http_port = file["http"].Int("port", c.http_port);
  c.client.topics = file["subscriptions"].Strings("topics");
  return c;
}

}  // namespace concord::client

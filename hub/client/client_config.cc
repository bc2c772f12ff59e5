#include "hub/client/client_config.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/api_token.h"
#include "common/status_macros.h"

namespace concord::client {

namespace {

absl::Status LoadHttpOptions(const ConfigFile& file, const std::string& data_dir,
                             HttpServerOptions& http, std::string& token_file) {
  const ConfigSection s = file["http"];
  http.address = s.String("address", http.address);
  const int port = s.Int("port", 0);
  if (port < 0 || port > 65535)
    return absl::InvalidArgumentError(
        absl::StrCat(s.file_path(), ": [http] port 应在 0..65535 / must be in 0..65535"));
  http.port = static_cast<uint16_t>(port);
  http.cert_file = s.Path("cert_file");
  http.key_file = s.Path("key_file");
  http.allowed_hosts = s.Strings("allowed_hosts");
  const int64_t max_connections = s.Int<int64_t>("max_connections", 1024);
  if (max_connections < 1 || max_connections > 65536)
    return absl::InvalidArgumentError(absl::StrCat(
        s.file_path(), ": [http] max_connections 应在 1..65536 / must be in 1..65536"));
  http.max_connections = static_cast<size_t>(max_connections);
  http.max_connections_per_address =
      std::min(http.max_connections, http.max_connections_per_address);
  token_file = s.Path("token_file", data_dir + "/api.token");
  absl::StatusOr<std::string> token = LoadOrCreateApiToken(token_file);
  if (!token.ok())
    return absl::Status(
        token.status().code(),
        absl::StrCat(s.file_path(), ": [http] token_file: ", token.status().message()));
  http.token = *token;
  return absl::OkStatus();
}

}  // namespace

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
  c.client.standby_endpoints = hub.Strings("standby_endpoints");
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
  for (const std::string& old : file["keys"].Strings("previous_secret_keys")) {
    auto kp = LoadCurveKeyPair(file.Resolve(old));
    if (!kp.ok())
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": [keys] previous_secret_keys: ", kp.status().message()));
    c.client.previous_secrets_z85.push_back(kp->secret_z85);
  }
  c.data_dir = file["storage"].Path("data_dir", "data");
  std::error_code ec;
  std::filesystem::create_directories(c.data_dir, ec);
  c.client.db_path = c.data_dir + "/" + db_file;
  const ConfigSection store = file["store"];
  const std::string kind = store.String("kind", "sqlite");
  if (kind == "postgresql") {
    c.client.postgresql.conninfo = store.String("postgresql");
    if (c.client.postgresql.conninfo.empty())
      return absl::InvalidArgumentError(absl::StrCat(
          path,
          ": [store] kind = \"postgresql\" 需要 postgresql 连接串 / needs a postgresql "
          "connection string"));
    c.client.postgresql.schema =
        store.String("schema", std::filesystem::path(db_file).stem().string());
    c.client.postgresql.application_name = c.client.name;
  } else if (kind != "sqlite") {
    return absl::InvalidArgumentError(
        absl::StrCat(path,
                     ": [store] kind 应为 \"sqlite\" 或 \"postgresql\" / must be \"sqlite\" or "
                     "\"postgresql\", not \"",
                     kind, "\""));
  }
  c.client.credit = hub.Int("credit", c.client.credit);
  c.client.heartbeat_ms = hub.Int("heartbeat_ms", c.client.heartbeat_ms);
  RETURN_IF_ERROR(LoadHttpOptions(file, c.data_dir, c.http, c.http_token_file));
  c.client.topics = file["subscriptions"].Strings("topics");
  return c;
}

}  // namespace concord::client

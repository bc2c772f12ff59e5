#include "adapters/adapter_config.h"

#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/status_macros.h"
#include "domain/linkage/aid_csv.h"
#include "domain/linkage/tokens.h"

namespace concord::adapter {

absl::StatusOr<AdapterConfig> LoadAdapterConfig(const std::string& path) {
  AdapterConfig c;
  ASSIGN_OR_RETURN(static_cast<client::ProcessConfig&>(c),
                   client::LoadProcessConfig(path, "agency.db"));
  c.drop_dir = c.file["csv"].Path("drop_dir");
  c.csv_map = c.file["csv"].String("map");
  const ConfigSection aid = c.file["aid"];
  c.aid.linkage_key = aid.Path("linkage_key");
  c.aid.linkage_key_next = aid.Path("linkage_key_next");
  c.aid.agent = aid.String("agent", c.aid.agent);
  c.aid.conference = aid.String("conference");
  c.petitions.ledger = c.file["petitions"].String("ledger");
  const ConfigSection console = c.file["console"];
  c.console.enabled = console.Has("port");
  c.console.address = console.String("address", c.console.address);
  c.console.port = console.Int<int>("port", c.console.port);
  c.console.cert = console.Path("cert");
  c.console.key = console.Path("key");
  c.console.hosts = console.Strings("hosts");
  c.console.idle_minutes = console.Int<int>("idle_minutes", c.console.idle_minutes);
  c.console.max_connections = console.Int<int>("max_connections", c.console.max_connections);
  c.console.max_connections_per_address =
      console.Int<int>("max_connections_per_address", c.console.max_connections_per_address);
  c.console.agencies = console.StringMap("agencies");
  c.console.conference = console.String("conference");
  c.console.risk = console.String("risk");
  c.console.superior = console.String("superior");
  return c;
}

absl::Status CheckAdapterConfig(const AdapterConfig& config) {
  RETURN_IF_ERROR(CheckWritableFolder(config.data_dir, "[storage] data_dir"));
  if (!config.drop_dir.empty())
    RETURN_IF_ERROR(CheckWritableFolder(config.drop_dir, "[csv] drop_dir"));
  if (!config.aid.linkage_key.empty())
    RETURN_IF_ERROR(aid::ReadLinkageKey(config.aid.linkage_key).status());
  if (!config.aid.linkage_key_next.empty()) {
    if (config.aid.linkage_key.empty())
      return absl::InvalidArgumentError(
          "[aid] linkage_key_next 须与 linkage_key 同时配置 / linkage_key_next needs linkage_key");
    RETURN_IF_ERROR(aid::ReadLinkageKey(config.aid.linkage_key_next).status());
  }
  if (auto map = aid::ParseAidColumnMap(config.csv_map); !map.ok())
    return absl::InvalidArgumentError(absl::StrCat("[csv] map: ", map.status().message()));
  for (const std::string* tls : {&config.console.cert, &config.console.key})
    if (!tls->empty()) RETURN_IF_ERROR(ReadFileToString(*tls).status());
  return absl::OkStatus();
}

}  // namespace concord::adapter

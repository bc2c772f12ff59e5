#include "adapters/adapter_config.h"

#include "common/status_macros.h"

namespace concord::adapter {

absl::StatusOr<AdapterConfig> LoadAdapterConfig(const std::string& path) {
  AdapterConfig c;
  ASSIGN_OR_RETURN(static_cast<client::ProcessConfig&>(c),
                   client::LoadProcessConfig(path, "agency.db"));
  c.drop_dir = c.file["csv"].Path("drop_dir");
  const ConfigSection aid = c.file["aid"];
  c.aid.linkage_key = aid.Path("linkage_key");
  c.aid.agent = aid.String("agent", c.aid.agent);
  c.aid.conference = aid.String("conference");
  c.petitions.ledger = c.file["petitions"].String("ledger");
  return c;
}

}  // namespace concord::adapter

// The agency adapter's config: the bus sections every process has
// (hub/client/client_config.h) and the adapter's own:
//
//   [csv]       drop_dir = "drop/court"                 # CSV drop folders
//   [aid]       linkage_key = "keys/linkage.key"        # turns on the aid connector
//               agent = "role:aid"                      # where pre-grant checks go
//               conference = "shangzhou.agent.conference"  # the only sender of the invitations
//                                                        # an aid task's grant is checked against
//   [petitions] ledger = "shangzhou.agent.ledger"       # turns on petitions and reception days
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "hub/client/client_config.h"

namespace concord::adapter {

struct AdapterConfig : client::ProcessConfig {
  std::string drop_dir;  // CSV drop folder
  struct Aid {
    std::string linkage_key;  // the agencies' shared linkage key file
    std::string agent = "role:aid";
    std::string conference;
  } aid;
  struct Petitions {
    std::string ledger;  // the ledger agent's principal
  } petitions;
};

// Loads `path` (the SQLite file is <data_dir>/agency.db).
absl::StatusOr<AdapterConfig> LoadAdapterConfig(const std::string& path);

}  // namespace concord::adapter

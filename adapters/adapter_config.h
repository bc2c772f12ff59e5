// The agency adapter's config: the bus sections every process has
// (hub/client/client_config.h) and the adapter's own:
//
//   [csv]       drop_dir = "drop/court"                 # CSV drop folders
//               map = "id_number=证件号码,phone=联系电话"   # aid files' own headers (optional)
//   [aid]       linkage_key = "keys/linkage.key"        # turns on the aid connector
//               linkage_key_next = "keys/linkage-2027.key"  # while the key is rotated
//               agent = "role:aid"                      # where pre-grant checks go
//               conference = "shangzhou.agent.conference"  # the only sender of the invitations
//                                                        # an aid task's grant is checked against
//   [petitions] ledger = "shangzhou.agent.ledger"       # turns on petitions and reception days
//   [console]   port = 8443                             # turns on the clerks' web console
//               address = "0.0.0.0"                     # the LAN; plain HTTP only on loopback
//               cert = "tls/court.crt"  key = "tls/court.key"   # PEM, for HTTPS
//               hosts = ["10.1.2.3:8443"]               # Host values accepted (empty: any)
//               idle_minutes = 30                       # a session idle this long logs out
//               conference = "shangzhou.agent.conference"  # turns on the 联席会议 pages
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hub/client/client_config.h"

namespace concord::adapter {

struct AdapterConfig : client::ProcessConfig {
  std::string drop_dir;  // CSV drop folder
  // [csv] map: the column map of aid grant files whose headers are the
  // agency's own ("name=姓名,id_number=证件号码"; domain/linkage/aid_csv.h).
  std::string csv_map;
  struct Aid {
    std::string linkage_key;  // the agencies' shared linkage key file
    // The next linkage key while the agencies rotate it (docs/aid.md, "Key
    // rotation"): grants and links are re-keyed under it.
    std::string linkage_key_next;
    std::string agent = "role:aid";
    std::string conference;
  } aid;
  struct Petitions {
    std::string ledger;  // the ledger agent's principal
  } petitions;
  struct Console {
    bool enabled = false;  // [console] port is set
    std::string address = "127.0.0.1";
    int port = 0;  // 0: a free port (tests)
    std::string cert, key;
    std::vector<std::string> hosts;
    int idle_minutes = 30;
    int max_connections = 512;
    int max_connections_per_address = 64;  // one PC cannot take every slot
    // principal -> name, for histories and the transfer form:
    // agencies = { "shangzhou.court" = "上州区人民法院", ... }
    std::map<std::string, std::string> agencies;
    std::string conference;  // the conference agent's principal (empty: no 联席会议 pages)
    std::string risk;        // the risk agent's principal (empty: no 风险预警 pages)
    // The organ a petitioner asks for a review (复查) of this agency's reply
    // (《信访工作条例》第三十五条: the next level up), named in 答复意见书;
    // empty: "本院的上一级机关".
    std::string superior;
  } console;
};

// Loads `path` (the SQLite file is <data_dir>/agency.db).
absl::StatusOr<AdapterConfig> LoadAdapterConfig(const std::string& path);

// concord-adapter --check-config, after LoadAdapterConfig (which has read the
// keys): the data and drop folders can be written, the linkage key and the
// console's TLS files read. Opens no port and no database.
absl::Status CheckAdapterConfig(const AdapterConfig& config);

}  // namespace concord::adapter

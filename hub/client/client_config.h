// The client side of a process's config file (adapters, agents, concordctl):
//
//   [agency]   name = "shangzhou.court"   display = "上州区人民法院"
//   [hub]      endpoint = "tcp://127.0.0.1:7100"   public_key = "keys/hub.pub"
//   [keys]     secret_key = "keys/court.key"
//   [storage]  data_dir = "data/court"
//   [http]     address = "127.0.0.1"   port = 7201
//   [subscriptions] topics = ["district", "alerts"]
//   [csv]      drop_dir = "drop/court"
//   [aid]      linkage_key = "keys/linkage.key"  agent = "role:aid"   (adapters)
//              cap_yuan = 50000  duplicate_probability = 0.9  possible_probability = 0.5
//              model = "aid-model.txt"                     (the aid agent)
//   [petitions] ledger = "shangzhou.agent.ledger"            (adapters: petition intake)
//
// Relative paths are relative to the config file's folder.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "hub/client/client.h"

namespace concord::client {

struct ProcessConfig {
  std::string agency;          // principal name this process expects to be
  std::string display;         // 人读名称
  ClientOptions client;        // hub endpoint, keys, db path, topics
  std::string data_dir;
  std::string http_address = "127.0.0.1";
  int http_port = 0;
  std::string drop_dir;        // CSV drop folder
  struct Aid {
    std::string linkage_key;   // adapters: the agencies' shared linkage key file
    std::string agent = "role:aid";  // adapters: where pre-grant checks go
    // Adapters: the conference agent, the only sender of the invitations whose
    // case numbers an aid task's grant is checked against.
    std::string conference;
    std::string model;         // aid agent: a Fellegi-Sunter model file (optional)
    double cap_yuan = 50'000;  // aid agent: money per person per case
    double duplicate_probability = 0.9;
    double possible_probability = 0.5;
    // The aid agent: who may ask for a grant's check result (the conference agent).
    std::vector<std::string> status_askers;
  } aid;
  struct Petitions {
    std::string ledger;  // adapters: the ledger agent's principal (turns on /petitions)
  } petitions;
};

// Loads `path`; `db_file` names the SQLite file inside data_dir.
absl::StatusOr<ProcessConfig> LoadProcessConfig(const std::string& path,
                                                const std::string& db_file = "agency.db");

}  // namespace concord::client

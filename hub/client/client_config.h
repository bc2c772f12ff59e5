// The client side of a process's config file (adapters, agents, concordctl):
//
//   [agency]   name = "shangzhou.court"   display = "上州区人民法院"
//   [hub]      endpoint = "tcp://127.0.0.1:7100"   public_key = "keys/hub.pub"
//   [keys]     secret_key = "keys/court.key"
//   [storage]  data_dir = "data/court"
//   [http]     address = "127.0.0.1"   port = 7201
//   [subscriptions] topics = ["district", "alerts"]
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
  std::string drop_dir;        // CSV drop folder (later issues)
};

// Loads `path`; `db_file` names the SQLite file inside data_dir.
absl::StatusOr<ProcessConfig> LoadProcessConfig(const std::string& path,
                                                const std::string& db_file = "agency.db");

}  // namespace concord::client

// The sections every bus process's config file starts with (adapters,
// agents, concordctl):
//
//   [agency]   name = "shangzhou.court"   display = "上州区人民法院"
//   [hub]      endpoint = "tcp://127.0.0.1:7100"   public_key = "keys/hub.pub"
//   [keys]     secret_key = "keys/court.key"
//              previous_secret_keys = ["keys/court-old.key"]   (after agency rotate:
//              what was sealed to them still opens)
//   [storage]  data_dir = "data/court"
//   [http]     address = "127.0.0.1"   port = 7201
//              token_file = "keys/court.api-token"   (default <data_dir>/api.token,
//                made 0600 at first start; clients send Authorization: Bearer)
//              cert_file, key_file (HTTPS: required, with the token, off loopback)
//              allowed_hosts = ["api.court.local:7201"]   max_connections = 1024
//   [subscriptions] topics = ["district", "alerts"]
//   [store]    kind = "sqlite" (default: <data_dir>/<name>.db) | "postgresql"
//              postgresql = "host=db1 dbname=concord user=concord"
//              schema = "ledger" (default: the database file's name without .db)
//              (agents: active and standby, docs/operations.md §10)
//
// Relative paths are relative to the config file's folder. The other
// sections belong to the part that reads them from `file` (the adapter's
// [aid] and [petitions], an agent's own table): the transport knows none.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/config.h"
#include "common/http_server.h"
#include "hub/client/client.h"

namespace concord::client {

struct ProcessConfig {
  std::string agency;    // principal name this process expects to be
  std::string display;   // 人读名称
  ClientOptions client;  // hub endpoint, keys, db path, topics
  std::string data_dir;
  // [http]: the loopback API's address, port, limits and token (read from
  // token_file, or made in <data_dir>/api.token on first load).
  HttpServerOptions http;
  std::string http_token_file;
  ConfigFile file;  // the whole file, for the sections above it does not read
};

// Loads `path`; `db_file` names the SQLite file inside data_dir (made if missing).
absl::StatusOr<ProcessConfig> LoadProcessConfig(const std::string& path,
                                                const std::string& db_file = "agency.db");

}  // namespace concord::client

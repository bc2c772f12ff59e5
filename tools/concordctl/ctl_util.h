// Helpers every concordctl command file shares: errors to stderr with an exit
// code, host:port options, and table columns that line up with Chinese text.
// Exit codes (commands.h): 0 success, 1 the check failed, 2 usage or input
// error, 3 the daemon could not be reached.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/statusor.h"
#include "common/http_client.h"

namespace concord::ctl {

// Prints `msg` on stderr and returns `code`.
int Fail(int code, const std::string& msg);

// The API token (common/api_token.h) every call to a daemon's HTTP API
// sends: from concordctl's --token-file, else the file named by
// $CONCORD_API_TOKEN_FILE; "" for none. Set once by main().
void SetApiToken(std::string token);
const std::string& ApiToken();

// HttpCall (common/http_client.h) with the API token: every concordctl call
// to an adapter, an agent or the hub goes through it.
absl::StatusOr<HttpResult> DaemonCall(const std::string& host, uint16_t port,
                                      const std::string& method, const std::string& target,
                                      const std::string& body = "");

// Splits "host:port"; false if it is not that.
bool SplitHostPort(const std::string& hp, std::string& host, uint16_t& port);

// The daemon a loopback read asks, for its messages: the option that names
// its address, and its name in Chinese and English.
struct Daemon {
  const char* option;  // "--ledger-http"
  const char* zh;      // "台账代理"
  const char* en;      // "the ledger agent"
};

// A daemon's JSON answer to GET `target`, with its HTTP status; or, when
// `code` is not 0, the exit code and message to fail with: 2 when `address`
// is not host:port, 3 when the daemon cannot be reached or does not answer JSON.
struct Fetched {
  nlohmann::json body;
  int status = 0;
  int code = 0;
  std::string error;
  // The body's "error" (how the daemons refuse), else the body as text.
  std::string Refusal() const;
};
Fetched GetJson(const Daemon& daemon, const std::string& address, const std::string& target);

// Pads `s` to `width` display columns, counting CJK characters as two.
std::string Pad(const std::string& s, size_t width);

// An int64 of proto3 JSON (written as a string, or a number); 0 otherwise.
int64_t JsonInt64(const nlohmann::json& v);

// Asks an agent through the agency's own adapter (adapters/bus_reads.h):
// POST `path` ("/ledger/query", "/risk/query", "/conference/query") with
// `query`, then reads the answer; the query goes over the bus, wherever the
// agent runs. The reply as JSON (proto field names), or the exit code and
// message to fail with: 1 refused by the agent (its reason), 2 a bad
// `adapter`, 3 the adapter or the agent could not be reached.
struct Asked {
  nlohmann::json reply;
  int code = 0;  // 0: answered
  std::string error;
};
Asked AskThroughAdapter(const std::string& adapter, const std::string& path,
                        const nlohmann::json& query);

}  // namespace concord::ctl

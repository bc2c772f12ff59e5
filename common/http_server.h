// HttpServer: the loopback HTTP/1.1 JSON API of every daemon (the adapter's
// API, each agent's views, the hub's /metrics, /status and /deadletters),
// standing on WebServer (common/web_server.h) and so bounded the same way:
//
// - Limits before any parse: bodies above max_body_bytes get 413 before
//   they are read, headers above 16 KiB 431; a body (of any type: a handler
//   may parse it as JSON) with objects or arrays nested deeper than
//   max_json_depth gets 400 from a scan that builds nothing, before any
//   handler parses it.
// - At most max_connections open (max_connections_per_address from one
//   peer IP); when full, the connection that has waited longest for a
//   request is closed to make room, so idle sockets cannot lock callers
//   out. When accept() fails (EMFILE, ENFILE...) accepting pauses, 100 ms
//   doubling to 2 s: it never spins.
// - Host must be an IP literal, localhost, this machine's name or one of
//   allowed_hosts (421 otherwise: DNS rebinding). A request with an Origin
//   other than this server's own (scheme://Host) gets 403 (a web page in a
//   browser on this machine). POST, PUT, PATCH and DELETE must carry
//   `Content-Type: application/json` or, for a CSV import, `text/csv` (415
//   otherwise: a page can send text/plain, forms and multipart across sites
//   without asking).
// - With a `token`, every path but open_paths needs
//   `Authorization: Bearer <token>` (401, compared in constant time).
// - Plain HTTP only on a loopback address; any other address needs
//   cert_file, key_file (HTTPS) and a token, else Start() refuses.
//
// Every refusal is {"error": "<中文> / <English>"} (http_router.h).
//
// Thread safety: runs on the io_context's thread; the handler is called there.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace concord {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path with query, e.g. "/inbox?limit=10"
  std::string body;
  // Names lower-cased; a repeated header's values joined by ", ".
  std::map<std::string, std::string> headers = {};
  std::string Path() const { return target.substr(0, target.find('?')); }
  // The value of query parameter `key`, percent-decoded ("" when absent).
  std::string Query(const std::string& key) const;
  // The header's value ("" when absent); `lower_name` in lower case.
  std::string Header(const std::string& lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// The hub's frame limit before a Welcome says otherwise (1 MiB), and the API's
// body limit: a little over it, so that a body the hub could never take gets
// 413 from the size check alone.
inline constexpr size_t kDefaultMaxFrameBytes = 1 << 20;
inline constexpr size_t kDefaultMaxApiBodyBytes = kDefaultMaxFrameBytes + 64 * 1024;

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: a free port
  // 64 hex digits (api_token.h): required of every request outside
  // open_paths. Empty: no token (loopback only).
  std::string token;
  std::vector<std::string> open_paths = {"/healthz", "/readyz", "/metrics", "/health"};
  std::string cert_file, key_file;  // both: HTTPS (required off loopback)
  size_t max_body_bytes = kDefaultMaxApiBodyBytes;
  size_t max_connections = 1024;
  size_t max_connections_per_address = 256;
  int max_json_depth = 64;
  // POST, PUT, PATCH and DELETE must be application/json (415 otherwise).
  // Off only for a server of HTML forms (tests/browser/smoke_test.cc).
  bool require_json_body = true;
  std::vector<std::string> allowed_hosts;  // empty: WebServer's DefaultHostAllowed
  std::chrono::seconds idle_timeout{30};
};

class HttpServer {
 public:
  // Binds and starts accepting. InvalidArgument for options that can never
  // work (a non-loopback address without TLS and a token, a bad address,
  // an unreadable certificate); Unavailable when the port cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(boost::asio::io_context& io,
                                                           HttpServerOptions options,
                                                           HttpHandler handler);
  // The defaults above on `address:port` (the hub's /metrics server).
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(boost::asio::io_context& io,
                                                           const std::string& address,
                                                           uint16_t port, HttpHandler handler);
  ~HttpServer();
  uint16_t port() const;
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Deepest nesting of objects and arrays in `text`, read as JSON (brackets
// inside strings do not count; nothing is built), stopping as soon as it
// passes `limit`: so at most limit + 1.
int JsonNestingDepth(std::string_view text, int limit);

}  // namespace concord

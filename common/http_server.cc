#include "common/http_server.h"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/api_token.h"
#include "common/http_router.h"
#include "common/log.h"
#include "common/url.h"
#include "common/web_server.h"

namespace concord {

std::string HttpRequest::Query(const std::string& key) const { return QueryParam(target, key); }

std::string HttpRequest::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

int JsonNestingDepth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

namespace {

bool NeedsJsonBody(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

// The media type without parameters ("; charset=utf-8"), as written.
absl::string_view MediaType(std::string_view value) {
  std::string_view media = value.substr(0, value.find(';'));
  return absl::StripAsciiWhitespace(absl::string_view(media.data(), media.size()));
}

// Raises this process's soft RLIMIT_NOFILE towards max_connections plus a
// reserve for its own files (never above the hard limit, which the units set
// with LimitNOFILE); what still does not fit is learnt by the server when
// accept() runs out of descriptors.
void RaiseDescriptorLimit(size_t max_connections) {
  constexpr rlim_t kReserve = 256;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = static_cast<rlim_t>(max_connections) + kReserve;
  if (limit.rlim_cur >= wanted) return;
  limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur < wanted)
    LOG_WARN("HTTP: 文件描述符上限 {} 低于 {} / descriptor limit {} is below {} (LimitNOFILE)",
             limit.rlim_cur, wanted, limit.rlim_cur, wanted);
}

WebResponse ToWeb(HttpResponse r) {
  return WebResponse{.status = r.status,
                     .content_type = std::move(r.content_type),
                     .body = std::move(r.body),
                     .headers = {}};
}

// The checks every request passes before the handler; nullopt: it may go on.
std::optional<WebResponse> Refusal(const HttpServerOptions& options, const WebRequest& req) {
  const std::string origin = req.Header("origin");
  if (!origin.empty()) {
    const std::string host = req.Header("host");
    const std::string own = absl::StrCat(req.tls ? "https://" : "http://", host);
    if (!absl::EqualsIgnoreCase(origin, own))
      return ToWeb(ErrorResponse(
          403, absl::StrCat("拒绝跨站请求 / cross-origin request refused: Origin ", origin)));
  }
  const std::string path = req.Path();
  if (!options.token.empty() &&
      std::find(options.open_paths.begin(), options.open_paths.end(), path) ==
          options.open_paths.end() &&
      !BearerMatches(req.Header("authorization"), options.token)) {
    WebResponse r = ToWeb(ApiTokenRequired());
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  // A page of another site can POST text/plain, forms and multipart without
  // asking; not these two (CSV: the aid and petition imports).
  const absl::string_view media = MediaType(req.Header("content-type"));
  const bool json = absl::EqualsIgnoreCase(media, "application/json");
  if (options.require_json_body && NeedsJsonBody(req.method) && !json &&
      !absl::EqualsIgnoreCase(media, "text/csv"))
    return ToWeb(
        ErrorResponse(415,
                      "请求体须为 JSON / the body must be sent as Content-Type: application/json "
                      "(text/csv for a CSV import)"));
  // Every body, whatever it says it is: a handler may parse it as JSON.
  if (JsonNestingDepth(req.body, options.max_json_depth) > options.max_json_depth)
    return ToWeb(ErrorResponse(400, absl::StrCat("JSON 嵌套过深 / JSON nested deeper than ",
                                                 options.max_json_depth, " levels")));
  return std::nullopt;
}

}  // namespace

struct HttpServer::Impl {
  std::unique_ptr<WebServer> web;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(boost::asio::io_context& io,
                                                              HttpServerOptions options,
                                                              HttpHandler handler) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(options.address, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad HTTP address ", options.address));
  if (!address.is_loopback() && (options.cert_file.empty() || options.token.empty()))
    return absl::InvalidArgumentError(absl::StrCat(
        "HTTP 接口只能监听本机地址，除非同时配置 TLS 证书、私钥和 API 令牌 / the HTTP API listens "
        "on loopback only unless cert_file, key_file and token_file are all set: ",
        options.address));
  RaiseDescriptorLimit(options.max_connections);
  WebServerOptions web;
  web.address = options.address;
  web.port = options.port;
  web.cert_file = options.cert_file;
  web.key_file = options.key_file;
  web.max_connections = options.max_connections;
  web.max_connections_per_address = options.max_connections_per_address;
  web.max_body_bytes = options.max_body_bytes;
  web.idle_timeout = options.idle_timeout;
  web.allowed_hosts = options.allowed_hosts;
  web.shed_idle_when_full = true;
  web.json_errors = true;
  auto shared = std::make_shared<HttpHandler>(std::move(handler));
  auto checks = std::make_shared<HttpServerOptions>(std::move(options));
  auto server =
      WebServer::Start(io, std::move(web), [shared, checks](WebRequest req, WebResponder respond) {
        if (auto refused = Refusal(*checks, req)) return respond(std::move(*refused));
        HttpRequest in{.method = std::move(req.method),
                       .target = std::move(req.target),
                       .body = std::move(req.body),
                       .headers = std::move(req.headers)};
        HttpResponse out;
        try {
          out = (*shared)(in);
        } catch (const std::exception& e) {
          out = ErrorResponse(500, absl::StrCat("内部错误 / internal error: ", e.what()));
        }
        respond(ToWeb(std::move(out)));
      });
  if (!server.ok()) return server.status();
  return std::unique_ptr<HttpServer>(
      new HttpServer(std::make_unique<Impl>(Impl{std::move(*server)})));
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(boost::asio::io_context& io,
                                                              const std::string& address,
                                                              uint16_t port, HttpHandler handler) {
  HttpServerOptions options;
  options.address = address;
  options.port = port;
  return Start(io, std::move(options), std::move(handler));
}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const { return impl_->web->port(); }

void HttpServer::Stop() { impl_->web->Stop(); }

}  // namespace concord

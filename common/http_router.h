// HttpRouter: maps (method, path) to a handler, plus the JSON response
// helpers every route uses. One router serves every HTTP API of the house:
// the adapter's, each agent's (through agents/runtime) and the hub's.
//
// Every response body is JSON in UTF-8 (except /metrics). Errors are
// {"error": "<中文> / <English>"}: 400 bad input, 401 no or wrong API token,
// 403 a foreign Origin, 404 unknown path, 405 known path with another method,
// 413 body too large, 415 a body that is not application/json, 421 a foreign
// Host, 503 local database failure (the last five from HttpServer's checks).
//
// Threading: routes are added before the server starts and dispatched on the
// io_context thread. Dispatch() never lets an exception escape: a route that
// throws (a JSON type error on a malformed request, say) answers 400.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "common/http_server.h"

namespace concord {

// AlreadyExists naming the route (RouteTable::Add).
absl::Status RouteTaken(const std::string& method, const std::string& path);

// The (method, path) table itself, for any kind of handler: HttpRouter's
// synchronous routes and the console's pages (which answer later, through a
// responder) look their handlers up the same way.
template <typename Handler>
class RouteTable {
 public:
  // AlreadyExists when `method path` is taken.
  absl::Status Add(const std::string& method, const std::string& path, Handler handler) {
    auto [it, inserted] = routes_.emplace(std::make_pair(path, method), std::move(handler));
    if (!inserted) return RouteTaken(method, path);
    return absl::OkStatus();
  }

  struct Found {
    const Handler* handler = nullptr;  // null: none for this method and path
    bool path_known = false;           // some other method serves the path (405, not 404)
  };
  Found Find(const std::string& method, const std::string& path) const {
    auto it = routes_.find({path, method});
    if (it != routes_.end()) return {&it->second, true};
    auto any = routes_.lower_bound({path, std::string()});
    return {nullptr, any != routes_.end() && any->first.first == path};
  }

 private:
  std::map<std::pair<std::string, std::string>, Handler> routes_;  // (path, method)
};

class HttpRouter {
 public:
  using Route = std::function<HttpResponse(const HttpRequest&)>;

  // AlreadyExists when `method path` is taken.
  absl::Status Add(const std::string& method, const std::string& path, Route route) {
    return routes_.Add(method, path, std::move(route));
  }
  HttpResponse Dispatch(const HttpRequest& request) const;

 private:
  RouteTable<Route> routes_;
};

HttpResponse JsonResponse(int status, const nlohmann::json& body);
// `message` is "<中文> / <English>".
HttpResponse ErrorResponse(int status, std::string_view message);
// 401: the request lacks `Authorization: Bearer <the API token>`.
HttpResponse ApiTokenRequired();
// InvalidArgument -> 400, NotFound -> 404, anything else -> 503.
HttpResponse StatusResponse(const absl::Status& status);

// Parses a request body that must be one JSON object; InvalidArgument if not.
absl::StatusOr<nlohmann::json> ParseJsonObject(std::string_view body);

}  // namespace concord

// A small loopback HTTP/1.1 server on a Boost.Asio io_context, for /metrics
// and the adapters' JSON API. Beast stays inside the .cc file.
//
// Thread safety: runs on the io_context's thread; the handler is called there.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace concord {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path with query, e.g. "/inbox?limit=10"
  std::string body;
  std::string Path() const { return target.substr(0, target.find('?')); }
  // The value of query parameter `key`, percent-decoded ("" when absent).
  std::string Query(const std::string& key) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  // Binds `address:port` (port 0 picks a free port) and starts accepting.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(boost::asio::io_context& io,
                                                           const std::string& address,
                                                           uint16_t port, HttpHandler handler);
  ~HttpServer();
  uint16_t port() const;
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace concord

#include "common/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/url.h"

namespace concord {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

std::string HttpRequest::Query(const std::string& key) const { return QueryParam(target, key); }

namespace {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, std::shared_ptr<HttpHandler> handler)
      : stream_(std::move(socket)), handler_(std::move(handler)) {}

  void Read() {
    req_ = {};
    parser_.emplace();
    parser_->body_limit(16 * 1024 * 1024);
    stream_.expires_after(std::chrono::seconds(60));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec) return;  // closed, timed out or malformed: drop the connection
    req_ = parser_->release();
    HttpRequest in{std::string(req_.method_string()), std::string(req_.target()), req_.body()};
    HttpResponse out;
    try {
      out = (*handler_)(in);
    } catch (const std::exception& e) {
      out = {500, "text/plain; charset=utf-8",
             absl::StrCat("内部错误 / internal error: ", e.what())};
    }
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(out.status), req_.version());
    res->set(http::field::content_type, out.content_type);
    res->set(http::field::server, "concord");
    res->keep_alive(req_.keep_alive());
    res->body() = std::move(out.body);
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec || !res->keep_alive()) {
                          beast::error_code ignore;
                          self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignore);
                          return;
                        }
                        self->Read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> req_;
  std::shared_ptr<HttpHandler> handler_;
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(boost::asio::io_context& io, HttpHandler h)
      : acceptor(io), handler(std::make_shared<HttpHandler>(std::move(h))) {}
  void Accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (ec) {
        if (ec == boost::asio::error::operation_aborted || !self->acceptor.is_open()) return;
      } else {
        std::make_shared<HttpSession>(std::move(s), self->handler)->Read();
      }
      self->Accept();
    });
  }
  tcp::acceptor acceptor;
  std::shared_ptr<HttpHandler> handler;
};

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(boost::asio::io_context& io,
                                                              const std::string& address,
                                                              uint16_t port, HttpHandler handler) {
  auto impl = std::make_shared<Impl>(io, std::move(handler));
  beast::error_code ec;
  auto addr = boost::asio::ip::make_address(address, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad HTTP address ", address));
  tcp::endpoint ep(addr, port);
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec)
    return absl::UnavailableError(absl::StrCat("HTTP 端口无法监听 / cannot listen on ", address,
                                               ":", port, ": ", ec.message()));
  impl->Accept();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void HttpServer::Stop() {
  beast::error_code ec;
  impl_->acceptor.close(ec);
}

}  // namespace concord

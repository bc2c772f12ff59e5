#include "common/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/str_cat.h"

namespace concord {

absl::StatusOr<HttpResult> HttpCall(const std::string& host, uint16_t port,
                                    const std::string& method, const std::string& target,
                                    const std::string& body, const std::string& content_type,
                                    const std::string& bearer_token) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  try {
    boost::asio::io_context io;
    boost::asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(resolver.resolve(host, std::to_string(port)));
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, host);
    req.set(http::field::content_type, content_type);
    if (!bearer_token.empty()) req.set(http::field::authorization, "Bearer " + bearer_token);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream, buf, res);
    beast::error_code ec;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    return HttpResult{static_cast<int>(res.result_int()), res.body()};
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("无法连接 / cannot reach http://", host, ":", port, target, ": ", e.what()));
  }
}

}  // namespace concord

// The HTTP request parser and the project's parsing on top of it. The bytes
// are one request as a client sends it on the socket:
//   * Boost.Beast's request_parser with the limits the web server sets
//     (WebServerOptions' max_header_bytes and max_body_bytes), fed the way
//     http::async_read feeds it (in pieces; the first byte of the input picks
//     where the first piece ends), then end of stream;
//   * a parsed request becomes a WebRequest as common/web_server.cc makes one
//     (header names lower-cased, repeats joined), and every accessor runs:
//     Path, Query, Cookie, Form, ParseFormMulti, DefaultHostAllowed, the
//     multipart/form-data body of an upload (common/multipart.h);
//   * the same request through an HttpRouter (common/http_router.h) whose
//     route parses a JSON body (ParseJsonObject) and a query parameter.
// Checks beyond "no crash": PercentDecode undoes PercentEncode.
#include <algorithm>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/http_router.h"
#include "common/multipart.h"
#include "common/url.h"
#include "common/web_server.h"

namespace {

namespace http = boost::beast::http;

void Require(bool ok) {
  if (!ok) std::abort();
}

const concord::HttpRouter& Router() {
  static const concord::HttpRouter router = [] {
    concord::HttpRouter r;
    (void)r.Add("POST", "/publish", [](const concord::HttpRequest& req) {
      auto j = concord::ParseJsonObject(req.body);
      if (!j.ok()) return concord::StatusResponse(j.status());
      return concord::JsonResponse(202, {{"to", j->value("to", nlohmann::json::array())}});
    });
    (void)r.Add("GET", "/inbox", [](const concord::HttpRequest& req) {
      return concord::JsonResponse(200, {{"limit", req.Query("limit")}});
    });
    return r;
  }();
  return router;
}

void UseRequest(const http::request<http::string_body>& req) {
  concord::WebRequest in;
  in.method = std::string(req.method_string());
  in.target = std::string(req.target());
  in.body = req.body();
  for (const auto& field : req) {
    std::string name = absl::AsciiStrToLower(
        absl::string_view(field.name_string().data(), field.name_string().size()));
    auto [it, first] = in.headers.emplace(name, std::string(field.value()));
    if (!first)
      absl::StrAppend(&it->second, name == "cookie" ? "; " : ", ",
                      absl::string_view(field.value().data(), field.value().size()));
  }
  (void)in.Path();
  for (const auto& [key, value] : concord::ParseFormMulti(in.target.substr(in.Path().size())))
    (void)in.Query(key);
  (void)in.Query("limit");
  (void)in.Cookie("concord_session");
  (void)in.Cookie("csrf");
  (void)in.Form();
  const std::string host = in.Header("host");
  (void)concord::DefaultHostAllowed(host, "court.shangzhou");
  const std::string type = in.Header("content-type");
  if (concord::IsMultipartForm(type)) {
    auto parts = concord::ParseMultipartForm(type, in.body);
    if (parts.ok()) (void)concord::FindPart(*parts, "file");
  }
  const std::string decoded = concord::PercentDecode(in.target);
  Require(concord::PercentDecode(concord::PercentEncode(decoded)) == decoded);

  concord::HttpRequest plain{.method = in.method, .target = in.target, .body = in.body};
  (void)Router().Dispatch(plain);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const concord::WebServerOptions kOptions;
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<uint32_t>(kOptions.max_header_bytes));
  parser.body_limit(kOptions.max_body_bytes);
  const char* bytes = reinterpret_cast<const char*>(data) + 1;
  const size_t total = size - 1;
  size_t pos = 0, arrived = total == 0 ? 0 : 1 + data[0] * total / 256;  // the first read
  boost::beast::error_code ec;
  while (!parser.is_done()) {
    // As http::async_read: the parser is given what has arrived and not been
    // consumed; when it can go no further, more arrives, then end of stream.
    const size_t used = parser.put(boost::asio::const_buffer(bytes + pos, arrived - pos), ec);
    pos += used;
    if (ec == http::error::need_more) {
      ec = {};
    } else if (ec) {
      return 0;
    }
    if (parser.is_done() || used > 0) continue;
    if (arrived == total) {
      // As Beast's own reads do: the end of the stream is told only to a
      // parser that got something (put_eof asserts got_some()).
      if (parser.got_some()) parser.put_eof(ec);
      break;
    }
    arrived += 1 + (total - arrived) / 2;
  }
  if (ec || !parser.is_done()) return 0;
  UseRequest(parser.get());
  return 0;
}

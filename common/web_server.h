// WebServer: the HTTP/1.1 server of the agencies' web console, the first
// thing reachable from an agency's LAN, so it is built to be hit by anything
// on that LAN.
//
// - HTTPS only (TLS 1.2 or later, ECDHE with AES-GCM or ChaCha20 under 1.2)
//   when cert_file and key_file are set. Plain HTTP only on a loopback
//   address: Start() refuses it anywhere else.
// - Bounded: at most max_connections open connections, and at most
//   max_connections_per_address from one peer address, so that one PC on the
//   LAN cannot take every slot (a connection above either cap is closed as
//   soon as it is accepted, and counted); headers above max_header_bytes
//   get 431 and bodies above max_body_bytes get 413, both before the body is
//   read and without calling the handler; idle_timeout bounds the TLS
//   handshake, each request's arrival, each response's departure, the
//   keep-alive wait and the wait for a handler's answer (after which the
//   client gets 503 and the connection is closed). When accept() fails
//   (out of descriptors or memory, say) the server waits, 100 ms doubling to
//   2 s, and accepts again: it never spins and never stops accepting (and
//   logs once per run of failures).
// - A request whose Host is not in allowed_hosts gets 421 without reaching
//   the handler. With no list, the Host must be an address written as
//   numbers (IPv4, or IPv6 in brackets), localhost or this machine's own
//   name (gethostname), any port: a page that rebinds its own DNS name to
//   this address (DNS rebinding) sends its name and is refused. A request with two Host
//   headers, an HTTP/1.1 request without one, or a target that is not a path
//   ("/..."; absolute URLs and "*" included) gets 400. Requests on one
//   connection are answered one at a time, in order (HTTP/1.1, no upgrade).
// - Every response carries nosniff, X-Frame-Options DENY, Referrer-Policy
//   same-origin, a Content-Security-Policy that allows only the page's own
//   origin (images also as data: URLs), Cache-Control: no-store unless the
//   handler set a Cache-Control, Server: concord, and on TLS
//   Strict-Transport-Security for a year. A handler's extra header of one of
//   those names (or Content-Type, Content-Length, Transfer-Encoding,
//   Connection) is dropped: the server sets them. A header value (or the
//   content type) with CR, LF or NUL, a header name that is not a token, or
//   a status outside 200..599 turns the response into a 500. A HEAD request
//   gets the headers of the handler's answer without its body.
// - A malformed request closes the connection. A handler that throws
//   answers 500 "内部错误 / internal error" (the exception is logged, never
//   sent).
//
// Threading: one io_context thread. Start(), Stop(), the destructor and
// port() on that thread (or while the io_context is not running); stats()
// from any thread. The handler is called on the io thread; it must call its
// responder exactly once, on the io thread, at once or later. A responder
// called a second time, after the connection closed, after the wait for it
// ran out or after Stop() does nothing; a responder from another thread is
// posted to the io thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace concord {

struct WebServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: a free port
  // PEM files (the certificate file may hold the chain). Both set: HTTPS only.
  // Both empty: plain HTTP, refused unless `address` is loopback (127.0.0.0/8
  // or ::1). One without the other: InvalidArgument.
  std::string cert_file, key_file;
  size_t max_connections = 512;  // open connections; above it new ones are closed at once
  size_t max_connections_per_address = 64;  // open connections from one peer IP; the same
  size_t max_body_bytes = 1 << 20;          // larger: 413 before the body is read
  size_t max_header_bytes = 16 * 1024;      // larger: 431
  std::chrono::seconds idle_timeout{30};    // see above: handshake, reads, writes, handler
  // At either cap, close the connection that has waited longest for its
  // next request (keep-alive, or a request not yet fully sent) and take the
  // new one, instead of refusing the new one: for a loopback API, whose
  // clients all share 127.0.0.1, so that idle sockets cannot lock out a
  // caller that sends its request at once. When accept() then runs out of
  // descriptors with connections open, the server holds a tenth fewer from
  // then on, closing idle ones down to that. Off for the console.
  bool shed_idle_when_full = false;
  // The server's own refusals (400, 413, 421, 431, 500, 503) as
  // {"error": "<中文> / <English>"} for a JSON API, instead of plain text.
  bool json_errors = false;
  // Accepted Host header values, compared without regard to case, the port
  // as the browser sends it ("console.court.local", "10.0.0.5:8443"). Empty:
  // DefaultHostAllowed. Otherwise a request whose Host is not listed gets 421.
  std::vector<std::string> allowed_hosts;
};

// The Host values a server with no allowed_hosts accepts: an IPv4 address
// or a bracketed IPv6 one, "localhost" or `machine_name` (all without
// regard to case), each alone or with ":<port>".
bool DefaultHostAllowed(std::string_view host, std::string_view machine_name);

struct WebRequest {
  std::string method, target, body;
  // Names lower-cased; a repeated header's values joined by ", " ("; " for cookie).
  std::map<std::string, std::string> headers;
  std::string remote_address;  // peer IP as text
  bool tls = false;

  std::string Path() const;                                 // target without query
  std::string Query(const std::string& key) const;          // percent-decoded, "" if absent
  std::string Header(const std::string& lower_name) const;  // "" if absent
  std::string Cookie(const std::string& name) const;        // from the Cookie header, "" if absent
  std::map<std::string, std::string> Form() const;          // urlencoded body (ParseForm)
};

struct WebResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  // Extra headers: Set-Cookie (may repeat), Location, Content-Disposition...
  std::vector<std::pair<std::string, std::string>> headers;
};

// Call exactly once, on the io thread; may be called later (async).
using WebResponder = std::function<void(WebResponse)>;
using WebHandler = std::function<void(WebRequest, WebResponder)>;

class WebServer {
 public:
  // Binds and starts accepting. InvalidArgument for options that can never
  // work (plain HTTP off loopback, half a key pair, a bad address, an
  // unreadable or mismatched certificate or key, a zero limit or timeout, no
  // handler); Internal if OpenSSL cannot be set up; Unavailable when the port
  // cannot be bound (in use: retry later or pick another).
  static absl::StatusOr<std::unique_ptr<WebServer>> Start(boost::asio::io_context& io,
                                                          WebServerOptions options,
                                                          WebHandler handler);
  ~WebServer();  // stops
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  uint16_t port() const;
  // Closes the acceptor and every open connection; idempotent.
  void Stop();

  struct Stats {
    uint64_t active = 0;               // connections open now
    uint64_t accepted = 0;             // connections taken in (not counting refused ones)
    uint64_t refused_overload = 0;     // closed at once: max_connections were open
    uint64_t refused_per_address = 0;  // closed at once: that address had its cap open
    uint64_t shed_idle = 0;            // idle connections closed to make room (shed_idle_when_full)
    uint64_t accept_backoffs = 0;      // pauses of the accept loop after accept() failed
    uint64_t too_large = 0;            // 413 and 431 answers
    uint64_t bad_host = 0;             // 421 answers
    uint64_t tls_failures = 0;         // failed or timed-out TLS handshakes
  };
  Stats stats() const;

 private:
  struct Impl;
  explicit WebServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace concord

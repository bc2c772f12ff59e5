#include "common/web_server.h"

#include <openssl/ssl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/log.h"
#include "common/url.h"

namespace concord {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using std::chrono::milliseconds;

constexpr char kInternalError[] = "内部错误 / internal error";
constexpr char kBadRequest[] = "请求格式错误 / bad request";
constexpr char kBodyTooLarge[] = "请求体过大 / request body too large";
constexpr char kHeaderTooLarge[] = "请求头过大 / request headers too large";
constexpr char kMisdirected[] =
    "本服务器不接受这个主机名 / misdirected request: host not served here";
constexpr char kAnswerTimeout[] = "处理超时 / the request timed out";
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

// A port as written after ':' (1 to 5 digits).
bool AllDigits(std::string_view s) {
  return !s.empty() && s.size() <= 5 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string MachineName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}
constexpr char kCsp[] =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'";
// TLS 1.2 suites: forward secret, authenticated encryption only (Mozilla's
// "intermediate" list without DHE). TLS 1.3 keeps OpenSSL's defaults.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
// How long a closing connection may take to read the rest of a refused
// request or to exchange TLS close_notify.
constexpr milliseconds kLinger{2000};
constexpr milliseconds kFirstBackoff{100};
constexpr milliseconds kMaxBackoff{2000};

// The headers the server sets itself; a handler's header of one of these
// names is dropped.
constexpr std::string_view kReservedHeaders[] = {
    "content-type",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "trailer",
    "te",
    "server",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "content-security-policy",
    "strict-transport-security",
};

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsHeaderName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsTokenChar);
}

bool IsHeaderValue(std::string_view s) {
  constexpr std::string_view kForbidden("\r\n\0", 3);
  return s.find_first_of(kForbidden) == std::string_view::npos;
}

// Beast 1.74 hands out boost::string_view, Debian's abseil takes its own.
absl::string_view Sv(beast::string_view s) { return {s.data(), s.size()}; }

// "" when `r` can go out as it is, else what is wrong with it.
std::string CheckResponse(const WebResponse& r) {
  if (r.status < 200 || r.status > 599) return absl::StrCat("status ", r.status);
  if (!IsHeaderValue(r.content_type)) return "content type with CR, LF or NUL";
  for (const auto& [name, value] : r.headers) {
    if (!IsHeaderName(name)) return "header name that is not a token";
    if (!IsHeaderValue(value)) return absl::StrCat("value of header ", name, " with CR, LF or NUL");
  }
  return "";
}

http::response<http::string_body> BuildResponse(WebResponse r, bool tls, unsigned version,
                                                bool keep_alive, bool head) {
  if (std::string problem = CheckResponse(r); !problem.empty()) {
    LOG_ERROR("web: handler's response refused ({}); answering 500", problem);
    r = WebResponse{500, "text/plain; charset=utf-8", kInternalError, {}};
  }
  http::response<http::string_body> res;
  res.version(version);
  res.result(static_cast<unsigned>(r.status));
  res.set(http::field::server, "concord");
  if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
  res.set("X-Content-Type-Options", "nosniff");
  res.set(http::field::x_frame_options, "DENY");
  res.set("Referrer-Policy", "same-origin");
  res.set("Content-Security-Policy", kCsp);
  if (tls) res.set(http::field::strict_transport_security, "max-age=31536000");
  bool cache_control = false;
  for (auto& [name, value] : r.headers) {
    const std::string lower = absl::AsciiStrToLower(name);
    if (std::find(std::begin(kReservedHeaders), std::end(kReservedHeaders), lower) !=
        std::end(kReservedHeaders)) {
      LOG_WARN("web: handler's header {} dropped (the server sets it)", name);
      continue;
    }
    cache_control = cache_control || lower == "cache-control";
    res.insert(name, value);
  }
  if (!cache_control) res.set(http::field::cache_control, "no-store");
  res.keep_alive(keep_alive);
  if (r.status == 204 || r.status == 304) return res;  // no body, no Content-Length
  if (head) {
    res.content_length(r.body.size());  // what a GET would send, without it
    return res;
  }
  res.body() = std::move(r.body);
  res.prepare_payload();
  return res;
}

WebResponse TextResponse(int status, std::string_view text) {
  return WebResponse{status, "text/plain; charset=utf-8", std::string(text), {}};
}

class Server;

// What the server holds of an open connection: enough to close it on Stop().
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<Server> server, std::string remote)
      : server_(std::move(server)), remote_(std::move(remote)) {}
  virtual ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  virtual void Start() = 0;
  virtual void Close() = 0;
  const std::string& remote() const { return remote_; }
  // Since when it has waited for the start of a request; nullopt while a
  // request is being read, handled or answered.
  const std::optional<std::chrono::steady_clock::time_point>& waiting_since() const {
    return waiting_since_;
  }

 protected:
  const std::shared_ptr<Server> server_;
  const std::string remote_;  // the peer's IP as text
  std::optional<std::chrono::steady_clock::time_point> waiting_since_;
};

struct Counters {
  std::atomic<uint64_t> active{0}, accepted{0}, refused_overload{0}, refused_per_address{0},
      shed_idle{0}, accept_backoffs{0}, too_large{0}, bad_host{0}, tls_failures{0};
};

// The acceptor and what every connection shares. Owned by WebServer::Impl
// and by each open connection, so a connection may end after the server.
class Server : public std::enable_shared_from_this<Server> {
 public:
  Server(asio::io_context& io, WebServerOptions options, WebHandler handler,
         std::unique_ptr<ssl::context> tls)
      : io(io),
        options(std::move(options)),
        handler(std::move(handler)),
        tls(std::move(tls)),
        acceptor_(io),
        backoff_timer_(io) {}

  absl::Status Listen(const tcp::endpoint& endpoint);
  void Accept();
  void Stop();
  void Unregister(Connection* c) {
    if (connections_.erase(c) == 0) return;  // shed before it ended
    counters.active = connections_.size();
    if (auto it = per_address_.find(c->remote()); it != per_address_.end() && --it->second == 0)
      per_address_.erase(it);
  }
  uint16_t port() const { return port_; }
  // The server's own answers (413, 421, 500...): text, or {"error": text}.
  WebResponse OwnResponse(int status, std::string_view text) const {
    if (!options.json_errors) return TextResponse(status, text);
    return WebResponse{status,
                       "application/json; charset=utf-8",
                       nlohmann::json{{"error", std::string(text)}}.dump(),
                       {}};
  }

  asio::io_context& io;
  const WebServerOptions options;
  const std::string machine_name = MachineName();  // for DefaultHostAllowed
  const WebHandler handler;
  const std::unique_ptr<ssl::context> tls;  // null: plain HTTP
  Counters counters;

 private:
  void OnAccept(const beast::error_code& ec, tcp::socket socket);
  // Closes the connection (from `remote`, or from anyone when null) that has
  // waited longest for a request; false when none is waiting.
  bool ShedIdle(const std::string* remote);
  void BackOff(const beast::error_code& ec);

  tcp::acceptor acceptor_;
  asio::steady_timer backoff_timer_;
  milliseconds backoff_{0};
  // Connections this process can hold, learnt when accept() ran out of
  // descriptors (shed_idle_when_full only); max_connections bounds it.
  size_t capacity_ = SIZE_MAX;
  uint16_t port_ = 0;
  bool stopped_ = false;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;
  std::unordered_map<std::string, size_t> per_address_;  // open connections by peer IP
};

Connection::~Connection() { server_->Unregister(this); }

// One connection, plain or TLS: handshake, then requests one at a time
// (header, checks, body, handler, answer) until either side closes.
template <bool kTls>
class Session : public Connection {
 public:
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  Session(std::shared_ptr<Server> server, tcp::socket socket, std::string remote)
      : Connection(std::move(server), std::move(remote)),
        stream_(MakeStream(std::move(socket))),
        answer_timer_(server_->io) {}

  void Start() override {
    if constexpr (kTls) {
      Lowest().expires_after(Idle());
      stream_.async_handshake(ssl::stream_base::server,
                              [self = Self()](beast::error_code ec) { self->OnHandshake(ec); });
    } else {
      ReadHeader();
    }
  }

  void Close() override {
    if (closed_) return;
    closed_ = true;
    awaiting_ = false;
    answer_timer_.cancel();
    Lowest().close();
  }

 private:
  // What follows a response once it is written.
  enum class After { kNextRequest, kClose, kDrainAndClose };

  Stream MakeStream(tcp::socket socket) {
    if constexpr (kTls) {
      return Stream(beast::tcp_stream(std::move(socket)), *server_->tls);
    } else {
      return Stream(std::move(socket));
    }
  }
  std::shared_ptr<Session> Self() { return std::static_pointer_cast<Session>(shared_from_this()); }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }
  std::chrono::seconds Idle() const { return server_->options.idle_timeout; }
  milliseconds Linger() const { return std::min<milliseconds>(Idle(), kLinger); }

  void OnHandshake(beast::error_code ec) {
    if (closed_) return;
    if (ec) {
      ++server_->counters.tls_failures;
      LOG_DEBUG("web: TLS handshake with {} failed: {}", remote_, ec.message());
      return;  // the last reference goes: the socket closes
    }
    ReadHeader();
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_->options.max_header_bytes));
    parser_->body_limit(server_->options.max_body_bytes);
    if (buffer_.size() == 0) buffer_.shrink_to_fit();
    waiting_since_ = std::chrono::steady_clock::now();
    Lowest().expires_after(Idle());
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = Self()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    waiting_since_.reset();
    if (closed_) return;
    if (ec == http::error::header_limit) return RefuseTooLarge(431, kHeaderTooLarge);
    if (ec == http::error::body_limit) return RefuseTooLarge(413, kBodyTooLarge);
    if (ec) return;  // closed, timed out or malformed: drop the connection
    const auto& req = parser_->get();
    version_ = req.version();
    const size_t hosts = req.count(http::field::host);
    if (hosts > 1 || (hosts == 0 && version_ >= 11) || !req.target().starts_with('/'))
      return Refuse(400, kBadRequest, After::kDrainAndClose);
    if (!HostAllowed(req[http::field::host])) {
      ++server_->counters.bad_host;
      LOG_DEBUG("web: {} asked for host {}", remote_, std::string(req[http::field::host]));
      return Refuse(421, kMisdirected, After::kDrainAndClose);
    }
    if (!parser_->is_done() && beast::iequals(req[http::field::expect], "100-continue")) {
      Lowest().expires_after(Idle());
      asio::async_write(stream_, asio::buffer(kContinue, sizeof kContinue - 1),
                        [self = Self()](beast::error_code ec, size_t) {
                          if (!self->closed_ && !ec) self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  bool HostAllowed(beast::string_view host) const {
    const auto& allowed = server_->options.allowed_hosts;
    if (allowed.empty())
      return DefaultHostAllowed(std::string_view(host.data(), host.size()), server_->machine_name);
    return std::any_of(allowed.begin(), allowed.end(),
                       [&](const auto& a) { return beast::iequals(a, host); });
  }

  void ReadBody() {
    if (parser_->is_done()) return Dispatch();
    Lowest().expires_after(Idle());
    http::async_read(stream_, buffer_, *parser_,
                     [self = Self()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(beast::error_code ec) {
    if (closed_) return;
    if (ec == http::error::body_limit) return RefuseTooLarge(413, kBodyTooLarge);
    if (ec) return;
    Dispatch();
  }

  void Dispatch() {
    http::request<http::string_body> req = parser_->release();
    parser_.reset();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;
    WebRequest in;
    in.method = std::string(req.method_string());
    in.target = std::string(req.target());
    in.body = std::move(req.body());
    for (const auto& field : req) {
      std::string name = absl::AsciiStrToLower(Sv(field.name_string()));
      auto [it, first] = in.headers.emplace(name, std::string(field.value()));
      if (!first) absl::StrAppend(&it->second, name == "cookie" ? "; " : ", ", Sv(field.value()));
    }
    in.remote_address = remote_;
    in.tls = kTls;
    const std::string what = absl::StrCat(in.method, " ", in.Path());

    // Armed before the handler runs, since it may answer at once; it also
    // keeps the session alive while the handler holds only the responder.
    const uint64_t serial = ++serial_;
    awaiting_ = true;
    answer_timer_.expires_after(Idle());
    answer_timer_.async_wait([self = Self(), serial](beast::error_code ec) {
      if (!ec) self->OnAnswerTimeout(serial);
    });
    WebResponder respond = [weak = std::weak_ptr<Session>(Self()), serial,
                            ex = server_->io.get_executor()](WebResponse r) {
      asio::dispatch(ex, [weak, serial, r = std::move(r)]() mutable {
        if (auto self = weak.lock()) self->Answer(serial, std::move(r));
      });
    };
    try {
      server_->handler(std::move(in), std::move(respond));
    } catch (const std::exception& e) {
      LOG_ERROR("web: {} from {}: {}", what, remote_, e.what());
      Answer(serial, server_->OwnResponse(500, kInternalError));
    } catch (...) {
      LOG_ERROR("web: {} from {}: unknown exception", what, remote_);
      Answer(serial, server_->OwnResponse(500, kInternalError));
    }
  }

  void Answer(uint64_t serial, WebResponse r) {
    if (closed_ || !awaiting_ || serial != serial_) {
      LOG_DEBUG("web: a late or second answer to {} ignored", remote_);
      return;
    }
    awaiting_ = false;
    answer_timer_.cancel();
    Send(BuildResponse(std::move(r), kTls, version_, keep_alive_, head_),
         keep_alive_ ? After::kNextRequest : After::kClose);
  }

  void OnAnswerTimeout(uint64_t serial) {
    if (closed_ || !awaiting_ || serial != serial_) return;
    awaiting_ = false;
    LOG_WARN("web: no answer to {} within {} s", remote_, Idle().count());
    Refuse(503, kAnswerTimeout, After::kClose);
  }

  void RefuseTooLarge(int status, std::string_view text) {
    ++server_->counters.too_large;
    LOG_DEBUG("web: {} from {}", status, remote_);
    Refuse(status, text, After::kDrainAndClose);
  }

  // Answers without the handler and closes the connection.
  void Refuse(int status, std::string_view text, After after) {
    keep_alive_ = false;
    Send(BuildResponse(server_->OwnResponse(status, text), kTls, version_, false, false), after);
  }

  void Send(http::response<http::string_body> res, After after) {
    response_ = std::move(res);
    after_ = after;
    Lowest().expires_after(Idle());
    http::async_write(stream_, response_,
                      [self = Self()](beast::error_code ec, size_t) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    if (closed_ || ec) return;
    response_ = {};
    switch (after_) {
      case After::kNextRequest:
        return ReadHeader();
      case After::kClose:
        return Shutdown();
      case After::kDrainAndClose:
        return Drain();
    }
  }

  void Shutdown() {
    if constexpr (kTls) {
      Lowest().expires_after(Linger());
      stream_.async_shutdown([self = Self()](beast::error_code) {});
    } else {
      beast::error_code ignore;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ignore);
    }
  }

  // Reads and throws away what the client still sends of a refused request
  // (for a while), so that closing with unread data does not reset the
  // connection before the client has read the answer.
  void Drain() {
    if constexpr (!kTls) {
      beast::error_code ignore;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ignore);
    }
    parser_.reset();
    buffer_.consume(buffer_.size());
    Lowest().expires_after(Linger());
    DrainSome();
  }

  void DrainSome() {
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = Self()](beast::error_code ec, size_t) {
                              if (!self->closed_ && !ec) self->DrainSome();
                            });
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  asio::steady_timer answer_timer_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  After after_ = After::kClose;
  uint64_t serial_ = 0;    // the request being answered
  bool awaiting_ = false;  // the handler has not answered request serial_ yet
  bool closed_ = false;    // Close() was called
};

absl::Status Server::Listen(const tcp::endpoint& endpoint) {
  beast::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) port_ = acceptor_.local_endpoint(ec).port();
  if (ec)
    return absl::UnavailableError(absl::StrCat("网页端口无法监听 / cannot listen on ",
                                               endpoint.address().to_string(), ":", endpoint.port(),
                                               ": ", ec.message()));
  return absl::OkStatus();
}

void Server::Accept() {
  acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    self->OnAccept(ec, std::move(socket));
  });
}

void Server::OnAccept(const beast::error_code& ec, tcp::socket socket) {
  if (stopped_) return;
  if (ec) return BackOff(ec);
  backoff_ = milliseconds(0);
  beast::error_code peer_ec;
  const tcp::endpoint peer = socket.remote_endpoint(peer_ec);
  beast::error_code ignore;
  if (peer_ec) {
    socket.close(ignore);  // gone already
  } else if (connections_.size() >= std::min(options.max_connections, capacity_) &&
             !(options.shed_idle_when_full && ShedIdle(nullptr))) {
    ++counters.refused_overload;
    socket.close(ignore);
  } else if (std::string remote = peer.address().to_string();
             per_address_[remote] >= options.max_connections_per_address &&
             !(options.shed_idle_when_full && ShedIdle(&remote))) {
    ++counters.refused_per_address;
    socket.close(ignore);
  } else {
    ++counters.accepted;
    ++per_address_[remote];
    std::shared_ptr<Connection> c;
    if (tls)
      c = std::make_shared<Session<true>>(shared_from_this(), std::move(socket), std::move(remote));
    else
      c = std::make_shared<Session<false>>(shared_from_this(), std::move(socket),
                                           std::move(remote));
    connections_.emplace(c.get(), c);
    counters.active = connections_.size();
    c->Start();
  }
  Accept();
}

bool Server::ShedIdle(const std::string* remote) {
  std::shared_ptr<Connection> oldest;
  for (const auto& [ptr, weak] : connections_) {
    auto c = weak.lock();
    if (!c || !c->waiting_since() || (remote && c->remote() != *remote)) continue;
    if (!oldest || *c->waiting_since() < *oldest->waiting_since()) oldest = std::move(c);
  }
  if (!oldest) return false;
  ++counters.shed_idle;
  Unregister(oldest.get());
  oldest->Close();
  return true;
}

// Out of descriptors (EMFILE, ENFILE), buffers or memory (ENOBUFS, ENOMEM),
// or anything else accept() may say: the listening socket stays readable, so
// accepting again at once would spin. Wait, longer each time in a row.
void Server::BackOff(const beast::error_code& ec) {
  const bool first = backoff_.count() == 0;
  backoff_ = first ? kFirstBackoff : std::min(backoff_ * 2, kMaxBackoff);
  ++counters.accept_backoffs;
  if (first)  // once per run of failures, not once per try
    LOG_WARN("web: accept() 失败 / accept failed on port {}: {}; trying again, {} ms at first",
             port_, ec.message(), backoff_.count());
  if (options.shed_idle_when_full && (ec.value() == EMFILE || ec.value() == ENFILE) &&
      !connections_.empty()) {
    // Out of descriptors with connections open: from now on hold a tenth
    // fewer, and close idle ones down to that, so that a new caller takes an
    // idle connection's place instead of waiting for a descriptor.
    capacity_ = std::max<size_t>(1, connections_.size() - connections_.size() / 10 - 1);
    while (connections_.size() > capacity_ && ShedIdle(nullptr)) {
    }
    backoff_ = kFirstBackoff;
  }
  backoff_timer_.expires_after(backoff_);
  backoff_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && !self->stopped_) self->Accept();
  });
}

void Server::Stop() {
  if (stopped_) return;
  stopped_ = true;
  beast::error_code ignore;
  acceptor_.close(ignore);
  backoff_timer_.cancel();
  std::vector<std::shared_ptr<Connection>> open;
  for (const auto& [ptr, weak] : connections_)
    if (auto c = weak.lock()) open.push_back(std::move(c));
  for (const auto& c : open) c->Close();
}

absl::StatusOr<std::unique_ptr<ssl::context>> MakeTlsContext(const WebServerOptions& options) {
  std::unique_ptr<ssl::context> ctx;
  try {
    ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  } catch (const boost::system::system_error& e) {
    return absl::InternalError(absl::StrCat("TLS 初始化失败 / cannot set up TLS: ", e.what()));
  }
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1)
    return absl::InternalError("TLS 初始化失败 / cannot set up TLS: protocol or ciphers");
  SSL_CTX_set_options(
      native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  beast::error_code ec;
  ctx->use_certificate_chain_file(options.cert_file, ec);
  if (ec)
    return absl::InvalidArgumentError(
        absl::StrCat("无法读取 TLS 证书 / cannot read the TLS certificate ", options.cert_file,
                     ": ", ec.message()));
  ctx->use_private_key_file(options.key_file, ssl::context::pem, ec);
  if (ec)
    return absl::InvalidArgumentError(absl::StrCat("无法读取 TLS 私钥 / cannot read the TLS key ",
                                                   options.key_file, ": ", ec.message()));
  if (SSL_CTX_check_private_key(native) != 1)
    return absl::InvalidArgumentError(absl::StrCat(
        "TLS 证书与私钥不匹配 / the TLS certificate and key do not match: ", options.cert_file,
        ", ", options.key_file));
  return ctx;
}

}  // namespace

std::string WebRequest::Path() const { return target.substr(0, target.find('?')); }

std::string WebRequest::Query(const std::string& key) const { return QueryParam(target, key); }

std::string WebRequest::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::string WebRequest::Cookie(const std::string& name) const {
  auto it = headers.find("cookie");
  if (it == headers.end()) return "";
  for (absl::string_view pair : absl::StrSplit(it->second, ';')) {
    pair = absl::StripAsciiWhitespace(pair);
    const size_t eq = pair.find('=');
    if (eq == absl::string_view::npos || pair.substr(0, eq) != name) continue;
    absl::string_view value = pair.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    return std::string(value);
  }
  return "";
}

std::map<std::string, std::string> WebRequest::Form() const { return ParseForm(body); }

bool DefaultHostAllowed(std::string_view host, std::string_view machine_name) {
  std::string_view name = host;
  if (host.starts_with('[')) {  // [v6] or [v6]:port
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    name = host.substr(1, close - 1);
    std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && !(rest.starts_with(':') && AllDigits(rest.substr(1)))) return false;
    beast::error_code ec;
    asio::ip::make_address_v6(std::string(name), ec);
    return !ec;
  }
  if (const size_t colon = name.find(':'); colon != std::string_view::npos) {
    if (!AllDigits(name.substr(colon + 1))) return false;
    name = name.substr(0, colon);
  }
  if (name.empty()) return false;
  auto same = [](std::string_view a, std::string_view b) {
    return beast::iequals(beast::string_view(a.data(), a.size()),
                          beast::string_view(b.data(), b.size()));
  };
  if (same(name, "localhost") || (!machine_name.empty() && same(name, machine_name))) return true;
  beast::error_code ec;
  asio::ip::make_address_v4(std::string(name), ec);
  return !ec;
}

struct WebServer::Impl {
  std::shared_ptr<Server> server;
};

absl::StatusOr<std::unique_ptr<WebServer>> WebServer::Start(boost::asio::io_context& io,
                                                            WebServerOptions options,
                                                            WebHandler handler) {
  if (!handler) return absl::InvalidArgumentError("网页服务缺少处理函数 / no web handler");
  if (options.cert_file.empty() != options.key_file.empty())
    return absl::InvalidArgumentError(
        "TLS 证书与私钥须同时配置 / cert_file and key_file must be set together");
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.address, ec);
  if (ec)
    return absl::InvalidArgumentError(
        absl::StrCat("网页监听地址无效 / bad web listen address: ", options.address));
  const bool tls = !options.cert_file.empty();
  if (!tls && !address.is_loopback())
    return absl::InvalidArgumentError(absl::StrCat(
        "明文 HTTP 只能监听本机地址，请配置证书与私钥 / plain HTTP only on a loopback address "
        "(127.0.0.0/8 or ::1): set cert_file and key_file to listen on ",
        options.address));
  if (options.max_connections == 0 || options.max_connections_per_address == 0 ||
      options.max_header_bytes == 0 || options.max_header_bytes > UINT32_MAX ||
      options.idle_timeout.count() <= 0)
    return absl::InvalidArgumentError(
        "网页服务的连接数、请求头上限与超时须为正数 / max_connections, max_header_bytes and "
        "idle_timeout must be positive");
  std::unique_ptr<ssl::context> ctx;
  if (tls) {
    auto made = MakeTlsContext(options);
    if (!made.ok()) return made.status();
    ctx = std::move(made).value();
  }
  const uint16_t port = options.port;
  auto server =
      std::make_shared<Server>(io, std::move(options), std::move(handler), std::move(ctx));
  if (absl::Status s = server->Listen(tcp::endpoint(address, port)); !s.ok()) return s;
  server->Accept();
  return std::unique_ptr<WebServer>(new WebServer(std::make_unique<Impl>(Impl{std::move(server)})));
}

WebServer::WebServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebServer::~WebServer() { Stop(); }

uint16_t WebServer::port() const { return impl_->server->port(); }

void WebServer::Stop() { impl_->server->Stop(); }

WebServer::Stats WebServer::stats() const {
  const Counters& c = impl_->server->counters;
  return Stats{c.active.load(),           c.accepted.load(),
               c.refused_overload.load(), c.refused_per_address.load(),
               c.shed_idle.load(),        c.accept_backoffs.load(),
               c.too_large.load(),        c.bad_host.load(),
               c.tls_failures.load()};
}

}  // namespace concord

#include "adapters/console/console.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/console/console_impl.h"
#include "common/log.h"
#include "common/multipart.h"
#include "common/status_macros.h"
#include "common/url.h"
#include "domain/calendar.h"
#include "hub/client/acting_as.h"

namespace concord::adapter {

namespace {

// Every cookie the console sets or clears: the whole site, never to scripts,
// never on another site's request, and over TLS only when it came over TLS.
std::string CookieAttributes(bool tls) {
  return tls ? "; Path=/; HttpOnly; SameSite=Strict; Secure"
             : "; Path=/; HttpOnly; SameSite=Strict";
}

constexpr char kSessionCookie[] = "concord_session";
constexpr char kFlashCookie[] = "concord_flash";
constexpr char kLoginCookie[] = "concord_login";  // the login form's CSRF token

// The login form's token: the browser's own when it has RandomToken's
// shape, else a new one.
std::string LoginToken(const std::string& cookie) {
  return accounts::WellFormedToken(cookie) ? cookie : accounts::RandomToken();
}

}  // namespace

namespace {

std::string_view ContentType(std::string_view name) {
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "text/plain; charset=utf-8";
}

// Where to go after logging in: a path of this site only.
std::string SafeNext(const std::string& next) {
  if (next.empty() || next[0] != '/' || absl::StartsWith(next, "//") ||
      next.find('\\') != std::string::npos)
    return "/";
  return next;
}

// The CSRF token of a posted form: a urlencoded field, or a text part of a
// multipart/form-data body (a form with a file).
std::string PostedCsrf(const WebRequest& r) {
  const std::string type = r.Header("content-type");
  if (!IsMultipartForm(type)) return FormField(r.Form(), "csrf");
  auto parts = ParseMultipartForm(type, r.body);
  const FormPart* p = parts.ok() ? FindPart(*parts, "csrf") : nullptr;
  return p && !p->is_file ? p->data : "";
}

}  // namespace

std::string FormatMs(int64_t ms) { return ms > 0 ? FormatDateTime(ms) : ""; }

std::string FormField(const std::map<std::string, std::string>& form, const std::string& key) {
  auto it = form.find(key);
  return it == form.end() ? "" : it->second;
}

std::string ChineseHalf(const std::string& text) {
  const size_t slash = text.find(" / ");
  return slash == std::string::npos ? text : text.substr(0, slash);
}

std::string RolesFor(accounts::Permission p) {
  std::vector<std::string> names;
  for (accounts::Role r : accounts::kAllRoles)
    if (accounts::RoleAllows(r, p)) names.emplace_back(accounts::RoleChineseName(r));
  return absl::StrJoin(names, "、");
}

absl::StatusOr<std::unique_ptr<Console>> Console::Start(const ConsoleContext& context) {
  auto console = std::make_unique<ConsoleImpl>(context);
  RETURN_IF_ERROR(console->Open());
  return std::unique_ptr<Console>(std::move(console));
}

ConsoleImpl::ConsoleImpl(const ConsoleContext& context)
    : ctx_(context), clock_(*context.config.client.clock) {}

absl::Status ConsoleImpl::Open() {
  const auto& c = ctx_.config.console;
  if (c.cert.empty() != c.key.empty())
    return absl::InvalidArgumentError(
        "[console] cert 与 key 须同时配置 / [console] needs both cert and key, or neither");
  sql::Db& db = ctx_.client.db();
  ASSIGN_OR_RETURN(accounts_, accounts::Accounts::Open(db, clock_));
  accounts::SessionOptions so;
  so.idle_ms = static_cast<int64_t>(std::max(1, c.idle_minutes)) * 60 * 1000;
  ASSIGN_OR_RETURN(sessions_, accounts::Sessions::Open(db, clock_, so));
  ASSIGN_OR_RETURN(log_, accounts::ActionLog::Open(db, clock_));

  // Pages may share pieces ({{> _name.html}}): the embedded files by name.
  const HtmlTemplate::Partials partials = [](std::string_view name) {
    const auto& assets = console_assets::Assets();
    auto it = assets.find(name);
    return it == assets.end() ? std::nullopt : std::optional<std::string_view>(it->second);
  };
  for (const auto& [name, text] : console_assets::Assets())
    if (name.ends_with(".html") && !name.starts_with("_"))
      templates_.emplace(std::string(name), HtmlTemplate::ParseConstant(text, partials));

  AddPage("POST", "/logout", [this](Visit v) { Logout(std::move(v)); });
  RegisterPetitionPages(*this);
  RegisterAidPages(*this);
  RegisterAidApplicationPages(*this);
  RegisterDocumentPages(*this);
  RegisterConferencePages(*this);
  RegisterRiskPages(*this);
  RegisterReceptionPages(*this);
  RegisterStatsPages(*this);
  RegisterAdminPages(*this);
  RegisterOutboxPages(*this);

  // A delivery may be the answer an Await() waits for: it reads again once
  // the delivery's transaction has committed.
  ctx_.mailbox.AddDeliveryHook(
      [this, alive = std::weak_ptr<int>(alive_)](const concord::v1::Envelope&, sql::Db&) {
        if (!alive.expired() && !wake_posted_ && !awaiting_.empty()) {
          wake_posted_ = true;
          boost::asio::post(ctx_.io, [this, alive] {
            if (!alive.expired()) WakeAwaiting();
          });
        }
        return absl::OkStatus();
      });

  WebServerOptions options;
  options.address = c.address;
  options.port = static_cast<uint16_t>(c.port);
  options.cert_file = c.cert;
  options.key_file = c.key;
  options.allowed_hosts = c.hosts;
  options.max_connections = static_cast<size_t>(std::max(8, c.max_connections));
  options.max_connections_per_address = static_cast<size_t>(
      std::clamp(c.max_connections_per_address, 1, std::max(8, c.max_connections)));
  std::weak_ptr<int> alive = alive_;
  ASSIGN_OR_RETURN(
      server_,
      WebServer::Start(ctx_.io, options, [this, alive](WebRequest r, WebResponder respond) {
        if (alive.expired()) {
          respond({503, "text/plain; charset=utf-8", "正在关闭 / shutting down", {}});
          return;
        }
        Handle(std::move(r), std::move(respond));
      }));
  LOG_INFO("console of {} at {}://{}:{}/", ctx_.config.agency, c.cert.empty() ? "http" : "https",
           c.address, server_->port());
  return absl::OkStatus();
}

void ConsoleImpl::Stop() {
  alive_.reset();
  if (server_) server_->Stop();
  if (hashing_) hashing_->join();  // a verify under way ends; its answer is dropped
}

const HtmlTemplate& ConsoleImpl::Template(std::string_view name) const {
  auto it = templates_.find(name);
  if (it == templates_.end()) {
    LOG_ERROR("console template {} missing", name);
    std::abort();  // a programming error: the tests render every page
  }
  return it->second;
}

std::string ConsoleImpl::AgencyName(const std::string& principal) const {
  auto it = ctx_.config.console.agencies.find(principal);
  if (it != ctx_.config.console.agencies.end()) return it->second;
  if (principal == ctx_.config.agency && !ctx_.config.display.empty()) return ctx_.config.display;
  return principal;
}

nlohmann::json ConsoleImpl::Agencies(bool others_only) const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [principal, name] : ctx_.config.console.agencies)
    if (!others_only || principal != ctx_.config.agency)
      out.push_back({{"principal", principal}, {"name", name}});
  return out;
}

concord::v1::Actor ConsoleImpl::ActorOf(const accounts::Account& a) const {
  concord::v1::Actor actor;
  actor.set_login(a.login);
  actor.set_name(a.name);
  const std::string title = a.Title();  // "承办人 李某": the role it names
  actor.set_role(title.substr(0, title.find(' ')));
  return actor;
}

bool ConsoleImpl::SameOrigin(const WebRequest& request) const {
  // A form posted from another site carries its Origin (or Referer): it must
  // be this host. Chromium sends Origin on every POST.
  std::string origin = request.Header("origin");
  if (origin.empty()) origin = request.Header("referer");
  if (origin.empty()) return false;
  const std::string host = request.Header("host");
  for (const char* scheme : {"https://", "http://"}) {
    const std::string base = absl::StrCat(scheme, host);
    if (origin == base || absl::StartsWith(origin, base + "/")) return true;
  }
  return false;
}

void ConsoleImpl::Handle(WebRequest request, WebResponder respond) {
  const std::string path = request.Path();
  if (request.method == "GET" && absl::StartsWith(path, "/static/")) {
    auto it = console_assets::Assets().find(path.substr(8));
    if (it == console_assets::Assets().end() || it->first.ends_with(".html")) {
      respond({404, "text/plain; charset=utf-8", "没有这个文件 / no such file", {}});
      return;
    }
    respond({200,
             std::string(ContentType(it->first)),
             std::string(it->second),
             {{"Cache-Control", "private, max-age=300"}}});
    return;
  }
  if (path == "/login") {
    Login(std::move(request), std::move(respond));
    return;
  }
  Serve(std::move(request), std::move(respond));
}

void ConsoleImpl::LoginPage(const WebResponder& respond, bool tls, const std::string& cookie,
                            int status, const std::string& error, const std::string& login,
                            const std::string& next) {
  // No session yet, so the login form's CSRF token is a random one, both in
  // the form and in a cookie (SameSite=Strict: another site's page cannot
  // send it); the POST must carry the two, equal. The browser's token is
  // kept while it has one: a login page fetched again meanwhile (a redirect
  // of /favicon.ico, another tab) must not void the form already shown.
  const std::string token = LoginToken(cookie);
  nlohmann::json values = {{"title", "登录"},        {"agency_display", ctx_.config.display},
                           {"now", FormatMs(Now())}, {"error", error},
                           {"login", login},         {"next", next},
                           {"csrf", token}};
  respond({status,
           "text/html; charset=utf-8",
           Template("head.html").Render(values) + Template("login.html").Render(values) +
               Template("foot.html").Render(values),
           {{"Set-Cookie", absl::StrCat(kLoginCookie, "=", token, CookieAttributes(tls))}}});
}

void ConsoleImpl::Login(WebRequest request, WebResponder respond) {
  if (request.method == "GET") {
    LoginPage(respond, request.tls, request.Cookie(kLoginCookie), 200, "", "",
              SafeNext(request.Query("next")));
    return;
  }
  if (request.method != "POST") {
    respond({405, "text/plain; charset=utf-8", "方法不允许 / method not allowed", {}});
    return;
  }
  const auto form = request.Form();
  const std::string login = FormField(form, "login");
  const std::string next = SafeNext(FormField(form, "next"));
  auto record = [this, login, remote = request.remote_address](bool ok, const std::string& reason) {
    (void)log_->Record({0, login, "", "login", "", ok ? "ok" : "refused", reason, remote});
  };
  if (!SameOrigin(request)) {
    record(false, "cross-site login form");
    LoginPage(respond, request.tls, request.Cookie(kLoginCookie), 403,
              "登录表单来源不明，请刷新页面后重试 / the login form came from another site", login,
              next);
    return;
  }
  if (!accounts::TokensMatch(request.Cookie(kLoginCookie), FormField(form, "csrf"))) {
    record(false, "login form without its CSRF token");
    LoginPage(respond, request.tls, request.Cookie(kLoginCookie), 403,
              "登录页已过期或校验码不符，请重新输入 / the login form expired or its CSRF token is "
              "missing: enter your password again",
              login, next);
    return;
  }
  if (!limiter_.Allow(request.remote_address, Now())) {
    record(false, "rate limited");
    LoginPage(respond, request.tls, request.Cookie(kLoginCookie), 429,
              "登录尝试过于频繁，请一分钟后再试 / too many login attempts, wait a minute", login,
              next);
    return;
  }
  auto refused = [this, record, login, next, tls = request.tls,
                  login_cookie = request.Cookie(kLoginCookie)](const WebResponder& respond,
                                                               const absl::Status& st) {
    record(false, std::string(st.message()));
    LoginPage(respond, tls, login_cookie,
              st.code() == absl::StatusCode::kPermissionDenied ? 403 : 401,
              std::string(st.message()), login, next);
  };
  auto attempt = accounts_->BeginLogin(login);
  if (!attempt.ok()) return refused(respond, attempt.status());
  // The Argon2id verify (about 0.1 s of CPU) on the hashing thread; the
  // outcome is recorded back on the event loop, which serves other pages
  // meanwhile.
  struct Pending {
    accounts::Accounts::LoginAttempt attempt;
    std::string password;
  };
  auto pending =
      std::make_shared<Pending>(Pending{*std::move(attempt), FormField(form, "password")});
  std::weak_ptr<int> alive = alive_;
  auto finish = [this, alive, pending, remote = request.remote_address, tls = request.tls,
                 login_cookie = request.Cookie(kLoginCookie), record, refused, login, next,
                 respond = std::move(respond)](bool verified) {
    if (alive.expired()) return;
    auto account = accounts_->FinishLogin(pending->attempt, verified, pending->password);
    if (!account.ok()) return refused(respond, account.status());
    auto session = sessions_->Create(account->login, remote);
    if (!session.ok()) {
      LoginPage(respond, tls, login_cookie, 503,
                "数据库暂不可用，请稍后再试 / the database is busy, try again", login, next);
      return;
    }
    record(true, "");
    const std::string cookie =
        absl::StrCat(kSessionCookie, "=", session->first, CookieAttributes(tls));
    respond({303,
             "text/html; charset=utf-8",
             "",
             {{"Location", next},
              {"Set-Cookie", cookie},
              {"Set-Cookie", absl::StrCat(kLoginCookie, "=; Max-Age=0", CookieAttributes(tls))}}});
  };
  // (The hashing thread touches only `pending` and the io_context.)
  boost::asio::post(*hashing_, [io = &ctx_.io, pending, finish = std::move(finish)]() mutable {
    const bool verified = accounts::Accounts::VerifyLogin(pending->attempt, pending->password);
    boost::asio::post(*io, [finish = std::move(finish), verified]() mutable { finish(verified); });
  });
}

void ConsoleImpl::Serve(WebRequest request, WebResponder respond) {
  const std::string path = request.Path();
  auto to_login = [&] {
    if (request.method == "GET") {
      respond({303,
               "text/html; charset=utf-8",
               "",
               {{"Location", "/login?next=" + PercentEncode(request.target)}}});
    } else {
      respond({401,
               "text/plain; charset=utf-8",
               "登录已过期，请重新登录 / session expired, log in again",
               {}});
    }
  };
  const std::string token = request.Cookie(kSessionCookie);
  if (token.empty()) return to_login();
  auto session = sessions_->Resolve(token);
  if (!session.ok()) return to_login();
  auto account = accounts_->Get(session->login);
  if (!account.ok() || account->disabled) {
    (void)sessions_->Destroy(token);
    return to_login();
  }
  Visit v{std::move(request), *std::move(account), *std::move(session), std::move(respond)};

  const auto page = pages_.Find(v.request.method, path);
  if (!page.handler) {
    if (page.path_known) {
      v.respond({405, "text/plain; charset=utf-8", "方法不允许 / method not allowed", {}});
    } else {
      Render(v, "没有这个页面", "", Template("refused.html"),
             {{"heading", "没有这个页面"},
              {"reason", "没有这个地址 / no such page: " + path},
              {"back", "/"}},
             404);
    }
    return;
  }
  if (v.request.method == "POST") {
    if (!SameOrigin(v.request)) {
      Refuse(v, path, "", "表单来源不明，已拒绝 / the form came from another site (Origin)");
      return;
    }
    if (!accounts::CsrfMatches(v.session, PostedCsrf(v.request))) {
      Refuse(v, path, "",
             "表单校验码缺失或不符，请刷新页面后重新提交 / missing or wrong CSRF token: reload "
             "the page and submit again");
      return;
    }
  }
  (*page.handler)(std::move(v));
}

void ConsoleImpl::AddPage(std::string method, std::string path, PageHandler handler) {
  if (absl::Status added = pages_.Add(method, path, std::move(handler)); !added.ok()) {
    LOG_ERROR("{}", std::string(added.message()));
    std::abort();  // a programming error: every page is registered once, at Open()
  }
}

void ConsoleImpl::AddNav(std::string href, std::string label, std::string key,
                         std::function<bool(const accounts::Account&)> visible,
                         std::function<int64_t()> badge) {
  nav_.push_back(
      {std::move(href), std::move(label), std::move(key), std::move(visible), std::move(badge)});
}

void ConsoleImpl::Logout(Visit v) {
  (void)sessions_->Destroy(v.request.Cookie(kSessionCookie));
  Log(v, "logout", "", true);
  v.respond({303,
             "text/html; charset=utf-8",
             "",
             {{"Location", "/login"},
              {"Set-Cookie",
               absl::StrCat(kSessionCookie, "=; Max-Age=0", CookieAttributes(v.request.tls))}}});
}

void ConsoleImpl::Render(Visit& v, std::string_view title, std::string_view nav,
                         const HtmlTemplate& body, nlohmann::json values, int status) {
  const accounts::Account& a = v.account;
  nlohmann::json menu = nlohmann::json::array();
  for (const Nav& n : nav_) {
    if (n.visible && !n.visible(a)) continue;
    menu.push_back({{"href", n.href}, {"label", n.label}, {"active", nav == n.key}});
    if (const int64_t badge = n.badge ? n.badge() : 0; badge > 0) menu.back()["badge"] = badge;
  }
  values["title"] = std::string(title);
  values["agency_display"] = ctx_.config.display;
  values["agency"] = ctx_.config.agency;
  values["now"] = FormatMs(Now());
  values["csrf"] = v.session.csrf;
  values["user"] = {{"title", a.Title()}, {"department", a.department}, {"login", a.login}};
  values["nav"] = std::move(menu);
  WebResponse out{status, "text/html; charset=utf-8", "", {}};
  const std::string flash = v.request.Cookie(kFlashCookie);
  if (!flash.empty() && !values.contains("flash")) {
    const bool error = flash[0] == 'E';
    values["flash"] = {{"kind", error ? "error" : "ok"}, {"text", PercentDecode(flash.substr(1))}};
    out.headers.push_back({"Set-Cookie", absl::StrCat(kFlashCookie, "=; Max-Age=0",
                                                      CookieAttributes(v.request.tls))});
  }
  out.body = Template("head.html").Render(values) + body.Render(values) +
             Template("foot.html").Render(values);
  v.respond(std::move(out));
}

void ConsoleImpl::Redirect(Visit& v, const std::string& location, const std::string& flash,
                           bool error) {
  WebResponse out{303, "text/html; charset=utf-8", "", {{"Location", location}}};
  if (!flash.empty())
    out.headers.push_back(
        {"Set-Cookie", absl::StrCat(kFlashCookie, "=", error ? "E" : "O", PercentEncode(flash),
                                    CookieAttributes(v.request.tls))});
  v.respond(std::move(out));
}

void ConsoleImpl::Log(const Visit& v, std::string_view action, std::string_view target, bool ok,
                      std::string_view reason) {
  auto st =
      log_->Record({0, v.account.login, v.account.Title(), std::string(action), std::string(target),
                    ok ? "ok" : "refused", std::string(reason), v.request.remote_address});
  if (!st.ok()) LOG_WARN("console action log: {}", std::string(st.message()));
}

void ConsoleImpl::Refuse(Visit& v, std::string_view action, std::string_view target,
                         std::string reason) {
  Log(v, action, target, false, reason);
  LOG_INFO("console refused {} {} for {}: {}", action, target, v.account.login, reason);
  Render(v, "操作被拒绝", "", Template("refused.html"),
         {{"heading", "操作被拒绝"}, {"reason", std::move(reason)}, {"back", "/"}}, 403);
}

bool ConsoleImpl::Require(Visit& v, accounts::Permission p, std::string_view action,
                          std::string_view target) {
  if (accounts::Allowed(v.account, p)) return true;
  Refuse(v, action, target, accounts::RefusalText(p));
  return false;
}

HttpResponse ConsoleImpl::CallApi(const Visit& v, const std::string& method,
                                  const std::string& target, const std::string& body) {
  client::ActingAs acting(ActorOf(v.account));
  return ctx_.api.Dispatch(HttpRequest{method, target, body});
}

void ConsoleImpl::Await(const Visit& v, std::string target,
                        std::function<bool(const nlohmann::json&)> done, int max_ms,
                        std::function<void(nlohmann::json)> then) {
  auto timer = std::make_shared<boost::asio::steady_timer>(ctx_.io);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_ms);
  auto poll = std::make_shared<std::function<void()>>();
  std::weak_ptr<int> alive = alive_;
  HttpRequest get{"GET", std::move(target), ""};
  *poll = [this, alive, timer, deadline, poll, get, done = std::move(done),
           then = std::move(then)]() mutable {
    if (alive.expired()) return;
    HttpResponse r = ctx_.api.Dispatch(get);
    nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
    if (r.status == 200 && !body.is_discarded() && done(body)) {
      auto finish = std::move(then);
      *poll = nullptr;  // breaks the cycle
      finish(std::move(body));
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      auto finish = std::move(then);
      *poll = nullptr;
      finish(r.status == 200 && !body.is_discarded() ? std::move(body) : nlohmann::json());
      return;
    }
    timer->expires_after(std::chrono::milliseconds(250));
    if (awaiting_.size() >= 64)  // (those that ended without a delivery since)
      std::erase_if(awaiting_, [](const auto& weak) { return weak.expired(); });
    awaiting_.push_back(timer);
    // (Cancelled by WakeAwaiting: read again at once.)
    timer->async_wait([poll](const boost::system::error_code&) {
      if (*poll) (*poll)();
    });
  };
  (void)v;
  (*poll)();
}

void ConsoleImpl::WakeAwaiting() {
  wake_posted_ = false;
  auto timers = std::move(awaiting_);
  awaiting_.clear();
  for (const auto& weak : timers)
    if (auto timer = weak.lock()) timer->cancel();
}

void ConsoleImpl::AskLedger(
    const concord::v1::LedgerQuery& query,
    std::function<void(absl::StatusOr<concord::v1::LedgerQueryReply>)> then) {
  std::weak_ptr<int> alive = alive_;
  ctx_.bus.Ask(
      ctx_.config.petitions.ledger, query, "concord.v1.LedgerQueryReply", std::chrono::seconds(5),
      [alive, then = std::move(then)](absl::StatusOr<concord::v1::Envelope> reply) {
        if (alive.expired()) return;
        if (!reply.ok()) return then(reply.status());
        concord::v1::LedgerQueryReply r;
        if (!reply->payload().UnpackTo(&r))
          return then(
              absl::InternalError("账本应答无法解析 / the ledger's answer could not be read"));
        then(std::move(r));
      });
}

}  // namespace concord::adapter

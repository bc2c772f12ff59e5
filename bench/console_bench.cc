// concord-console-bench: clerks' sessions working at once against one
// agency's web console, with the pages reading a large shared ledger.
//
//   concord-console-bench [--items 100000] [--sessions 50] [--seconds 30]
//                         [--baseline-seconds 20] [--think-ms 200] [--http]
//                         [--cache DIR] [--quick]
//
// The district, in a temp folder, as the tests start it (tests/support, but
// with the hub's and the daemons' heartbeat as shipped, 1 s): the real
// concord-hub with the six agencies and the ledger as principals, the real
// concord-ledger-agent whose database is filled
// beforehand with --items petitions received over the last two years by six
// agencies (bench/ledger_gen.h; the deadline alerts older than --alert-days
// count as sent, so the agent's first scan announces only the last days'),
// and the procuratorate's concord-adapter with `[petitions] ledger` and
// `[console]` on 127.0.0.1 over HTTPS (a P-256 certificate made with
// `openssl req -x509`; --http: plain HTTP). Accounts are made with the
// accounts library on the adapter's agency.db, as `concordctl account add`
// does: per 10 sessions, 4 registrars (登记员), 4 handlers (承办人, named as
// the ledger's first handlers, so their 待办 has items) and 2 heads (部门负责人).
//
// Each session is a thread with its own keep-alive connection (Beast,
// TLS 1.3 verifying the certificate), its cookies, and its own source address
// 127.0.1.<n> (the console limits logins per address, as it would 50 clerks'
// PCs). All log in at once (POST /login), read the CSRF token from 待办 and
// open every page their role may open once (a warm-up: failures count, times
// do not); then, all starting together, each thinks and picks at random for
// --seconds (weights in MixOf): 待办 GET /, 信访台账 GET /petitions (page 1, or 2..10),
// a search by a two-character petitioner name substring GET /petitions?q=,
// the same with a filter (status, open only, channel or a received range),
// an item GET /petitions/item?no= (a number seen on an earlier list), and for
// registrars the form GET /petitions/new then POST /petitions/new, following
// its 303 to the new item (that GET counts as an item page). Between two
// requests a session thinks for a uniform 0..--think-ms ms. A latency is the
// time from writing the request to reading the whole response (a reconnect
// included, had the server closed the connection). A request under way when
// the time is up is finished and counted, so a phase runs a little longer.
//
// Baselines in the same run, before the concurrent phase:
//   ledger alone:  Ledger::Search / Read in this process on the pre-filled
//                  file (the same kinds of queries as the pages ask, as the
//                  procuratorate; the file read once and one round untimed
//                  first), before the agent opens it: the floor.
//   1 session:     one registrar and one handler session, used one request at
//                  a time (never concurrently) for --baseline-seconds, with the
//                  same mix and a think of 0..min(--think-ms, 200) ms (enough
//                  samples however slow the clerks): each page through the
//                  bus with no queueing. The report gives p99(N sessions) /
//                  p99(1 session).
// It prints the load average at the start and the end, the CPU seconds each
// process (hub, agent, adapter, this driver) and the rest of the machine used
// in each phase, so a noisy run shows itself, and the slowest answer of each
// process's loopback HTTP port, probed every 200 ms during each phase: that
// port is served by the process's one event loop, so a loop held up by a long
// piece of work (a batch of deliveries, a password hash) shows how long.
//
// Exit status: 1 when any request failed (a transport error, a status other
// than 2xx/3xx, a login or registration refused, a page showing the error
// the console puts there when the ledger did not answer in its 5 s), never
// because of a time.
// --quick (the ctest smoke run): 3,000 items, 5 sessions, 3 s.
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "adapters/accounts/accounts.h"
#include "agents/ledger/ledger.h"
#include "bench/ledger_gen.h"
#include "common/clock.h"
#include "common/http_client.h"
#include "common/sql.h"
#include "common/url.h"
#include "domain/calendar.h"
#include "hub/transport/curve_keys.h"
#include "tests/support/daemon.h"
#include "tests/support/district.h"

namespace concord::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace fs = std::filesystem;
using asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr char kAgency[] = "procuratorate";
constexpr char kPassword[] = "console2026";
constexpr auto kRequestTimeout = std::chrono::seconds(60);

double MsSince(SteadyClock::time_point t) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count();
}

// ---- the page kinds -------------------------------------------------------

enum Kind { kWork, kWorkMine, kList, kSearch, kFilter, kItem, kForm, kRegister, kKinds };
struct KindInfo {
  const char* name;   // in the table
  const char* title;  // 中文 / what it is
};
constexpr KindInfo kKindInfo[kKinds] = {
    {"work", "待办 GET / (registrar, head: the agency's open items)"},
    {"work/mine", "待办 GET / (handler: own open items)"},
    {"list", "信访台账 GET /petitions[?page=2..10]"},
    {"search", "检索 GET /petitions?q=<2-char name>"},
    {"search+filter", "检索+筛选 GET /petitions?q=..&status|open|channel|from,to"},
    {"item", "事项 GET /petitions/item?no="},
    {"form", "登记表 GET /petitions/new"},
    {"register", "登记提交 POST /petitions/new (303)"},
};

enum class Role { kRegistrar, kHandler, kHead };

// Relative weights of the next action, per role (a registration is the form
// then the POST). 待办 is kWork or kWorkMine by role.
struct Mix {
  int work, list, search, filter, item, registration;
};
Mix MixOf(Role r) {
  switch (r) {
    case Role::kRegistrar:
      return {15, 20, 20, 10, 25, 10};
    case Role::kHandler:
      return {20, 15, 20, 10, 35, 0};
    case Role::kHead:
      return {20, 20, 20, 15, 25, 0};
  }
  return {};
}

// Latencies per kind, and the failures, of one phase.
struct Tally {
  std::vector<double> ms[kKinds];
  std::vector<double> login_ms;
  int64_t errors = 0, unconfirmed = 0;
  std::vector<std::string> first_errors;

  void Merge(const Tally& o) {
    for (int k = 0; k < kKinds; ++k) ms[k].insert(ms[k].end(), o.ms[k].begin(), o.ms[k].end());
    login_ms.insert(login_ms.end(), o.login_ms.begin(), o.login_ms.end());
    errors += o.errors;
    unconfirmed += o.unconfirmed;
    for (const auto& e : o.first_errors)
      if (first_errors.size() < 10) first_errors.push_back(e);
  }
  // Only the failures of `o` (a warm-up's latencies are not kept).
  void MergeFailures(const Tally& o) {
    errors += o.errors;
    unconfirmed += o.unconfirmed;
    for (const auto& e : o.first_errors)
      if (first_errors.size() < 10) first_errors.push_back(e);
  }
  void Error(std::string what) {
    ++errors;
    if (first_errors.size() < 10) first_errors.push_back(std::move(what));
  }
  size_t Requests() const {
    size_t n = 0;
    for (const auto& v : ms) n += v.size();
    return n;
  }
};

// Nearest-rank percentile (`p` in 0..1) of sorted `v`; 0 when empty.
double Pct(const std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

// ---- a clerk's browser ----------------------------------------------------

std::string HtmlUnescape(std::string s) {
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
      s.replace(p, from.size(), to);
  }
  return s;
}

struct Reply {
  int status = 0;  // 0: the request did not complete (`error` says why)
  std::string body, location, error;
  std::vector<std::string> set_cookies;
  double ms = 0;
};

// One keep-alive connection from `local_ip` with a cookie jar; a request at
// a time (its own io_context, run by the calling thread).
class Browser {
 public:
  Browser(uint16_t port, ssl::context* tls, std::string local_ip)
      : port_(port), tls_ctx_(tls), local_ip_(std::move(local_ip)) {
    origin_ = absl::StrCat(tls ? "https" : "http", "://127.0.0.1:", port);
  }

  Reply Get(const std::string& target) { return Exchange(http::verb::get, target, ""); }
  Reply Post(const std::string& target, const std::string& form) {
    return Exchange(http::verb::post, target, form);
  }
  const std::string& origin() const { return origin_; }

 private:
  // Runs the started asynchronous operation to its end (or the timeout).
  template <typename Start>
  beast::error_code Run(Start start) {
    beast::error_code result = asio::error::timed_out;
    bool done = false;
    (tls_ ? beast::get_lowest_layer(*tls_) : *plain_).expires_after(kRequestTimeout);
    start([&](beast::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    io_.restart();
    io_.run();
    return done ? result : beast::error_code(asio::error::timed_out);
  }

  beast::error_code Connect() {
    tls_.reset();
    plain_.reset();
    buffer_.clear();
    const tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port_);
    const tcp::endpoint local(asio::ip::make_address(local_ip_), 0);
    beast::tcp_stream* lowest;
    if (tls_ctx_) {
      tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io_, *tls_ctx_);
      SSL_set_tlsext_host_name(tls_->native_handle(), "localhost");
      tls_->set_verify_callback(ssl::host_name_verification("localhost"));
      lowest = &beast::get_lowest_layer(*tls_);
    } else {
      plain_ = std::make_unique<beast::tcp_stream>(io_);
      lowest = plain_.get();
    }
    beast::error_code ec;
    lowest->socket().open(tcp::v4(), ec);
    if (!ec) lowest->socket().bind(local, ec);
    if (ec) return ec;
    ec = Run([&](auto done) { lowest->async_connect(server, std::move(done)); });
    if (ec || !tls_) return ec;
    return Run(
        [&](auto done) { tls_->async_handshake(ssl::stream_base::client, std::move(done)); });
  }

  Reply Exchange(http::verb verb, const std::string& target, const std::string& form) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, absl::StrCat("127.0.0.1:", port_));
    req.set(http::field::user_agent, "concord-console-bench");
    req.set(http::field::accept, "text/html");
    req.keep_alive(true);
    std::string cookie;
    for (const auto& [name, value] : cookies_)
      absl::StrAppend(&cookie, cookie.empty() ? "" : "; ", name, "=", value);
    if (!cookie.empty()) req.set(http::field::cookie, cookie);
    if (verb == http::verb::post) {
      req.set(http::field::origin, origin_);
      req.set(http::field::content_type, "application/x-www-form-urlencoded");
      req.body() = form;
    }
    req.prepare_payload();

    Reply r;
    const auto start = SteadyClock::now();
    // A connection the server closed while we thought is opened again once.
    for (int attempt = 0; attempt < 2; ++attempt) {
      beast::error_code ec;
      const bool fresh = !tls_ && !plain_;
      if (fresh) ec = Connect();
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      if (!ec)
        ec = Run([&](auto done) {
          if (tls_)
            http::async_write(*tls_, req, std::move(done));
          else
            http::async_write(*plain_, req, std::move(done));
        });
      if (!ec)
        ec = Run([&](auto done) {
          if (tls_)
            http::async_read(*tls_, buffer_, parser, std::move(done));
          else
            http::async_read(*plain_, buffer_, parser, std::move(done));
        });
      if (ec) {
        tls_.reset();
        plain_.reset();
        r.error = ec.message();
        if (!fresh) continue;  // the kept-alive connection was gone: once more
        break;
      }
      auto& res = parser.get();
      r.status = res.result_int();
      r.body = std::move(res.body());
      r.error.clear();
      for (const auto& f : res) {
        const std::string value(f.value().data(), f.value().size());
        if (f.name() == http::field::location) r.location = value;
        if (f.name() == http::field::set_cookie) r.set_cookies.push_back(value);
      }
      if (!res.keep_alive()) {
        tls_.reset();
        plain_.reset();
      }
      break;
    }
    r.ms = MsSince(start);
    for (const auto& c : r.set_cookies) Remember(c);
    return r;
  }

  // "name=value; Path=/; Max-Age=0; ...": kept, or dropped when emptied.
  void Remember(const std::string& set_cookie) {
    std::vector<std::string> parts = absl::StrSplit(set_cookie, "; ");
    if (parts.empty()) return;
    const size_t eq = parts[0].find('=');
    if (eq == std::string::npos) return;
    const std::string name = parts[0].substr(0, eq), value = parts[0].substr(eq + 1);
    const bool gone =
        value.empty() || std::find(parts.begin(), parts.end(), "Max-Age=0") != parts.end();
    if (gone)
      cookies_.erase(name);
    else
      cookies_[name] = value;
  }

  const uint16_t port_;
  ssl::context* const tls_ctx_;
  const std::string local_ip_;
  std::string origin_;
  asio::io_context io_;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_;
  std::unique_ptr<beast::tcp_stream> plain_;
  beast::flat_buffer buffer_;
  std::map<std::string, std::string> cookies_;
};

// ---- a clerk --------------------------------------------------------------

struct Person {
  std::string login, name, department;
  Role role;
};

// What the sessions share (read-only while they run).
struct Setup {
  uint16_t port = 0;
  ssl::context* tls = nullptr;
  int think_ms = 200;
  std::string year_ago, today;  // for the received-range filter
};

// A logged-in clerk: the browser, the CSRF token, the item numbers seen.
class Clerk {
 public:
  Clerk(const Setup& setup, Person person, std::string local_ip, uint64_t seed)
      : setup_(setup),
        person_(std::move(person)),
        browser_(setup.port, setup.tls, std::move(local_ip)),
        rng_(seed) {}

  const Person& person() const { return person_; }

  bool LogIn(Tally& t) {
    Reply page = browser_.Get("/login");
    if (!Check(t, page, "GET /login", false)) return false;
    Scrape(page.body);  // the login form's own CSRF token (its cookie is in the jar)
    Reply r =
        browser_.Post("/login", absl::StrCat("csrf=", PercentEncode(csrf_),
                                             "&login=", PercentEncode(person_.login),
                                             "&password=", PercentEncode(kPassword), "&next=%2F"));
    csrf_.clear();
    if (!Check(t, r, "POST /login", false)) return false;
    if (r.status != 303 || r.location != "/") {
      t.Error(absl::StrCat(person_.login, ": login refused (", r.status, "): ", Snippet(r.body)));
      return false;
    }
    t.login_ms.push_back(r.ms);
    Reply home = browser_.Get("/");
    if (!Check(t, home, "GET /", false)) return false;
    Scrape(home.body);
    return !csrf_.empty() || (t.Error(person_.login + ": no CSRF token on 待办"), false);
  }

  // One of each page the role may open.
  void Tour(Tally& t) {
    Do(t, kWork);
    Do(t, kList);
    Do(t, kSearch);
    Do(t, kFilter);
    Do(t, kItem);
    if (person_.role == Role::kRegistrar) Do(t, kForm);
  }

  // Think, then a random step, until `end`.
  void Work(Tally& t, SteadyClock::time_point end) {
    for (Think(); SteadyClock::now() < end; Think()) Do(t, Pick());
  }

  // One step chosen by the mix (kForm: the form then the POST).
  Kind Pick() {
    const Mix m = MixOf(person_.role);
    const int total = m.work + m.list + m.search + m.filter + m.item + m.registration;
    int x = std::uniform_int_distribution<int>(0, total - 1)(rng_);
    const std::pair<int, Kind> steps[] = {{m.work, kWork},
                                          {m.list, kList},
                                          {m.search, kSearch},
                                          {m.filter, kFilter},
                                          {m.item, kItem}};
    for (const auto& [w, k] : steps) {
      if (x < w) return k;
      x -= w;
    }
    return kForm;
  }

  void Think() {
    if (setup_.think_ms > 0)
      std::this_thread::sleep_for(std::chrono::microseconds(
          std::uniform_int_distribution<int>(0, setup_.think_ms * 1000)(rng_)));
  }

  void Do(Tally& t, Kind k) {
    switch (k) {
      case kWork:
      case kWorkMine: {
        const Kind kind = person_.role == Role::kHandler ? kWorkMine : kWork;
        Page(t, kind, "/");
        return;
      }
      case kList: {
        std::string target = "/petitions";
        if (Chance(30)) absl::StrAppend(&target, "?page=", Uniform(2, 10));
        Page(t, kList, target);
        return;
      }
      case kSearch:
        Page(t, kSearch, "/petitions?q=" + PercentEncode(NameFragment(Uniform(0, 599))));
        return;
      case kFilter: {
        std::string target = "/petitions?q=" + PercentEncode(NameFragment(Uniform(0, 599)));
        switch (Uniform(0, 3)) {
          case 0:
            target += "&status=accepted";
            break;
          case 1:
            target += "&open=1";
            break;
          case 2:
            target += "&channel=visit";
            break;
          default:
            absl::StrAppend(&target, "&from=", setup_.year_ago, "&to=", setup_.today);
        }
        Page(t, kFilter, target);
        return;
      }
      case kItem: {
        if (seen_.empty()) Page(t, kList, "/petitions");
        if (seen_.empty()) return t.Error(person_.login + ": no item on the list");
        const std::string& no = seen_[Uniform(0, static_cast<int>(seen_.size()) - 1)];
        Page(t, kItem, "/petitions/item?no=" + PercentEncode(no));
        return;
      }
      case kForm:
      case kRegister:
        Register(t);
        return;
      case kKinds:
        return;
    }
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Uniform(0, 99) < percent; }

  static std::string Snippet(const std::string& body) {
    std::string s = body.substr(0, 300);
    std::replace(s.begin(), s.end(), '\n', ' ');
    return s;
  }

  // A failure (no answer, or a status other than 2xx/3xx) is counted; the
  // latency only of a success, under `kind` (none when < 0).
  bool Check(Tally& t, const Reply& r, const std::string& what, bool record, Kind kind = kWork) {
    if (r.status == 0) {
      t.Error(absl::StrCat(person_.login, " ", what, ": ", r.error));
      return false;
    }
    if (r.status < 200 || r.status >= 400) {
      t.Error(absl::StrCat(person_.login, " ", what, ": HTTP ", r.status, " ", Snippet(r.body)));
      return false;
    }
    if (record) t.ms[kind].push_back(r.ms);
    return true;
  }

  // A page counts as failed, too, when it shows an error instead of what was
  // asked (the ledger did not answer within the console's 5 s, or refused).
  void Page(Tally& t, Kind kind, const std::string& target) {
    Reply r = browser_.Get(target);
    static const std::string kShown = "<div class=\"flash error\">";
    if (const size_t p = r.body.find(kShown); p != std::string::npos && r.status == 200) {
      const size_t from = p + kShown.size();
      return t.Error(absl::StrCat(person_.login, " GET ", target, ": the page says ",
                                  r.body.substr(from, r.body.find('<', from) - from), " (after ",
                                  static_cast<int>(r.ms), " ms)"));
    }
    if (Check(t, r, "GET " + target, true, kind)) Scrape(r.body);
  }

  // The CSRF token, and the item numbers linked from the page.
  void Scrape(const std::string& body) {
    static const std::string kCsrf = "name=\"csrf\" value=\"";
    if (size_t p = body.find(kCsrf); p != std::string::npos) {
      p += kCsrf.size();
      csrf_ = body.substr(p, body.find('"', p) - p);
    }
    static const std::string kLink = "href=\"/petitions/item?no=";
    for (size_t p = body.find(kLink); p != std::string::npos; p = body.find(kLink, p)) {
      p += kLink.size();
      std::string no = HtmlUnescape(body.substr(p, body.find('"', p) - p));
      if (std::find(seen_.begin(), seen_.end(), no) != seen_.end()) continue;
      if (seen_.size() >= 200) seen_.erase(seen_.begin());
      seen_.push_back(std::move(no));
    }
  }

  // The form, a think, the POST, and its 303 followed once.
  void Register(Tally& t) {
    Reply form = browser_.Get("/petitions/new");
    if (!Check(t, form, "GET /petitions/new", true, kForm)) return;
    static const std::string kIntake = "name=\"intake_id\" value=\"";
    const size_t p = form.body.find(kIntake);
    if (p == std::string::npos) return t.Error(person_.login + ": no intake_id on the form");
    const size_t from = p + kIntake.size();
    const std::string intake_id = form.body.substr(from, form.body.find('"', from) - from);
    Scrape(form.body);
    Think();
    static const char* const kMatters[] = {"拖欠工资", "征地补偿纠纷", "对不起诉决定不服",
                                           "邻里纠纷久拖未决"};
    const int n = Uniform(0, 1 << 20);
    const std::string body =
        absl::StrCat("csrf=", PercentEncode(csrf_), "&intake_id=", PercentEncode(intake_id),
                     "&channel=", Chance(50) ? "visit" : "letter",
                     "&received=", "&petitioner=", PercentEncode(PetitionerName(n)), "&contact=139",
                     20000000 + n, "&people=1&case_ref=&matter=", PercentEncode(kMatters[n % 4]));
    Reply r = browser_.Post("/petitions/new", body);
    if (!Check(t, r, "POST /petitions/new", false)) return;
    if (r.status != 303) {
      return t.Error(absl::StrCat(person_.login, " POST /petitions/new: HTTP ", r.status, " ",
                                  Snippet(r.body)));
    }
    t.ms[kRegister].push_back(r.ms);
    const bool refused = std::any_of(r.set_cookies.begin(), r.set_cookies.end(), [](auto& c) {
      return absl::StartsWith(c, "concord_flash=E");
    });
    if (refused) return t.Error(person_.login + ": the ledger refused a registration");
    if (!absl::StartsWith(r.location, "/petitions/item")) ++t.unconfirmed;  // not answered in 3 s
    Page(t, absl::StartsWith(r.location, "/petitions/item") ? kItem : kList, r.location);
  }

  const Setup& setup_;
  const Person person_;
  Browser browser_;
  std::mt19937_64 rng_;
  std::string csrf_;
  std::vector<std::string> seen_;
};

// ---- the machine ----------------------------------------------------------

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double a = 0, b = 0, c = 0;
  in >> a >> b >> c;
  char buf[64];
  snprintf(buf, sizeof buf, "%.2f, %.2f, %.2f", a, b, c);
  return buf;
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (absl::StartsWith(line, "model name")) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

// CPU seconds used so far: by each child process (by name), by this
// process, and by the whole machine (busy time of all cores).
struct CpuSample {
  std::map<std::string, double> children;
  double self = 0, machine = 0;
  SteadyClock::time_point at = SteadyClock::now();
};

CpuSample SampleCpu() {
  CpuSample s;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  const pid_t me = getpid();
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.empty() || !std::isdigit(static_cast<unsigned char>(pid[0]))) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;
    const size_t open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::vector<std::string> f = absl::StrSplit(stat.substr(close + 2), ' ');
    // After the name: state(0) ppid(1) ... utime(11) stime(12).
    if (f.size() < 13 || std::stol(f[1]) != me) continue;
    std::string name = stat.substr(open + 1, close - open - 1);  // at most 15 bytes
    if (name == "concord-ledger-") name = "concord-ledger-agent";
    s.children[name] += (std::stod(f[11]) + std::stod(f[12])) / tick;
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  s.self = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
  std::ifstream in("/proc/stat");
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  s.machine = (user + nice + system + irq + softirq + steal) / tick;
  return s;
}

void PrintCpu(const CpuSample& a, const CpuSample& b) {
  const double wall = std::chrono::duration<double>(b.at - a.at).count();
  double ours = b.self - a.self;
  printf("  CPU over %.1f s (seconds, and cores busy on average):", wall);
  for (const auto& [name, secs] : b.children) {
    auto it = a.children.find(name);
    const double used = secs - (it == a.children.end() ? 0 : it->second);
    ours += used;
    printf(" %s %.1f (%.2f);", name.c_str(), used, used / wall);
  }
  printf(" this driver %.1f (%.2f); others on the machine %.1f (%.2f) of %ld cores\n",
         b.self - a.self, (b.self - a.self) / wall, b.machine - a.machine - ours,
         (b.machine - a.machine - ours) / wall, sysconf(_SC_NPROCESSORS_ONLN));
}

// ---- the district's daemons ------------------------------------------------

// A daemon of the district as a child process, configured as
// tests/support/daemon.h does (<dir>/<name>.<bin>.toml, data in
// <dir>/<bin>-<name>/) but with the production heartbeat (1 s, offline after
// 3 s of silence) rather than the tests' 500 ms. Stopped with SIGTERM when
// destroyed.
class Daemon {
 public:
  Daemon(const testing::TestDistrict& d, const std::string& name, const std::string& bin,
         const std::string& extra_toml, const std::string& db_file) {
    const std::string dir = d.dir();
    (void)SaveCurveKeyPair(d.KeyOf(name), dir + "/keys/" + name, /*overwrite=*/true);
    const std::string config = dir + "/" + name + "." + bin + ".toml";
    const std::string data = bin + "-" + name;
    db_path_ = dir + "/" + data + "/" + db_file;
    log_ = dir + "/" + data + ".log";
    std::ofstream(config) << "[agency]\nname = \"" << name << "\"\ndisplay = \"测试机关 " << name
                          << "\"\n\n[hub]\nendpoint = \"" << d.endpoint() << "\"\npublic_key = \""
                          << d.hub_public_key() << "\"\n\n[keys]\nsecret_key = \"keys/" << name
                          << ".key\"\n\n[storage]\ndata_dir = \"" << data
                          << "\"\n\n[http]\naddress = \"127.0.0.1\"\nport = 0\n\n"
                          << extra_toml;
    const std::string ready = config + ".ready";
    fs::remove(ready);
    pid_ = testing::SpawnLogged(testing::BinPath(bin), {"--config", config, "--ready-file", ready},
                                log_);
    auto running = [&] { return waitpid(pid_, nullptr, WNOHANG) == 0; };
    if (!testing::WaitFor([&] { return fs::exists(ready) || !running(); }, 60000) ||
        !fs::exists(ready))
      return;
    std::istringstream in(testing::ReadFile(ready));
    for (std::string line; std::getline(in, line);) {
      if (absl::StartsWith(line, "http_port=")) port_ = std::stoi(line.substr(10));
      if (absl::StartsWith(line, "console_port=")) console_port_ = std::stoi(line.substr(13));
    }
  }
  ~Daemon() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    if (!testing::WaitFor([&] { return waitpid(pid_, nullptr, WNOHANG) == pid_; }, 10000)) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  bool ok() const { return port_ != 0; }
  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  uint16_t console_port() const { return console_port_; }
  const std::string& db_path() const { return db_path_; }
  std::string log() const { return testing::ReadFile(log_); }
  // GET on its loopback API, parsed; null when that fails.
  nlohmann::json Get(const std::string& target) const {
    auto r = HttpCall("127.0.0.1", port_, "GET", target);
    if (!r.ok() || r->status != 200) return nullptr;
    return nlohmann::json::parse(r->body, nullptr, false);
  }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0, console_port_ = 0;
  std::string db_path_, log_;
};

// ---- the event loops ------------------------------------------------------

// While a phase runs, asks each process's loopback HTTP port (served by its
// one event loop thread: the hub's metrics, the daemons' API) every 200 ms,
// so that a loop that stops answering (blocked by a long handler, or not
// scheduled) shows with how long and when.
class LoopProbe {
 public:
  struct Target {
    std::string name;
    uint16_t port;
    std::string path;
  };
  explicit LoopProbe(std::vector<Target> targets) : targets_(std::move(targets)) {
    worst_.resize(targets_.size());
    for (size_t i = 0; i < targets_.size(); ++i)
      threads_.emplace_back([this, i] {
        while (!stop_) {
          const auto t = SteadyClock::now();
          (void)HttpCall("127.0.0.1", targets_[i].port, "GET", targets_[i].path);
          const double ms = MsSince(t);
          {
            std::lock_guard<std::mutex> lock(mu_);
            Worst& w = worst_[i];
            ++w.probes;
            if (ms > 1000) ++w.over_1s;
            if (ms > w.ms) {
              w.ms = ms;
              w.at = t;
            }
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
      });
  }
  ~LoopProbe() { Stop(); }

  void Stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

  // "hub 12 ms, ..." with the slowest answer of each, seconds into the phase.
  void Print(SteadyClock::time_point phase_start) {
    Stop();
    printf("  slowest answer of each event loop (probed every 200 ms):");
    for (size_t i = 0; i < targets_.size(); ++i) {
      const Worst& w = worst_[i];
      printf(" %s %.0f ms at +%.1f s (%d of %d probes over 1 s);", targets_[i].name.c_str(), w.ms,
             std::chrono::duration<double>(w.at - phase_start).count(), w.over_1s, w.probes);
    }
    printf("\n");
  }

 private:
  struct Worst {
    double ms = 0;
    SteadyClock::time_point at{};
    int probes = 0, over_1s = 0;
  };
  const std::vector<Target> targets_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Worst> worst_;  // guarded by mu_
  std::vector<std::thread> threads_;
};

// ---- the phases -----------------------------------------------------------

// Every clerk on a thread of its own: log in, the tour, then the mix until
// `seconds` after all logged in.
Tally RunSessions(const Setup& setup, const std::vector<Person>& people, int seconds, uint64_t seed,
                  CpuSample* start_sample) {
  const size_t n = people.size();
  std::vector<std::unique_ptr<Clerk>> clerks;
  for (size_t i = 0; i < n; ++i)
    clerks.push_back(std::make_unique<Clerk>(setup, people[i], absl::StrCat("127.0.1.", i + 1),
                                             seed * 1000 + i));
  std::vector<Tally> tallies(n), warmups(n);
  std::vector<char> ok(n, 0);
  // Logins (Argon2id, on the console's one thread) and each page once, not
  // timed; then everybody starts the mix at the same moment, each after a
  // think.
  {
    std::vector<std::thread> threads;
    for (size_t i = 0; i < n; ++i)
      threads.emplace_back([&, i] {
        ok[i] = clerks[i]->LogIn(warmups[i]);
        if (ok[i]) clerks[i]->Tour(warmups[i]);
      });
    for (auto& t : threads) t.join();
  }
  *start_sample = SampleCpu();
  const auto end = SteadyClock::now() + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      if (ok[i]) clerks[i]->Work(tallies[i], end);
    });
  for (auto& t : threads) t.join();
  Tally all;
  for (auto& t : warmups) {
    all.MergeFailures(t);
    all.login_ms.insert(all.login_ms.end(), t.login_ms.begin(), t.login_ms.end());
  }
  for (auto& t : tallies) all.Merge(t);
  return all;
}

// One registrar and one handler, one request at a time.
Tally RunBaseline(const Setup& setup, const Person& registrar, const Person& handler, int seconds,
                  uint64_t seed) {
  Tally t, warmup;
  Clerk a(setup, registrar, "127.0.2.1", seed), b(setup, handler, "127.0.2.2", seed + 1);
  const bool ok = a.LogIn(warmup) && b.LogIn(warmup);
  if (ok) {
    a.Tour(warmup);
    b.Tour(warmup);
    std::mt19937_64 rng(seed + 2);
    const auto end = SteadyClock::now() + std::chrono::seconds(seconds);
    for (a.Think(); SteadyClock::now() < end; a.Think()) {
      Clerk& c = std::uniform_int_distribution<int>(0, 1)(rng) ? a : b;
      c.Do(t, c.Pick());
    }
  }
  t.MergeFailures(warmup);
  t.login_ms = warmup.login_ms;
  return t;
}

// ---- the ledger alone -----------------------------------------------------

struct Floor {
  std::vector<double> ms[kKinds];
};

// The same kinds of reads as the pages ask, on the ledger in this process.
Floor MeasureLedger(ledger::Ledger& ledger, int64_t now, int rounds) {
  Floor f;
  const ledger::Reader reader{.agency = kAgency};
  std::mt19937_64 rng(7);
  auto search = [&](Kind k, const ledger::SearchQuery& q) {
    const auto t = SteadyClock::now();
    auto r = ledger.Search(q, reader, now);
    f.ms[k].push_back(MsSince(t));
    return r.ok() ? r->items : std::vector<ledger::ItemView>{};
  };
  std::vector<std::string> numbers;
  for (int i = 0; i < rounds; ++i) {
    const std::string name = NameFragment(std::uniform_int_distribution<int>(0, 599)(rng));
    search(kWork, {.agency = kAgency, .open_only = true, .limit = 100, .by_due = true});
    search(kWorkMine, {.handler = "承办人" + std::to_string(i % 20),
                       .open_only = true,
                       .limit = 100,
                       .by_due = true});
    for (const auto& item : search(kList, {.limit = 50, .offset = 50 * (i % 3)}))
      numbers.push_back(item.ledger_no);
    search(kSearch, {.text = name, .limit = 50});
    search(kFilter, {.text = name, .open_only = true, .limit = 50});
  }
  for (size_t i = 0; i < numbers.size() && i < static_cast<size_t>(rounds); ++i) {
    const auto t = SteadyClock::now();
    (void)ledger.Read(numbers[i * 7 % numbers.size()], reader, now);
    f.ms[kItem].push_back(MsSince(t));
  }
  for (auto& v : f.ms) std::sort(v.begin(), v.end());
  return f;
}

// Reads `path` through once, so that a file reused from --cache (or just
// copied) is in the page cache, as an agent that has been running has it.
void ReadThrough(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buf(1 << 20);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
  }
}

// ---- the report -----------------------------------------------------------

void PrintPhase(const char* title, Tally& t, double seconds) {
  for (auto& v : t.ms) std::sort(v.begin(), v.end());
  std::sort(t.login_ms.begin(), t.login_ms.end());
  std::vector<double> all;
  for (const auto& v : t.ms) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  printf("%s: %zu requests in %.1f s = %.1f req/s; %lld errors\n", title, all.size(), seconds,
         all.size() / seconds, static_cast<long long>(t.errors));
  printf("  %-14s %7s %9s %9s %9s %9s   %s\n", "page 页面", "count", "p50 ms", "p90 ms", "p99 ms",
         "max ms", "");
  auto row = [](const char* name, const std::vector<double>& v, const char* what) {
    if (v.empty()) return;
    printf("  %-14s %7zu %9.1f %9.1f %9.1f %9.1f   %s\n", name, v.size(), Pct(v, 0.5), Pct(v, 0.9),
           Pct(v, 0.99), v.back(), what);
  };
  for (int k = 0; k < kKinds; ++k) row(kKindInfo[k].name, t.ms[k], kKindInfo[k].title);
  row("all pages", all, "全部页面 / every request above");
  row("login", t.login_ms, "登录 POST /login (Argon2id), before the timed mix");
  if (t.unconfirmed)
    printf("  %lld registrations were not confirmed by the ledger within the console's 3 s\n",
           static_cast<long long>(t.unconfirmed));
  for (const auto& e : t.first_errors) printf("  error: %s\n", e.c_str());
}

int Main(int argc, char** argv) {
  CLI::App app{"concord-console-bench: clerks' sessions at once against one agency's console"};
  int items = 100000, sessions = 50, seconds = 30, baseline_seconds = 20, think_ms = 200,
      alert_days = 7;
  bool quick = false, plain = false;
  std::string cache,
      calendar = std::string(CONCORD_SOURCE_DIR) + "/deploy/calendar/cn-holidays.txt";
  app.add_option("--items", items, "petitions in the ledger");
  app.add_option("--sessions", sessions, "concurrent sessions (1..250)");
  app.add_option("--seconds", seconds, "duration of the concurrent phase");
  app.add_option("--baseline-seconds", baseline_seconds, "duration of the 1-session phase");
  app.add_option("--think-ms", think_ms, "think time between requests: uniform 0..this");
  app.add_option("--alert-days", alert_days, "the agent announces the alerts of these last days");
  app.add_option("--cache", cache, "keep the pre-filled ledger here and reuse it (same day, size)");
  app.add_option("--calendar", calendar);
  app.add_flag("--http", plain, "plain HTTP on loopback instead of HTTPS");
  app.add_flag("--quick", quick, "smoke run: 3,000 items, 5 sessions, 3 s");
  CLI11_PARSE(app, argc, argv);
  setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows as it happens, also in a file
  if (quick) {
    items = 3000;
    sessions = 5;
    seconds = 3;
    baseline_seconds = 1;
  }
  sessions = std::clamp(sessions, 1, 250);

  printf(
      "concord-console-bench: %d items, %d sessions for %d s (1-session baseline %d s), think "
      "0..%d ms, %s\n",
      items, sessions, seconds, baseline_seconds, think_ms, plain ? "HTTP" : "HTTPS");
  printf("machine: %s, %ld cores; load average at start %s\n", CpuModel().c_str(),
         sysconf(_SC_NPROCESSORS_ONLN), LoadAverage().c_str());

  auto cal = HolidayCalendar::Load(calendar);
  if (!cal.ok()) {
    fprintf(stderr, "%s\n", std::string(cal.status().message()).c_str());
    return 2;
  }
  const int64_t now = SystemClock::Get().NowMs();
  const int64_t start = StartOfDayMs(DateOf(now)) - 730 * kDayMs;

  // The district's folder, and the ledger agent's database filled beforehand.
  // Every agency the ledger writes to is a principal (the hub keeps their
  // alerts and events while they are offline); the hub's [limits] as shipped
  // (deploy/examples/hub.toml), not the tests' faster heartbeat.
  std::vector<std::string> principals = LedgerGenAgencies();
  principals.push_back("ledger:ledger");
  testing::TestDistrict d(principals);
  d.SetLimits("heartbeat_ms = 1000\nack_timeout_ms = 5000\n");
  const std::string ledger_dir = d.dir() + "/concord-ledger-agent-ledger";
  fs::create_directories(ledger_dir);
  const std::string ledger_db = ledger_dir + "/ledger.db";
  std::string built = ledger_db;
  if (!cache.empty()) {
    fs::create_directories(cache);
    built = absl::StrCat(cache, "/console-ledger-", items, "-", FormatDate(DateOf(start)), ".db");
  }
  Floor floor;
  {
    const bool reuse = !cache.empty() && fs::exists(built);
    if (!reuse)
      for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(built + suffix);
    auto db = sql::Db::Open(built);
    if (!db.ok()) {
      fprintf(stderr, "%s: %s\n", built.c_str(), std::string(db.status().message()).c_str());
      return 2;
    }
    auto ledger = ledger::Ledger::Open(*db, *cal);
    if (!ledger.ok()) {
      fprintf(stderr, "ledger: %s\n", std::string(ledger.status().message()).c_str());
      return 2;
    }
    if (reuse) {
      printf("ledger: reusing %s\n", built.c_str());
    } else {
      const auto t0 = SteadyClock::now();
      BuildLedger(**ledger, *db, items, start);
      const size_t alerts = (*ledger)->Scan(now - alert_days * kDayMs).size();
      printf("ledger: %d items filled in %.1f s (%zu alerts up to %d days ago marked sent)\n",
             items, MsSince(t0) / 1000, alerts, alert_days);
    }
    ReadThrough(built);
    (void)MeasureLedger(**ledger, now, 2);  // warm-up, not kept
    floor = MeasureLedger(**ledger, now, quick ? 3 : 15);
  }
  if (built != ledger_db)
    for (const char* suffix : {"", "-wal"})
      if (fs::exists(built + suffix))
        fs::copy_file(built + suffix, ledger_db + suffix, fs::copy_options::overwrite_existing);
  ReadThrough(ledger_db);

  // The district.
  if (auto st = d.StartHub(); !st.ok()) {
    fprintf(stderr, "%s\n", std::string(st.message()).c_str());
    return 2;
  }
  const std::string cert = d.dir() + "/console.crt", key = d.dir() + "/console.key";
  if (!plain) {
    const auto made = testing::RunCommand(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
        "-subj /CN=localhost -addext subjectAltName=DNS:localhost -keyout " +
        key + " -out " + cert);
    if (made.exit_code != 0) {
      fprintf(stderr, "openssl: %s\n", made.out.c_str());
      return 2;
    }
  }
  const auto agent_started = SteadyClock::now();
  Daemon ledger_agent(d, "ledger", "concord-ledger-agent",
                      "[ledger]\ncalendar = \"" + calendar + "\"\nsupervisors = [\"plc\"]\n",
                      "ledger.db");
  std::string console =
      "[petitions]\nledger = \"ledger\"\n\n[console]\naddress = \"127.0.0.1\"\nport = 0\n"
      "agencies = { petition = \"上州区信访局\", procuratorate = \"上州区人民检察院\", court = "
      "\"上州区人民法院\", police = \"上州区公安分局\", justice = \"上州区司法局\", plc = "
      "\"上州区委政法委\" }\n";
  if (!plain) console += "cert = \"" + cert + "\"\nkey = \"" + key + "\"\n";
  Daemon adapter(d, kAgency, "concord-adapter", console, "agency.db");
  if (!ledger_agent.ok() || !adapter.ok() || adapter.console_port() == 0) {
    fprintf(stderr, "the district did not start:\n--- ledger:\n%s\n--- adapter:\n%s\n",
            ledger_agent.log().c_str(), adapter.log().c_str());
    return 2;
  }

  // The people: per 10 sessions 4 registrars, 4 handlers, 2 heads; and the
  // baseline's registrar and handler.
  std::vector<Person> people;
  for (int i = 0; i < sessions; ++i) {
    const int slot = i % 10;
    const Role role = slot < 4 ? Role::kRegistrar : slot < 8 ? Role::kHandler : Role::kHead;
    const std::string n = std::to_string(i + 1);
    if (role == Role::kRegistrar)
      people.push_back({"dengji" + n, "登记员" + n, "控告申诉检察部", role});
    else if (role == Role::kHandler)
      people.push_back({"chengban" + n, "承办人" + std::to_string(i % 60), "控告申诉检察部", role});
    else
      people.push_back({"fuze" + n, "负责人" + n, "控告申诉检察部", role});
  }
  const Person base_registrar{"base-dengji", "登记员甲", "控告申诉检察部", Role::kRegistrar};
  const Person base_handler{"base-chengban", "承办人7", "控告申诉检察部", Role::kHandler};
  {
    auto db = sql::Db::Open(adapter.db_path());
    if (!db.ok()) {
      fprintf(stderr, "%s: %s\n", adapter.db_path().c_str(),
              std::string(db.status().message()).c_str());
      return 2;
    }
    auto book = accounts::Accounts::Open(*db, SystemClock::Get());
    if (!book.ok()) {
      fprintf(stderr, "accounts: %s\n", std::string(book.status().message()).c_str());
      return 2;
    }
    std::vector<Person> all = people;
    all.push_back(base_registrar);
    all.push_back(base_handler);
    for (const Person& p : all) {
      const accounts::Role role = p.role == Role::kRegistrar ? accounts::Role::kRegistrar
                                  : p.role == Role::kHandler ? accounts::Role::kHandler
                                                             : accounts::Role::kHead;
      if (auto st = (*book)->Add({p.login, p.name, p.department, {role}, kPassword}, "bench");
          !st.ok()) {
        fprintf(stderr, "account %s: %s\n", p.login.c_str(), std::string(st.message()).c_str());
        return 2;
      }
    }
  }

  // The agent's first scan (after 5 s) announces the last days' alerts: wait
  // for it, then until the adapter's inbox stops growing.
  {
    std::this_thread::sleep_until(agent_started + std::chrono::seconds(7));
    int64_t last = -1;
    auto stable_since = SteadyClock::now();
    const auto give_up = SteadyClock::now() + std::chrono::seconds(120);
    while (SteadyClock::now() < give_up) {
      const auto health = adapter.Get("/health");
      const int64_t received = health.is_object() ? health.value("received", int64_t{-1}) : -1;
      if (received != last) {
        last = received;
        stable_since = SteadyClock::now();
      } else if (received >= 0 && SteadyClock::now() - stable_since > std::chrono::seconds(3)) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    printf(
        "district up: hub (pid %d), ledger agent (pid %d), %s's adapter (pid %d) with its "
        "console on port %u; %lld messages in the adapter's inbox (the alerts of the last %d "
        "days)\n",
        d.hub_pid(), ledger_agent.pid(), kAgency, adapter.pid(),
        static_cast<unsigned>(adapter.console_port()), static_cast<long long>(last), alert_days);
  }

  ssl::context tls(ssl::context::tls_client);
  if (!plain) {
    tls.load_verify_file(cert);
    tls.set_verify_mode(ssl::verify_peer);
  }
  Setup setup;
  setup.port = adapter.console_port();
  setup.tls = plain ? nullptr : &tls;
  setup.think_ms = std::max(0, think_ms);
  setup.year_ago = FormatDate(DateOf(now - 365 * kDayMs));
  setup.today = FormatDate(DateOf(now));

  // The phases.
  printf(
      "\nledger alone (Ledger::Search / Read in this process, as %s, before the agent "
      "started):\n",
      kAgency);
  for (int k : {kWork, kWorkMine, kList, kSearch, kFilter, kItem})
    if (!floor.ms[k].empty())
      printf("  %-14s %3zu queries: median %6.1f ms, max %6.1f ms\n", kKindInfo[k].name,
             floor.ms[k].size(), Pct(floor.ms[k], 0.5), floor.ms[k].back());

  const std::vector<LoopProbe::Target> loops = {{"hub", d.metrics_port(), "/metrics"},
                                                {"ledger agent", ledger_agent.port(), "/health"},
                                                {"adapter", adapter.port(), "/health"}};
  const CpuSample b0 = SampleCpu();
  const auto bt = SteadyClock::now();
  LoopProbe base_probe(loops);
  Setup one = setup;
  one.think_ms = std::min(setup.think_ms, 200);
  Tally base = RunBaseline(one, base_registrar, base_handler, baseline_seconds, 1);
  const double base_secs = MsSince(bt) / 1000;
  const CpuSample b1 = SampleCpu();
  printf("\n");
  PrintPhase("1 session (a registrar and a handler, one request at a time)", base, base_secs);
  PrintCpu(b0, b1);
  base_probe.Print(bt);

  CpuSample c0;
  const auto ct = SteadyClock::now();
  LoopProbe load_probe(loops);
  Tally load = RunSessions(setup, people, seconds, 2, &c0);
  const CpuSample c1 = SampleCpu();
  const double load_secs = std::chrono::duration<double>(c1.at - c0.at).count();
  printf("\n");
  PrintPhase(absl::StrCat(sessions, " sessions at once").c_str(), load, load_secs);
  PrintCpu(c0, c1);
  printf("  (logins and the warm-up from +0 s, the timed mix from +%.1f s)\n",
         std::chrono::duration<double>(c0.at - ct).count());
  load_probe.Print(ct);

  // The table the README keeps.
  printf("\n%-14s %12s %12s %12s %12s %10s %10s\n", "page 页面", "1: p50 ms", "1: p99 ms",
         absl::StrCat(sessions, ": p50 ms").c_str(), absl::StrCat(sessions, ": p99 ms").c_str(),
         "p99 ratio", "ledger ms");
  for (int k = 0; k < kKinds; ++k) {
    const auto &one = base.ms[k], &many = load.ms[k];
    if (one.empty() && many.empty()) continue;
    const double ratio = Pct(one, 0.99) > 0 ? Pct(many, 0.99) / Pct(one, 0.99) : 0;
    char alone[32] = "";
    if (!floor.ms[k].empty()) snprintf(alone, sizeof alone, "%.1f", Pct(floor.ms[k], 0.5));
    printf("%-14s %12.1f %12.1f %12.1f %12.1f %10.2f %10s\n", kKindInfo[k].name, Pct(one, 0.5),
           Pct(one, 0.99), Pct(many, 0.5), Pct(many, 0.99), ratio, alone);
  }
  printf("load average at end %s\n", LoadAverage().c_str());

  const int64_t errors = base.errors + load.errors;
  if (errors > 0) {
    printf("FAIL: %lld requests failed\n", static_cast<long long>(errors));
    fprintf(stderr, "--- adapter log (tail):\n%s\n",
            adapter.log()
                .substr(adapter.log().size() > 4000 ? adapter.log().size() - 4000 : 0)
                .c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace concord::bench

int main(int argc, char** argv) { return concord::bench::Main(argc, argv); }

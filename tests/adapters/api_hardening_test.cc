// Issue 16, findings 2 to 4, against the real daemons: the adapter's HTTP API
// survives deep JSON and thousands of idle connections, refuses what a web
// page or a stranger could send it, and every publish ends (413 at once, or
// failed in /outbox; a retried publish with its Idempotency-Key is one
// message).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/http_client.h"
#include "tests/support/daemon.h"
#include "tests/support/district.h"

namespace concord::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

json Note(const std::string& to, const std::string& body) {
  return {{"to", {to}},
          {"type", "concord.v1.TextNote"},
          {"payload", {{"subject", "测试"}, {"body", body}}}};
}

int64_t Ms(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// CPU seconds (user + system) process `pid` has used.
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i == 14 || i == 15) ticks += std::stod(field);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A raw request with whatever headers a test wants (HttpCall sets its own).
HttpResult Raw(uint16_t port, const std::string& request) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  boost::system::error_code ec;
  s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return {0, ec.message()};
  asio::write(s, asio::buffer(request), ec);
  std::string answer;
  char chunk[4096];
  for (size_t n; (n = s.read_some(asio::buffer(chunk), ec)) > 0 || !ec;) answer.append(chunk, n);
  HttpResult r;
  if (answer.size() > 12) r.status = std::stoi(answer.substr(9, 3));
  const size_t body = answer.find("\r\n\r\n");
  if (body != std::string::npos) r.body = answer.substr(body + 4);
  return r;
}

std::string Post(const std::string& path, const std::string& headers, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// A JSON body nested 100,000 deep is refused (400) before anything parses or
// serialises it, and the adapter goes on serving; brackets inside a string
// are text, not nesting.
TEST(ApiHardeningTest, DeepJsonIsRefusedAndTheAdapterLives) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  DaemonProcess a(d, "a");
  ASSERT_TRUE(a.ok());
  const std::string deep = R"({"to":["b"],"type":"concord.v1.TextNote","payload":{"subject":)" +
                           std::string(100000, '[') + std::string(100000, ']') + "}}";
  HttpResult r = a.Call("POST", "/publish", deep);
  EXPECT_EQ(r.status, 400) << r.body.substr(0, 300);
  EXPECT_NE(r.body.find("JSON 嵌套过深 / JSON nested deeper than 64 levels"), std::string::npos)
      << r.body;
  r = a.Call("POST", "/inbox/ack", std::string(100000, '[') + std::string(100000, ']'));
  EXPECT_EQ(r.status, 400) << r.body.substr(0, 300);

  const std::string brackets(5000, '[');
  r = a.Post("/publish", Note("b", brackets));
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(a.Get("/outbox").value("failed", json::array()).size(), 0u) << a.log();
}

// 2,000 idle connections (more than the adapter has descriptors for) neither
// spin the adapter nor lock a caller out: a normal request is answered at
// once, in the place of an idle connection.
TEST(ApiHardeningTest, IdleConnectionsNeitherSpinNorLockOut) {
  rlimit mine{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &mine), 0);
  if (mine.rlim_max != RLIM_INFINITY && mine.rlim_max < 2600)
    GTEST_SKIP() << "RLIMIT_NOFILE hard limit " << mine.rlim_max << " < 2600";
  rlimit raised = mine;
  raised.rlim_cur = std::max<rlim_t>(mine.rlim_cur, 2600);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &raised), 0);

  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  DaemonProcess a(d, "a");
  ASSERT_TRUE(a.ok());
  // As under a unit without LimitNOFILE: fewer descriptors than the
  // connections about to come (and than the per-address cap of 256).
  rlimit low{200, 200};
  ASSERT_EQ(prlimit(a.pid(), RLIMIT_NOFILE, &low, nullptr), 0);

  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::socket> idle;
  for (int i = 0; i < 2000; ++i) {
    idle.emplace_back(io);
    boost::system::error_code ec;
    idle.back().connect({boost::asio::ip::make_address("127.0.0.1"), a.port()}, ec);
    ASSERT_FALSE(ec) << i << ": " << ec.message();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the adapter takes them in
  const double cpu_before = CpuSeconds(a.pid());
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const double cpu = CpuSeconds(a.pid()) - cpu_before;
  EXPECT_LT(cpu, 0.5) << "the adapter spun for " << cpu << " s of 2 s";

  const auto start = Clock::now();
  HttpResult r = a.Call("GET", "/outbox");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_LT(Ms(Clock::now() - start), 2000);
  EXPECT_NE(a.log().find("accept"), std::string::npos);  // it ran out, and said so
  idle.clear();
  EXPECT_EQ(a.Get("/health").value("agency", ""), "a");
  setrlimit(RLIMIT_NOFILE, &mine);
}

// What a web page in a clerk's browser, a rebinding DNS name or another
// local user can send is refused before any route runs, each with a
// "中文 / English" error; the right token on a JSON POST goes through.
TEST(ApiHardeningTest, ForeignRequestsAreRefused) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  DaemonProcess a(d, "a");
  ASSERT_TRUE(a.ok());
  const std::string body = Note("b", "跨站").dump();
  const std::string auth = "Authorization: Bearer " + a.token() + "\r\n";
  const std::string json_type = "Content-Type: application/json\r\n";
  const std::string host = "Host: 127.0.0.1:" + std::to_string(a.port()) + "\r\n";
  struct Case {
    const char* what;
    std::string request;
    int status;
    const char* error;
  };
  const std::vector<Case> cases = {
      {"text/plain POST", Post("/publish", host + auth + "Content-Type: text/plain\r\n", body), 415,
       "请求体须为 JSON / the body must be sent as Content-Type: application/json"},
      {"form POST",
       Post("/publish", host + auth + "Content-Type: application/x-www-form-urlencoded\r\n", body),
       415, "请求体须为 JSON"},
      {"foreign Host", Post("/publish", "Host: evil.example:7201\r\n" + auth + json_type, body),
       421, "本服务器不接受这个主机名 / misdirected request"},
      {"foreign Origin",
       Post("/publish", host + auth + json_type + "Origin: http://evil.example\r\n", body), 403,
       "拒绝跨站请求 / cross-origin request refused"},
      {"no token", Post("/publish", host + json_type, body), 401,
       "需要 API 令牌 / API token required"},
      {"wrong token",
       Post("/publish", host + json_type + "Authorization: Bearer " + std::string(64, '0') + "\r\n",
            body),
       401, "需要 API 令牌 / API token required"},
      {"no token on a read", "GET /inbox HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n", 401,
       "需要 API 令牌"},
  };
  for (const Case& c : cases) {
    HttpResult r = Raw(a.port(), c.request);
    EXPECT_EQ(r.status, c.status) << c.what << ": " << r.body;
    json j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << c.what << ": " << r.body;
    EXPECT_NE(j.value("error", "").find(c.error), std::string::npos) << c.what << ": " << r.body;
  }
  EXPECT_EQ(a.Get("/outbox")["pending"], 0);  // none of them was queued

  // Its own origin, the token and JSON: accepted.
  HttpResult ok = Raw(a.port(), Post("/publish",
                                     host + auth + json_type + "Origin: http://127.0.0.1:" +
                                         std::to_string(a.port()) + "\r\n",
                                     body));
  EXPECT_EQ(ok.status, 202) << ok.body;
  // Health and metrics stay open on loopback.
  EXPECT_EQ(Raw(a.port(), "GET /healthz HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n").status,
            200);
  // The hub's dead letters hold envelopes: its token too.
  auto dead = HttpCall("127.0.0.1", d.metrics_port(), "GET", "/deadletters");
  ASSERT_TRUE(dead.ok());
  EXPECT_EQ(dead->status, 401) << dead->body;
  EXPECT_EQ(json::parse(d.HubHttp("/deadletters"), nullptr, false), json::array());
}

// A 10 MB publish is refused at once (413, the body limit), one under the
// body limit but over the hub's frame limit too (413, the frame check), and
// neither is queued.
TEST(ApiHardeningTest, OversizedPublishEndsAt413AtOnce) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  DaemonProcess a(d, "a");
  ASSERT_TRUE(a.ok());
  auto start = Clock::now();
  HttpResult r = a.Post("/publish", Note("b", std::string(10 << 20, 'x')));
  EXPECT_EQ(r.status, 413) << r.body.substr(0, 300);
  EXPECT_NE(r.body.find("请求体过大 / request body too large"), std::string::npos) << r.body;
  EXPECT_LT(Ms(Clock::now() - start), 3000);

  r = a.Post("/publish", Note("b", std::string((1 << 20) + 1000, 'x')));
  EXPECT_EQ(r.status, 413) << r.body.substr(0, 300);
  EXPECT_NE(r.body.find("消息过大 / message too large"), std::string::npos) << r.body;
  const json outbox = a.Get("/outbox");
  EXPECT_EQ(outbox["pending"], 0);
  EXPECT_EQ(outbox["failed"].size(), 0u);
}

// A publish queued while the hub was down, which the hub's (smaller) frame
// limit then cannot take, ends as failed in /outbox with the reason, instead
// of being re-sent for ever; once the limit is known, the next one gets 413.
TEST(ApiHardeningTest, PublishOverTheHubsLimitEndsFailedInOutbox) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  DaemonProcess a(d, "a");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(WaitFor([&] { return a.Get("/health").value("connected", false); }));
  d.KillHub();
  ASSERT_TRUE(WaitFor([&] { return !a.Get("/health").value("connected", true); }));
  HttpResult r = a.Post("/publish", Note("b", std::string(100000, 'x')));
  ASSERT_EQ(r.status, 202) << r.body;  // under the 1 MiB the last hub announced
  const std::string id = json::parse(r.body)["id"];
  d.SetLimits("max_frame_bytes = 65536");
  ASSERT_TRUE(d.StartHub().ok());
  json outbox;
  ASSERT_TRUE(WaitFor(
      [&] {
        outbox = a.Get("/outbox");
        return outbox.is_object() && outbox["failed"].size() == 1;
      },
      15000))
      << outbox.dump() << "\n"
      << a.log();
  EXPECT_EQ(outbox["failed"][0]["id"], id);
  EXPECT_EQ(outbox["failed"][0]["code"], "RESOURCE_EXHAUSTED");
  EXPECT_NE(outbox["failed"][0]["reason"].get<std::string>().find("65536"), std::string::npos)
      << outbox.dump();
  EXPECT_EQ(outbox["pending"], 0);

  ASSERT_TRUE(WaitFor([&] { return a.Get("/health").value("connected", false); }));
  r = a.Post("/publish", Note("b", std::string(100000, 'x')));
  EXPECT_EQ(r.status, 413) << r.body;
}

// The same publish retried with its Idempotency-Key (also after the adapter
// restarted) is one message at the receiver; the key with another body is
// refused (422).
TEST(ApiHardeningTest, RetriedPublishWithIdempotencyKeyIsOneMessage) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  auto a = std::make_unique<DaemonProcess>(d, "a");
  DaemonProcess b(d, "b");
  ASSERT_TRUE(a->ok() && b.ok());
  const std::string body = Note("b", "只此一条").dump();
  auto publish = [&](const std::string& key, const std::string& text) {
    return Raw(a->port(), Post("/publish",
                               "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
                               "Authorization: Bearer " +
                                   a->token() + "\r\nIdempotency-Key: " + key + "\r\n",
                               text));
  };
  HttpResult first = publish("k-1", body);
  ASSERT_EQ(first.status, 202) << first.body;
  const std::string id = json::parse(first.body)["id"];
  HttpResult again = publish("k-1", body);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body)["id"], id);

  a.reset();  // SIGTERM; the key is in its database
  a = std::make_unique<DaemonProcess>(d, "a");
  ASSERT_TRUE(a->ok());
  again = publish("k-1", body);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body)["id"], id);
  HttpResult other = publish("k-1", Note("b", "另一条").dump());
  EXPECT_EQ(other.status, 422) << other.body;
  EXPECT_NE(other.body.find("Idempotency-Key"), std::string::npos);

  ASSERT_TRUE(
      WaitFor([&] { return b.Get("/inbox").value("messages", json::array()).size() >= 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const json messages = b.Get("/inbox")["messages"];
  ASSERT_EQ(messages.size(), 1u) << messages.dump();
  EXPECT_EQ(messages[0]["id"], id);
}

}  // namespace
}  // namespace concord::testing

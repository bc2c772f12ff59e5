// The browser chain end to end without the console: a real HTTP server on
// 127.0.0.1 (common/http_server.h) serves a Chinese page with a form, and
// tests/browser/smoke.mjs fills it in through chromium, submits it, checks
// the answer and saves smoke.png.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/html_template.h"
#include "common/http_server.h"
#include "tests/support/browser.h"

namespace concord::testing {
namespace {

HttpResponse Html(int status, const std::string& title, const std::string& body) {
  return {.status = status,
          .content_type = "text/html; charset=utf-8",
          .body = absl::StrCat("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
                               "<title>", title, "</title><style>",
                               "body{font-family:sans-serif;margin:2em;max-width:40em}",
                               "label{display:block;margin-top:1em}",
                               "input,select,textarea{width:100%;font-size:1em}",
                               "#result{border:1px solid #393;padding:1em;background:#efe}",
                               "</style></head><body>", body, "</body></html>")};
}

const char kForm[] = R"(<h1>上州区信访登记（测试页）</h1>
<form method="post" action="/submit">
  <label for="name">姓名</label><input id="name" name="name" required>
  <label for="agency">接收机关</label>
  <select id="agency" name="agency">
    <option value="shangzhou.petition">上州区信访局</option>
    <option value="shangzhou.procuratorate">上州区人民检察院</option>
    <option value="shangzhou.court">上州区人民法院</option>
  </select>
  <label for="content">诉求内容</label><textarea id="content" name="content" rows="4"></textarea>
  <p><button type="submit">提交登记</button></p>
</form>)";

std::string AgencyName(const std::string& id) {
  if (id == "shangzhou.procuratorate") return "上州区人民检察院";
  if (id == "shangzhou.court") return "上州区人民法院";
  if (id == "shangzhou.petition") return "上州区信访局";
  return "未知机关";
}

// The test page on an io_context thread of its own; keeps what was posted.
class SmokeServer {
 public:
  SmokeServer() : work_(io_.get_executor()) {
    HttpServerOptions options;
    options.require_json_body = false;  // the page posts a form
    auto s = HttpServer::Start(io_, options, [this](const HttpRequest& r) { return Handle(r); });
    EXPECT_TRUE(s.ok()) << s.status();
    if (s.ok()) server_ = std::move(*s);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~SmokeServer() {
    io_.stop();
    thread_.join();
    server_.reset();
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", server_->port(), "/"); }
  std::vector<std::string> posted() {
    std::lock_guard lock(mu_);
    return posted_;
  }

 private:
  HttpResponse Handle(const HttpRequest& r) {
    if (r.method == "GET" && r.Path() == "/") return Html(200, "信访登记（测试页）", kForm);
    if (r.Path() == "/favicon.ico")
      return {.status = 204, .content_type = "image/x-icon", .body = ""};
    if (r.method == "POST" && r.Path() == "/submit") {
      // The form's urlencoded body, decoded as a query string is.
      HttpRequest form;
      form.target = "/?" + r.body;
      const std::string name = form.Query("name");
      {
        std::lock_guard lock(mu_);
        posted_.push_back(name);
      }
      return Html(
          200, "登记结果",
          absl::StrCat("<div id=\"result\"><h1>登记成功</h1><p>来访人：", HtmlEscape(name),
                       "</p><p>接收机关：", HtmlEscape(AgencyName(form.Query("agency"))),
                       "</p><p>诉求内容：", HtmlEscape(form.Query("content")), "</p></div>"));
    }
    return Html(404, "未找到", "<h1>未找到 / not found</h1>");
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> posted_;
};

TEST(BrowserSmoke, FillsAChineseFormInChromium) {
  SmokeServer server;
  const std::string out = BrowserOutputDir();
  const BrowserRun run = RunBrowserScript("smoke.mjs", {{"SMOKE_URL", server.url()}}, out);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("冒烟测试通过"), std::string::npos) << run.output;
  EXPECT_EQ(server.posted(), std::vector<std::string>{"张三"});
  const std::string png = out + "/smoke.png";
  ASSERT_TRUE(std::filesystem::exists(png)) << png;
  EXPECT_GT(std::filesystem::file_size(png), 1024u) << png;
}

// A failing step exits non-zero and leaves its screenshot behind.
TEST(BrowserSmoke, AFailedStepFailsTheRunWithAScreenshot) {
  SmokeServer server;
  const std::string out = BrowserOutputDir();
  const BrowserRun run =
      RunBrowserScript("smoke.mjs", {{"SMOKE_URL", server.url() + "missing"}}, out);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("失败 / FAILED at step"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("未找到"), std::string::npos) << run.output;  // the page's text
  EXPECT_TRUE(std::filesystem::exists(out + "/打开登记页_open_the_registration_page-failed.png"))
      << run.output;
}

}  // namespace
}  // namespace concord::testing

#include "tools/concordctl/ctl_util.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/http_client.h"
#include "common/url.h"

namespace concord::ctl {

namespace {
std::string& TokenSlot() {
  static std::string token;
  return token;
}
}  // namespace

void SetApiToken(std::string token) { TokenSlot() = std::move(token); }
const std::string& ApiToken() { return TokenSlot(); }

absl::StatusOr<HttpResult> DaemonCall(const std::string& host, uint16_t port,
                                      const std::string& method, const std::string& target,
                                      const std::string& body) {
  return HttpCall(host, port, method, target, body, "application/json", ApiToken());
}

int Fail(int code, const std::string& msg) {
  std::cerr << msg << "\n";
  return code;
}

bool SplitHostPort(const std::string& hp, std::string& host, uint16_t& port) {
  auto colon = hp.rfind(':');
  if (colon == std::string::npos) return false;
  host = hp.substr(0, colon);
  try {
    port = static_cast<uint16_t>(std::stoi(hp.substr(colon + 1)));
  } catch (...) {
    return false;
  }
  return true;
}

Fetched GetJson(const Daemon& daemon, const std::string& address, const std::string& target) {
  Fetched f;
  std::string host;
  uint16_t port;
  if (!SplitHostPort(address, host, port)) {
    f.code = 2;
    f.error = absl::StrCat(daemon.option, " 应为 host:port / must be host:port");
    return f;
  }
  auto r = DaemonCall(host, port, "GET", target);
  if (!r.ok()) {
    f.code = 3;
    f.error = absl::StrCat("无法连接", daemon.zh, " / cannot reach ", daemon.en, " at ", address,
                           ": ", std::string(r.status().message()));
    return f;
  }
  f.status = r->status;
  f.body = nlohmann::json::parse(r->body, nullptr, false);
  if (f.body.is_discarded()) {
    f.code = 3;
    f.error = absl::StrCat(daemon.zh, "的答复无法解析 / ", daemon.en, " did not answer JSON (HTTP ",
                           r->status, "): ", r->body.substr(0, 200));
  }
  return f;
}

std::string Fetched::Refusal() const {
  return body.is_object() && body.contains("error") && body["error"].is_string()
             ? body["error"].get<std::string>()
             : body.dump();
}

std::string Pad(const std::string& s, size_t width) {
  size_t cols = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    cols += len >= 3 ? 2 : 1;
    i += len;
  }
  return cols >= width ? s + " " : s + std::string(width - cols, ' ');
}

Asked AskThroughAdapter(const std::string& adapter, const std::string& path,
                        const nlohmann::json& query) {
  std::string host;
  uint16_t port;
  if (!SplitHostPort(adapter, host, port))
    return {{}, 2, "--adapter 应为 host:port / must be host:port"};
  auto r = DaemonCall(host, port, "POST", path, query.dump());
  if (!r.ok())
    return {{},
            3,
            absl::StrCat("无法连接本机关适配器 / cannot reach the adapter at ", adapter, ": ",
                         std::string(r.status().message()))};
  auto asked = nlohmann::json::parse(r->body, nullptr, false);
  if (r->status != 202 || asked.is_discarded())
    return {{}, 3, asked.is_discarded() ? r->body : asked.value("error", r->body)};
  const std::string id = asked.value("id", "");
  for (int i = 0; i < 120; ++i) {  // 12 s: the adapter waits 10 s for the agent
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto a = DaemonCall(host, port, "GET", path + "?id=" + PercentEncode(id));
    if (!a.ok()) return {{}, 3, std::string(a.status().message())};
    auto j = nlohmann::json::parse(a->body, nullptr, false);
    if (j.is_discarded() || a->status != 200) return {{}, 3, a->body};
    const std::string status = j.value("status", "");
    if (status == "failed") return {{}, 3, j.value("reason", "")};
    if (status != "done") continue;
    const nlohmann::json& reply = j["reply"];
    if (!reply.value("ok", false)) return {{}, 1, reply.value("reason", "")};
    return {reply, 0, ""};
  }
  return {{}, 3, "适配器 12 秒内未取得答复 / no answer from the adapter within 12 s"};
}

int64_t JsonInt64(const nlohmann::json& v) {
  if (v.is_number()) return v.get<int64_t>();
  return v.is_string() ? std::strtoll(v.get<std::string>().c_str(), nullptr, 10) : 0;
}

}  // namespace concord::ctl

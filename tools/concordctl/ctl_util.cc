#include "tools/concordctl/ctl_util.h"

#include <cctype>
#include <cstdio>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "common/http_client.h"

namespace concord::ctl {

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
  auto r = HttpCall(host, port, "GET", target);
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

}  // namespace concord::ctl

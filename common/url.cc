#include "common/url.h"

namespace concord {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Calls f(name, value) for each '&'-separated pair of `s`, both still
// encoded; a pair without '=' has an empty value. Stops when f returns false.
template <typename F>
void ForEachPair(std::string_view s, F f) {
  while (!s.empty()) {
    const size_t amp = s.find('&');
    std::string_view pair = s.substr(0, amp);
    s = amp == std::string_view::npos ? std::string_view() : s.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (!f(name, value)) return;
  }
}

}  // namespace

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexDigit(s[i + 1]) >= 0 && HexDigit(s[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2]));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::string QueryParam(std::string_view target, std::string_view key) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return "";
  std::string found;
  ForEachPair(target.substr(q + 1), [&](std::string_view name, std::string_view value) {
    if (PercentDecode(name) != key) return true;
    found = PercentDecode(value);
    return false;
  });
  return found;
}

std::map<std::string, std::string> ParseForm(std::string_view body) {
  std::map<std::string, std::string> out;
  ForEachPair(body, [&](std::string_view name, std::string_view value) {
    out.emplace(PercentDecode(name), PercentDecode(value));  // emplace keeps the first
    return true;
  });
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseFormMulti(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  ForEachPair(body, [&](std::string_view name, std::string_view value) {
    out.emplace_back(PercentDecode(name), PercentDecode(value));
    return true;
  });
  return out;
}

}  // namespace concord

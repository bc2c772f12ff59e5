#include "tools/concordctl/ctl_util.h"

#include <cctype>
#include <cstdio>
#include <iostream>

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

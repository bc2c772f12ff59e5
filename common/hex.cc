#include "common/hex.h"

#include <sodium.h>

#include "absl/strings/ascii.h"

namespace concord {

std::string HexOf(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.pop_back();
  return out;
}

std::string BytesOfHex(std::string_view text, size_t size) {
  const std::string hex(absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size())));
  std::string out(size, '\0');
  size_t len = 0;
  if (hex.size() != 2 * size ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), size, hex.data(), hex.size(),
                     nullptr, &len, nullptr) != 0 ||
      len != size)
    return "";
  return out;
}

}  // namespace concord

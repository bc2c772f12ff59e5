// Lower-case hex of bytes, and back: keys, signatures and hashes written in
// text files, JSON and audit lines.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace concord {

std::string HexOf(std::string_view bytes);
// Exactly `size` bytes from hex text (space around it ignored); empty when the
// text is not that.
std::string BytesOfHex(std::string_view text, size_t size);

}  // namespace concord

// Helpers every concordctl command file shares: errors to stderr with an exit
// code, host:port options, and table columns that line up with Chinese text.
// Exit codes (commands.h): 0 success, 1 the check failed, 2 usage or input
// error, 3 the daemon could not be reached.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace concord::ctl {

// Prints `msg` on stderr and returns `code`.
int Fail(int code, const std::string& msg);

// Splits "host:port"; false if it is not that.
bool SplitHostPort(const std::string& hp, std::string& host, uint16_t& port);

// Pads `s` to `width` display columns, counting CJK characters as two.
std::string Pad(const std::string& s, size_t width);

}  // namespace concord::ctl

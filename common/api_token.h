// The bearer token of a daemon's loopback HTTP API (the adapter's, each
// agent's, the hub's /deadletters): 32 random bytes written as 64 lowercase
// hex digits in a file of its own (mode 0600), named by `[http] token_file`
// (the hub: `[hub] http_token_file`). Clients send it as
// `Authorization: Bearer <hex>`; the server compares in constant time.
//
// Thread safety: free functions, no shared state (libsodium is initialised
// once, thread-safely, on first use).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace concord {

// 64 lowercase hex digits of fresh randomness (libsodium).
std::string NewApiToken();

// The token in `path` (surrounding whitespace ignored). NotFound when the
// file cannot be read; InvalidArgument when it does not hold 64 hex digits.
absl::StatusOr<std::string> ReadApiToken(const std::string& path);

// ReadApiToken, or when `path` does not exist yet: a NewApiToken written
// there with mode 0600 (never over an existing file). Errors name the path.
absl::StatusOr<std::string> LoadOrCreateApiToken(const std::string& path);

// True when `authorization` (the header's value) is "Bearer <token>"
// (the scheme without regard to case), compared in constant time. An empty
// `token` matches nothing.
bool BearerMatches(std::string_view authorization, std::string_view token);

}  // namespace concord

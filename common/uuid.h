// UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits, so ids sort
// by creation time. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace concord {

// A new UUIDv7 in canonical lower-case text form (36 characters). Ids made in
// the same millisecond by one process are strictly increasing.
std::string NewUuidV7();

// True if `s` is a canonical UUID text (any version).
bool IsUuidText(const std::string& s);

// 32 random hex digits, for trace ids.
std::string NewTraceId();

}  // namespace concord

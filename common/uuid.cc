#include "common/uuid.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>

namespace concord {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string ToText(const uint8_t b[16]) {
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  return out;
}

// randombytes_buf is a getrandom() system call each time; ids are made at
// tens of thousands a second, so each thread draws from a 4 KB pool.
void RandomBytes(uint8_t* out, size_t n) {
  thread_local uint8_t pool[4096];
  thread_local size_t left = 0;
  while (n > 0) {
    if (left == 0) {
      randombytes_buf(pool, sizeof pool);
      left = sizeof pool;
    }
    const size_t take = std::min(n, left);
    std::memcpy(out, pool + sizeof pool - left, take);
    sodium_memzero(pool + sizeof pool - left, take);  // a byte is used once
    left -= take;
    out += take;
    n -= take;
  }
}

}  // namespace

std::string NewUuidV7() {
  static std::mutex mu;
  static uint64_t last_ms = 0;
  static uint16_t counter = 0;  // 12-bit rand_a used as a counter within one ms
  uint64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  uint16_t seq;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (ms <= last_ms) {
      ms = last_ms;
      if (++counter > 0x0fff) {  // counter overflow: borrow the next ms
        ++ms;
        counter = 0;
      }
    } else {
      counter = static_cast<uint16_t>(randombytes_uniform(0x0800));
    }
    last_ms = ms;
    seq = counter;
  }
  uint8_t b[16];
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  b[6] = static_cast<uint8_t>(0x70 | (seq >> 8));
  b[7] = static_cast<uint8_t>(seq & 0xff);
  RandomBytes(b + 8, 8);
  b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3f));
  return ToText(b);
}

bool IsUuidText(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

std::string NewTraceId() {
  uint8_t b[16];
  RandomBytes(b, sizeof b);
  std::string out;
  for (uint8_t x : b) {
    out.push_back(kHex[x >> 4]);
    out.push_back(kHex[x & 15]);
  }
  return out;
}

}  // namespace concord

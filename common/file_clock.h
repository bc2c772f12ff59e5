// FileClock: a fake clock for a whole process, for drills and process-level
// tests. The wall time is read from a file holding Unix milliseconds (written
// by the test, atomically), so that a real daemon can run months ahead and be
// killed and restarted on the same clock. A file holding "+N" or "-N" runs
// the process N ms ahead of (behind) the system clock instead: a drill on a
// live district (the quick start records a hearing due days later). When the
// file is missing or unreadable the last value read is kept (the system time
// before the first, so a lost file never sends an agent back to 1970).
// Configured only by drills and tests (an agent's clock_file), never in
// production.
//
// Thread safety: any thread.
#pragma once

#include <atomic>
#include <charconv>
#include <fstream>
#include <string>

#include "common/clock.h"

namespace concord {

class FileClock final : public Clock {
 public:
  explicit FileClock(std::string path) : path_(std::move(path)) {}
  int64_t NowMs() const override {
    std::ifstream in(path_);
    std::string text;
    int64_t v = 0;
    if (in >> text && !text.empty()) {
      const bool offset = text[0] == '+' || text[0] == '-';
      const char* begin = text.data() + (text[0] == '+' ? 1 : 0);
      const char* end = text.data() + text.size();
      auto [p, ec] = std::from_chars(begin, end, v);
      if (ec == std::errc() && p == end && begin != end &&
          (*begin != '-' || begin == text.data())) {
        // One word: bit 0 the mode, the rest the value, so no reader sees a
        // new mode with an old value.
        state_ = static_cast<int64_t>(static_cast<uint64_t>(v) << 1) | (offset ? 1 : 0);
        read_ = true;
      }
    }
    if (!read_) return SystemClock::Get().NowMs();
    const int64_t state = state_.load();
    const int64_t value = state >> 1;
    return (state & 1) ? SystemClock::Get().NowMs() + value : value;
  }
  int64_t MonotonicUs() const override { return SystemClock::Get().MonotonicUs(); }

 private:
  std::string path_;
  mutable std::atomic<int64_t> state_{0};  // value << 1 | offset mode
  mutable std::atomic<bool> read_{false};
};

}  // namespace concord

// FileClock: a fake clock for a whole process, for drills and process-level
// tests. The wall time is read from a file holding Unix milliseconds (written
// by the test, atomically), so that a real daemon can run months ahead and be
// killed and restarted on the same clock. A file holding "+N" or "-N" runs
// the process N ms ahead of (behind) the system clock instead: a drill on a
// live district (the quick start records a hearing due days later). When the
// file is missing or unreadable the last value read is kept (0 before the
// first). Configured only by drills and tests ([ledger] clock_file), never
// in production.
//
// Thread safety: any thread.
#pragma once

#include <atomic>
#include <charconv>
#include <fstream>
#include <string>

#include "hub/common/clock.h"

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
      if (ec == std::errc() && p == end) {
        offset_ = offset;
        (offset ? offset_ms_ : last_ms_) = v;
      }
    }
    return offset_ ? SystemClock::Get().NowMs() + offset_ms_.load() : last_ms_.load();
  }
  int64_t MonotonicUs() const override { return SystemClock::Get().MonotonicUs(); }

 private:
  std::string path_;
  mutable std::atomic<int64_t> last_ms_{0};
  mutable std::atomic<int64_t> offset_ms_{0};
  mutable std::atomic<bool> offset_{false};
};

}  // namespace concord

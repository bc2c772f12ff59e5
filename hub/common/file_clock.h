// FileClock: a fake clock for a whole process, for drills and process-level
// tests. The wall time is read from a file holding Unix milliseconds (written
// by the test, atomically), so that a real daemon can run months ahead and be
// killed and restarted on the same clock. When the file is missing or
// unreadable the last value read is kept (0 before the first). Configured only
// by drills and tests ([ledger] clock_file), never in production.
//
// Thread safety: any thread.
#pragma once

#include <atomic>
#include <fstream>
#include <string>

#include "hub/common/clock.h"

namespace concord {

class FileClock final : public Clock {
 public:
  explicit FileClock(std::string path) : path_(std::move(path)) {}
  int64_t NowMs() const override {
    std::ifstream in(path_);
    int64_t ms = 0;
    if (in >> ms) last_ms_ = ms;
    return last_ms_.load();
  }
  int64_t MonotonicUs() const override { return SystemClock::Get().MonotonicUs(); }

 private:
  std::string path_;
  mutable std::atomic<int64_t> last_ms_{0};
};

}  // namespace concord

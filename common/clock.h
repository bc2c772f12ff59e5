// Clock: the only source of time for Concord code, injected so that tests can
// run months of deadlines in milliseconds (STYLE.md habit 6).
//
// Thread safety: SystemClock is safe from any thread. FakeClock is safe from
// any thread (atomic), but advancing it does not wake anybody up; code that
// sleeps on timers must re-check the clock when it is poked.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace concord {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (wall time).
  virtual int64_t NowMs() const = 0;
  // Monotonic microseconds, for measuring durations.
  virtual int64_t MonotonicUs() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int64_t MonotonicUs() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  // A process-wide instance.
  static const SystemClock& Get() {
    static const SystemClock clock;
    return clock;
  }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now_ms = 1'700'000'000'000) : now_ms_(now_ms) {}
  int64_t NowMs() const override { return now_ms_.load(); }
  int64_t MonotonicUs() const override { return now_ms_.load() * 1000; }
  void AdvanceMs(int64_t ms) { now_ms_ += ms; }
  void SetMs(int64_t ms) { now_ms_ = ms; }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace concord

// Running a batch's stages on every core (encoding, blocking, comparing).
#pragma once

#include <algorithm>
#include <functional>
#include <thread>
#include <vector>

namespace concord::aid {

inline unsigned Cores() { return std::max(1u, std::thread::hardware_concurrency()); }

// Runs body(t, n) on n threads, t = 0..n-1, and waits for them all.
inline void OnThreads(unsigned n, const std::function<void(unsigned t, unsigned n)>& body) {
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < n; ++t) threads.emplace_back(body, t, n);
  for (auto& th : threads) th.join();
}

}  // namespace concord::aid

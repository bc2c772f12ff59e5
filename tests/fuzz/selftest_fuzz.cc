// The driver's own test (ctest fuzz.driver_finds_a_planted_crash): a target
// that crashes on inputs starting "BUG", seeded with "BUF". The driver must
// reach it by mutation and report the crash with its reproducer, or its other
// runs prove nothing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 3 && data[0] == 'B' && data[1] == 'U' && data[2] == 'G') std::abort();
  return 0;
}

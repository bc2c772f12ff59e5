// The drill clock: absolute Unix milliseconds, or an offset from the system
// clock ("+N" / "-N"); a missing or garbled file keeps the last good value.
#include "common/file_clock.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/temp_folder.h"

namespace concord {
namespace {

class FileClockTest : public ::testing::Test {
 protected:
  void Write(const std::string& text) { std::ofstream(path()) << text; }
  std::string path() const { return dir_.File("clock"); }
  testing::TempFolder dir_{"file_clock"};
};

TEST_F(FileClockTest, AbsoluteThenOffsetThenGarbage) {
  FileClock clock(path());
  EXPECT_NEAR(static_cast<double>(clock.NowMs()), static_cast<double>(SystemClock::Get().NowMs()),
              60'000.0)
      << "nothing read yet: the system time, never 1970";
  Write("1790000000000\n");
  EXPECT_EQ(clock.NowMs(), 1790000000000);
  constexpr int64_t kFiveDays = 5LL * 86400 * 1000;
  Write("+" + std::to_string(kFiveDays));
  const int64_t ahead = clock.NowMs() - SystemClock::Get().NowMs();
  EXPECT_NEAR(static_cast<double>(ahead), static_cast<double>(kFiveDays), 60'000.0);
  Write("-" + std::to_string(kFiveDays));
  const int64_t behind = SystemClock::Get().NowMs() - clock.NowMs();
  EXPECT_NEAR(static_cast<double>(behind), static_cast<double>(kFiveDays), 60'000.0);
  Write("+0");
  EXPECT_NEAR(static_cast<double>(clock.NowMs()), static_cast<double>(SystemClock::Get().NowMs()),
              60'000.0);
  Write("+-5");  // malformed: ignored
  EXPECT_NEAR(static_cast<double>(clock.NowMs()), static_cast<double>(SystemClock::Get().NowMs()),
              60'000.0);
  Write("1790000000000x");  // garbled: the last good setting (+0) stays
  EXPECT_NEAR(static_cast<double>(clock.NowMs()), static_cast<double>(SystemClock::Get().NowMs()),
              60'000.0);
  Write("1790000000000");
  EXPECT_EQ(clock.NowMs(), 1790000000000) << "absolute again";
  std::filesystem::remove(path());
  EXPECT_EQ(clock.NowMs(), 1790000000000) << "missing: the last value read";
}

}  // namespace
}  // namespace concord

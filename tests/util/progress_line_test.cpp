// ProgressLine: durations as people read them, and silence for work that ends quickly (tests and
// small datasets keep their output).
#include "util/progress_line.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace clipdex {
namespace {

TEST(ProgressLine, FormatsDurations) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(42.4), "42s");
  EXPECT_EQ(FormatDuration(185), "3m05s");
  EXPECT_EQ(FormatDuration(3720), "1h02m");
}

TEST(ProgressLine, QuickWorkPrintsNothing) {
  ::testing::internal::CaptureStderr();
  {
    ProgressLine progress("tier", "clips", 1000);
    for (long i = 0; i <= 1000; i += 100) progress.Update(i);
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

// Past 2 s a log (stderr is not a terminal here) gets a plain line, and a last one at the end.
TEST(ProgressLine, SlowWorkPrintsLogLines) {
  ::testing::internal::CaptureStderr();
  {
    ProgressLine progress("tier", "clips", 1000);
    progress.Update(100);
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    progress.Update(500);
    progress.Update(600);  // within 10 s of the last line: nothing
    progress.Update(1000);
  }
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("tier: 500/1000 clips (50%)"), std::string::npos) << out;
  EXPECT_EQ(out.find("600/1000"), std::string::npos) << out;
  EXPECT_NE(out.find("tier: 1000/1000 clips (100%)"), std::string::npos) << out;
}

// An unknown total shows the count and the rate, never a percentage of nothing.
TEST(ProgressLine, UnknownTotalShowsCounts) {
  ::testing::internal::CaptureStderr();
  {
    ProgressLine progress("export", "clips", 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    progress.Update(4096);
  }
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("export: 4096 clips, "), std::string::npos) << out;
  EXPECT_EQ(out.find('%'), std::string::npos) << out;
}

}  // namespace
}  // namespace clipdex

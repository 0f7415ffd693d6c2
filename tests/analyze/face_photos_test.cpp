// Faces on still photos: counts on the faceapi group photos (ground truth counted by eye:
// 3, 3, 3, 4, 5, 4 people, every face visible), and the portrait-quality measures (face.*)
// falling when a face is blurred or under-exposed.
#include <gtest/gtest.h>

#include <cstdio>
#include <opencv2/imgproc.hpp>

#include "../support/test_env.h"
#include "analyze/framing.h"
#include "sample_frames.h"

namespace clipdex {
namespace {

std::filesystem::path Yunet320() {
  return testing::SharedDir() / "models" / "yunet" / "yunet_final_320_320_simplify.onnx";
}

cv::Mat LoadStill(const std::filesystem::path& file, ClipSpan* span) {
  FramingAnalyzer probe_need;
  auto sampled = testing::SampleFile(file, probe_need.need());
  if (!sampled.ok() || sampled->frames.empty()) return {};
  *span = sampled->span;
  span->is_image = true;
  return sampled->frames[0].image;
}

double AttributeValue(const std::vector<Attribute>& attrs, const std::string& name) {
  for (const Attribute& a : attrs) {
    if (a.name == name && a.number) return *a.number;
  }
  return -1;
}

TEST(FacePhotos, CountsEveryFaceOnTheGroupPhotos) {
  CLIPDEX_REQUIRE_FILE(Yunet320());
  CLIPDEX_REQUIRE_FILE(Media("photos/faceapi/sample1.jpg"));
  const int expected[] = {3, 3, 3, 4, 5, 4};
  FramingAnalyzer analyzer(Yunet320().string());
  int right = 0;
  for (int i = 0; i < 6; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "sample%d.jpg", i + 1);
    ClipSpan span;
    cv::Mat img = LoadStill(Media("photos/faceapi") / name, &span);
    ASSERT_FALSE(img.empty()) << name;
    std::vector<Attribute> attrs;
    analyzer.Analyze(span, {AnalysisFrame{0, 0, img, {}, 0}}, &attrs);
    const int faces = static_cast<int>(AttributeValue(attrs, "framing.faces"));
    EXPECT_EQ(faces, expected[i]) << name;
    right += faces == expected[i];
  }
  std::printf("faceapi face counts right: %d/6\n", right);
}

TEST(FacePhotos, FaceQualityFallsWithBlurAndUnderExposure) {
  CLIPDEX_REQUIRE_FILE(Yunet320());
  CLIPDEX_REQUIRE_FILE(Media("photos/faceapi/sample6.jpg"));
  FramingAnalyzer analyzer(Yunet320().string());
  ClipSpan span;
  const cv::Mat img = LoadStill(Media("photos/faceapi/sample6.jpg"), &span);
  ASSERT_FALSE(img.empty());
  const auto faces = analyzer.DetectFaces(img, /*still=*/true);
  ASSERT_FALSE(faces.empty());
  cv::Rect largest = faces[0];
  for (const cv::Rect& r : faces) largest = r.area() > largest.area() ? r : largest;
  cv::Mat blurred, dark;
  cv::GaussianBlur(img, blurred, cv::Size(), 2.5);
  img.convertTo(dark, -1, 0.2, 0);
  const auto sharp_q = FramingAnalyzer::MeasureFace(img, largest);
  const auto blur_q = FramingAnalyzer::MeasureFace(blurred, largest);
  const auto dark_q = FramingAnalyzer::MeasureFace(dark, largest);
  std::printf("face sharpness %.3f blurred %.3f; quality %.3f blurred %.3f dark %.3f\n",
              sharp_q.sharpness, blur_q.sharpness, sharp_q.quality, blur_q.quality, dark_q.quality);
  EXPECT_GT(sharp_q.sharpness, 2 * blur_q.sharpness);
  EXPECT_GT(sharp_q.quality, 2 * blur_q.quality);
  EXPECT_LT(dark_q.exposure, 0.5 * sharp_q.exposure);
  EXPECT_GT(sharp_q.quality, 2 * dark_q.quality);
  // The clip attributes carry the same measures.
  std::vector<Attribute> attrs;
  analyzer.Analyze(span, {AnalysisFrame{0, 0, img, {}, 0}}, &attrs);
  EXPECT_NEAR(AttributeValue(attrs, "face.sharpness"), sharp_q.sharpness, 1e-9);
  EXPECT_NEAR(AttributeValue(attrs, "face.quality"), sharp_q.quality, 1e-9);
}

}  // namespace
}  // namespace clipdex

// YuNetOnnx against OpenCV 4.6's cv::FaceDetectorYN: same model, same pictures, same faces.
#include "models/yunet.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "../support/test_env.h"
#include "models/onnx_session.h"

namespace clipdex {
namespace {

// Scaled to fit `side` x `side` and padded right/bottom, as the framing analyzer feeds YuNet.
cv::Mat Letterbox(const cv::Mat& img, int side) {
  const double s = double(side) / std::max(img.cols, img.rows);
  cv::Mat small, boxed(side, side, CV_8UC3, cv::Scalar(0, 0, 0));
  cv::resize(img, small,
             cv::Size(std::max(1, cvRound(img.cols * s)), std::max(1, cvRound(img.rows * s))), 0, 0,
             cv::INTER_AREA);
  small.copyTo(boxed(cv::Rect(0, 0, small.cols, small.rows)));
  return boxed;
}

void ExpectSameFaces(const std::string& model_name, int side, float threshold) {
  if (!OrtAvailable()) GTEST_SKIP() << "skipping: " << OrtUnavailableReason();
  const auto model = testing::SharedDir() / "models" / "yunet" / model_name;
  CLIPDEX_REQUIRE_FILE(model);
  auto ours = YuNetOnnx::Load(model, threshold, 0.3f, 50);
  ASSERT_TRUE(ours.ok()) << ours.status().message();
  EXPECT_EQ(ours.value()->input_size(), cv::Size(side, side));
  auto reference =
      cv::FaceDetectorYN::create(model.string(), "", cv::Size(side, side), threshold, 0.3f, 50);
  int compared = 0, faces_seen = 0;
  // Group photos (many small faces), portraits, and pictures without faces.
  for (const char* rel :
       {"photos/faceapi/sample1.jpg", "photos/faceapi/sample2.jpg", "photos/faceapi/sample3.jpg",
        "photos/faceapi/sample4.jpg", "photos/faceapi/sample5.jpg", "photos/faceapi/sample6.jpg",
        "photos/opencv/messi5.jpg", "photos/opencv/fruits.jpg", "photos/skimage/astronaut.png",
        "photos/lomiri/Fossa_by_Jasper_Roks.jpg"}) {
    const cv::Mat img = cv::imread(testing::Media(rel).string(), cv::IMREAD_COLOR);
    if (img.empty()) continue;
    const cv::Mat boxed = Letterbox(img, side);
    cv::Mat want;
    reference->detect(boxed, want);
    auto got = ours.value()->Detect(boxed);
    ASSERT_TRUE(got.ok()) << got.status().message();
    ++compared;
    ASSERT_EQ(got->rows, want.rows) << rel;
    faces_seen += want.rows;
    for (int r = 0; r < want.rows; ++r) {
      for (int c = 0; c < 15; ++c) {
        // Two inference engines: float rounding differs in the last bits, nothing more.
        EXPECT_NEAR(got->at<float>(r, c), want.at<float>(r, c), 0.05f)
            << rel << " face " << r << " value " << c;
      }
    }
  }
  EXPECT_GE(compared, 8);
  EXPECT_GE(faces_seen, 5);  // the comparison covered real detections, not only empty results
}

TEST(YuNetOnnx, SameFacesAsOpenCvAt320) {
  ExpectSameFaces("yunet_final_320_320_simplify.onnx", 320, 0.85f);
}

TEST(YuNetOnnx, SameFacesAsOpenCvAt640) {
  ExpectSameFaces("yunet_final_640_640_simplify.onnx", 640, 1.5f);
}

TEST(YuNetOnnx, RejectsWrongSizesAndModels) {
  if (!OrtAvailable()) GTEST_SKIP() << "skipping: " << OrtUnavailableReason();
  const auto dir = testing::SharedDir() / "models" / "yunet";
  CLIPDEX_REQUIRE_FILE(dir / "yunet_final_320_320_simplify.onnx");
  auto ours = YuNetOnnx::Load(dir / "yunet_final_320_320_simplify.onnx", 0.85f, 0.3f, 50);
  ASSERT_TRUE(ours.ok());
  EXPECT_FALSE(ours.value()->Detect(cv::Mat(180, 320, CV_8UC3, cv::Scalar(0))).ok());
  EXPECT_FALSE(ours.value()->Detect(cv::Mat(320, 320, CV_8UC1, cv::Scalar(0))).ok());
  // The dynamic-size export has no fixed input: refused with the reason.
  auto dynamic = YuNetOnnx::Load(dir / "yunet_final_dynamic_simplify.onnx", 0.85f, 0.3f, 50);
  ASSERT_FALSE(dynamic.ok());
  EXPECT_NE(dynamic.status().message().find("fixed-size"), std::string::npos);
  EXPECT_FALSE(YuNetOnnx::Load(dir / "no_such_model.onnx", 0.85f, 0.3f, 50).ok());
}

}  // namespace
}  // namespace clipdex

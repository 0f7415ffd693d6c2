// JPEG writer/reader on libjpeg: round trip close to the source, bad files are errors.
#include "media/jpeg.h"

#include <gtest/gtest.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "../support/test_env.h"

namespace clipdex {
namespace {

TEST(Jpeg, RoundTripKeepsThePictureAndOpenCvReadsIt) {
  TempDir tmp;
  cv::Mat img(90, 160, CV_8UC3);
  for (int y = 0; y < img.rows; ++y) {
    for (int x = 0; x < img.cols; ++x) img.at<cv::Vec3b>(y, x) = cv::Vec3b(x, y * 2, 200 - x);
  }
  ASSERT_TRUE(WriteJpeg(tmp / "a.jpg", img, 95).ok());
  auto back = ReadJpeg(tmp / "a.jpg");
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->size(), img.size());
  EXPECT_LT(cv::norm(back.value(), img, cv::NORM_L1) / img.total() / 3, 2.0);
  // Channel order: OpenCV's own reader sees the same BGR picture.
  cv::Mat cv_read = cv::imread((tmp / "a.jpg").string(), cv::IMREAD_COLOR);
  EXPECT_LT(cv::norm(cv_read, img, cv::NORM_L1) / img.total() / 3, 2.0);
  cv::Mat grey(40, 40, CV_8UC1, cv::Scalar(77));
  auto bytes = EncodeJpeg(grey, 90);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ((*bytes)[0], 0xFF);
  EXPECT_EQ((*bytes)[1], 0xD8);
}

TEST(Jpeg, BadFilesAreErrorsNotCrashes) {
  TempDir tmp;
  std::ofstream(tmp / "text.jpg") << "not a jpeg at all";
  EXPECT_FALSE(ReadJpeg(tmp / "text.jpg").ok());
  EXPECT_FALSE(ReadJpeg(tmp / "missing.jpg").ok());
  cv::Mat img(64, 64, CV_8UC3, cv::Scalar(10, 20, 30));
  auto bytes = EncodeJpeg(img, 80);
  ASSERT_TRUE(bytes.ok());
  std::ofstream(tmp / "cut.jpg", std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes->data()), 40);  // header only
  auto cut = ReadJpeg(tmp / "cut.jpg");
  EXPECT_FALSE(cut.ok());
  EXPECT_FALSE(EncodeJpeg(cv::Mat(), 80).ok());
}

}  // namespace
}  // namespace clipdex

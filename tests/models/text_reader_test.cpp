#include "models/text_reader.h"

#include <gtest/gtest.h>

#include <chrono>

#include "../analyze/sample_frames.h"
#include "../support/ocr_models.h"
#include "../support/test_env.h"

namespace clipdex {
namespace {

TEST(TextReader, ReadsTheCopyrightLineOfTheTestVideo) {
  const auto video = testing::Media("video/gh_psd_testvideo.mp4");
  CLIPDEX_REQUIRE_FILE(video);
  CLIPDEX_REQUIRE_OCR_MODELS(models);
  auto reader = TextReader::Load(models.det, models.rec, models.dictionary);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  auto clip = testing::SampleFile(video, FrameNeed{1.0, false, 640, false}, 3.0, 3.5);
  ASSERT_TRUE(clip.ok()) << clip.status().message();
  const cv::Mat& frame = clip->frames.at(0).image;
  auto t0 = std::chrono::steady_clock::now();
  auto lines = (*reader)->Read(frame);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(lines.ok()) << lines.status().message();
  std::printf("frame %dx%d read in %.0f ms\n", frame.cols, frame.rows, ms);
  for (const auto& l : *lines) {
    std::printf("  [%d,%d,%d,%d] box %.2f '%s' %.2f\n", l.rect.x, l.rect.y, l.rect.width,
                l.rect.height, l.box_score, l.text.c_str(), l.text_score);
  }
}

}  // namespace
}  // namespace clipdex

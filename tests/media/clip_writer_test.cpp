#include "media/clip_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "media/decoder.h"
#include "media/frame_convert.h"

namespace clipdex {
namespace {

namespace fs = std::filesystem;

// 25 fps, 265 frames, four shots with hard cuts at frames 75, 125 and 185.
fs::path CutsVideo() {
  return fs::path(std::string(CLIPDEX_SOURCE_DIR) +
                  "/../shared/media/synthetic/syn_cuts_4shots.mp4");
}

#define SKIP_WITHOUT_MEDIA()                                                    \
  do {                                                                          \
    if (!fs::exists(CutsVideo())) {                                             \
      std::printf("skipping: test media %s is missing\n", CutsVideo().c_str()); \
      GTEST_SKIP() << "test media missing: " << CutsVideo();                    \
    }                                                                           \
  } while (0)

class ClipWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("clipdex_clip_writer_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

struct DecodedClip {
  long frames = 0;
  double duration = 0;
  std::vector<cv::Mat> grays;  // small grey pictures of the frames asked for
};

// Decodes `path` fully; keeps grey thumbnails of the frames whose index is in `keep`
// (negative entries count from the end: -1 = last frame).
Result<DecodedClip> DecodeAll(const fs::path& path, const std::vector<long>& keep) {
  DecodeOptions options;
  options.fast = false;
  auto dec = VideoDecoder::Open(path, options);
  if (!dec.ok()) return dec.status();
  ImageConverter converter(0, 1, 1);
  std::vector<cv::Mat> all;
  DecodedFrame frame;
  while (true) {
    auto got = (*dec)->Next(&frame);
    if (!got.ok()) return got.status();
    if (!got.value()) break;
    all.push_back(converter.ToGray(frame.frame, 64));
  }
  DecodedClip clip;
  clip.frames = (*dec)->frames_decoded();
  clip.duration = (*dec)->decoded_duration();
  for (long index : keep) {
    long i = index < 0 ? static_cast<long>(all.size()) + index : index;
    if (i < 0 || i >= static_cast<long>(all.size())) return Status::Error("frame out of range");
    clip.grays.push_back(all[i]);
  }
  return clip;
}

double MeanAbsDiff(const cv::Mat& a, const cv::Mat& b) {
  EXPECT_EQ(a.size(), b.size());
  return cv::norm(a, b, cv::NORM_L1) / static_cast<double>(a.total());
}

ClipCut SecondShot() {
  ClipCut cut;
  cut.first_frame = 75;
  cut.last_frame = 124;
  cut.start_time = 75 / 25.0;
  cut.end_time = 125 / 25.0;
  return cut;
}

TEST_F(ClipWriterTest, AccurateClipHasExactlyTheFramesOfTheShot) {
  SKIP_WITHOUT_MEDIA();
  const fs::path out = dir_ / "shot2.mp4";
  Status s = WriteClip(CutsVideo(), SecondShot(), out, /*accurate=*/true);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE(fs::exists(out));

  auto clip = DecodeAll(out, {0, -1});
  ASSERT_TRUE(clip.ok()) << clip.status().message();
  EXPECT_EQ(clip->frames, 50);
  EXPECT_NEAR(clip->duration, 2.0, 0.05);

  auto source = DecodeAll(CutsVideo(), {74, 75, 124, 125});
  ASSERT_TRUE(source.ok()) << source.status().message();
  const cv::Mat& first = clip->grays[0];
  const cv::Mat& last = clip->grays[1];
  // The first and last clip frames are re-encoded copies of source frames 75 and 124; their
  // neighbours across the cuts belong to other shots and look nothing alike.
  const double first_same = MeanAbsDiff(first, source->grays[1]);
  const double first_other = MeanAbsDiff(first, source->grays[0]);
  const double last_same = MeanAbsDiff(last, source->grays[2]);
  const double last_other = MeanAbsDiff(last, source->grays[3]);
  std::printf("first frame diff: %.2f vs frame 74 %.2f; last: %.2f vs frame 125 %.2f\n", first_same,
              first_other, last_same, last_other);
  EXPECT_LT(first_same, 3.0);
  EXPECT_GT(first_other, 4 * first_same + 5.0);
  EXPECT_LT(last_same, 3.0);
  EXPECT_GT(last_other, 4 * last_same + 5.0);
}

TEST_F(ClipWriterTest, AccurateClipIntoMatroska) {
  SKIP_WITHOUT_MEDIA();
  ClipCut cut;
  cut.first_frame = 0;
  cut.last_frame = 9;
  const fs::path out = dir_ / "start.mkv";
  Status s = WriteClip(CutsVideo(), cut, out, /*accurate=*/true);
  ASSERT_TRUE(s.ok()) << s.message();
  auto clip = DecodeAll(out, {});
  ASSERT_TRUE(clip.ok()) << clip.status().message();
  EXPECT_EQ(clip->frames, 10);
}

TEST_F(ClipWriterTest, StreamCopyStartsAtKeyframeAndCoversTheRange) {
  SKIP_WITHOUT_MEDIA();
  const fs::path out = dir_ / "shot2_copy.mp4";
  Status s = WriteClip(CutsVideo(), SecondShot(), out, /*accurate=*/false);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE(fs::exists(out));
  auto clip = DecodeAll(out, {0});
  ASSERT_TRUE(clip.ok()) << clip.status().message();
  std::printf("stream copy: %ld frames, %.3f s\n", clip->frames, clip->duration);
  // May start up to one GOP (at most 50 frames = 2 s in this file) before the range.
  EXPECT_GE(clip->frames, 50);
  EXPECT_LE(clip->frames, 100);
  EXPECT_GE(clip->duration, 2.0 - 0.05);
  EXPECT_LE(clip->duration, 4.0 + 0.05);

  // Frame 75 is a keyframe, so the copy starts exactly on the shot.
  auto source = DecodeAll(CutsVideo(), {74, 75});
  ASSERT_TRUE(source.ok()) << source.status().message();
  EXPECT_LT(MeanAbsDiff(clip->grays[0], source->grays[1]), 1.0);
}

TEST_F(ClipWriterTest, StreamCopyFromBetweenKeyframesStartsEarly) {
  SKIP_WITHOUT_MEDIA();
  ClipCut cut;
  cut.first_frame = 60;
  cut.last_frame = 69;
  cut.start_time = 60 / 25.0;  // keyframes at frames 50 and 75
  cut.end_time = 70 / 25.0;
  const fs::path out = dir_ / "mid.mkv";
  Status s = WriteClip(CutsVideo(), cut, out, /*accurate=*/false);
  ASSERT_TRUE(s.ok()) << s.message();
  auto clip = DecodeAll(out, {});
  ASSERT_TRUE(clip.ok()) << clip.status().message();
  // From the keyframe at frame 50 through frame 69 (plus at most the B-frame delay).
  EXPECT_GE(clip->frames, 20);
  EXPECT_LE(clip->frames, 23);
}

TEST_F(ClipWriterTest, MissingSourceFailsAndLeavesNoOutput) {
  const fs::path out = dir_ / "never.mp4";
  for (bool accurate : {false, true}) {
    Status s = WriteClip(dir_ / "does_not_exist.mp4", SecondShot(), out, accurate);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("no such file"), std::string::npos) << s.message();
    EXPECT_FALSE(fs::exists(out));
  }
}

TEST_F(ClipWriterTest, RangePastTheEndFailsAndRemovesPartialOutput) {
  SKIP_WITHOUT_MEDIA();
  ClipCut cut;
  cut.first_frame = 250;
  cut.last_frame = 400;  // the source has 265 frames
  const fs::path out = dir_ / "too_long.mp4";
  Status s = WriteClip(CutsVideo(), cut, out, /*accurate=*/true);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("265 frames"), std::string::npos) << s.message();
  EXPECT_FALSE(fs::exists(out));

  cut.start_time = 20.0;  // the source is 10.6 s long
  cut.end_time = 22.0;
  s = WriteClip(CutsVideo(), cut, out, /*accurate=*/false);
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(ClipWriterTest, UnwritableOrUnknownOutputIsReported) {
  SKIP_WITHOUT_MEDIA();
  Status s = WriteClip(CutsVideo(), SecondShot(), dir_ / "no_dir" / "x.mp4", false);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind("cannot create output ", 0), 0u) << s.message();

  s = WriteClip(CutsVideo(), SecondShot(), dir_ / "x.notacontainer", true);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind("cannot create output ", 0), 0u) << s.message();
  EXPECT_FALSE(fs::exists(dir_ / "x.notacontainer"));
}

}  // namespace
}  // namespace clipdex

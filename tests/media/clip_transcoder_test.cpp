// The transcoder and its picture normaliser: output sizes for rotation, pixel aspect and the
// resize forms; a clip reached by seeking is byte-identical to the one decoded from the start;
// re-encodes are deterministic.
#include "media/clip_transcoder.h"

#include <gtest/gtest.h>

#include <fstream>

#include "../support/test_env.h"
#include "media/frame_normalizer.h"

namespace clipdex {
namespace {

namespace fs = std::filesystem;

TEST(FrameNormalizer, SizesFollowRotationAspectAndResize) {
  const ResizeSpec keep{};
  EXPECT_EQ(NormalizedSize(1920, 1080, 1, 1, 0, keep), cv::Size(1920, 1080));
  EXPECT_EQ(NormalizedSize(568, 320, 1, 1, 90, keep), cv::Size(320, 568));   // turned upright
  EXPECT_EQ(NormalizedSize(720, 576, 16, 15, 0, keep), cv::Size(768, 576));  // PAL 4:3
  EXPECT_EQ(NormalizedSize(352, 288, 12, 11, 0, keep), cv::Size(384, 288));
  EXPECT_EQ(NormalizedSize(175, 99, 1, 1, 0, keep), cv::Size(176, 100));  // even sizes
  ResizeSpec short512{512, 0, 0, false};
  EXPECT_EQ(NormalizedSize(1920, 1080, 1, 1, 0, short512), cv::Size(910, 512));
  EXPECT_EQ(NormalizedSize(1280, 544, 1, 1, 90, short512), cv::Size(512, 1204));
  EXPECT_EQ(NormalizedSize(160, 120, 1, 1, 0, short512), cv::Size(682, 512));  // upscaled
  ResizeSpec crop{0, 256, 256, false}, pad{0, 256, 256, true};
  EXPECT_EQ(NormalizedSize(1920, 1080, 1, 1, 0, crop), cv::Size(256, 256));
  EXPECT_EQ(NormalizedSize(1920, 1080, 1, 1, 0, pad), cv::Size(256, 256));
}

// 25 fps, 265 frames, cuts at 75, 125 and 185; keyframes at the cuts and every 50 frames.
fs::path CutsVideo() { return Media("synthetic/syn_cuts_4shots.mp4"); }

TEST(ClipTranscoder, SeekingGivesTheSameBytesAsDecodingFromTheStart) {
  CLIPDEX_REQUIRE_FILE(CutsVideo());
  TempDir tmp;
  // Starts between keyframes (frame 160) and on one (185), both well into the file.
  for (long first : {160L, 185L}) {
    TranscodeTarget t;
    t.first_frame = first;
    t.last_frame = 264;
    t.start_time = first / 25.0;
    t.end_time = 265 / 25.0;
    t.still_frames = {first, 200};
    EncodeSettings settings;
    settings.short_side = 144;
    std::string bytes[2], stills[2];
    for (int seek = 0; seek < 2; ++seek) {
      t.video_path = tmp / ("clip_" + std::to_string(seek) + ".mp4");
      t.still_paths = {tmp / ("a_" + std::to_string(seek) + ".jpg"),
                       tmp / ("b_" + std::to_string(seek) + ".jpg")};
      TranscodeOptions options;
      options.allow_seek = seek == 1;
      auto outcome = TranscodeClips(CutsVideo(), {t}, settings, options);
      ASSERT_TRUE(outcome[0].status.ok()) << outcome[0].status.message();
      EXPECT_EQ(outcome[0].frames, 265 - first);
      EXPECT_NEAR(outcome[0].duration, (265 - first) / 25.0, 1e-6);
      EXPECT_FALSE(outcome[0].audio);  // the file has no sound
      ASSERT_EQ(outcome[0].still_times.size(), 2u);
      EXPECT_NEAR(outcome[0].still_times[1], (200 - first) / 25.0, 1e-6);
      bytes[seek] = ReadFile(t.video_path);
      stills[seek] = ReadFile(t.still_paths[0]) + ReadFile(t.still_paths[1]);
    }
    EXPECT_FALSE(bytes[0].empty());
    EXPECT_EQ(bytes[0], bytes[1]) << "start " << first;
    EXPECT_EQ(stills[0], stills[1]) << "start " << first;
  }
}

TEST(ClipTranscoder, TargetsShareOnePassAndFailAlone) {
  CLIPDEX_REQUIRE_FILE(CutsVideo());
  TempDir tmp;
  std::vector<TranscodeTarget> targets(3);
  targets[0] = {125, 184, 5.0, 7.4, tmp / "b.mp4", {}, {}};
  targets[1] = {0, 74, 0.0, 3.0, tmp / "a.mp4", {}, {}};
  targets[2] = {250, 400, 10.0, 16.0, tmp / "past.mp4", {}, {}};  // the source has 265 frames
  EncodeSettings settings;
  settings.fps = 10;
  settings.audio = false;
  auto outcomes = TranscodeClips(CutsVideo(), targets, settings, TranscodeOptions{});
  ASSERT_EQ(outcomes.size(), 3u);
  ASSERT_TRUE(outcomes[0].status.ok()) << outcomes[0].status.message();
  ASSERT_TRUE(outcomes[1].status.ok()) << outcomes[1].status.message();
  EXPECT_EQ(outcomes[0].frames, 24);  // 2.4 s at 10 fps
  EXPECT_EQ(outcomes[1].frames, 30);
  EXPECT_FALSE(outcomes[2].status.ok());
  EXPECT_NE(outcomes[2].status.message().find("265 frames"), std::string::npos);
  EXPECT_FALSE(fs::exists(tmp / "past.mp4"));
  // Same again: same bytes.
  const std::string first = ReadFile(tmp / "b.mp4");
  TranscodeClips(CutsVideo(), targets, settings, TranscodeOptions{});
  EXPECT_EQ(ReadFile(tmp / "b.mp4"), first);
}

}  // namespace
}  // namespace clipdex

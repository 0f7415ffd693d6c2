// ShotDetectionWorker hands out a boundary only for the frame range asked for, whatever its
// thread has already detected: what ingest does at frame n never depends on the worker's lead.
#include "pipeline/shot_detection_worker.h"

#include <gtest/gtest.h>

#include <random>

namespace clipdex {
namespace {

// A still 64x36 picture of random blocks (one shot), as the tiny frames detection reads.
TinyYuv StillPicture(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> luma(20, 235);
  TinyYuv f;
  f.width = 64;
  f.height = 36;
  f.y.resize(64 * 36);
  for (int by = 0; by < 36; by += 4) {
    for (int bx = 0; bx < 64; bx += 4) {
      const auto v = static_cast<uint8_t>(luma(rng));
      for (int y = by; y < by + 4; ++y) {
        for (int x = bx; x < bx + 4; ++x) f.y[size_t(y) * 64 + x] = v;
      }
    }
  }
  f.u.assign(32 * 18, static_cast<uint8_t>(60 + seed * 40));
  f.v.assign(32 * 18, static_cast<uint8_t>(190 - seed * 40));
  return f;
}

TEST(ShotDetectionWorker, HandsOutOnlyBoundariesConfirmedByTheFramesAskedFor) {
  constexpr double kFps = 25;
  // Two still shots, cut at frame 50; the same frames through a detector on this thread give
  // the reference boundaries.
  std::vector<SkippedFrameFiller::Ready> frames;
  for (long i = 0; i < 120; ++i) frames.push_back({i, i / kFps, StillPicture(i < 50 ? 1 : 2)});
  ShotDetector reference(ShotDetectorOptions{}, kFps);
  long confirmed_by = -1;
  for (const auto& f : frames) {
    reference.Push(f.index, f.time, f.tiny);
    if (confirmed_by < 0 && !reference.TakeConfirmed().empty()) confirmed_by = f.index;
  }
  ASSERT_GE(confirmed_by, 50) << "the cut must be confirmed by the frames, not at the end";

  ShotDetector detector(ShotDetectorOptions{}, kFps);
  ShotDetectionWorker worker(&detector, nullptr);
  auto queued = frames;
  worker.Push(&queued);
  // Through every frame: the worker has detected all of them, the cut included ...
  // ... but asked only for the frames before the confirming one, it hands out nothing.
  EXPECT_TRUE(worker.TakeConfirmedThrough(confirmed_by - 1).empty());
  const auto cut = worker.TakeConfirmedThrough(confirmed_by);
  ASSERT_EQ(cut.size(), 1u);
  EXPECT_EQ(cut[0].first_frame, 50);
  // Handed out once.
  EXPECT_TRUE(worker.TakeConfirmedThrough(119).empty());
  worker.Finish();
  EXPECT_TRUE(worker.TakeConfirmed().empty());
}

}  // namespace
}  // namespace clipdex

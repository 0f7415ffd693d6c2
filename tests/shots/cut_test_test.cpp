#include "shots/cut_test.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "shots/shot_detector.h"
#include "util/stats.h"

namespace clipdex {
namespace {

// Frames of a difference sequence that pass the cut test, with the detector's baseline (the
// calmer side: median of up to 6 differences before, 3 after) and neighbours; `changed` is the
// same for every frame.
std::vector<size_t> Cuts(const CutTest& test, const std::vector<double>& diffs, double changed) {
  std::vector<size_t> cuts;
  for (size_t c = 1; c < diffs.size(); ++c) {
    std::vector<double> before, after;
    for (size_t k = c >= 6 ? c - 6 : 1; k < c; ++k) before.push_back(diffs[k]);
    for (size_t k = c + 1; k <= c + 3 && k < diffs.size(); ++k) after.push_back(diffs[k]);
    const double baseline = before.empty()  ? Median(after)
                            : after.empty() ? Median(before)
                                            : std::min(Median(before), Median(after));
    double neighbours = diffs[c - 1];
    if (c + 1 < diffs.size()) neighbours = std::max(neighbours, diffs[c + 1]);
    if (test.Passes(diffs[c], CutTest::Score(diffs[c], baseline), changed, neighbours)) {
      cuts.push_back(c);
    }
  }
  return cuts;
}

TEST(ShotCutTest, SinglePeakOverCalmFootageIsACut) {
  const CutTest test(ShotDetectorOptions{});
  const std::vector<double> diffs = {0, 1, 1.2, 0.8, 1, 1.1, 40, 1, 0.9, 1.2, 1};
  EXPECT_EQ(Cuts(test, diffs, 0.9), std::vector<size_t>{6});
  // Too few pixels changed (a subject in a corner): no cut.
  EXPECT_TRUE(Cuts(test, diffs, 0.2).empty());
}

TEST(ShotCutTest, MotionRampIsNotACut) {
  const CutTest test(ShotDetectorOptions{});
  // Fast motion ramping up: no frame stands out 1.3x from its neighbours.
  EXPECT_TRUE(Cuts(test, {0, 2, 4, 7, 10, 12, 13, 13, 12, 10, 7}, 0.9).empty());
}

TEST(ShotCutTest, CutOutOfFastMotionIntoCalmShot) {
  const CutTest test(ShotDetectorOptions{});
  // Motion of ~12 before, calm after: the calmer side is the baseline, so the cut stands out.
  EXPECT_EQ(Cuts(test, {0, 12, 13, 11, 12, 14, 12, 45, 1, 1, 1, 1}, 0.9), std::vector<size_t>{7});
}

TEST(ShotCutTest, ThresholdsScaleWithSensitivity) {
  const std::vector<double> diffs = {0, 1, 1, 1, 1, 1, 7, 1, 1, 1};
  // diff 7 is under the minimum difference 8, but over 8 / 1.2.
  EXPECT_TRUE(Cuts(CutTest(ShotDetectorOptions{}), diffs, 0.9).empty());
  ShotDetectorOptions lenient;
  lenient.sensitivity = 1.2;
  EXPECT_EQ(Cuts(CutTest(lenient), diffs, 0.9), std::vector<size_t>{6});
  // A sensitivity <= 0 counts as 1.
  lenient.sensitivity = 0;
  EXPECT_EQ(CutTest(lenient).sensitivity(), 1.0);
}

TEST(ShotCutTest, StartHintIsLooserThanTheCut) {
  const CutTest test(ShotDetectorOptions{});
  EXPECT_TRUE(test.MayStartShot(8.0, 2.5));   // 8 >= 2 x 4
  EXPECT_FALSE(test.MayStartShot(7.9, 0.0));  // under the minimum difference
  EXPECT_FALSE(test.MayStartShot(8.9, 3.0));  // 8.9 < 2 x 4.5
}

TEST(ShotCutTest, GapBoundProvesCalmGapsHoldNoCut) {
  const CutTest test(ShotDetectorOptions{});
  // The jump across the gap misses the minimum difference even with the 0.7 margin.
  EXPECT_FALSE(test.GapMayHideCut(5.0, 0.9, 2, 1.0, 1.0));
  // Large jump over calm footage: a cut may hide in it.
  EXPECT_TRUE(test.GapMayHideCut(20.0, 0.9, 2, 1.0, 1.0));
  // Unknown motion after the gap: look.
  EXPECT_TRUE(test.GapMayHideCut(6.0, 0.9, 2, 1.0, -1.0));
  // A jump of 6 over steady motion of 3: bound 6 + 2 x 3 = 12 < 3 x (3 + 1.5) = 13.5.
  EXPECT_FALSE(test.GapMayHideCut(6.0, 0.9, 2, 3.0, 3.0));
  // The same jump next to a calm side: bound 12 >= 3 x (0.5 + 1.5) = 6.
  EXPECT_TRUE(test.GapMayHideCut(6.0, 0.9, 2, 3.0, 0.5));
  // Few changed pixels even with the margin (0.25 x 0.7 = 0.175).
  EXPECT_FALSE(test.GapMayHideCut(20.0, 0.1, 2, 1.0, 1.0));
}

TEST(ShotCutTest, GapBoundCoversEveryFrameThatPasses) {
  // Any single step whose differences pass Passes() must make GapMayHideCut true: a step of the
  // gap is at most the jump plus the other steps' motion.
  const CutTest test(ShotDetectorOptions{});
  for (double motion : {0.0, 0.5, 2.0, 6.0}) {
    for (double step = 0; step <= 60; step += 0.5) {
      const double baseline = motion;
      if (!test.Passes(step, CutTest::Score(step, baseline), 0.9, motion)) continue;
      // The jump over a 3-frame gap is at least step - 3 x motion.
      const double jump = std::max(0.0, step - 3 * motion);
      if (jump < test.min_diff()) continue;  // the margin case is covered above
      EXPECT_TRUE(test.GapMayHideCut(jump, 0.9, 3, motion, motion))
          << "step " << step << " motion " << motion;
    }
  }
}

}  // namespace
}  // namespace clipdex

#include "shots/cut_test.h"

#include <algorithm>

#include "shots/shot_detector.h"

namespace clipdex {

namespace {

// The start hint's ratio: lower than the detector's, the hint only asks for a sample.
constexpr double kHintRatio = 2.0;
// Loosens the absolute thresholds for a gap (see GapMayHideCut).
constexpr double kGapMargin = 0.7;

}  // namespace

CutTest::CutTest(const ShotDetectorOptions& options)
    : CutTest(options.cut_ratio, options.cut_min_diff, options.cut_min_changed,
              options.sensitivity) {}

CutTest::CutTest(double ratio, double min_diff, double min_changed, double sensitivity)
    : ratio_(ratio),
      min_diff_(min_diff),
      min_changed_(min_changed),
      sensitivity_(sensitivity > 0 ? sensitivity : 1.0) {}

bool CutTest::Passes(double diff, double score, double changed, double neighbour_diff) const {
  if (diff < 1.3 * neighbour_diff) return false;
  const double s = sensitivity_;
  return !(diff < min_diff_ / s || score < ratio_ / s || changed < min_changed_ / s);
}

bool CutTest::MayStartShot(double diff, double before_baseline) const {
  // The sensitivity is not applied here (as built): the hint sees the unscaled minimum.
  return diff >= min_diff_ && diff >= kHintRatio * (before_baseline + 1.5);
}

bool CutTest::GapMayHideCut(double jump, double changed, int gap_frames, double before_motion,
                            double after_motion) const {
  const double s = sensitivity_ / kGapMargin;
  if (jump < min_diff_ / s || changed < min_changed_ / s) return false;
  if (after_motion < 0) return true;  // nothing known after the gap: look
  // Across the gap, one step's difference d <= jump + (other gap steps) x motion. The bound is
  // already generous: no extra margin on the ratio.
  const double baseline = std::min(before_motion, after_motion);
  const double motion = std::max(before_motion, after_motion);
  const double bound = jump + gap_frames * motion;
  return bound >= (ratio_ / sensitivity_) * (baseline + 1.5);
}

}  // namespace clipdex

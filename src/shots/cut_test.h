// CutTest: the hard-cut rule of docs/shots.md, in one place. The detector decides cuts with it,
// the start hint asks a looser version of it on decoded frames, and sparse decoding uses its
// upper bound to prove that no skipped frame of a gap could pass it.
//
// All inputs are tiny-frame measures (TinyDifference, TinyChangedLumaFraction), 0-255 scale.
#pragma once

namespace clipdex {

struct ShotDetectorOptions;

class CutTest {
 public:
  // Takes the cut thresholds and the sensitivity (a sensitivity <= 0 counts as 1).
  explicit CutTest(const ShotDetectorOptions& options);
  CutTest(double ratio, double min_diff, double min_changed, double sensitivity);

  // The cut score: a frame's difference against its local baseline (the calmer side's median
  // frame difference); +1.5 keeps still footage from turning noise into huge ratios.
  static double Score(double diff, double baseline) { return diff / (baseline + 1.5); }

  // The detector's decision for frame c, before the flash check: `diff` (to frame c-1) stands
  // out from both neighbours' differences by 1.3x (motion ramps up, a cut is a single peak),
  // and diff, score and changed fraction all reach their thresholds / sensitivity.
  bool Passes(double diff, double score, double changed, double neighbour_diff) const;

  // Start hint on decoded frames, before the detector has seen them: a looser test against the
  // recent frames only (ratio 2 on `before_baseline`, the unscaled minimum difference). False
  // positives only cost an analysis sample.
  bool MayStartShot(double diff, double before_baseline) const;

  // Sparse decoding: `jump` and `changed` measure the two decoded frames around a gap of
  // `gap_frames` skipped frames; the motion levels are median per-frame differences on each
  // side (`after_motion` < 0: unknown). False only when no frame inside the gap can pass the
  // test: the largest possible difference of one step (jump + gap_frames x motion) stays under
  // ratio x (calmer side + 1.5), or the whole jump misses the absolute thresholds even with a
  // 0.7 margin (the change is spread over several frames and motion can hide part of it).
  bool GapMayHideCut(double jump, double changed, int gap_frames, double before_motion,
                     double after_motion) const;

  double ratio() const { return ratio_; }
  double min_diff() const { return min_diff_; }
  double min_changed() const { return min_changed_; }
  double sensitivity() const { return sensitivity_; }

 private:
  double ratio_;
  double min_diff_;
  double min_changed_;
  double sensitivity_;
};

}  // namespace clipdex

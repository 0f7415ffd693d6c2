// RegionFeatures: the measurements of a verified wipe or dissolve region that the learned
// region check (shots/region_check.h) weighs. Every value is scale-free or on the tiny frames'
// 0-255 scale; docs/shots.md ("Learned region check") lists them and how they were chosen.
#include <algorithm>
#include <cmath>
#include <vector>

#include "shots/blend_progress.h"
#include "shots/motion_residual.h"
#include "shots/shot_detector.h"
#include "shots/shot_tuning.h"

namespace clipdex {

using namespace shot_tuning;

const char* const kRegionFeatureNames[kRegionFeatureCount] = {"wipe",
                                                              "seconds",
                                                              "span",
                                                              "histogram",
                                                              "changed",
                                                              "blend_residual",
                                                              "at_end",
                                                              "shift_over_blend",
                                                              "min_rate",
                                                              "max_two_step",
                                                              "block_spread",
                                                              "revert",
                                                              "max_step",
                                                              "path",
                                                              "betweenness",
                                                              "mean_change",
                                                              "contrast_ratio",
                                                              "activity_before",
                                                              "motion_ratio_inside",
                                                              "motion_ratio_before",
                                                              "motion_ratio_ends",
                                                              "motion_ratio_quarter"};

namespace {

// Den-weighted mean |block blend weight - whole-frame blend weight| over the blocks of a 6x4
// grid whose ends differ (rms >= 12 levels): ~0 when the whole picture blends at one weight (a
// dissolve), large when parts of it change on their own (a title or lower third arriving over
// a moving picture, a zoom).
double BlockWeightSpread(const TinyYuv& a, const TinyYuv& m, const TinyYuv& b) {
  constexpr int kCols = 6, kRows = 4;
  const double g = BlendWeight(a, m, b);
  const int w = a.width, h = a.height;
  double total = 0, deviation = 0;
  for (int cy = 0; cy < kRows; ++cy) {
    for (int cx = 0; cx < kCols; ++cx) {
      double num = 0, den = 0;
      long n = 0;
      for (int y = cy * h / kRows; y < (cy + 1) * h / kRows; ++y) {
        for (int x = cx * w / kCols; x < (cx + 1) * w / kCols; ++x) {
          const size_t i = size_t(y) * w + x;
          const double ab = double(b.y[i]) - a.y[i];
          num += (double(m.y[i]) - a.y[i]) * ab;
          den += ab * ab;
          ++n;
        }
      }
      if (n == 0 || den < 144.0 * double(n)) continue;
      total += den;
      deviation += den * std::fabs(num / den - g);
    }
  }
  return total > 0 ? deviation / total : 0.0;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 1.0;
  std::nth_element(v.begin(), v.begin() + long(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace

std::array<double, kRegionFeatureCount> ShotDetector::RegionFeatures(long p, long q, bool wipe) {
  std::array<double, kRegionFeatureCount> f{};
  const Entry& a = *At(p);
  const Entry& b = *At(q);
  const Entry& mid = *At((p + q) / 2);
  const double span = std::max(1e-6, Diff(a, b));
  double at_end = 0;
  const double blend_residual = BlendResidual(a, mid, b, &at_end);
  const double blend_abs = std::max(1e-3, last_blend_abs_error_);
  std::vector<double> weights;
  double max_step = 0, path = 0;
  for (long i = p; i <= q; ++i) {
    weights.push_back(BlendWeight(a.tiny, At(i)->tiny, b.tiny));
    if (i > p) {
      max_step = std::max(max_step, At(i)->sig.diff);
      path += At(i)->sig.diff;
    }
  }
  const BlendProgress progress = MeasureBlendProgress(weights);
  double spread = 0;
  for (int k = 1; k <= 3; ++k)
    spread += BlockWeightSpread(a.tiny, At(p + (q - p) * k / 4)->tiny, b.tiny);
  double revert = 1e9;
  const long reach = std::lround(kRevertSeconds * fps_);
  for (long k = 1; k <= reach; ++k) {
    if (const Entry* later = At(q + k)) revert = std::min(revert, Diff(a, *later) / span);
    if (const Entry* earlier = At(p - k)) revert = std::min(revert, Diff(*earlier, b) / span);
  }
  // How well block motion explains each step: a blend increment is no motion, a camera move is.
  std::vector<double> inside, before;
  for (long i = p + 1; i <= q; ++i) {
    if (At(i)->sig.diff >= kStaticDiff)
      inside.push_back(TinyMotionResidual(At(i - 1)->tiny, At(i)->tiny).ratio());
  }
  const long half_second = std::max(2L, std::lround(0.5 * fps_));
  double motion_before = 0;
  long counted = 0;
  for (long i = p - half_second; i < p; ++i) {
    const Entry* e = At(i);
    const Entry* prev = At(i - 1);
    if (e == nullptr || prev == nullptr) continue;
    motion_before += e->sig.diff;
    ++counted;
    if (e->sig.diff >= kStaticDiff)
      before.push_back(TinyMotionResidual(prev->tiny, e->tiny).ratio());
  }
  double between_progress = 0;
  f[0] = wipe ? 1.0 : 0.0;
  f[1] = double(q - p) / fps_;
  f[2] = span / 100.0;
  f[3] = HistogramDistance(a, b);
  f[4] = ChangedFraction(a, b);
  f[5] = std::min(blend_residual, 2.0);
  f[6] = at_end;
  f[7] = std::min(std::min(ShiftedDifference(a, mid), ShiftedDifference(b, mid)) / blend_abs, 10.0);
  f[8] = std::clamp(progress.min_rate, -2.0, 2.0);
  f[9] = progress.max_two_step;
  f[10] = spread / 3;
  f[11] = std::min(revert, 3.0);
  f[12] = max_step / span;
  f[13] = std::min(path / span, 20.0);
  f[14] = std::min(Betweenness(a, mid, b, &between_progress), 2.0);
  f[15] = std::fabs(a.sig.mean_y - b.sig.mean_y) / 255.0;
  f[16] = std::min(a.sig.std_y, b.sig.std_y) / std::max(1e-3, std::max(a.sig.std_y, b.sig.std_y));
  f[17] = counted > 0 ? std::min(motion_before / double(counted) / span, 2.0) : 0.0;
  f[18] = Median(inside);
  f[19] = Median(before);
  // The same over longer gaps: a slow zoom or drift moves under a pixel a frame, which the block
  // search cannot follow step by step, but a quarter of the region or its whole span apart it
  // has moved whole pixels; a blend stays unexplained at any gap.
  f[20] = TinyMotionResidual(a.tiny, b.tiny).ratio();
  const long gap = std::max(2L, (q - p) / 4);
  std::vector<double> quarter;
  for (long i = p; i + gap <= q; i += std::max(1L, gap / 2)) {
    quarter.push_back(TinyMotionResidual(At(i)->tiny, At(i + gap)->tiny).ratio());
  }
  f[21] = Median(quarter);
  return f;
}

}  // namespace clipdex

// BlendProgress: how steadily a candidate dissolve or wipe moves from its first picture to its
// last. An edited transition (xfade, an editor's dissolve or wipe) advances its blend weight at
// a steady rate; handheld camera motion that happens to look like a blend at the tiny scale
// (underwater haze turning into rock, hands lifting objects out of a wobbling frame) stalls,
// jumps and drifts back. See docs/shots.md, "Gradual transitions".
#pragma once

#include <vector>

#include "media/frame_convert.h"

namespace clipdex {

// The blend weight of `m` between `a` (0) and `b` (1): the least-squares projection of m - a
// onto b - a over the luma cells. 0 when a and b have the same luma.
double BlendWeight(const TinyYuv& a, const TinyYuv& m, const TinyYuv& b);

struct BlendProgress {
  // Slowest progress over any stretch of ~a fifth of the interior (the frames whose weight lies
  // in 0.1-0.9), relative to the interior's mean rate: ~1 for a linear blend, ~0 where the
  // weight stalls, negative where it drifts back. 1 when the interior is under 3 frames.
  double min_rate = 1;
  // Largest increase of the weight over two consecutive steps (a cut-like jump inside).
  double max_two_step = 0;
};

// `weights` holds BlendWeight of every frame from the first (0) to the last (1) of a candidate.
BlendProgress MeasureBlendProgress(const std::vector<double>& weights);

}  // namespace clipdex

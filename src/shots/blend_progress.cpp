#include "shots/blend_progress.h"

#include <algorithm>
#include <cmath>

namespace clipdex {

double BlendWeight(const TinyYuv& a, const TinyYuv& m, const TinyYuv& b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.y.size(); ++i) {
    const double ab = double(b.y[i]) - a.y[i];
    num += (double(m.y[i]) - a.y[i]) * ab;
    den += ab * ab;
  }
  return den > 0 ? num / den : 0.0;
}

BlendProgress MeasureBlendProgress(const std::vector<double>& w) {
  BlendProgress out;
  const long n = static_cast<long>(w.size());
  for (long i = 0; i + 2 < n; ++i) out.max_two_step = std::max(out.max_two_step, w[i + 2] - w[i]);
  // The interior: from the first frame past 0.1 to the last one under 0.9. Regions are trimmed
  // to their windows' coverage, so a few frames of either shot may pad the ends.
  long lo = 0;
  while (lo < n && w[lo] < 0.1) ++lo;
  long hi = n - 1;
  while (hi >= 0 && w[hi] > 0.9) --hi;
  if (lo >= n) lo = 0;
  if (hi < 0) hi = n - 1;
  const long interior = hi - lo;
  if (interior < 3) return out;
  // Stretches of a fifth of the interior, at least 3 frames: repeated frames (animation on
  // twos, pulldown) hold the weight for a frame between steps.
  const long k = std::max(3L, std::lround(0.2 * double(interior)));
  const double rate = (w[hi] - w[lo]) / double(interior);
  if (rate <= 0) {
    out.min_rate = 0;
    return out;
  }
  double slowest = 1e9;
  for (long i = lo; i + k <= hi; ++i) slowest = std::min(slowest, (w[i + k] - w[i]) / (k * rate));
  if (slowest < 1e9) out.min_rate = slowest;
  return out;
}

}  // namespace clipdex

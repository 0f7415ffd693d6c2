#include "shots/slide_fit.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace clipdex {

namespace {

// Both pictures keep moving while one pushes the other out (the camera pans, the subject
// walks), so each part of the composite gets its own small correction of up to this many
// pixels along the slide's axis on top of the slide's offset.
constexpr int kDrift = 6;

// Sum of |m - src shifted by `shift` along the slide's axis| over the band [from, to) of that
// axis (every `step`-th row and column), coordinates clamped to the picture; gives up once the
// sum reaches `bound`.
long BandResidual(const TinyYuv& src, const TinyYuv& m, bool horizontal, int from, int to,
                  int shift, int step, long bound) {
  const int w = m.width, h = m.height;
  long sum = 0;
  if (horizontal) {
    // Columns whose source column x + shift lies inside the picture: [inside_from, inside_to);
    // the ones before and after read the edge columns (clamped), outside the hot loop.
    const int inside_from = std::max(from, -shift), inside_to = std::min(to, w - shift);
    for (int y = 0; y < h && sum < bound; y += step) {
      const uint8_t* row_m = &m.y[size_t(y) * w];
      const uint8_t* row_s = &src.y[size_t(y) * w];
      int x = from;
      for (; x < to && x < inside_from; x += step) sum += std::abs(int(row_m[x]) - int(row_s[0]));
      for (; x < inside_to; x += step) sum += std::abs(int(row_m[x]) - int(row_s[x + shift]));
      for (; x < to; x += step) sum += std::abs(int(row_m[x]) - int(row_s[w - 1]));
    }
  } else {
    for (int y = from; y < to && sum < bound; y += step) {
      const uint8_t* row_m = &m.y[size_t(y) * w];
      const uint8_t* row_s = &src.y[size_t(std::clamp(y + shift, 0, h - 1)) * w];
      for (int x = 0; x < w; x += step) sum += std::abs(int(row_m[x]) - int(row_s[x]));
    }
  }
  return sum;
}

// The smallest band residual over corrections -kDrift..kDrift of `shift` (every `step`-th).
long BestBand(const TinyYuv& src, const TinyYuv& m, bool horizontal, int from, int to, int shift,
              int step, long bound) {
  // No correction first, then growing ones: the best is usually small, and a tight bound early
  // lets the other corrections give up after a few rows.
  long best = BandResidual(src, m, horizontal, from, to, shift, step, bound);
  for (int d = step; d <= kDrift; d += step) {
    best = std::min(best, BandResidual(src, m, horizontal, from, to, shift - d, step, best));
    best = std::min(best, BandResidual(src, m, horizontal, from, to, shift + d, step, best));
  }
  return best;
}

// Mean absolute luma difference between `m` and the composite of direction `dir` at offset `o`
// (over every `step`-th row and column); a value >= `bound` when it cannot come under it.
double CompositeResidual(const TinyYuv& a, const TinyYuv& m, const TinyYuv& b, int dir, int o,
                         int step, double bound) {
  const int w = m.width, h = m.height;
  const bool horizontal = dir < 2;
  const int side = horizontal ? w : h;
  const long samples = long((h + step - 1) / step) * ((w + step - 1) / step);
  const long limit = static_cast<long>(bound * double(samples)) + 1;
  // Where the outgoing picture a still shows, and the shifts that map m's pixels to a's and b's.
  int a_from, a_to, a_shift, b_from, b_to, b_shift;
  if (dir == 0 || dir == 2) {  // a leaves towards 0, b enters from the far side
    a_from = 0, a_to = side - o, a_shift = o;
    b_from = side - o, b_to = side, b_shift = -(side - o);
  } else {  // a leaves towards the far side, b enters from 0
    a_from = o, a_to = side, a_shift = -o;
    b_from = 0, b_to = o, b_shift = side - o;
  }
  // Bands start on the sampling grid so that both parts sample the same pixels as one pass.
  auto on_grid = [step](int v) { return (v + step - 1) / step * step; };
  const long in_a = BestBand(a, m, horizontal, on_grid(a_from), a_to, a_shift, step, limit);
  if (in_a >= limit) return bound;
  const long in_b = BestBand(b, m, horizontal, on_grid(b_from), b_to, b_shift, step, limit - in_a);
  if (in_a + in_b >= limit) return bound;
  return double(in_a + in_b) / double(samples);
}

// Mean absolute difference between line `i - 1` and line `i` of `m` (columns when horizontal).
double LineStep(const TinyYuv& m, bool horizontal, int i) {
  const int w = m.width, h = m.height;
  long sum = 0;
  if (horizontal) {
    for (int y = 0; y < h; ++y) sum += std::abs(int(m.y[y * w + i]) - int(m.y[y * w + i - 1]));
    return double(sum) / h;
  }
  for (int x = 0; x < w; ++x) sum += std::abs(int(m.y[i * w + x]) - int(m.y[(i - 1) * w + x]));
  return double(sum) / w;
}

// LineStep at the seam `at` over the median LineStep away from it (see SlideFit::seam).
double SeamContrast(const TinyYuv& m, bool horizontal, int at) {
  const int side = horizontal ? m.width : m.height;
  if (at < 1 || at >= side) return 0;
  std::vector<double> steps;
  double seam = 0;  // the offset is found to a pixel or so: the strongest step next to it
  for (int i = 1; i < side; ++i) {
    const double step = LineStep(m, horizontal, i);
    if (std::abs(i - at) <= 1) seam = std::max(seam, step);
    if (std::abs(i - at) > 3) steps.push_back(step);
  }
  if (steps.empty()) return 0;
  std::nth_element(steps.begin(), steps.begin() + steps.size() / 2, steps.end());
  return seam / std::max(1.0, steps[steps.size() / 2]);
}

double MeanAbs(const TinyYuv& p, const TinyYuv& q) {
  long sum = 0;
  for (size_t i = 0; i < p.y.size(); ++i) sum += std::abs(int(p.y[i]) - int(q.y[i]));
  return p.y.empty() ? 0.0 : double(sum) / double(p.y.size());
}

}  // namespace

SlideFit FitSlide(const TinyYuv& a, const TinyYuv& m, const TinyYuv& b, double max_ratio) {
  SlideFit fit;
  const int w = m.width, h = m.height;
  if (w < 8 || h < 8 || a.y.size() != m.y.size() || b.y.size() != m.y.size()) return fit;
  fit.plain = std::min(MeanAbs(m, a), MeanAbs(m, b));
  // Composites that cannot come under max_ratio of the plain difference are abandoned early
  // (most windows hold no slide, and their composites fail within a few rows).
  const double bound = max_ratio * fit.plain;
  // Coarse to fine: every other offset on every other row and column, then the neighbourhood
  // of the best one at full resolution. A slide's residual changes smoothly with the offset,
  // so the coarse minimum lies next to the fine one.
  double coarse = bound;
  int best_dir = -1, best_o = 0;
  for (int dir = 0; dir < 4; ++dir) {
    const int side = dir < 2 ? w : h;
    for (int o = side / 8; o <= side - side / 8; o += 2) {
      const double r = CompositeResidual(a, m, b, dir, o, 2, coarse);
      if (r < coarse) {
        coarse = r;
        best_dir = dir;
        best_o = o;
      }
    }
  }
  if (best_dir < 0) return fit;
  const int side = best_dir < 2 ? w : h;
  double best = bound;
  for (int o = std::max(side / 8, best_o - 2); o <= std::min(side - side / 8, best_o + 2); ++o) {
    const double r = CompositeResidual(a, m, b, best_dir, o, 1, best);
    if (r < best) {
      best = r;
      fit.residual = r;
      fit.direction = best_dir;
      fit.progress = double(o) / side;
    }
  }
  if (fit.direction >= 0) {
    const int o = static_cast<int>(std::lround(fit.progress * side));
    // The seam lies where a's part ends: at side - o when a leaves towards 0, at o otherwise.
    const int at = fit.direction == 0 || fit.direction == 2 ? side - o : o;
    fit.seam = SeamContrast(m, fit.direction < 2, at);
  }
  return fit;
}

}  // namespace clipdex

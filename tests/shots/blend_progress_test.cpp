// BlendProgress: an edited dissolve advances its blend weight steadily; camera motion that
// fits a blend stalls, drifts back or jumps.
#include "shots/blend_progress.h"

#include <gtest/gtest.h>

#include <vector>

namespace clipdex {
namespace {

TinyYuv Flat(int w, int h, uint8_t base, int slope) {
  TinyYuv f;
  f.width = w;
  f.height = h;
  f.y.resize(size_t(w) * h);
  for (int i = 0; i < w * h; ++i) f.y[i] = uint8_t(base + slope * (i % w));
  return f;
}

TEST(BlendProgress, WeightOfAMixIsItsShare) {
  const TinyYuv a = Flat(64, 36, 20, 1), b = Flat(64, 36, 200, -2);
  TinyYuv m = a;
  for (size_t i = 0; i < m.y.size(); ++i) m.y[i] = uint8_t(0.7 * a.y[i] + 0.3 * b.y[i] + 0.5);
  EXPECT_NEAR(BlendWeight(a, m, b), 0.3, 0.02);
  EXPECT_NEAR(BlendWeight(a, a, b), 0.0, 1e-9);
  EXPECT_NEAR(BlendWeight(a, b, b), 1.0, 1e-9);
}

TEST(BlendProgress, SteadyRampPassesStallsAndJumpsDoNot) {
  std::vector<double> ramp, twos, stall, back, jump;
  for (int i = 0; i <= 20; ++i) ramp.push_back(i / 20.0);
  for (int i = 0; i <= 20; ++i) twos.push_back((i / 2) / 10.0);  // repeated frames (on twos)
  // Drifts like the tuning half's handheld "dissolves": a long plateau half-way.
  for (double x : {0.0, 0.1, 0.2, 0.3, 0.45, 0.45, 0.46, 0.45, 0.46, 0.45, 0.6, 0.75, 0.9, 1.0})
    stall.push_back(x);
  for (double x : {0.0, 0.2, 0.28, 0.46, 0.40, 0.39, 0.40, 0.45, 0.65, 0.76, 0.94, 1.0})
    back.push_back(x);
  for (double x : {0.0, 0.03, 0.06, 0.07, 0.08, 0.5, 0.93, 0.94, 0.97, 1.0}) jump.push_back(x);
  EXPECT_GT(MeasureBlendProgress(ramp).min_rate, 0.9);
  EXPECT_LT(MeasureBlendProgress(ramp).max_two_step, 0.2);
  EXPECT_GT(MeasureBlendProgress(twos).min_rate, 0.5);
  EXPECT_LT(MeasureBlendProgress(stall).min_rate, 0.3);
  EXPECT_LT(MeasureBlendProgress(back).min_rate, 0.0);
  EXPECT_GT(MeasureBlendProgress(jump).max_two_step, 0.6);
}

}  // namespace
}  // namespace clipdex

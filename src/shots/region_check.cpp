#include "shots/region_check.h"

#include <cmath>

#include "shots/region_check_model.h"

namespace clipdex {

double RegionCheckScore(const std::array<double, kRegionFeatureCount>& f) {
  using namespace region_check_model;
  double s = kBias;
  for (int i = 0; i < kRegionFeatureCount; ++i) s += kWeight[i] * (f[i] - kMean[i]) / kScale[i];
  return 1.0 / (1.0 + std::exp(-s));
}

bool RegionCheckPasses(double score) { return score >= region_check_model::kThreshold; }

}  // namespace clipdex

// The learned region check: a logistic regression over a dissolve region's measurements
// (ShotDetector::RegionFeatures), fitted offline by scripts/train_region_check.py on the tuning
// half of the generated evaluation corpus. It runs after every classical test has passed and can
// only reject: camera motion, haze, fast zooms and titles arriving over moving footage that the
// hand-set tests let through as dissolves. The weights are C++ constants
// (shots/region_check_model.h, generated): 20 numbers need no model file, and shot detection runs
// where ONNX Runtime is absent. docs/shots.md, "Learned region check".
#pragma once

#include <array>

#include "shots/shot_detector.h"

namespace clipdex {

// The model's probability that the region is an edited transition (0..1).
double RegionCheckScore(const std::array<double, kRegionFeatureCount>& features);

// True when the region stands: its score reaches the threshold chosen at training.
bool RegionCheckPasses(double score);

}  // namespace clipdex

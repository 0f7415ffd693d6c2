// aesthetic.heuristic: a classical, explainable composite on 0..10 (no learned model, and
// named "heuristic" so nobody mistakes it for LAION/NIMA-style aesthetic predictors):
//
//   10 x ( 0.25 sharpness                                  quality.sharpness, 0..1
//        + 0.20 exposure    1 - min(1, 2 x (under + over))  crushed + clipped pixel fractions
//        + 0.20 contrast    min(1, rms / 0.2)               RMS contrast of luma
//        + 0.15 colour      min(1, colourfulness / 80)      Hasler-Suesstrunk, 80 ~ "highly"
//        + 0.20 composition 1 - min(1, 3 d) )                d = distance of the saliency
//            centroid from the nearest rule-of-thirds point, in frame diagonals (a centred
//            subject: d = 1/6 -> 0.5); no salient region -> 0.5
//
// The weights are a judgement call, documented so tiers can be read; each part is also
// stored on its own (quality.*) for rules that need it.
#pragma once

#include <opencv2/core.hpp>

namespace clipdex {

struct AestheticParts {
  double sharpness = 0, exposure = 0, contrast = 0, colour = 0, composition = 0;
  double Score() const;  // 0..10
};

// Composition part for one BGR picture: spectral-residual saliency centroid vs thirds points.
double ThirdsComposition(const cv::Mat& bgr);

}  // namespace clipdex

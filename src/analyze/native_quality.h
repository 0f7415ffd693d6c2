// NativeQualityAnalyzer: the quality measures that need the picture at (up to) its native
// size, from the grey need it shares with BordersAnalyzer (NativeGrayNeed(): luma, long side up
// to 1920 px, 0.5 sample/s), on up to 8 non-black samples per clip, inside the clip's content
// rectangle (black bars left out). Clip values are medians over the samples.
//
//   quality.sharpness   Laplacian variance of the luma scaled to 512 px (fixed analysis size,
//                       so resolution does not dominate), mapped to 0..1
//   quality.noise       Immerkaer sigma at native size (grey levels)
//   quality.blockiness  8x8-grid discontinuity ratio at native size (1 = none)
//   quality.score       technical composite of the three (TechnicalQualityScore)
//   artifact.hf_energy, artifact.spectral_peaks   indicators (artifact_indicators.h)
//
// See docs/attributes.md ("Technical quality", "Artefact indicators").
#pragma once

#include <string>
#include <vector>

#include "analyze/analyzer.h"

namespace clipdex {

// quality.score on 0..100, higher is better:
//   100 x sharpness x 1 / (1 + max(0, blockiness - 1.5) / 3) x 1 / (1 + max(0, noise - 3) / 3)
// Sharpness carries detail (blur, downscaling); the two factors take off for coding blocks
// (a ratio of 1.5 is tolerated: mild grids are common even at good bit rates) and for visible
// noise (sigma above 3 grey levels at native size).
double TechnicalQualityScore(double sharpness, double blockiness, double noise);

class NativeQualityAnalyzer : public ClipAnalyzer {
 public:
  std::string name() const override { return "native_quality"; }
  FrameNeed need() const override;
  void Analyze(const ClipSpan& clip, const std::vector<AnalysisFrame>& frames,
               std::vector<Attribute>* out) override;
};

}  // namespace clipdex

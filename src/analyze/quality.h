// QualityAnalyzer: the colour-picture part of technical quality (BRISQUE, exposure, contrast,
// colourfulness), temporal defects (black, blank, frozen samples) and the aesthetic heuristic
// of a clip (or still), from sparse BGR samples at a fixed analysis size, so the numbers do not
// depend on the source resolution. No learned model except BRISQUE's small SVM. Sharpness,
// noise, blockiness and quality.score come from NativeQualityAnalyzer (native_quality.h).
//
// Per clip: up to 8 samples spread over the clip (1 sample/s before that); measures are taken
// inside the content rectangle (black bars left out) of each non-blank sample and summarised
// by the median. Temporal ratios use every buffered sample. See docs/attributes.md
// ("Technical quality") for every attribute, its unit and how it is computed.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "analyze/analyzer.h"

namespace clipdex {

class BrisqueScorer;

struct QualityOptions {
  double sample_fps = 1.0;
  int long_side = 512;                 // kQualityAnalysisSide
  size_t max_samples = 8;              // per clip, for the per-picture measures
  size_t brisque_samples = 4;          // BRISQUE is the costliest measure; fewer samples suffice
  double frozen_max_difference = 0.5;  // mean |difference| (grey levels) of a frozen pair
};

class QualityAnalyzer : public ClipAnalyzer {
 public:
  // `brisque_model_dir`: holds brisque_model_live.yml and brisque_range_live.yml; when they
  // are missing quality.brisque is not written and brisque_note() says why.
  explicit QualityAnalyzer(std::filesystem::path brisque_model_dir, QualityOptions options = {});
  ~QualityAnalyzer() override;

  std::string name() const override { return "quality"; }
  FrameNeed need() const override;
  void Analyze(const ClipSpan& clip, const std::vector<AnalysisFrame>& frames,
               std::vector<Attribute>* out) override;

  // Empty when BRISQUE loaded, else the reason it did not.
  const std::string& brisque_note() const { return brisque_note_; }

 private:
  QualityOptions options_;
  std::shared_ptr<BrisqueScorer> brisque_;
  std::string brisque_note_;
};

}  // namespace clipdex

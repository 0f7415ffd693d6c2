#include "analyze/native_quality.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "analyze/artifact_indicators.h"
#include "analyze/borders.h"
#include "analyze/picture_measures.h"
#include "analyze/sample_spread.h"
#include "util/stats.h"

namespace clipdex {
namespace {

constexpr size_t kMaxSamples = 8;

}  // namespace

double TechnicalQualityScore(double sharpness, double blockiness, double noise) {
  const double block_factor = 1.0 / (1.0 + std::max(0.0, blockiness - 1.5) / 3.0);
  const double noise_factor = 1.0 / (1.0 + std::max(0.0, noise - 3.0) / 3.0);
  return std::clamp(100.0 * sharpness * block_factor * noise_factor, 0.0, 100.0);
}

FrameNeed NativeQualityAnalyzer::need() const { return NativeGrayNeed(); }

void NativeQualityAnalyzer::Analyze(const ClipSpan& clip, const std::vector<AnalysisFrame>& frames,
                                    std::vector<Attribute>* out) {
  std::vector<AnalysisFrame> usable;
  for (const AnalysisFrame& f : frames) {
    if (!f.image.empty() && !IsBlackPicture(f.image, kBarLevel) && !IsBlankPicture(f.image)) {
      usable.push_back(f);
    }
  }
  std::vector<cv::Mat> grays;
  for (const AnalysisFrame* f : SpreadSamples(usable, kMaxSamples)) grays.push_back(f->image);
  if (grays.empty()) return;
  const std::optional<cv::Rect> content = FindContentRect(grays);
  if (!content) return;
  // Coding blocks are 8x8 source pixels. The grey need keeps native size up to 1920 px; a
  // larger source is scaled, and the grid survives only when the scale is 1/integer
  // (3840 -> 1920: period 4). Otherwise blockiness is not measured.
  const double period = clip.width > 0 ? 8.0 * grays[0].cols / clip.width : 8.0;
  const int whole_period = static_cast<int>(std::lround(period));
  const bool grid_visible = whole_period >= 2 && std::abs(period - whole_period) < 0.05;
  std::vector<double> lap, noise, hf, peaks, blocks;
  for (const cv::Mat& g : grays) {
    const cv::Mat picture = g(*content);
    lap.push_back(LaplacianVariance(FitLongSide(picture, kQualityAnalysisSide)));
    // Noise is a per-pixel statistic: the centred 640x640 (at most) of the content estimates it
    // as well as the whole picture at a fifth of the cost on 1080p.
    const cv::Rect centre((picture.cols - std::min(picture.cols, 640)) / 2,
                          (picture.rows - std::min(picture.rows, 640)) / 2,
                          std::min(picture.cols, 640), std::min(picture.rows, 640));
    noise.push_back(NoiseSigma(picture(centre)));
    const ArtifactIndicators a = MeasureArtifactIndicators(g, *content);
    if (a.tiles > 0) {
      hf.push_back(a.hf_energy);
      peaks.push_back(a.spectral_peaks);
    }
    if (grid_visible) {
      const double b = Blockiness(g, whole_period, *content);
      if (b > 0) blocks.push_back(b);
    }
  }
  const double sharpness = SharpnessFromLaplacianVariance(Median(lap));
  const double sigma = Median(noise);
  out->push_back(Attribute::Num("quality.sharpness", sharpness));
  out->push_back(Attribute::Num("quality.noise", sigma));
  if (!blocks.empty()) out->push_back(Attribute::Num("quality.blockiness", Median(blocks)));
  // Without a measurable grid the score assumes none (blockiness 1).
  out->push_back(Attribute::Num(
      "quality.score",
      TechnicalQualityScore(sharpness, blocks.empty() ? 1.0 : Median(blocks), sigma)));
  if (!hf.empty()) {
    out->push_back(Attribute::Num("artifact.hf_energy", Median(hf)));
    out->push_back(Attribute::Num("artifact.spectral_peaks", Median(peaks)));
  }
}

}  // namespace clipdex

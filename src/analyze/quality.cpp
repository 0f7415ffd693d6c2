#include "analyze/quality.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "analyze/aesthetic_heuristic.h"
#include "analyze/borders.h"
#include "analyze/brisque.h"
#include "analyze/picture_measures.h"
#include "analyze/sample_spread.h"
#include "util/stats.h"

namespace clipdex {
namespace {

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / v.size();
}

// BGR luma below this is black for the black-frame ratio (full range: 24 ~ 0.1 of 255 above
// the darkest usable level, like ffmpeg blackdetect's pixel threshold).
constexpr int kBgrBlackLevel = 24;

}  // namespace

QualityAnalyzer::QualityAnalyzer(std::filesystem::path brisque_model_dir, QualityOptions options)
    : options_(options) {
  auto scorer = BrisqueScorer::Shared(brisque_model_dir);
  if (scorer.ok()) {
    brisque_ = scorer.value();
  } else {
    brisque_note_ = scorer.status().message();
  }
}

QualityAnalyzer::~QualityAnalyzer() = default;

FrameNeed QualityAnalyzer::need() const {
  return FrameNeed{options_.sample_fps, /*pairs=*/false, options_.long_side, /*gray=*/false};
}

void QualityAnalyzer::Analyze(const ClipSpan& clip, const std::vector<AnalysisFrame>& frames,
                              std::vector<Attribute>* out) {
  // Temporal: every buffered sample (about 1 s apart, further on long shots).
  std::vector<cv::Mat> lumas;
  int black = 0, blank = 0;
  for (const AnalysisFrame& f : frames) {
    if (f.image.empty()) continue;
    lumas.push_back(ToLuma(f.image));
    black += IsBlackPicture(lumas.back(), kBgrBlackLevel);
    blank += IsBlankPicture(lumas.back());
  }
  if (lumas.empty()) return;
  out->push_back(Attribute::Num("quality.black_frames", double(black) / lumas.size()));
  out->push_back(Attribute::Num("quality.blank_frames", double(blank) / lumas.size()));
  if (!clip.is_image && lumas.size() >= 2) {
    int pairs = 0, frozen = 0;
    for (size_t i = 1; i < lumas.size(); ++i) {
      // A held black or flat card is reported by the black/blank ratios, not as frozen.
      if (IsBlankPicture(lumas[i - 1]) && IsBlankPicture(lumas[i])) continue;
      ++pairs;
      frozen += MeanAbsDifference(lumas[i - 1], lumas[i]) <= options_.frozen_max_difference;
    }
    if (pairs > 0) out->push_back(Attribute::Num("quality.frozen_ratio", double(frozen) / pairs));
  }

  // Per picture: non-blank samples spread over the clip, inside the content rectangle.
  std::vector<AnalysisFrame> usable;
  for (const AnalysisFrame& f : frames) {
    if (!f.image.empty() && !IsBlankPicture(ToLuma(f.image))) usable.push_back(f);
  }
  const std::vector<const AnalysisFrame*> picked = SpreadSamples(usable, options_.max_samples);
  if (picked.empty()) return;
  std::vector<cv::Mat> grays;
  for (const AnalysisFrame* f : picked) grays.push_back(ToLuma(f->image));
  cv::Rect content = FindContentRect(grays).value_or(cv::Rect(0, 0, grays[0].cols, grays[0].rows));
  // The line at a bar edge mixes bar and picture at this scale: step one pixel inside.
  const cv::Rect full(0, 0, grays[0].cols, grays[0].rows);
  if (content != full && content.width > 8 && content.height > 8) {
    content = cv::Rect(content.x + 1, content.y + 1, content.width - 2, content.height - 2);
  }

  // BRISQUE on a few of them, spread like the rest.
  std::vector<bool> brisque_at(picked.size(), false);
  const size_t brisque_count = std::min(picked.size(), options_.brisque_samples);
  for (size_t j = 0; j < brisque_count; ++j) {
    brisque_at[(2 * j + 1) * picked.size() / (2 * brisque_count)] = true;
  }
  std::vector<double> under, over, contrast, colour, composition, brisque, aesthetic;
  for (size_t i = 0; i < picked.size(); ++i) {
    const cv::Mat bgr =
        picked[i]->image(content & cv::Rect(0, 0, picked[i]->image.cols, picked[i]->image.rows));
    const cv::Mat luma = ToLuma(bgr);
    const ExposureFractions e = MeasureExposure(bgr);
    under.push_back(e.under);
    over.push_back(e.over);
    contrast.push_back(RmsContrast(bgr));
    colour.push_back(Colorfulness(bgr));
    AestheticParts parts;
    parts.sharpness = SharpnessFromLaplacianVariance(LaplacianVariance(luma));
    parts.exposure = 1.0 - std::min(1.0, 2.0 * (e.under + e.over));
    parts.contrast = std::min(1.0, contrast.back() / 0.2);
    parts.colour = std::min(1.0, colour.back() / 80.0);
    parts.composition = ThirdsComposition(bgr);
    aesthetic.push_back(parts.Score());
    if (brisque_ && brisque_at[i]) {
      brisque.push_back(brisque_->Score(bgr));
    }
  }
  out->push_back(Attribute::Num("quality.exposure_under", Mean(under)));
  out->push_back(Attribute::Num("quality.exposure_over", Mean(over)));
  out->push_back(Attribute::Num("quality.contrast", Median(contrast)));
  out->push_back(Attribute::Num("quality.colorfulness", Median(colour)));
  out->push_back(Attribute::Num("aesthetic.heuristic", Median(aesthetic)));
  if (!brisque.empty()) out->push_back(Attribute::Num("quality.brisque", Median(brisque)));
}

}  // namespace clipdex

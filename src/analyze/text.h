// TextAnalyzer: burned-in text, subtitles and watermarks of a clip, by PP-OCRv4 (TextReader) on
// up to `max_samples` samples per clip (1 sample/s, 640 px long side, colour).
//
// Attributes (docs/attributes.md): text.area_ratio (max over samples of the union of text boxes
// / frame area), text.area_ratio_mean, text.subtitle (1 when text lines near the bottom centre
// appear in >= 2 samples and are not a fixed watermark), text.content (recognised lines,
// deduplicated across samples, at most `max_content_bytes`), text.boxes (JSON tracks),
// watermark.present, watermark.rect (source-video pixels) and watermark.evidence.
// Watermark: an OCR line at the same place in >= 80 % of >= 3 samples while the rest of the
// picture changes, else a corner blob of persistent edges (analyze/watermark.h). On a still shot
// (nothing changes) watermark.* is not written: it cannot be told from scene text.
#pragma once

#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "analyze/analyzer.h"
#include "models/text_reader.h"

namespace clipdex {

struct TextOptions {
  double sample_fps = 1.0;
  int long_side = 640;
  int max_samples = 6;              // per clip, spread evenly; bounds OCR cost per clip
  int probes = 2;                   // samples read first; the others only if these show text
  double bottom_band = 0.7;         // a line whose centre lies below 70 % of the height ...
  double centre_band = 0.15;        // ... and within 15 % of the width from the centre
  double watermark_presence = 0.8;  // of samples, for a fixed OCR line to be a watermark
  // A sample whose 64x36 grey miniature differs from an already-read sample's by at most this
  // many levels in every cell reuses that sample's text (no OCR run); < 0 reads every sample.
  double repeat_max_diff = 6.0;
  size_t max_content_bytes = 400;
  int max_tracks_json = 20;
  TextReaderOptions reader;
};

struct TextModelFiles {
  std::filesystem::path det, rec, dictionary;
};

// One picture's text: lines and the fractions of the picture they cover.
struct FrameText {
  std::vector<TextLine> lines;
  double area_ratio = 0;      // union of line rectangles / picture area
  double subtitle_ratio = 0;  // same, counting only lines in the bottom-centre band
};

class TextAnalyzer : public ClipAnalyzer {
 public:
  // Loads the models; a failure is kept and reported by load_status() (Analyze then adds
  // nothing).
  TextAnalyzer(const TextModelFiles& models, TextOptions options = {});
  // Shares an already loaded reader: ONNX Runtime sessions may run from several threads at
  // once, so ingest loads the models once for all workers and videos.
  TextAnalyzer(std::shared_ptr<TextReader> reader, TextOptions options = {});
  const Status& load_status() const { return load_status_; }

  std::string name() const override { return "text"; }
  FrameNeed need() const override;
  void Analyze(const ClipSpan& clip, const std::vector<AnalysisFrame>& frames,
               std::vector<Attribute>* out) override;

  // OCR of one BGR picture with the band bookkeeping (exposed for tests and per-frame use).
  Result<FrameText> ReadFrame(const cv::Mat& bgr);
  // Samples so far that reused the text of an identical sample instead of an OCR run.
  long repeats_reused() const { return repeats_reused_; }

 private:
  TextOptions options_;
  Status load_status_;
  std::shared_ptr<TextReader> reader_;
  int clips_analyzed_ = 0;   // for the periodic malloc_trim in Analyze
  long repeats_reused_ = 0;  // samples that reused a repeated picture's text
};

}  // namespace clipdex

// The analyzer interface. An analyzer declares which frames it needs (FrameNeed); the pipeline
// converts each decoded frame at most once per distinct need, keeps the samples of the open
// shot in a bounded buffer, and calls Analyze() once per clip when the shot closes.
// Analyzers add attributes with stable dotted names (docs/attributes.md); they never decode.
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "util/attribute.h"

namespace clipdex {

struct FrameNeed {
  double sample_fps = 2.0;  // how many samples per second of video
  // Each sample also carries the next decoded frame that is a different picture (for motion):
  // up to kMaxRepeatedPairFrames repeats of the sample (frame-rate conversion) are passed over.
  bool pairs = false;
  int long_side = 320;  // longer side of the display-oriented picture, pixels
  bool gray = true;     // grey (true) or BGR (false)
  // A need faster than the pipeline's sparse-decoding limit (10/s) normally turns sparse decoding
  // off for the whole video. With sparse_ok the analyzer takes the frames sparse decoding keeps
  // (the gaps show as jumps in AnalysisFrame::index) and fills the gaps itself.
  bool sparse_ok = false;
  bool operator==(const FrameNeed&) const = default;
};

struct AnalysisFrame {
  long index = 0;      // decoded-frame index
  double time = 0;     // seconds from the stream start
  cv::Mat image;       // display-oriented (rotation and pixel aspect applied)
  cv::Mat next_image;  // the pair frame when FrameNeed::pairs (see there), else empty
  double next_time = 0;
  long next_index = 0;  // its index: index + 1, or more where sparse decoding skipped frames
};

// Content at 12.5 or 16.7 fps in a 25 fps file repeats every 2nd or 3rd frame; a pair of two
// repeats measures no motion at all, so a sample's pair skips up to this many of them. A still
// (every frame repeated) still gets a repeated pair after that, which is its right answer.
inline constexpr int kMaxRepeatedPairFrames = 2;

// Same picture: mean absolute difference below 0.05 grey levels (re-encoded repeats are not
// bit-exact, real motion or sensor noise is far above this). Same size and type expected.
inline bool SamePicture(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() &&
         cv::norm(a, b, cv::NORM_L1) < 0.05 * double(a.total()) * a.channels();
}

struct ClipSpan {
  long first_frame = 0, last_frame = 0;  // inclusive
  double start_time = 0, end_time = 0;   // seconds
  int width = 0, height = 0;             // display size of the source video
  bool is_image = false;                 // a single still image, not a video
};

class ClipAnalyzer {
 public:
  virtual ~ClipAnalyzer() = default;
  virtual std::string name() const = 0;
  virtual FrameNeed need() const = 0;
  // `frames` are the samples inside the clip, in time order (may be empty for very short clips).
  virtual void Analyze(const ClipSpan& clip, const std::vector<AnalysisFrame>& frames,
                       std::vector<Attribute>* out) = 0;
};

}  // namespace clipdex

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
  bool pairs = false;       // each sample also carries the very next decoded frame (for motion)
  int long_side = 320;      // longer side of the display-oriented picture, pixels
  bool gray = true;         // grey (true) or BGR (false)
  bool operator==(const FrameNeed&) const = default;
};

struct AnalysisFrame {
  long index = 0;      // decoded-frame index
  double time = 0;     // seconds from the stream start
  cv::Mat image;       // display-oriented (rotation and pixel aspect applied)
  cv::Mat next_image;  // the next decoded frame when FrameNeed::pairs, else empty
  double next_time = 0;
  long next_index = 0;  // its index: index + 1, or more where sparse decoding skipped frames
};

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

// BordersAnalyzer: black bars (letterbox top/bottom, pillarbox left/right) around the picture.
//
// A line (row or column) of a grey sample is a bar line when its mean is at most kBarLevel and
// at most 2 % of its pixels exceed kBarLevel + 16 (coding noise and ringing next to the picture
// stay under that). The bars of a sample are the runs of bar lines from each edge inwards; the
// clip's content rectangle is the union of the samples' content rectangles (a bar must be dark
// in every sample; all-black samples are skipped, so a fade does not widen the bars).
//
// Measured on the native-size grey need (long side up to 1920 px) so a bar edge is placed to
// about a source pixel; rectangles are mapped back to the source's display size.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analyze/analyzer.h"

namespace clipdex {

// The grey need shared by the analyzers that measure at (up to) native resolution: borders,
// blockiness and the artefact indicators. One conversion per sample serves them all.
FrameNeed NativeGrayNeed();

// Luma at or below this is bar black (limited-range video black is 16, full-range 0).
inline constexpr int kBarLevel = 32;

// The content rectangle of grey pictures of one size, in their pixels; nullopt when every
// picture is black (nothing to measure).
std::optional<cv::Rect> FindContentRect(const std::vector<cv::Mat>& grays);

// Maps a rectangle from a picture of `from` size to `to` size (edges rounded independently).
cv::Rect ScaleRect(const cv::Rect& r, cv::Size from, cv::Size to);

class BordersAnalyzer : public ClipAnalyzer {
 public:
  std::string name() const override { return "borders"; }
  FrameNeed need() const override { return NativeGrayNeed(); }
  // Emits borders.content_rect ([x,y,w,h] in source display pixels), borders.letterbox,
  // borders.pillarbox (1/0: bars of at least 1 % of the height / width on both sides).
  // Nothing when every sample is black.
  void Analyze(const ClipSpan& clip, const std::vector<AnalysisFrame>& frames,
               std::vector<Attribute>* out) override;
};

}  // namespace clipdex

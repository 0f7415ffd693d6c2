#include "analyze/borders.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analyze/picture_measures.h"
#include "analyze/sample_spread.h"

namespace clipdex {
namespace {

constexpr size_t kMaxSamples = 8;

bool IsBarLine(const cv::Mat& line) {
  if (cv::mean(line)[0] > kBarLevel) return false;
  return cv::countNonZero(line > kBarLevel + 16) <= 0.02 * double(line.total());
}

// Content rectangle of one grey picture; empty when the whole picture is bar black.
cv::Rect ContentRect(const cv::Mat& gray) {
  int top = 0, bottom = gray.rows, left = 0, right = gray.cols;
  while (top < bottom && IsBarLine(gray.row(top))) ++top;
  if (top == bottom) return {};
  while (bottom > top && IsBarLine(gray.row(bottom - 1))) --bottom;
  const cv::Mat middle = gray.rowRange(top, bottom);
  while (left < right && IsBarLine(middle.col(left))) ++left;
  while (right > left && IsBarLine(middle.col(right - 1))) --right;
  return cv::Rect(left, top, right - left, bottom - top);
}

}  // namespace

FrameNeed NativeGrayNeed() {
  return FrameNeed{/*sample_fps=*/0.5, /*pairs=*/false, /*long_side=*/1920, /*gray=*/true};
}

std::optional<cv::Rect> FindContentRect(const std::vector<cv::Mat>& grays) {
  std::optional<cv::Rect> all;
  for (const cv::Mat& g : grays) {
    if (g.empty()) continue;
    const cv::Rect r = ContentRect(ToLuma(g));
    if (r.area() == 0 || IsBlackPicture(g, kBarLevel)) continue;
    all = all ? (*all | r) : r;
  }
  return all;
}

cv::Rect ScaleRect(const cv::Rect& r, cv::Size from, cv::Size to) {
  if (from.width <= 0 || from.height <= 0) return r;
  const double sx = double(to.width) / from.width, sy = double(to.height) / from.height;
  const int x0 = static_cast<int>(std::lround(r.x * sx));
  const int y0 = static_cast<int>(std::lround(r.y * sy));
  const int x1 = static_cast<int>(std::lround((r.x + r.width) * sx));
  const int y1 = static_cast<int>(std::lround((r.y + r.height) * sy));
  return cv::Rect(x0, y0, x1 - x0, y1 - y0);
}

void BordersAnalyzer::Analyze(const ClipSpan& clip, const std::vector<AnalysisFrame>& frames,
                              std::vector<Attribute>* out) {
  std::vector<cv::Mat> grays;
  for (const AnalysisFrame* f : SpreadSamples(frames, kMaxSamples)) {
    if (!f->image.empty()) grays.push_back(f->image);
  }
  if (grays.empty()) return;
  const std::optional<cv::Rect> content = FindContentRect(grays);
  if (!content) return;
  const cv::Size source(clip.width > 0 ? clip.width : grays[0].cols,
                        clip.height > 0 ? clip.height : grays[0].rows);
  const cv::Rect r = ScaleRect(*content, grays[0].size(), source);
  const int top = r.y, bottom = source.height - (r.y + r.height);
  const int left = r.x, right = source.width - (r.x + r.width);
  const bool letterbox = std::min(top, bottom) >= 0.01 * source.height;
  const bool pillarbox = std::min(left, right) >= 0.01 * source.width;
  char rect[96];
  std::snprintf(rect, sizeof rect, "[%d,%d,%d,%d]", r.x, r.y, r.width, r.height);
  out->push_back(Attribute::Text("borders.content_rect", rect));
  out->push_back(Attribute::Num("borders.letterbox", letterbox ? 1 : 0));
  out->push_back(Attribute::Num("borders.pillarbox", pillarbox ? 1 : 0));
}

}  // namespace clipdex

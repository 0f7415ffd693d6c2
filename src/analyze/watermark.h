// Watermark evidence from a clip's samples: things that stay fixed while the picture changes.
//
// Two signals, both needing at least 3 samples:
//  - a text line found by OCR at the same place in most samples (the text analyzer tracks them
//    and asks PictureChanges() whether the rest of the picture moved meanwhile);
//  - persistent edges: pixels that are edges in >= 90 % of the samples, grouped into blobs, in a
//    corner region of the frame, whose surroundings change (a static background has persistent
//    edges too; a logo over moving content is the only thing that keeps its edges there).
// A still shot cannot tell a watermark from text that belongs to the scene: both stay fixed.
#pragma once

#include <opencv2/core.hpp>
#include <optional>
#include <vector>

namespace clipdex {

// Fraction of pixels outside `exclude` whose grey value varies over the samples (temporal standard
// deviation > 8 grey levels). `grey` are same-sized 8-bit pictures.
double ChangingFraction(const std::vector<cv::Mat>& grey, const cv::Rect& exclude = {});

// The picture changes enough to judge persistence: ChangingFraction >= 2 %.
bool PictureChanges(const std::vector<cv::Mat>& grey, const cv::Rect& exclude = {});

// A corner blob of persistent edges over changing surroundings, in the samples' pixels.
std::optional<cv::Rect> FindPersistentEdgeOverlay(const std::vector<cv::Mat>& grey);

}  // namespace clipdex

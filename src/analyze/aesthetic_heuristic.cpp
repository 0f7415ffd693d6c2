#include "analyze/aesthetic_heuristic.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "analyze/picture_measures.h"

namespace clipdex {

double AestheticParts::Score() const {
  const double s =
      0.25 * sharpness + 0.20 * exposure + 0.20 * contrast + 0.15 * colour + 0.20 * composition;
  return std::clamp(10.0 * s, 0.0, 10.0);
}

double ThirdsComposition(const cv::Mat& image) {
  if (image.empty()) return 0.5;
  cv::Mat bgr = image;
  if (bgr.channels() == 1) cv::cvtColor(bgr, bgr, cv::COLOR_GRAY2BGR);
  SaliencyThumbnail sal;
  if (!ComputeSaliencyThumbnail(bgr, &sal)) return 0.5;
  const cv::Mat& map = sal.map;
  // Weight only what stands out (above mean + 1 sigma), so the background does not pull the
  // centroid to the middle.
  cv::Mat weights;
  cv::threshold(map - (sal.mean + sal.sd), weights, 0, 0, cv::THRESH_TOZERO);
  const cv::Moments m = cv::moments(weights);
  if (m.m00 <= 1e-9) return 0.5;
  const double cx = m.m10 / m.m00 / map.cols, cy = m.m01 / m.m00 / map.rows;
  const double aspect = double(map.cols) / map.rows;
  const double diagonal = std::hypot(aspect, 1.0);
  double best = 1e9;
  for (double tx : {1.0 / 3, 2.0 / 3}) {
    for (double ty : {1.0 / 3, 2.0 / 3}) {
      best = std::min(best, std::hypot((cx - tx) * aspect, cy - ty) / diagonal);
    }
  }
  // A thirds point is 1/6 of the diagonal from the centre for any aspect ratio; credit falls
  // to 0 at twice that, so a centred subject keeps half (centring is often right).
  return std::clamp(1.0 - best * 3.0, 0.0, 1.0);
}

}  // namespace clipdex

#include "analyze/aesthetic_heuristic.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <opencv2/saliency.hpp>

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
  auto saliency = cv::saliency::StaticSaliencySpectralResidual::create();
  cv::Mat map;
  if (!saliency->computeSaliency(bgr, map) || map.empty()) return 0.5;
  map.convertTo(map, CV_32F);
  cv::resize(map, map, cv::Size(64, std::max(1, 64 * bgr.rows / std::max(1, bgr.cols))), 0, 0,
             cv::INTER_AREA);
  cv::GaussianBlur(map, map, cv::Size(5, 5), 0);
  cv::Scalar mean, stddev;
  cv::meanStdDev(map, mean, stddev);
  if (stddev[0] < 1e-6) return 0.5;
  // Weight only what stands out (above mean + 1 sigma), so the background does not pull the
  // centroid to the middle.
  cv::Mat weights;
  cv::threshold(map - (mean[0] + stddev[0]), weights, 0, 0, cv::THRESH_TOZERO);
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

#include "analyze/watermark.h"

#include <opencv2/imgproc.hpp>

namespace clipdex {
namespace {

constexpr double kChangingStd = 8.0;  // grey levels; codec noise on still content stays below

// Per-pixel temporal standard deviation of the samples (CV_32F).
cv::Mat TemporalStd(const std::vector<cv::Mat>& grey) {
  cv::Mat sum = cv::Mat::zeros(grey[0].size(), CV_32F), sq = sum.clone(), f;
  for (const cv::Mat& g : grey) {
    g.convertTo(f, CV_32F);
    sum += f;
    sq += f.mul(f);
  }
  const float n = static_cast<float>(grey.size());
  cv::Mat var = sq / n - (sum / n).mul(sum / n);
  cv::Mat sd;
  cv::sqrt(cv::max(var, 0), sd);
  return sd;
}

}  // namespace

double ChangingFraction(const std::vector<cv::Mat>& grey, const cv::Rect& exclude) {
  if (grey.size() < 2) return 0;
  cv::Mat changing = TemporalStd(grey) > kChangingStd;
  cv::Mat mask(changing.size(), CV_8U, cv::Scalar(255));
  cv::Rect ex = exclude & cv::Rect(0, 0, mask.cols, mask.rows);
  if (!ex.empty()) mask(ex).setTo(0);
  const double total = cv::countNonZero(mask);
  return total > 0 ? cv::countNonZero(changing & mask) / total : 0;
}

bool PictureChanges(const std::vector<cv::Mat>& grey, const cv::Rect& exclude) {
  return ChangingFraction(grey, exclude) >= 0.02;
}

std::optional<cv::Rect> FindPersistentEdgeOverlay(const std::vector<cv::Mat>& grey) {
  if (grey.size() < 3) return std::nullopt;
  const cv::Size size = grey[0].size();
  cv::Mat count = cv::Mat::zeros(size, CV_32F), edges, e32;
  for (const cv::Mat& g : grey) {
    cv::Canny(g, edges, 60, 150);
    edges.convertTo(e32, CV_32F, 1.0 / 255);
    count += e32;
  }
  cv::Mat persistent = count >= 0.9 * grey.size();
  cv::Mat changing = TemporalStd(grey) > kChangingStd;
  // Logos sit in the corners: keep four corner regions (30 % of width, 25 % of height).
  cv::Mat corners = cv::Mat::zeros(size, CV_8U);
  const int cw = size.width * 3 / 10, ch = size.height / 4;
  for (cv::Point o :
       {cv::Point(0, 0), cv::Point(size.width - cw, 0), cv::Point(0, size.height - ch),
        cv::Point(size.width - cw, size.height - ch)}) {
    corners(cv::Rect(o, cv::Size(cw, ch))).setTo(255);
  }
  persistent &= corners;
  cv::Mat blobs;
  cv::dilate(persistent, blobs, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(9, 9)));
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(blobs, labels, stats, centroids, 8, CV_32S);
  std::optional<cv::Rect> best;
  int best_edges = 0;
  const double frame_area = static_cast<double>(size.area());
  for (int k = 1; k < n; ++k) {
    cv::Rect r(stats.at<int>(k, cv::CC_STAT_LEFT), stats.at<int>(k, cv::CC_STAT_TOP),
               stats.at<int>(k, cv::CC_STAT_WIDTH), stats.at<int>(k, cv::CC_STAT_HEIGHT));
    if (r.area() < 0.001 * frame_area || r.area() > 0.05 * frame_area) continue;
    const int edge_pixels = cv::countNonZero(persistent(r));
    if (edge_pixels < 40) continue;
    // The ring around the blob must change: the content moves, the overlay does not.
    cv::Rect ring = cv::Rect(r.x - r.width / 2, r.y - r.height / 2, r.width * 2, r.height * 2) &
                    cv::Rect(0, 0, size.width, size.height);
    cv::Mat ring_mask(size, CV_8U, cv::Scalar(0));
    ring_mask(ring).setTo(255);
    ring_mask(r).setTo(0);
    const double ring_pixels = cv::countNonZero(ring_mask);
    if (ring_pixels <= 0 || cv::countNonZero(changing & ring_mask) / ring_pixels < 0.3) continue;
    if (edge_pixels > best_edges) {
      best_edges = edge_pixels;
      best = r;
    }
  }
  return best;
}

}  // namespace clipdex

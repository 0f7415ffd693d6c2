#include "analyze/framing_evidence.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <vector>

#include "analyze/picture_measures.h"

namespace clipdex {
namespace {

cv::Mat Grey(const cv::Mat& image) {
  cv::Mat gray;
  if (image.channels() == 3) {
    cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  } else {
    gray = image;
  }
  return gray;
}

cv::Mat ResizeToWidth(const cv::Mat& m, int width) {
  cv::Mat out;
  const int height = std::max(1, cvRound(double(m.rows) * width / std::max(1, m.cols)));
  cv::resize(m, out, cv::Size(width, height), 0, 0, cv::INTER_AREA);
  return out;
}

// The main salient blob. Spectral residual works on a 64x64 thumbnail and needs no model.
void MeasureSalientSubject(const cv::Mat& bgr, PictureEvidence* e) {
  SaliencyThumbnail sal;
  if (!ComputeSaliencyThumbnail(bgr, &sal)) return;
  const cv::Mat& map = sal.map;
  cv::Mat mask = map > sal.mean + 2 * sal.sd;
  cv::morphologyEx(mask, mask, cv::MORPH_CLOSE,
                   cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(5, 5)));
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids);
  int best = -1, best_area = 0;
  for (int i = 1; i < n; ++i) {
    const int area = stats.at<int>(i, cv::CC_STAT_AREA);
    if (area > best_area) {
      best_area = area;
      best = i;
    }
  }
  // A blob of a few thumbnail pixels is texture, not a subject.
  if (best < 0 || best_area < 0.005 * map.total()) return;
  e->subject_height = double(stats.at<int>(best, cv::CC_STAT_HEIGHT)) / map.rows;
  e->subject_width = double(stats.at<int>(best, cv::CC_STAT_WIDTH)) / map.cols;
  e->subject_area = double(best_area) / map.total();
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

double MeanAbsLaplacian(const cv::Mat& gray) {
  cv::Mat lap;
  cv::Laplacian(gray, lap, CV_32F);
  return cv::mean(cv::abs(lap))[0];
}

void MeasureSharpness(const cv::Mat& bgr, PictureEvidence* e) {
  const cv::Mat gray = ResizeToWidth(Grey(bgr), 320);
  cv::Mat lap;
  cv::Laplacian(gray, lap, CV_32F);
  lap = cv::abs(lap);
  constexpr int kCols = 16, kRows = 9;
  std::vector<double> tiles, contrast;
  for (int r = 0; r < kRows; ++r) {
    for (int c = 0; c < kCols; ++c) {
      const cv::Rect t(c * gray.cols / kCols, r * gray.rows / kRows, gray.cols / kCols,
                       gray.rows / kRows);
      if (t.area() == 0) continue;
      tiles.push_back(cv::mean(lap(t))[0]);
      cv::Scalar mean, sd;
      cv::meanStdDev(gray(t), mean, sd);
      contrast.push_back(sd[0]);
    }
  }
  const double p90 = Percentile(tiles, 0.9), p25 = Percentile(tiles, 0.25);
  if (p90 <= 1e-6) return;  // a flat picture: nothing is sharp, nothing to compare
  e->sharp_fraction =
      double(std::count_if(tiles.begin(), tiles.end(), [&](double v) { return v >= 0.25 * p90; })) /
      tiles.size();
  e->sharp_spread = std::log((p90 + 0.5) / (p25 + 0.5));
  int defocused = 0;
  for (size_t i = 0; i < tiles.size(); ++i) {
    defocused += contrast[i] >= 6 && tiles[i] < 0.25 * p90;
  }
  e->defocus_fraction = double(defocused) / tiles.size();
  // Laplacian energy per pixel at 80 px vs 320 px: downscaling 4x multiplies the response of a
  // large edge by about 4 (its derivative per pixel) and averages fine texture away.
  const double fine = MeanAbsLaplacian(gray);
  const double coarse = MeanAbsLaplacian(ResizeToWidth(gray, 80)) / 4.0;
  e->detail_scale = fine + coarse > 1e-6 ? coarse / (fine + coarse) : 0;
  const double fine2 = MeanAbsLaplacian(ResizeToWidth(gray, 160));
  const double coarse2 = MeanAbsLaplacian(ResizeToWidth(gray, 40)) / 4.0;
  e->detail_scale_coarse = fine2 + coarse2 > 1e-6 ? coarse2 / (fine2 + coarse2) : 0;
  cv::Mat edges;
  cv::Canny(gray, edges, 60, 180);
  e->edge_density = double(cv::countNonZero(edges)) / edges.total();
}

}  // namespace

PictureEvidence MeasurePicture(const cv::Mat& image) {
  PictureEvidence e;
  if (image.empty()) return e;
  cv::Mat bgr = image;
  if (bgr.channels() == 1) cv::cvtColor(bgr, bgr, cv::COLOR_GRAY2BGR);
  MeasureSalientSubject(bgr, &e);
  MeasureSharpness(bgr, &e);
  return e;
}

BodyDetectors::BodyDetectors(const std::string& cascade_dir) {
  hog_ = std::make_unique<cv::HOGDescriptor>();
  hog_->setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
  names_ = "hog";
  if (cascade_dir.empty()) return;
  std::error_code ec;
  auto load = [&](const char* file, const char* name, std::unique_ptr<cv::CascadeClassifier>* to) {
    const std::filesystem::path path = std::filesystem::path(cascade_dir) / file;
    if (!std::filesystem::is_regular_file(path, ec)) return;
    auto c = std::make_unique<cv::CascadeClassifier>();
    if (!c->load(path.string())) return;
    *to = std::move(c);
    names_ += std::string("+") + name;
  };
  load("haarcascade_upperbody.xml", "upperbody", &upper_);
  load("haarcascade_fullbody.xml", "fullbody", &full_);
}

BodyDetectors::~BodyDetectors() = default;

BodyEvidence BodyDetectors::Detect(const cv::Mat& image) {
  BodyEvidence e;
  if (image.empty()) return e;
  const cv::Mat gray = Grey(image);
  // Small pictures and a coarse scale step keep this near 10 ms a frame: only people at least
  // a third of the frame tall matter here (a smaller one is a long shot whatever it is).
  const cv::Mat small = ResizeToWidth(gray, 256);
  auto tallest = [&](const std::vector<cv::Rect>& boxes, double rows) {
    int h = 0;
    for (const cv::Rect& r : boxes) h = std::max(h, r.height);
    return std::min(1.0, h / rows);
  };
  if (small.rows >= 128 && small.cols >= 64) {
    std::vector<cv::Rect> people;
    std::vector<double> weights;
    hog_->detectMultiScale(small, people, weights, 0.5, cv::Size(8, 8), cv::Size(), 1.15, 2);
    e.person_height = tallest(people, small.rows);
  }
  const int min_side = std::max(16, small.rows / 3);
  if (full_ != nullptr) {
    std::vector<cv::Rect> bodies;
    full_->detectMultiScale(small, bodies, 1.2, 3, 0, cv::Size(min_side / 2, min_side));
    e.person_height = std::max(e.person_height, tallest(bodies, small.rows));
  }
  if (upper_ != nullptr) {
    std::vector<cv::Rect> uppers;
    upper_->detectMultiScale(small, uppers, 1.2, 3, 0, cv::Size(min_side, min_side * 4 / 5));
    e.upper_body_height = tallest(uppers, small.rows);
  }
  return e;
}

}  // namespace clipdex

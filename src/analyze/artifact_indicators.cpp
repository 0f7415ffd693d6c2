#include "analyze/artifact_indicators.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "analyze/picture_measures.h"
#include "util/stats.h"

namespace clipdex {
namespace {

constexpr int kMaxTiles = 6;

// Tiles of `side` pixels inside `region`, the most textured first (flat tiles say nothing).
std::vector<cv::Rect> TexturedTiles(const cv::Mat& gray, const cv::Rect& region, int side) {
  std::vector<std::pair<double, cv::Rect>> scored;
  for (int y = region.y; y + side <= region.y + region.height; y += side) {
    for (int x = region.x; x + side <= region.x + region.width; x += side) {
      const cv::Rect r(x, y, side, side);
      cv::Scalar mean, stddev;
      cv::meanStdDev(gray(r), mean, stddev);
      if (stddev[0] >= 2.0) scored.push_back({stddev[0], r});
    }
  }
  std::sort(scored.begin(), scored.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<cv::Rect> out;
  for (size_t i = 0; i < scored.size() && i < kMaxTiles; ++i) out.push_back(scored[i].second);
  return out;
}

double HighFrequencyRatio(const cv::Mat& tile, const cv::Mat& window) {
  cv::Mat f;
  tile.convertTo(f, CV_32F);
  f -= cv::mean(f)[0];
  f = f.mul(window);
  cv::Mat spectrum;
  cv::dft(f, spectrum, cv::DFT_COMPLEX_OUTPUT);
  const int n = tile.rows;
  double high = 0, band = 0;
  for (int v = 0; v < n; ++v) {
    const double fy = double(v <= n / 2 ? v : v - n) / n;
    const cv::Vec2f* row = spectrum.ptr<cv::Vec2f>(v);
    for (int u = 0; u < n; ++u) {
      const double fx = double(u <= n / 2 ? u : u - n) / n;
      const double r = std::hypot(fx, fy);
      if (r < 1.0 / 32) continue;
      const double p = double(row[u][0]) * row[u][0] + double(row[u][1]) * row[u][1];
      band += p;
      if (r >= 0.25) high += p;
    }
  }
  return band > 0 ? high / band : 0;
}

// Peak-to-median ratio of the spectrum of the column profile of |second difference along x|.
double AxisPeakStrength(const cv::Mat& tile) {
  cv::Mat f;
  tile.convertTo(f, CV_32F);
  const int n = f.cols;
  cv::Mat profile = cv::Mat::zeros(1, n, CV_32F);
  for (int y = 0; y < f.rows; ++y) {
    const float* row = f.ptr<float>(y);
    float* p = profile.ptr<float>(0);
    for (int x = 1; x + 1 < n; ++x) p[x] += std::abs(row[x - 1] - 2 * row[x] + row[x + 1]);
  }
  // The two edge columns have no second difference: give them the mean so they add no step.
  const double mean = cv::sum(profile)[0] / std::max(1, n - 2);
  profile.at<float>(0, 0) = profile.at<float>(0, n - 1) = static_cast<float>(mean);
  profile -= mean;
  cv::Mat spectrum;
  cv::dft(profile, spectrum, cv::DFT_COMPLEX_OUTPUT);
  // Frequencies below 3 cycles per tile are scene layout, not a grid.
  std::vector<double> magnitudes;
  for (int k = 3; k <= n / 2; ++k) {
    const cv::Vec2f c = spectrum.at<cv::Vec2f>(0, k);
    magnitudes.push_back(std::hypot(c[0], c[1]));
  }
  // A natural picture's profile spectrum falls smoothly with frequency; a grid stands out from
  // its neighbours. Compare each bin with the median of the bins around it (+-6, the bin's own
  // +-1 left out so a peak spread over two bins still counts).
  double best = 0;
  const int m = static_cast<int>(magnitudes.size());
  for (int k = 0; k < m; ++k) {
    std::vector<double> around;
    for (int j = std::max(0, k - 6); j <= std::min(m - 1, k + 6); ++j) {
      if (std::abs(j - k) > 1) around.push_back(magnitudes[j]);
    }
    const double local = Median(around);
    if (local > 1e-9) best = std::max(best, magnitudes[k] / local);
  }
  return best;
}

}  // namespace

ArtifactIndicators MeasureArtifactIndicators(const cv::Mat& gray_in, const cv::Rect& region_in) {
  ArtifactIndicators out;
  const cv::Mat gray = ToLuma(gray_in);
  const cv::Rect region = region_in & cv::Rect(0, 0, gray.cols, gray.rows);
  int side = 256;
  while (side > 32 && (side > region.width || side > region.height)) side /= 2;
  if (side > region.width || side > region.height) return out;
  cv::Mat window;
  cv::createHanningWindow(window, cv::Size(side, side), CV_32F);
  std::vector<double> hf, peaks;
  for (const cv::Rect& r : TexturedTiles(gray, region, side)) {
    const cv::Mat tile = gray(r);
    hf.push_back(HighFrequencyRatio(tile, window));
    peaks.push_back(std::max(AxisPeakStrength(tile), AxisPeakStrength(tile.t())));
  }
  out.tiles = static_cast<int>(hf.size());
  out.hf_energy = Median(hf);
  out.spectral_peaks = Median(peaks);
  return out;
}

}  // namespace clipdex

#include "analyze/picture_measures.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>
#include <opencv2/saliency.hpp>
#include <vector>

namespace clipdex {

cv::Mat ToLuma(const cv::Mat& image) {
  if (image.channels() == 1) return image;
  cv::Mat gray;
  cv::cvtColor(image, gray, image.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  return gray;
}

cv::Mat FitLongSide(const cv::Mat& image, int long_side) {
  const int longest = std::max(image.cols, image.rows);
  if (image.empty() || longest <= long_side) return image;
  const double f = double(long_side) / longest;
  cv::Mat out;
  cv::resize(image, out,
             cv::Size(std::max(1, cvRound(image.cols * f)), std::max(1, cvRound(image.rows * f))),
             0, 0, cv::INTER_AREA);
  return out;
}

bool ComputeSaliencyThumbnail(const cv::Mat& bgr, SaliencyThumbnail* out) {
  auto saliency = cv::saliency::StaticSaliencySpectralResidual::create();
  cv::Mat map;
  if (!saliency->computeSaliency(bgr, map) || map.empty()) return false;
  map.convertTo(map, CV_32F);
  cv::resize(map, map, cv::Size(64, std::max(1, 64 * bgr.rows / std::max(1, bgr.cols))), 0, 0,
             cv::INTER_AREA);
  cv::GaussianBlur(map, out->map, cv::Size(5, 5), 0);
  cv::Scalar mean, stddev;
  cv::meanStdDev(out->map, mean, stddev);
  out->mean = mean[0];
  out->sd = stddev[0];
  return out->sd >= 1e-6;
}

double LaplacianVariance(const cv::Mat& gray) {
  if (gray.cols < 3 || gray.rows < 3) return 0;
  cv::Mat lap;
  cv::Laplacian(gray, lap, CV_32F, 1);
  cv::Scalar mean, stddev;
  cv::meanStdDev(lap, mean, stddev);
  return stddev[0] * stddev[0];
}

double SharpnessFromLaplacianVariance(double variance) {
  return std::clamp(std::log10(1.0 + std::max(0.0, variance)) / 4.0, 0.0, 1.0);
}

ExposureFractions MeasureExposure(const cv::Mat& bgr) {
  ExposureFractions e;
  const cv::Mat luma = ToLuma(bgr);
  if (luma.empty()) return e;
  const double n = double(luma.total());
  e.under = cv::countNonZero(luma <= 10) / n;
  e.over = cv::countNonZero(luma >= 245) / n;
  return e;
}

double RmsContrast(const cv::Mat& bgr) {
  const cv::Mat luma = ToLuma(bgr);
  if (luma.empty()) return 0;
  cv::Scalar mean, stddev;
  cv::meanStdDev(luma, mean, stddev);
  return stddev[0] / 255.0;
}

double Colorfulness(const cv::Mat& bgr) {
  if (bgr.empty() || bgr.channels() < 3) return 0;
  cv::Mat f;
  bgr.convertTo(f, CV_32F);
  std::vector<cv::Mat> ch;
  cv::split(f, ch);
  const cv::Mat rg = ch[2] - ch[1];
  const cv::Mat yb = 0.5 * (ch[2] + ch[1]) - ch[0];
  cv::Scalar mrg, srg, myb, syb;
  cv::meanStdDev(rg, mrg, srg);
  cv::meanStdDev(yb, myb, syb);
  const double sigma = std::hypot(srg[0], syb[0]);
  const double mu = std::hypot(mrg[0], myb[0]);
  return sigma + 0.3 * mu;
}

double NoiseSigma(const cv::Mat& gray_in) {
  const cv::Mat gray = ToLuma(gray_in);
  if (gray.cols < 8 || gray.rows < 8) return 0;
  // M = [1 -2 1; -2 4 -2; 1 -2 1]: responds to noise, nearly blind to smooth ramps.
  const cv::Mat mask = (cv::Mat_<float>(3, 3) << 1, -2, 1, -2, 4, -2, 1, -2, 1);
  cv::Mat response, gx, gy, magnitude;
  cv::filter2D(gray, response, CV_32F, mask);
  cv::Sobel(gray, gx, CV_32F, 1, 0);
  cv::Sobel(gray, gy, CV_32F, 0, 1);
  cv::magnitude(gx, gy, magnitude);
  const cv::Rect inner(1, 1, gray.cols - 2, gray.rows - 2);
  cv::Mat mag = magnitude(inner).clone();
  // Edge threshold: the 90th percentile of the gradient magnitude.
  std::vector<float> values(mag.begin<float>(), mag.end<float>());
  auto nth = values.begin() + static_cast<long>(values.size() * 9 / 10);
  std::nth_element(values.begin(), nth, values.end());
  const float edge = *nth;
  const cv::Mat flat = mag <= edge;
  const double count = cv::countNonZero(flat);
  if (count < 16) return 0;
  cv::Mat magnitude_response = cv::abs(response(inner));
  const double sum = cv::sum(magnitude_response.setTo(0, ~flat))[0];
  return std::sqrt(std::numbers::pi / 2.0) * sum / (6.0 * count);
}

namespace {

// Mean |I(x+1) - I(x)| per column offset x (the step from column x to x+1), over `region`.
std::vector<double> ColumnSteps(const cv::Mat& gray, const cv::Rect& region) {
  std::vector<double> steps(region.width > 1 ? region.width - 1 : 0, 0.0);
  for (int y = region.y; y < region.y + region.height; ++y) {
    const uint8_t* row = gray.ptr<uint8_t>(y) + region.x;
    for (size_t x = 0; x < steps.size(); ++x) steps[x] += std::abs(int(row[x + 1]) - int(row[x]));
  }
  return steps;
}

// Ratio of the mean step across boundaries to the mean step elsewhere, for one axis.
double AxisBlockiness(const std::vector<double>& steps, int origin, int period) {
  double at = 0, off = 0;
  long n_at = 0, n_off = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    // Step i goes from column origin+i to origin+i+1; a boundary lies before a multiple of period.
    if ((origin + long(i) + 1) % period == 0) {
      at += steps[i];
      ++n_at;
    } else {
      off += steps[i];
      ++n_off;
    }
  }
  if (n_at == 0 || n_off == 0 || off <= 0) return 0;
  return (at / n_at) / (off / n_off);
}

}  // namespace

double Blockiness(const cv::Mat& gray_in, int period, const cv::Rect& region_in) {
  const cv::Mat gray = ToLuma(gray_in);
  const cv::Rect region = region_in & cv::Rect(0, 0, gray.cols, gray.rows);
  if (period < 2 || region.width < 4 * period || region.height < 4 * period) return 0;
  const double h = AxisBlockiness(ColumnSteps(gray, region), region.x, period);
  cv::Mat transposed = gray.t();
  const cv::Rect tregion(region.y, region.x, region.height, region.width);
  const double v = AxisBlockiness(ColumnSteps(transposed, tregion), tregion.x, period);
  if (h <= 0 || v <= 0) return std::max(h, v);
  return 0.5 * (h + v);
}

bool IsBlackPicture(const cv::Mat& gray_in, int black_level) {
  const cv::Mat gray = ToLuma(gray_in);
  if (gray.empty()) return false;
  return cv::countNonZero(gray <= black_level) >= 0.98 * double(gray.total());
}

bool IsBlankPicture(const cv::Mat& gray_in) {
  const cv::Mat gray = ToLuma(gray_in);
  if (gray.empty()) return false;
  cv::Scalar mean, stddev;
  cv::meanStdDev(gray, mean, stddev);
  return stddev[0] < 2.0;
}

double MeanAbsDifference(const cv::Mat& a, const cv::Mat& b) {
  if (a.empty() || a.size() != b.size() || a.type() != b.type()) return 1e9;
  cv::Mat d;
  cv::absdiff(a, b, d);
  const cv::Scalar s = cv::mean(d);
  double total = 0;
  for (int c = 0; c < a.channels(); ++c) total += s[c];
  return total / a.channels();
}

}  // namespace clipdex

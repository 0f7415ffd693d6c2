// Classical per-picture technical measures (no models). Each function documents the picture it
// expects and the unit of its answer; docs/attributes.md ("Technical quality") lists how the
// clip attributes are built from them. Grey pictures are 8-bit luma as the pipeline delivers
// it: video luma is limited range (black = 16), JPEG / full-range luma starts at 0.
#pragma once

#include <opencv2/core.hpp>

namespace clipdex {

// The longer side, in pixels, at which the size-normalised measures (sharpness, noise,
// contrast, exposure, colourfulness) are taken, so a 4K and a 480p copy of one scene agree.
inline constexpr int kQualityAnalysisSide = 512;

// Spectral-residual saliency (cv::saliency, no model) of a BGR picture on a 64 px wide
// thumbnail, smoothed by a 5x5 Gaussian, with its mean and standard deviation. False when the
// map is flat (nothing stands out) or saliency fails.
struct SaliencyThumbnail {
  cv::Mat map;  // CV_32F, 64 px wide
  double mean = 0;
  double sd = 0;
};
bool ComputeSaliencyThumbnail(const cv::Mat& bgr, SaliencyThumbnail* out);

// Variance of the 3x3 Laplacian of a grey picture (grey levels squared).
double LaplacianVariance(const cv::Mat& gray);

// Sharpness on 0..1 from the Laplacian variance v at the analysis size: log10(1 + v) / 4,
// clamped (v = 10 -> 0.26, 100 -> 0.50, 1000 -> 0.75, 10000 -> 1).
double SharpnessFromLaplacianVariance(double variance);

struct ExposureFractions {
  double under = 0;  // fraction of pixels at or below the crushed-black level
  double over = 0;   // fraction of pixels at or above the clipped-white level
};
// Of a BGR picture (full range, as ToBgr delivers): crushed luma <= 10, clipped luma >= 245.
ExposureFractions MeasureExposure(const cv::Mat& bgr);

// RMS contrast: standard deviation of luma / 255 on a BGR picture (0..0.5).
double RmsContrast(const cv::Mat& bgr);

// Hasler & Suesstrunk (2003) colourfulness M = sigma_rgyb + 0.3 mu_rgyb on 0..255 BGR;
// 0 = grey, ~15 slightly, ~33 moderately, ~59 quite, ~82 highly, >109 extremely colourful.
double Colorfulness(const cv::Mat& bgr);

// Immerkaer (1996) fast noise estimate: sigma = sqrt(pi/2) / (6 N) * sum |I * M| with the
// Laplacian-difference mask M, over the non-edge pixels only (the 10 % strongest Sobel
// gradients are left out, after Tai & Yang 2008, so texture is not read as noise).
// Grey levels (0..255), of the picture as given.
double NoiseSigma(const cv::Mat& gray);

// Block-boundary discontinuity ratio (an 8x8-grid blockiness measure in the spirit of Wang,
// Bovik & Evans 2000): the mean absolute step between neighbouring pixels that straddle a block
// boundary (every `period` pixels from the picture origin) divided by the mean step at the other
// offsets, averaged over both axes. 1 = no grid; compressed video rises above 1.
// `region` restricts the measure (e.g. to the content inside black bars); offsets stay relative
// to the picture origin because coding blocks are. Returns 0 when the region is too small.
double Blockiness(const cv::Mat& gray, int period, const cv::Rect& region);

// True when nearly the whole picture is black: >= 98 % of pixels at or below `black_level`
// (ffmpeg blackdetect's picture_black_ratio_th 0.98). For grey video luma use 32, BGR 24.
bool IsBlackPicture(const cv::Mat& gray, int black_level);
// True when the picture is one flat colour of any brightness (luma stddev < 2 levels).
bool IsBlankPicture(const cv::Mat& gray);

// Mean absolute grey difference between two pictures of one size (grey levels).
double MeanAbsDifference(const cv::Mat& a, const cv::Mat& b);

// Luma of a BGR picture (or the picture itself when already grey).
cv::Mat ToLuma(const cv::Mat& image);

// The picture scaled (area interpolation) so its longer side is at most `long_side`.
cv::Mat FitLongSide(const cv::Mat& image, int long_side);

}  // namespace clipdex

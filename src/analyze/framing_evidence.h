// What one frame shows about its shot scale besides frontal faces: people found by their bodies
// (OpenCV's HOG people detector, the upper-body and full-body Haar cascades of opencv-data), the
// extent of the salient subject, how the sharpness is spread over the frame (a sharp subject
// against a defocused background marks close and insert shots) and the scale of its detail.
// Measured here, decided in shot_scale_decision.h; docs/attributes.md lists every field.
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <string>

namespace cv {
class CascadeClassifier;
class HOGDescriptor;
}  // namespace cv

namespace clipdex {

// Measures of the whole picture, cheap enough for every sample (about 2 ms at 640 px).
struct PictureEvidence {
  // Main salient region (spectral residual, thresholded at mean + 2 sd, largest blob), as
  // fractions of the frame: bounding-box height and width, and the blob's area.
  double subject_height = 0;
  double subject_width = 0;
  double subject_area = 0;
  // Sharpness over a 16x9 grid of tiles (mean |Laplacian| at 320 px): the fraction of tiles at
  // least a quarter as sharp as the sharpest tiles (the 90th percentile), and log(p90 / p25).
  // Close and insert shots with a defocused background: few sharp tiles, a wide spread.
  double sharp_fraction = 0;
  double sharp_spread = 0;
  // Detail scale: Laplacian energy that survives a 4x downscale, relative to the full-scale
  // energy (0..1). Large shapes (a face, an object filling the frame) keep their edges when
  // downscaled; the fine texture of a long shot averages away.
  double detail_scale = 0;
  // The same at half the resolution (160 vs 40 px): sensor noise and compression grain, which
  // pass for fine texture at 320 px, average away first.
  double detail_scale_coarse = 0;
  // Fraction of the 320 px picture on Canny edges (60/180): many small structures in a long
  // shot, few long edges around a close subject.
  double edge_density = 0;
  // Fraction of tiles that have contrast (grey-level sd >= 6) but no sharp detail (|Laplacian|
  // under a quarter of the sharp tiles'): out-of-focus background. Flat sky has no contrast
  // and is not counted, which sharp_spread cannot tell apart.
  double defocus_fraction = 0;
};

PictureEvidence MeasurePicture(const cv::Mat& bgr);

// The tallest person found by body detectors, as a fraction of the frame height (0: none).
struct BodyEvidence {
  double person_height = 0;      // HOG people detector or the full-body cascade (whole body)
  double upper_body_height = 0;  // upper-body cascade (head and shoulders)
};

// Loads the detectors once per analyzer; a detector whose file is missing is left out (said by
// detectors()). Not thread-safe: one per FramingAnalyzer, like the face detector.
class BodyDetectors {
 public:
  // `cascade_dir`: the folder holding haarcascade_{upperbody,fullbody}.xml (opencv-data);
  // empty -> HOG only.
  explicit BodyDetectors(const std::string& cascade_dir);
  ~BodyDetectors();
  BodyEvidence Detect(const cv::Mat& bgr);
  // "hog+upperbody+fullbody" or the subset that loaded.
  const std::string& detectors() const { return names_; }

 private:
  std::unique_ptr<cv::HOGDescriptor> hog_;
  std::unique_ptr<cv::CascadeClassifier> upper_, full_;
  std::string names_;
};

}  // namespace clipdex

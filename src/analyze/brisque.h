// BRISQUE (Mittal, Moorthy & Bovik 2012) no-reference quality through OpenCV contrib's
// cv::quality::QualityBRISQUE, with the LIVE-trained model files Debian ships in opencv-data
// (/usr/share/opencv4/quality/brisque_model_live.yml, brisque_range_live.yml). Scores run
// roughly 0 (pristine) to 100 (badly distorted); lower is better.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <opencv2/core.hpp>
#include <string>

#include "util/status.h"

namespace cv::quality {
class QualityBRISQUE;
}

namespace clipdex {

class BrisqueScorer {
 public:
  // The directory holding the two model files: CLIPDEX_OPENCV_DATA/quality.
  static std::filesystem::path DefaultModelDir();
  // Loads the model once per process and shares it (the SVM file takes ~0.1 s to parse);
  // an error names the missing or unreadable file.
  static Result<std::shared_ptr<BrisqueScorer>> Shared(const std::filesystem::path& model_dir);

  // BRISQUE score of a BGR or grey picture. Thread-safe (calls are serialised).
  double Score(const cv::Mat& image);

  explicit BrisqueScorer(cv::Ptr<cv::quality::QualityBRISQUE> model);
  ~BrisqueScorer();

 private:
  std::mutex mu_;
  cv::Ptr<cv::quality::QualityBRISQUE> model_;
};

}  // namespace clipdex

#include "analyze/image_tensor.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>

namespace clipdex {

FloatTensor CentreCropRgbTensor(const cv::Mat& bgr, const float (&mean)[3], const float (&std)[3]) {
  constexpr int kSide = 224;
  const double scale = static_cast<double>(kSide) / std::min(bgr.cols, bgr.rows);
  cv::Mat resized;
  cv::resize(bgr, resized,
             cv::Size(std::max(kSide, cvRound(bgr.cols * scale)),
                      std::max(kSide, cvRound(bgr.rows * scale))),
             0, 0, cv::INTER_CUBIC);
  const cv::Mat crop =
      resized(cv::Rect((resized.cols - kSide) / 2, (resized.rows - kSide) / 2, kSide, kSide));
  FloatTensor t;
  t.shape = {1, 3, kSide, kSide};
  t.data.resize(3 * kSide * kSide);
  for (int y = 0; y < kSide; ++y) {
    const cv::Vec3b* row = crop.ptr<cv::Vec3b>(y);
    for (int x = 0; x < kSide; ++x) {
      for (int c = 0; c < 3; ++c) {  // tensor channel c is RGB; the picture is BGR
        t.data[(c * kSide + y) * kSide + x] = (row[x][2 - c] / 255.0f - mean[c]) / std[c];
      }
    }
  }
  return t;
}

}  // namespace clipdex

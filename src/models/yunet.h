// YuNetOnnx: the YuNet face detector (the 2022 "final" exports with a fixed input, e.g.
// yunet_final_320_320_simplify.onnx) run by ONNX Runtime instead of OpenCV's DNN module.
//
// Same detections as OpenCV 4.6's cv::FaceDetectorYN on the same model and picture (same prior
// boxes, decoding and non-maximum suppression; tests/models/yunet_test.cpp compares the two),
// but 2.3x faster per frame on one thread (3.6 ms vs 8.5 ms at 320x320 here), which is most of
// the framing analyzer's cost. Without ONNX Runtime, Load() fails and callers use OpenCV's.
#pragma once

#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>

#include "util/status.h"

namespace clipdex {

class OnnxSession;

class YuNetOnnx {
 public:
  // Fails with "<file>: <reason>" (no ONNX Runtime, unreadable model, not a fixed-size YuNet).
  static Result<std::unique_ptr<YuNetOnnx>> Load(const std::filesystem::path& model,
                                                 float score_threshold, float nms_threshold,
                                                 int top_k);
  ~YuNetOnnx();

  // The model's fixed input size; Detect() takes BGR pictures of exactly this size.
  cv::Size input_size() const { return size_; }

  // One row per face, as cv::FaceDetectorYN::detect writes them: x, y, w, h of the box, five
  // landmarks (right eye, left eye, nose tip, right and left mouth corner) as x, y, then the
  // score. CV_32F, 15 columns; no rows when nothing passes the score threshold.
  Result<cv::Mat> Detect(const cv::Mat& bgr);

 private:
  YuNetOnnx(std::unique_ptr<OnnxSession> session, cv::Size size, float score_threshold,
            float nms_threshold, int top_k);
  std::unique_ptr<OnnxSession> session_;
  cv::Size size_;
  float score_threshold_, nms_threshold_;
  int top_k_;
  std::vector<cv::Rect2f> priors_;  // centre x, centre y, width, height; relative to the input
};

}  // namespace clipdex

// TextReader: PP-OCRv4 optical character recognition on one BGR picture: the DB text detector
// finds text lines, the CRNN recogniser reads each line (Chinese and English, CTC greedy decode).
//
// Detector (PaddleOCR's DBPostProcess, re-implemented): the picture is resized so both sides are
// multiples of 32 (long side about `det_long_side`), normalised (BGR, ImageNet mean/std) and
// run; the probability map is thresholded at `bin_threshold`, each contour's minimum-area
// rectangle is scored by the mean probability inside it (kept when >= `box_threshold`) and
// grown by area * `unclip_ratio` / perimeter on every side (the DB "unclip").
// Recogniser: each box is cut out upright (perspective crop), resized to height 48, normalised
// to [-1, 1] and decoded greedily; characters come from the dictionary (class k = line k-1,
// class 0 the CTC blank, the last class a space).
#pragma once

#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "models/onnx_session.h"
#include "util/status.h"

namespace clipdex {

struct TextReaderOptions {
  int det_long_side = 512;
  float bin_threshold = 0.3f;
  float box_threshold = 0.6f;
  float unclip_ratio = 1.5f;
  int min_box_side = 3;         // pixels of the detector input, before unclip
  float min_text_score = 0.5f;  // recognitions with a lower mean character probability drop
  int max_boxes = 50;           // recognised per picture (largest first)
  int threads = 1;              // ONNX Runtime intra-op threads per session
};

struct TextLine {
  cv::RotatedRect box;   // in the input picture's pixels (after unclip)
  cv::Rect rect;         // axis-aligned bounds of `box`, clipped to the picture
  float box_score = 0;   // mean detector probability inside the box
  std::string text;      // UTF-8; empty when not recognised (or below min_text_score)
  float text_score = 0;  // mean probability of the decoded characters
};

class TextReader {
 public:
  // Loads the detector, the recogniser and its dictionary. Errors name the file.
  static Result<std::unique_ptr<TextReader>> Load(const std::filesystem::path& det_model,
                                                  const std::filesystem::path& rec_model,
                                                  const std::filesystem::path& dictionary,
                                                  const TextReaderOptions& options = {});

  // Text lines of a BGR picture, top to bottom. With `recognise` false only boxes.
  Result<std::vector<TextLine>> Read(const cv::Mat& bgr, bool recognise = true);
  // The recogniser alone on one upright crop of a text line: text and mean probability.
  Result<std::pair<std::string, float>> Recognise(const cv::Mat& bgr_crop);

  const TextReaderOptions& options() const { return options_; }

 private:
  TextReader() = default;
  Result<std::vector<TextLine>> Detect(const cv::Mat& bgr);

  TextReaderOptions options_;
  std::unique_ptr<OnnxSession> det_, rec_;
  std::vector<std::string> alphabet_;  // class k -> alphabet_[k]; [0] is the blank
};

}  // namespace clipdex

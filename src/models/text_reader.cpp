#include "models/text_reader.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <opencv2/imgproc.hpp>

namespace clipdex {
namespace {

// The four corners of `box` ordered top-left, top-right, bottom-right, bottom-left (as the
// reading direction of a roughly horizontal line).
std::array<cv::Point2f, 4> OrderedCorners(const cv::RotatedRect& box) {
  std::array<cv::Point2f, 4> p;
  box.points(p.data());
  std::sort(p.begin(), p.end(), [](auto a, auto b) { return a.x < b.x; });
  // Two left-most points: upper one is top-left; two right-most: upper one is top-right.
  cv::Point2f tl = p[0].y <= p[1].y ? p[0] : p[1], bl = p[0].y <= p[1].y ? p[1] : p[0];
  cv::Point2f tr = p[2].y <= p[3].y ? p[2] : p[3], br = p[2].y <= p[3].y ? p[3] : p[2];
  return {tl, tr, br, bl};
}

FloatTensor ToChw(const cv::Mat& bgr, const float mean[3], const float stddev[3]) {
  FloatTensor t;
  t.shape = {1, 3, bgr.rows, bgr.cols};
  t.data.resize(3 * static_cast<size_t>(bgr.rows) * bgr.cols);
  const size_t plane = static_cast<size_t>(bgr.rows) * bgr.cols;
  for (int y = 0; y < bgr.rows; ++y) {
    const cv::Vec3b* row = bgr.ptr<cv::Vec3b>(y);
    for (int x = 0; x < bgr.cols; ++x) {
      const size_t i = static_cast<size_t>(y) * bgr.cols + x;
      for (int c = 0; c < 3; ++c)
        t.data[c * plane + i] = (row[x][c] / 255.0f - mean[c]) / stddev[c];
    }
  }
  return t;
}

}  // namespace

Result<std::unique_ptr<TextReader>> TextReader::Load(const std::filesystem::path& det_model,
                                                     const std::filesystem::path& rec_model,
                                                     const std::filesystem::path& dictionary,
                                                     const TextReaderOptions& options) {
  std::unique_ptr<TextReader> r(new TextReader());
  r->options_ = options;
  OnnxSessionOptions so;
  so.intra_op_threads = options.threads;
  auto det = OnnxSession::Load(det_model, so);
  if (!det.ok()) return det.status();
  auto rec = OnnxSession::Load(rec_model, so);
  if (!rec.ok()) return rec.status();
  r->det_ = std::move(det.value());
  r->rec_ = std::move(rec.value());
  std::ifstream in(dictionary);
  if (!in) return Status::Error(dictionary.string() + ": cannot read the OCR dictionary");
  r->alphabet_.push_back("");  // CTC blank
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    r->alphabet_.push_back(line);
  }
  r->alphabet_.push_back(" ");
  const auto& out = r->rec_->outputs();
  if (!out.empty() && !out[0].shape.empty() && out[0].shape.back() > 0 &&
      out[0].shape.back() != static_cast<int64_t>(r->alphabet_.size())) {
    return Status::Error(dictionary.string() + ": " + std::to_string(r->alphabet_.size() - 2) +
                         " characters do not fit the recogniser's " +
                         std::to_string(out[0].shape.back()) + " classes");
  }
  return r;
}

Result<std::vector<TextLine>> TextReader::Detect(const cv::Mat& bgr) {
  // Both sides multiples of 32 (the detector downsamples 32x), long side about det_long_side.
  const double scale = static_cast<double>(options_.det_long_side) / std::max(bgr.cols, bgr.rows);
  const int w = std::max(32, static_cast<int>(std::lround(bgr.cols * scale / 32.0)) * 32);
  const int h = std::max(32, static_cast<int>(std::lround(bgr.rows * scale / 32.0)) * 32);
  cv::Mat resized;
  cv::resize(bgr, resized, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
  static const float kMean[3] = {0.485f, 0.456f, 0.406f}, kStd[3] = {0.229f, 0.224f, 0.225f};
  auto out = det_->Run({ToChw(resized, kMean, kStd)});
  if (!out.ok()) return out.status();
  const FloatTensor& map = (*out)[0];
  if (map.shape.size() != 4 || map.shape[2] != h || map.shape[3] != w) {
    return Status::Error(det_->path().string() + ": unexpected detector output " +
                         ShapeString(map.shape));
  }
  cv::Mat prob(h, w, CV_32F, const_cast<float*>(map.data.data()));
  cv::Mat bitmap = prob > options_.bin_threshold;
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(bitmap, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
  const double sx = static_cast<double>(bgr.cols) / w, sy = static_cast<double>(bgr.rows) / h;
  std::vector<TextLine> lines;
  for (const auto& contour : contours) {
    if (contour.size() < 4) continue;
    cv::RotatedRect box = cv::minAreaRect(contour);
    if (std::min(box.size.width, box.size.height) < options_.min_box_side) continue;
    // Box score: mean probability inside the box polygon (DB's "fast" score).
    cv::Rect bounds = box.boundingRect() & cv::Rect(0, 0, w, h);
    if (bounds.empty()) continue;
    cv::Mat mask = cv::Mat::zeros(bounds.size(), CV_8U);
    std::array<cv::Point2f, 4> c;
    box.points(c.data());
    std::vector<cv::Point> poly;
    for (const auto& p : c) poly.emplace_back(cvRound(p.x - bounds.x), cvRound(p.y - bounds.y));
    cv::fillConvexPoly(mask, poly, 255);
    const float score = static_cast<float>(cv::mean(prob(bounds), mask)[0]);
    if (score < options_.box_threshold) continue;
    // Unclip: the detector predicts shrunk text kernels; grow by D = A * r / L on every side.
    const double area = box.size.width * box.size.height;
    const double perimeter = 2.0 * (box.size.width + box.size.height);
    const float d = static_cast<float>(area * options_.unclip_ratio / perimeter);
    cv::RotatedRect grown(box.center, cv::Size2f(box.size.width + 2 * d, box.size.height + 2 * d),
                          box.angle);
    if (std::min(grown.size.width, grown.size.height) < options_.min_box_side + 2) continue;
    TextLine line;
    line.box =
        cv::RotatedRect(cv::Point2f(grown.center.x * sx, grown.center.y * sy),
                        cv::Size2f(grown.size.width * sx, grown.size.height * sy), grown.angle);
    // Scaling x and y differently skews a rotated box slightly; text lines are near-horizontal
    // and the scales differ by < 5 %, so the rotated box above is a close approximation.
    line.rect = line.box.boundingRect() & cv::Rect(0, 0, bgr.cols, bgr.rows);
    line.box_score = score;
    if (!line.rect.empty()) lines.push_back(std::move(line));
  }
  std::sort(lines.begin(), lines.end(), [](const TextLine& a, const TextLine& b) {
    return a.rect.y != b.rect.y ? a.rect.y < b.rect.y : a.rect.x < b.rect.x;
  });
  return lines;
}

Result<std::pair<std::string, float>> TextReader::Recognise(const cv::Mat& crop) {
  if (crop.empty()) return std::make_pair(std::string(), 0.0f);
  constexpr int kHeight = 48;
  const int width = std::clamp(static_cast<int>(std::ceil(kHeight * crop.cols / double(crop.rows))),
                               kHeight / 4, kHeight * 40);
  cv::Mat resized;
  cv::resize(crop, resized, cv::Size(width, kHeight), 0, 0, cv::INTER_LINEAR);
  static const float kHalf[3] = {0.5f, 0.5f, 0.5f};
  auto out = rec_->Run({ToChw(resized, kHalf, kHalf)});
  if (!out.ok()) return out.status();
  const FloatTensor& scores = (*out)[0];
  if (scores.shape.size() != 3 || scores.shape[2] != static_cast<int64_t>(alphabet_.size())) {
    return Status::Error(rec_->path().string() + ": unexpected recogniser output " +
                         ShapeString(scores.shape));
  }
  const int steps = static_cast<int>(scores.shape[1]);
  const int classes = static_cast<int>(scores.shape[2]);
  std::string text;
  double sum = 0;
  int kept = 0, previous = 0;
  for (int t = 0; t < steps; ++t) {
    const float* row = scores.data.data() + static_cast<size_t>(t) * classes;
    const int best = static_cast<int>(std::max_element(row, row + classes) - row);
    // CTC greedy: drop blanks and repeats of the previous step's class.
    if (best != 0 && best != previous) {
      text += alphabet_[best];
      sum += row[best];
      ++kept;
    }
    previous = best;
  }
  return std::make_pair(text, kept ? static_cast<float>(sum / kept) : 0.0f);
}

Result<std::vector<TextLine>> TextReader::Read(const cv::Mat& bgr, bool recognise) {
  auto detected = Detect(bgr);
  if (!detected.ok() || !recognise) return detected;
  std::vector<TextLine>& lines = detected.value();
  // Recognise the largest boxes first when there are more than max_boxes.
  std::vector<size_t> order(lines.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return lines[a].rect.area() > lines[b].rect.area(); });
  if (order.size() > static_cast<size_t>(options_.max_boxes)) order.resize(options_.max_boxes);
  for (size_t k : order) {
    TextLine& line = lines[k];
    const auto c = OrderedCorners(line.box);
    const float crop_w = static_cast<float>(std::max(cv::norm(c[0] - c[1]), cv::norm(c[2] - c[3])));
    const float crop_h = static_cast<float>(std::max(cv::norm(c[0] - c[3]), cv::norm(c[1] - c[2])));
    if (crop_w < 2 || crop_h < 2) continue;
    const std::array<cv::Point2f, 4> dst = {cv::Point2f(0, 0), cv::Point2f(crop_w, 0),
                                            cv::Point2f(crop_w, crop_h), cv::Point2f(0, crop_h)};
    cv::Mat crop;
    cv::warpPerspective(bgr, crop, cv::getPerspectiveTransform(c.data(), dst.data()),
                        cv::Size(cvRound(crop_w), cvRound(crop_h)), cv::INTER_CUBIC,
                        cv::BORDER_REPLICATE);
    // A box much taller than wide is vertical text: read it turned upright.
    if (crop.rows >= 1.5 * crop.cols) cv::rotate(crop, crop, cv::ROTATE_90_COUNTERCLOCKWISE);
    auto read = Recognise(crop);
    if (!read.ok()) return read.status();
    if (read->second >= options_.min_text_score) {
      line.text = read->first;
      line.text_score = read->second;
    }
  }
  return detected;
}

}  // namespace clipdex

#include "models/yunet.h"

#include <algorithm>
#include <cmath>
#include <opencv2/dnn.hpp>

#include "models/onnx_session.h"

namespace clipdex {

namespace {

// The prior boxes of the 2022 YuNet head, as OpenCV 4.6 lays them out (FaceDetectorYN): four
// feature maps (strides 8, 16, 32, 64), each cell with 3, 2, 2 and 3 square anchors.
std::vector<cv::Rect2f> YuNetPriors(int w, int h) {
  cv::Size map((((w + 1) / 2) / 2) / 2, (((h + 1) / 2) / 2) / 2);  // stride 8
  const std::vector<std::vector<float>> min_sizes = {
      {10.0f, 16.0f, 24.0f}, {32.0f, 48.0f}, {64.0f, 96.0f}, {128.0f, 192.0f, 256.0f}};
  const int steps[] = {8, 16, 32, 64};
  std::vector<cv::Rect2f> priors;
  for (size_t level = 0; level < min_sizes.size(); ++level) {
    for (int y = 0; y < map.height; ++y) {
      for (int x = 0; x < map.width; ++x) {
        for (float size : min_sizes[level]) {
          priors.emplace_back((x + 0.5f) * steps[level] / w, (y + 0.5f) * steps[level] / h,
                              size / w, size / h);
        }
      }
    }
    map = cv::Size(map.width / 2, map.height / 2);
  }
  return priors;
}

}  // namespace

YuNetOnnx::YuNetOnnx(std::unique_ptr<OnnxSession> session, cv::Size size, float score_threshold,
                     float nms_threshold, int top_k)
    : session_(std::move(session)),
      size_(size),
      score_threshold_(score_threshold),
      nms_threshold_(nms_threshold),
      top_k_(top_k),
      priors_(YuNetPriors(size.width, size.height)) {}

YuNetOnnx::~YuNetOnnx() = default;

Result<std::unique_ptr<YuNetOnnx>> YuNetOnnx::Load(const std::filesystem::path& model,
                                                   float score_threshold, float nms_threshold,
                                                   int top_k) {
  auto session = OnnxSession::Load(model);
  if (!session.ok()) return session.status();
  const auto& in = session.value()->inputs();
  const auto& out = session.value()->outputs();
  if (in.size() != 1 || in[0].shape.size() != 4 || in[0].shape[1] != 3 || in[0].shape[2] <= 0 ||
      in[0].shape[3] <= 0) {
    return Status::Error(model.string() + ": not a fixed-size YuNet export (input " +
                         (in.empty() ? std::string("none") : ShapeString(in[0].shape)) + ")");
  }
  if (out.size() != 3 || out[0].name != "loc" || out[1].name != "conf" || out[2].name != "iou") {
    return Status::Error(model.string() + ": not a 2022 YuNet export (outputs loc, conf, iou)");
  }
  const cv::Size size(static_cast<int>(in[0].shape[3]), static_cast<int>(in[0].shape[2]));
  return std::unique_ptr<YuNetOnnx>(
      new YuNetOnnx(std::move(session.value()), size, score_threshold, nms_threshold, top_k));
}

Result<cv::Mat> YuNetOnnx::Detect(const cv::Mat& bgr) {
  if (bgr.size() != size_ || bgr.type() != CV_8UC3) {
    return Status::Error("YuNet: picture must be BGR " + std::to_string(size_.width) + "x" +
                         std::to_string(size_.height));
  }
  // NCHW float, channels in BGR order, no scaling or mean (as cv::dnn::blobFromImage does).
  FloatTensor input;
  input.shape = {1, 3, size_.height, size_.width};
  input.data.resize(size_t(3) * size_.area());
  cv::Mat planes[3];
  for (int c = 0; c < 3; ++c) {
    planes[c] = cv::Mat(size_, CV_32FC1, input.data.data() + size_t(c) * size_.area());
  }
  cv::Mat as_float;
  bgr.convertTo(as_float, CV_32FC3);
  cv::split(as_float, planes);
  auto outputs = session_->Run({input});
  if (!outputs.ok()) return outputs.status();
  const std::vector<FloatTensor>& o = outputs.value();
  const size_t n = priors_.size();
  if (o[0].Count() != int64_t(n) * 14 || o[1].Count() != int64_t(n) * 2 ||
      o[2].Count() != int64_t(n)) {
    return Status::Error("YuNet: output size does not match the prior boxes");
  }
  const float* loc = o[0].data.data();
  const float* conf = o[1].data.data();
  const float* iou = o[2].data.data();
  const float var0 = 0.1f, var1 = 0.2f;
  const float w = static_cast<float>(size_.width), h = static_cast<float>(size_.height);
  cv::Mat faces(0, 15, CV_32F);
  std::vector<cv::Rect> boxes;
  std::vector<float> scores;
  for (size_t i = 0; i < n; ++i) {
    const float score = std::sqrt(conf[i * 2 + 1] * std::clamp(iou[i], 0.f, 1.f));
    // NMS keeps only scores above the threshold; skipping the others here saves decoding them.
    if (!(score > score_threshold_)) continue;
    const cv::Rect2f& p = priors_[i];
    const float* l = loc + i * 14;
    float face[15];
    const float cx = (p.x + l[0] * var0 * p.width) * w;
    const float cy = (p.y + l[1] * var0 * p.height) * h;
    // OpenCV 4.6 scales the width with the first variance and the height with the second;
    // kept, since matching its boxes is the point.
    const float bw = p.width * std::exp(l[2] * var0) * w;
    const float bh = p.height * std::exp(l[3] * var1) * h;
    face[0] = cx - bw / 2;
    face[1] = cy - bh / 2;
    face[2] = bw;
    face[3] = bh;
    for (int k = 0; k < 5; ++k) {
      face[4 + 2 * k] = (p.x + l[4 + 2 * k] * var0 * p.width) * w;
      face[5 + 2 * k] = (p.y + l[5 + 2 * k] * var0 * p.height) * h;
    }
    face[14] = score;
    faces.push_back(cv::Mat(1, 15, CV_32F, face));
    boxes.emplace_back(static_cast<int>(face[0]), static_cast<int>(face[1]),
                       static_cast<int>(face[2]), static_cast<int>(face[3]));
    scores.push_back(score);
  }
  if (faces.rows == 0) return faces;
  std::vector<int> keep;
  cv::dnn::NMSBoxes(boxes, scores, score_threshold_, nms_threshold_, keep, 1.f, top_k_);
  cv::Mat kept(0, 15, CV_32F);
  for (int k : keep) kept.push_back(faces.row(k));
  return kept;
}

}  // namespace clipdex

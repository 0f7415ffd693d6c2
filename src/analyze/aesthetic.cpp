#include "analyze/aesthetic.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "models/model_manifest.h"

namespace clipdex {

FloatTensor ClipImageTensor(const cv::Mat& bgr) {
  constexpr int kSide = 224;
  const double scale = static_cast<double>(kSide) / std::min(bgr.cols, bgr.rows);
  cv::Mat resized;
  cv::resize(bgr, resized,
             cv::Size(std::max(kSide, cvRound(bgr.cols * scale)),
                      std::max(kSide, cvRound(bgr.rows * scale))),
             0, 0, cv::INTER_CUBIC);
  const cv::Mat crop =
      resized(cv::Rect((resized.cols - kSide) / 2, (resized.rows - kSide) / 2, kSide, kSide));
  static const float kMean[3] = {0.48145466f, 0.4578275f, 0.40821073f};
  static const float kStd[3] = {0.26862954f, 0.26130258f, 0.27577711f};
  FloatTensor t;
  t.shape = {1, 3, kSide, kSide};
  t.data.resize(3 * kSide * kSide);
  for (int y = 0; y < kSide; ++y) {
    const cv::Vec3b* row = crop.ptr<cv::Vec3b>(y);
    for (int x = 0; x < kSide; ++x) {
      for (int c = 0; c < 3; ++c) {  // tensor channel c is RGB; the picture is BGR
        t.data[(c * kSide + y) * kSide + x] = (row[x][2 - c] / 255.0f - kMean[c]) / kStd[c];
      }
    }
  }
  return t;
}

AestheticAnalyzer::AestheticAnalyzer(std::shared_ptr<OnnxSession> clip_image, AestheticHead head)
    : clip_(std::move(clip_image)), head_(std::move(head)) {}

Result<std::unique_ptr<AestheticAnalyzer>> AestheticAnalyzer::Load(
    const std::filesystem::path& clip_model, const std::filesystem::path& head_b32,
    const std::filesystem::path& head_l14, int threads) {
  OnnxSessionOptions so;
  so.intra_op_threads = threads;
  auto session = OnnxSession::Load(clip_model, so);
  if (!session.ok()) return session.status();
  Status contract = CheckInputContract(*FindModelSlot("clip_image"), **session);
  if (!contract.ok()) return Status::Error(clip_model.string() + ": " + contract.message());
  const auto& outputs = (*session)->outputs();
  const int64_t dims = outputs.empty() || outputs[0].shape.empty() ? -1 : outputs[0].shape.back();
  if (dims != 512 && dims != 768) {
    return Status::Error(clip_model.string() + ": first output " +
                         (outputs.empty() ? "missing" : ShapeString(outputs[0].shape)) +
                         ", the aesthetic heads need a 512-d or 768-d embedding");
  }
  const std::filesystem::path& head_path = dims == 512 ? head_b32 : head_l14;
  if (head_path.empty()) {
    return Status::Error("no aesthetic head for " + std::to_string(dims) + "-d embeddings");
  }
  auto head = AestheticHead::Load(head_path, static_cast<int>(dims));
  if (!head.ok()) return head.status();
  return std::make_unique<AestheticAnalyzer>(std::move(session.value()), std::move(head.value()));
}

Result<std::vector<float>> AestheticAnalyzer::Embed(const cv::Mat& bgr) {
  auto out = clip_->Run({ClipImageTensor(bgr)});
  if (!out.ok()) return out.status();
  if (out->empty() || (*out)[0].Count() != head_.dims()) {
    return Status::Error(clip_->path().string() + ": embedding is not " +
                         std::to_string(head_.dims()) + " values");
  }
  return std::move((*out)[0].data);
}

void AestheticAnalyzer::Analyze(const ClipSpan&, const std::vector<AnalysisFrame>& frames,
                                std::vector<Attribute>* out) {
  if (frames.empty()) return;
  // Up to three samples (first quarter, middle, last quarter): one picture may be unlucky.
  std::vector<size_t> picks = {frames.size() / 2};
  if (frames.size() >= 3) picks = {frames.size() / 4, frames.size() / 2, frames.size() * 3 / 4};
  double sum = 0;
  for (size_t k : picks) {
    auto embedding = Embed(frames[k].image);
    if (!embedding.ok()) return;  // no score rather than a wrong one
    sum += head_.Score(*embedding);
  }
  out->push_back(Attribute::Num("aesthetic.score", sum / picks.size()));
}

}  // namespace clipdex

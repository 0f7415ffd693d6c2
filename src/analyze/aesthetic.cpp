#include "analyze/aesthetic.h"

#include <algorithm>

#include "analyze/clip_embedding.h"
#include "analyze/image_tensor.h"
#include "models/model_manifest.h"

namespace clipdex {

FloatTensor ClipImageTensor(const cv::Mat& bgr) {
  // CLIP's mean and std, RGB order
  static const float kMean[3] = {0.48145466f, 0.4578275f, 0.40821073f};
  static const float kStd[3] = {0.26862954f, 0.26130258f, 0.27577711f};
  return CentreCropRgbTensor(bgr, kMean, kStd);
}

AestheticAnalyzer::AestheticAnalyzer(std::shared_ptr<OnnxSession> clip_image,
                                     std::optional<AestheticHead> head, int dims)
    : clip_(std::move(clip_image)), head_(std::move(head)), dims_(dims) {}

Result<std::unique_ptr<AestheticAnalyzer>> AestheticAnalyzer::Load(
    const std::filesystem::path& clip_model, const std::filesystem::path& head_b32,
    const std::filesystem::path& head_l14, int threads) {
  auto session = LoadSlotSession("clip_image", clip_model, threads);
  if (!session.ok()) return session.status();
  const auto& outputs = (*session)->outputs();
  const int64_t dims = outputs.empty() || outputs[0].shape.empty() ? -1 : outputs[0].shape.back();
  if (dims <= 0 || dims > 65536) {
    return Status::Error(clip_model.string() + ": first output " +
                         (outputs.empty() ? "missing" : ShapeString(outputs[0].shape)) +
                         ", the contract wants a [1,D] image embedding");
  }
  const std::filesystem::path head_path =
      dims == 512 ? head_b32 : (dims == 768 ? head_l14 : std::filesystem::path());
  std::optional<AestheticHead> head;
  if (!head_path.empty()) {
    auto loaded = AestheticHead::Load(head_path, static_cast<int>(dims));
    if (!loaded.ok()) return loaded.status();
    head = std::move(loaded.value());
  }
  return std::make_unique<AestheticAnalyzer>(std::move(session.value()), std::move(head),
                                             static_cast<int>(dims));
}

Result<std::vector<float>> AestheticAnalyzer::Embed(const cv::Mat& bgr) {
  auto out = clip_->Run({ClipImageTensor(bgr)});
  if (!out.ok()) return out.status();
  if (out->empty() || (*out)[0].Count() != dims_) {
    return Status::Error(clip_->path().string() + ": embedding is not " + std::to_string(dims_) +
                         " values");
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
  std::vector<float> mean(static_cast<size_t>(dims_), 0.0f);
  for (size_t k : picks) {
    auto embedding = Embed(frames[k].image);
    if (!embedding.ok()) return;  // no score rather than a wrong one
    if (head_) sum += head_->Score(*embedding);
    // Each sample counts equally, whatever its raw length.
    const std::vector<float> unit = L2Normalised(std::move(embedding.value()));
    for (size_t d = 0; d < mean.size(); ++d) mean[d] += unit[d];
  }
  if (head_) out->push_back(Attribute::Num("aesthetic.score", sum / picks.size()));
  out->push_back(Attribute::Text("embedding.clip", EncodeClipEmbedding(mean)));
}

}  // namespace clipdex

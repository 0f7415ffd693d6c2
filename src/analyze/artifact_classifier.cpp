#include "analyze/artifact_classifier.h"

#include <algorithm>
#include <cmath>

#include "analyze/image_tensor.h"
#include "models/model_manifest.h"

namespace clipdex {

FloatTensor ArtifactClassifierTensor(const cv::Mat& bgr) {
  // ImageNet mean and std, RGB order
  static const float kMean[3] = {0.485f, 0.456f, 0.406f};
  static const float kStd[3] = {0.229f, 0.224f, 0.225f};
  return CentreCropRgbTensor(bgr, kMean, kStd);
}

Result<double> GeneratedProbability(const FloatTensor& output) {
  const int64_t n = output.Count();
  if (n == 1) return 1.0 / (1.0 + std::exp(-static_cast<double>(output.data[0])));
  if (n == 2) {
    // softmax(real, generated)[1] = sigmoid(generated - real), stable for any logits.
    const double d = static_cast<double>(output.data[1]) - output.data[0];
    return 1.0 / (1.0 + std::exp(-d));
  }
  return Status::Error("output " + ShapeString(output.shape) +
                       ", the contract wants [1,2] logits (real, generated) or [1,1]");
}

ArtifactClassifierAnalyzer::ArtifactClassifierAnalyzer(std::shared_ptr<OnnxSession> model)
    : model_(std::move(model)) {}

Result<std::unique_ptr<ArtifactClassifierAnalyzer>> ArtifactClassifierAnalyzer::Load(
    const std::filesystem::path& model, int threads) {
  auto session = LoadSlotSession("ai_artifact_classifier", model, threads);
  if (!session.ok()) return session.status();
  const auto& outputs = (*session)->outputs();
  // A dynamic (-1) batch dimension is fine: the input contract fixes it at 1.
  const bool output_ok = !outputs.empty() && outputs[0].dtype == "float32" &&
                         outputs[0].shape.size() == 2 && outputs[0].shape[0] <= 1 &&
                         (outputs[0].shape[1] == 1 || outputs[0].shape[1] == 2);
  if (!output_ok) {
    return Status::Error(
        model.string() + ": first output " +
        (outputs.empty() ? "missing" : outputs[0].dtype + " " + ShapeString(outputs[0].shape)) +
        ", the contract wants float32 [1,2] logits (real, generated) or [1,1]");
  }
  return std::make_unique<ArtifactClassifierAnalyzer>(std::move(session.value()));
}

Result<double> ArtifactClassifierAnalyzer::Score(const cv::Mat& bgr) {
  auto out = model_->Run({ArtifactClassifierTensor(bgr)});
  if (!out.ok()) return out.status();
  if (out->empty()) return Status::Error(model_->path().string() + ": no output");
  auto p = GeneratedProbability((*out)[0]);
  if (!p.ok()) return Status::Error(model_->path().string() + ": " + p.status().message());
  return p;
}

void ArtifactClassifierAnalyzer::Analyze(const ClipSpan&, const std::vector<AnalysisFrame>& frames,
                                         std::vector<Attribute>* out) {
  if (frames.empty()) return;
  // The aesthetic analyzer's three samples: one picture may be unrepresentative.
  std::vector<size_t> picks = {frames.size() / 2};
  if (frames.size() >= 3) picks = {frames.size() / 4, frames.size() / 2, frames.size() * 3 / 4};
  double sum = 0;
  for (size_t k : picks) {
    auto p = Score(frames[k].image);
    if (!p.ok() || !std::isfinite(*p)) return;  // no score rather than a wrong one
    sum += *p;
  }
  out->push_back(Attribute::Num("artifact.classifier_score", sum / picks.size()));
}

}  // namespace clipdex

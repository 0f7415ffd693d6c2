// ArtifactClassifierAnalyzer: artifact.classifier_score, the mean over up to 3 samples (first
// quarter, middle, last quarter) of a user-supplied image classifier's probability that a picture
// is "generated" (model slot ai_artifact_classifier, docs/attributes.md). An INDICATOR of
// generated imagery as the user's model sees it, not a verdict: its meaning is only as good as that
// model, and clipdex ships none. Without the model the analyzer is not registered and the run
// summary says so.
//
// Contract (models/model_manifest.cpp, slot ai_artifact_classifier):
//   input  [1,3,224,224] float32: RGB, short side resized to 224 (bicubic), centre crop 224x224,
//          v/255 minus mean (0.485, 0.456, 0.406) over std (0.229, 0.224, 0.225) (ImageNet);
//   output the first output, float32, either [1,2] logits (real, generated) -> softmax
//          probability of "generated", or [1,1] one logit of "generated" -> sigmoid.
#pragma once

#include <memory>
#include <opencv2/core.hpp>

#include "analyze/analyzer.h"
#include "models/onnx_session.h"

namespace clipdex {

// The classifier's input tensor [1,3,224,224] of a BGR picture (see the contract above).
FloatTensor ArtifactClassifierTensor(const cv::Mat& bgr);

// Probability of "generated" from the classifier's output: softmax of 2 logits (index 1) or the
// sigmoid of 1 logit; an error for any other size.
Result<double> GeneratedProbability(const FloatTensor& output);

class ArtifactClassifierAnalyzer : public ClipAnalyzer {
 public:
  // The session may be shared: ONNX Runtime sessions may run from several threads at once.
  explicit ArtifactClassifierAnalyzer(std::shared_ptr<OnnxSession> model);
  // Loads the model and checks the input and output contract; errors name the file.
  static Result<std::unique_ptr<ArtifactClassifierAnalyzer>> Load(
      const std::filesystem::path& model, int threads = 1);

  std::unique_ptr<ArtifactClassifierAnalyzer> Share() const {
    return std::make_unique<ArtifactClassifierAnalyzer>(model_);
  }

  std::string name() const override { return "artifact_classifier"; }
  FrameNeed need() const override { return FrameNeed{0.5, false, 448, false}; }
  void Analyze(const ClipSpan& clip, const std::vector<AnalysisFrame>& frames,
               std::vector<Attribute>* out) override;

  // Probability of "generated" for one picture.
  Result<double> Score(const cv::Mat& bgr);

 private:
  std::shared_ptr<OnnxSession> model_;
};

}  // namespace clipdex

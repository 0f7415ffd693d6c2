// AestheticAnalyzer: aesthetic.score, the LAION aesthetic predictor applied to the CLIP image
// embedding of up to 3 samples of the clip (mean), and embedding.clip, the mean of the samples'
// L2-normalised embeddings, L2-normalised again (analyze/clip_embedding.h; read by
// `clipdex dedup --semantic`). Needs a user-supplied CLIP image encoder (model slot clip_image);
// without one the analyzer is not registered and the run summary says so. The head
// (aesthetic_head / aesthetic_head_l14) is chosen by the embedding size; without a head for that
// size only embedding.clip is written.
// Preprocessing (CLIP's): short side to 224 (bicubic), centre crop 224x224, RGB, v/255 minus
// mean (0.4815, 0.4578, 0.4082) over std (0.2686, 0.2613, 0.2758).
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <optional>

#include "analyze/analyzer.h"
#include "models/aesthetic_head.h"
#include "models/onnx_session.h"

namespace clipdex {

// The CLIP input tensor [1,3,224,224] of a BGR picture.
FloatTensor ClipImageTensor(const cv::Mat& bgr);

class AestheticAnalyzer : public ClipAnalyzer {
 public:
  // The session may be shared: ONNX Runtime sessions may run from several threads at once.
  // `dims`: the encoder's embedding size; `head` (if any) must have that size.
  AestheticAnalyzer(std::shared_ptr<OnnxSession> clip_image, std::optional<AestheticHead> head,
                    int dims);
  // Loads the encoder and the head matching its embedding size (none when that head path is
  // empty or the size is neither 512 nor 768: then only embedding.clip is written); errors name
  // the file.
  static Result<std::unique_ptr<AestheticAnalyzer>> Load(const std::filesystem::path& clip_model,
                                                         const std::filesystem::path& head_b32,
                                                         const std::filesystem::path& head_l14,
                                                         int threads = 1);

  // A new analyzer sharing this one's encoder session and head.
  std::unique_ptr<AestheticAnalyzer> Share() const {
    return std::make_unique<AestheticAnalyzer>(clip_, head_, dims_);
  }
  // False when only embedding.clip is written.
  bool has_head() const { return head_.has_value(); }
  int dims() const { return dims_; }

  std::string name() const override { return "aesthetic"; }
  FrameNeed need() const override { return FrameNeed{0.5, false, 448, false}; }
  void Analyze(const ClipSpan& clip, const std::vector<AnalysisFrame>& frames,
               std::vector<Attribute>* out) override;

  // The embedding of one picture: the encoder's first output, as it comes (not normalised).
  Result<std::vector<float>> Embed(const cv::Mat& bgr);

 private:
  std::shared_ptr<OnnxSession> clip_;
  std::optional<AestheticHead> head_;
  int dims_ = 0;
};

}  // namespace clipdex

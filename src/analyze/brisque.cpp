#include "analyze/brisque.h"

#include <map>
#include <opencv2/quality/qualitybrisque.hpp>

namespace clipdex {

std::filesystem::path BrisqueScorer::DefaultModelDir() {
#ifdef CLIPDEX_OPENCV_DATA
  return std::filesystem::path(CLIPDEX_OPENCV_DATA) / "quality";
#else
  return "/usr/share/opencv4/quality";
#endif
}

BrisqueScorer::BrisqueScorer(cv::Ptr<cv::quality::QualityBRISQUE> model)
    : model_(std::move(model)) {}
BrisqueScorer::~BrisqueScorer() = default;

Result<std::shared_ptr<BrisqueScorer>> BrisqueScorer::Shared(
    const std::filesystem::path& model_dir) {
  static std::mutex cache_mu;
  static std::map<std::string, std::weak_ptr<BrisqueScorer>> cache;
  const std::filesystem::path model = model_dir / "brisque_model_live.yml";
  const std::filesystem::path range = model_dir / "brisque_range_live.yml";
  std::error_code ec;
  for (const auto& p : {model, range}) {
    if (!std::filesystem::is_regular_file(p, ec)) {
      return Status::Error(p.string() + " missing (Debian package opencv-data)");
    }
  }
  std::lock_guard lock(cache_mu);
  if (auto kept = cache[model_dir.string()].lock()) return kept;
  try {
    auto loaded = cv::quality::QualityBRISQUE::create(model.string(), range.string());
    if (loaded.empty()) return Status::Error(model.string() + ": could not load the BRISQUE model");
    auto scorer = std::make_shared<BrisqueScorer>(std::move(loaded));
    cache[model_dir.string()] = scorer;
    return scorer;
  } catch (const cv::Exception& e) {
    return Status::Error(model.string() + ": " + e.what());
  }
}

double BrisqueScorer::Score(const cv::Mat& image) {
  std::lock_guard lock(mu_);
  return model_->compute(image)[0];
}

}  // namespace clipdex

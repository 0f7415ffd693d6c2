#include "pipeline/analyzer_set.h"

#include <cstdlib>

#include "analyze/camera_motion.h"
#include "analyze/dup_signature.h"
#include "analyze/framing.h"

namespace clipdex {

std::filesystem::path DefaultModelsDir() {
  if (const char* env = std::getenv("CLIPDEX_MODELS"); env != nullptr && *env != '\0') return env;
  return std::filesystem::path(CLIPDEX_DEFAULT_MODELS_DIR);
}

void AddAnalyzers(const AnalyzerConfig& config, IngestOptions* options,
                  std::vector<std::string>* notes) {
  if (config.camera) {
    options->analyzers.push_back([] { return std::make_unique<CameraMotionAnalyzer>(); });
    notes->push_back("camera: global motion from tracked features (no model needed)");
  }
  if (config.framing) {
    const std::filesystem::path yunet =
        config.models_dir / "yunet" / "yunet_final_320_320_simplify.onnx";
    std::error_code ec;
    const bool have_yunet = std::filesystem::is_regular_file(yunet, ec);
    const std::string haar = FramingAnalyzer::DefaultHaarCascade();
    const bool have_haar = std::filesystem::is_regular_file(haar, ec);
    if (have_yunet) {
      notes->push_back("framing: YuNet face detector " + yunet.string());
    } else if (have_haar) {
      notes->push_back("framing: " + yunet.string() + " missing, faces by the Haar cascade " +
                       haar);
    } else {
      notes->push_back("framing: no face model (" + yunet.string() + ", " + haar +
                       " missing): shot scale from saliency only");
    }
    const std::string model = have_yunet ? yunet.string() : "";
    options->analyzers.push_back([model] { return std::make_unique<FramingAnalyzer>(model); });
  }
  if (config.dedup_signature) {
    options->analyzers.push_back([] { return std::make_unique<DupSignatureAnalyzer>(); });
    notes->push_back("dedup_signature: perceptual hashes of 4 samples/s (no model needed)");
  }
}

}  // namespace clipdex

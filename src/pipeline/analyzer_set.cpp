#include "pipeline/analyzer_set.h"

#include <cstdlib>

#include "analyze/camera_motion.h"
#include "analyze/framing.h"
#include "models/model_manifest.h"

namespace clipdex {

std::filesystem::path ExplicitModelsDir() {
  if (const char* env = std::getenv("CLIPDEX_MODELS"); env != nullptr && *env != '\0') return env;
  return {};
}

void AddAnalyzers(const AnalyzerConfig& config, IngestOptions* options,
                  std::vector<std::string>* notes) {
  const std::vector<std::filesystem::path> roots = ModelRoots(config.models_dir);
  auto slot_state = [&](const std::string& id) {
    return ResolveModelSlot(*FindModelSlot(id), roots);
  };

  if (config.camera) {
    options->analyzers.push_back([] { return std::make_unique<CameraMotionAnalyzer>(); });
    notes->push_back("camera: global motion from tracked features (no model needed)");
  }
  if (config.framing) {
    const SlotState face = slot_state("face");
    std::error_code ec;
    const std::string haar = FramingAnalyzer::DefaultHaarCascade();
    const bool have_haar = std::filesystem::is_regular_file(haar, ec);
    if (face.ready) {
      notes->push_back("framing: YuNet face detector " + face.path.string());
    } else if (have_haar) {
      notes->push_back("framing: face slot not ready (" + face.reason +
                       "), faces by the Haar cascade " + haar);
    } else {
      notes->push_back("framing: no face model (" + face.reason + "; " + haar +
                       " missing): shot scale from saliency only");
    }
    const std::string model = face.ready ? face.path.string() : "";
    options->analyzers.push_back([model] { return std::make_unique<FramingAnalyzer>(model); });
  }
}

}  // namespace clipdex

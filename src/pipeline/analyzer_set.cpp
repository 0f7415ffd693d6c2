#include "pipeline/analyzer_set.h"

#include <algorithm>
#include <cstdlib>

#include "analyze/borders.h"
#include "analyze/brisque.h"
#include "analyze/camera_motion.h"
#include "analyze/framing.h"
#include "analyze/native_quality.h"
#include "analyze/quality.h"

namespace clipdex {

std::filesystem::path DefaultModelsDir() {
  if (const char* env = std::getenv("CLIPDEX_MODELS"); env != nullptr && *env != '\0') return env;
  return std::filesystem::path(CLIPDEX_DEFAULT_MODELS_DIR);
}

namespace {

// One row per analyzer switch. Analyzers take no recipe parameters yet: a parameter in a recipe
// is an error rather than silently ignored.
std::vector<std::pair<std::string, bool AnalyzerConfig::*>> AnalyzerSwitches() {
  return {{"camera", &AnalyzerConfig::camera},
          {"framing", &AnalyzerConfig::framing},
          {"quality", &AnalyzerConfig::quality},
          {"native_quality", &AnalyzerConfig::native_quality},
          {"borders", &AnalyzerConfig::borders}};
}

}  // namespace

std::vector<std::string> KnownAnalyzerNames() {
  std::vector<std::string> names;
  for (const auto& [name, member] : AnalyzerSwitches()) names.push_back(name);
  return names;
}

Status ApplyRecipeAnalyzers(const Recipe& recipe, AnalyzerConfig* config) {
  AnalyzerConfig result = *config;
  const auto switches = AnalyzerSwitches();
  for (const auto& [name, member] : switches) result.*member = false;
  for (const auto& [name, settings] : recipe.analyzers) {
    auto it = std::find_if(switches.begin(), switches.end(),
                           [&](const auto& row) { return row.first == name; });
    if (it == switches.end()) {
      std::string known;
      for (const std::string& k : KnownAnalyzerNames()) known += (known.empty() ? "" : ", ") + k;
      return Status::Error("recipe '" + recipe.name + "': unknown analyzer '" + name +
                           "' (known: " + known + ")");
    }
    if (!settings.params.empty()) {
      return Status::Error("recipe '" + recipe.name + "': analyzer '" + name +
                           "' has no parameter '" + settings.params.begin()->first + "'");
    }
    result.*(it->second) = settings.enabled;
  }
  *config = result;
  return Status::Ok();
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
  if (config.quality) {
    const std::filesystem::path brisque_dir = config.opencv_data_dir.empty()
                                                  ? BrisqueScorer::DefaultModelDir()
                                                  : config.opencv_data_dir / "quality";
    auto brisque = BrisqueScorer::Shared(brisque_dir);
    notes->push_back(brisque.ok()
                         ? "quality: classical measures + BRISQUE (" + brisque_dir.string() + ")"
                         : "quality: classical measures; quality.brisque not written: " +
                               brisque.status().message());
    // The factory holds the loaded model so each video's analyzer shares it, not reloads it.
    std::shared_ptr<BrisqueScorer> keep = brisque.ok() ? brisque.value() : nullptr;
    options->analyzers.push_back([brisque_dir, keep] {
      (void)keep;
      return std::make_unique<QualityAnalyzer>(brisque_dir);
    });
  }
  if (config.borders) {
    notes->push_back("borders: black bars from the native-size grey samples (no model needed)");
    options->analyzers.push_back([] { return std::make_unique<BordersAnalyzer>(); });
  }
  if (config.native_quality) {
    notes->push_back(
        "native_quality: sharpness, noise, blockiness, quality.score, artefact indicators "
        "(no model needed)");
    options->analyzers.push_back([] { return std::make_unique<NativeQualityAnalyzer>(); });
  }
}

}  // namespace clipdex

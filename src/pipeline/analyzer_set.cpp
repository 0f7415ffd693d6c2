#include "pipeline/analyzer_set.h"

#include <cstdlib>

#include "analyze/aesthetic.h"
#include "analyze/camera_motion.h"
#include "analyze/framing.h"
#include "analyze/text.h"
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
  if (config.text) {
    TextModelFiles files;
    std::string why_not;
    std::filesystem::path* dest[] = {&files.det, &files.rec, &files.dictionary};
    const char* ids[] = {"text_det", "text_rec", "text_dict"};
    for (int k = 0; k < 3 && why_not.empty(); ++k) {
      const SlotState st = slot_state(ids[k]);
      if (st.ready) {
        *dest[k] = st.path;
      } else {
        why_not = std::string(ids[k]) + " " + st.reason;
      }
    }
    TextOptions text_options;
    text_options.reader.threads = config.model_threads;
    std::shared_ptr<TextReader> reader;
    if (why_not.empty()) {
      // Loaded once for every worker and video (sessions run from several threads at once).
      auto loaded = TextReader::Load(files.det, files.rec, files.dictionary, text_options.reader);
      if (loaded.ok()) {
        reader = std::move(loaded.value());
      } else {
        why_not = loaded.status().message();
      }
    }
    if (why_not.empty()) {
      notes->push_back("text: PP-OCRv4 detector + recogniser " + files.det.parent_path().string());
      options->analyzers.push_back(
          [reader, text_options] { return std::make_unique<TextAnalyzer>(reader, text_options); });
    } else {
      notes->push_back("text: disabled (text.*, watermark.* not computed): " + why_not);
    }
  }
  if (config.aesthetic) {
    const SlotState clip = slot_state("clip_image");
    const SlotState b32 = slot_state("aesthetic_head"), l14 = slot_state("aesthetic_head_l14");
    std::string why_not = clip.ready ? "" : "clip_image " + clip.reason;
    if (why_not.empty() && !b32.ready && !l14.ready) why_not = "aesthetic_head " + b32.reason;
    std::shared_ptr<AestheticAnalyzer> loaded;
    if (why_not.empty()) {
      // Loaded once (a contract violation is reported before the run) and shared by workers.
      auto probe = AestheticAnalyzer::Load(clip.path, b32.ready ? b32.path : "",
                                           l14.ready ? l14.path : "", config.model_threads);
      if (probe.ok()) {
        loaded = std::move(probe.value());
      } else {
        why_not = probe.status().message();
      }
    }
    if (why_not.empty()) {
      notes->push_back("aesthetic: CLIP image encoder " + clip.path.string() +
                       " + LAION aesthetic head");
      options->analyzers.push_back([loaded] { return loaded->Share(); });
    } else {
      notes->push_back("aesthetic: disabled (aesthetic.score not computed): " + why_not);
    }
  }
}

}  // namespace clipdex

#include "pipeline/analyzer_set.h"

#include <algorithm>
#include <cstdlib>

#include "analyze/aesthetic.h"
#include "analyze/artifact_classifier.h"
#include "analyze/borders.h"
#include "analyze/brisque.h"
#include "analyze/camera_motion.h"
#include "analyze/dup_signature.h"
#include "analyze/framing.h"
#include "analyze/native_quality.h"
#include "analyze/quality.h"
#include "analyze/text.h"
#include "models/model_manifest.h"
#include "models/onnx_session.h"

namespace clipdex {

std::filesystem::path ExplicitModelsDir() {
  if (const char* env = std::getenv("CLIPDEX_MODELS"); env != nullptr && *env != '\0') return env;
  return {};
}

namespace {

// One row per analyzer switch. Analyzers take no recipe parameters yet: a parameter in a recipe
// is an error rather than silently ignored.
std::vector<std::pair<std::string, bool AnalyzerConfig::*>> AnalyzerSwitches() {
  return {{"camera", &AnalyzerConfig::camera},
          {"framing", &AnalyzerConfig::framing},
          {"quality", &AnalyzerConfig::quality},
          {"native_quality", &AnalyzerConfig::native_quality},
          {"borders", &AnalyzerConfig::borders},
          {"text", &AnalyzerConfig::text},
          {"aesthetic", &AnalyzerConfig::aesthetic},
          {"artifact_classifier", &AnalyzerConfig::artifact_classifier},
          {"dedup_signature", &AnalyzerConfig::dedup_signature}};
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
      notes->push_back("framing: YuNet face detector " + face.path.string() +
                       (OrtAvailable() ? " (ONNX Runtime)" : " (OpenCV DNN)"));
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
    if (why_not.empty() && loaded->has_head()) {
      notes->push_back("aesthetic: CLIP image encoder " + clip.path.string() +
                       " + LAION aesthetic head; embedding.clip stored");
      options->analyzers.push_back([loaded] { return loaded->Share(); });
    } else if (why_not.empty()) {
      // The embedding alone still serves `clipdex dedup --semantic`.
      const SlotState& head = loaded->dims() == 768 ? l14 : b32;
      notes->push_back(
          "aesthetic: CLIP image encoder " + clip.path.string() +
          ", embedding.clip only (aesthetic.score not computed: " +
          (loaded->dims() == 512 || loaded->dims() == 768
               ? head.id + " " + head.reason
               : "no aesthetic head for " + std::to_string(loaded->dims()) + "-d embeddings") +
          ")");
      options->analyzers.push_back([loaded] { return loaded->Share(); });
    } else {
      notes->push_back("aesthetic: disabled (aesthetic.score, embedding.clip not computed): " +
                       why_not);
    }
  }
  if (config.artifact_classifier) {
    const SlotState model = slot_state("ai_artifact_classifier");
    std::string why_not = model.ready ? "" : "ai_artifact_classifier " + model.reason;
    std::shared_ptr<ArtifactClassifierAnalyzer> loaded;
    if (why_not.empty()) {
      // Loaded once (a contract violation is reported before the run) and shared by workers.
      auto probe = ArtifactClassifierAnalyzer::Load(model.path, config.model_threads);
      if (probe.ok()) {
        loaded = std::move(probe.value());
      } else {
        why_not = probe.status().message();
      }
    }
    if (why_not.empty()) {
      notes->push_back("artifact_classifier: " + model.path.string() +
                       " (artifact.classifier_score, an indicator from your model, not a verdict)");
      options->analyzers.push_back([loaded] { return loaded->Share(); });
    } else {
      notes->push_back("artifact_classifier: disabled (artifact.classifier_score not computed): " +
                       why_not);
    }
  }
  if (config.dedup_signature) {
    options->analyzers.push_back([] { return std::make_unique<DupSignatureAnalyzer>(); });
    notes->push_back(
        "dedup_signature: perceptual hashes of every frame up to 30/s at 160 px (no model needed)");
  }
}

}  // namespace clipdex

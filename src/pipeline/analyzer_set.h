// Which analyzers an ingest runs, and with which model files. Model files come from the model
// manifest (models/model_manifest.h); a slot that is not ready disables or downgrades its
// analyzer with a stated reason (printed at the start of the run), never silently.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "curate/recipe.h"
#include "pipeline/ingest_video.h"
#include "util/status.h"

namespace clipdex {

struct AnalyzerConfig {
  bool camera = true;          // camera.*, motion.* (docs/attributes.md)
  bool framing = true;         // framing.* (faces + shot scale)
  bool quality = true;         // quality.{brisque,exposure_*,contrast,colorfulness,*_frames,
                               // frozen_ratio}, aesthetic.heuristic
  bool borders = true;         // borders.* (letterbox / pillarbox)
  bool native_quality = true;  // quality.{sharpness,noise,blockiness,score}, artifact.*
  std::filesystem::path opencv_data_dir;  // holds quality/brisque_*.yml; empty = default
  bool text = true;                       // text.*, watermark.* (PP-OCRv4, needs ONNX Runtime)
  bool aesthetic = true;  // aesthetic.score, embedding.clip (needs a user-supplied CLIP encoder)
  bool artifact_classifier = true;   // artifact.classifier_score (needs a user-supplied model)
  int model_threads = 1;             // ONNX Runtime intra-op threads per model session
  bool dedup_signature = true;       // dedup.signature (perceptual hashes for `clipdex dedup`)
  std::filesystem::path models_dir;  // searched first for model files; may be empty
};

// The model directory the user named through $CLIPDEX_MODELS, or empty.
std::filesystem::path ExplicitModelsDir();

// Names a recipe's `analyzers` map may use, in documentation order.
std::vector<std::string> KnownAnalyzerNames();

// Sets `config`'s switches from a recipe: a named analyzer runs when `enabled`, an analyzer the
// recipe does not name is off (a recipe's `analyzers` map replaces the default's whole map, so
// `clipdex recipe show` prints exactly what runs). Errors, with nothing changed:
//   "recipe 'x': unknown analyzer 'camra' (known: camera, framing, ...)"
//   "recipe 'x': analyzer 'camera' has no parameter 'step'"
Status ApplyRecipeAnalyzers(const Recipe& recipe, AnalyzerConfig* config);

// Adds the configured analyzer factories to `options`; one line per analyzer in `notes`
// ("framing: YuNet face detector <path>", "text: disabled: text_det missing: ...").
void AddAnalyzers(const AnalyzerConfig& config, IngestOptions* options,
                  std::vector<std::string>* notes);

}  // namespace clipdex

// Which analyzers an ingest runs, and with which model files. Model files come from the model
// manifest (models/model_manifest.h); a slot that is not ready disables or downgrades its
// analyzer with a stated reason (printed at the start of the run), never silently.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/ingest_video.h"

namespace clipdex {

struct AnalyzerConfig {
  bool camera = true;                // camera.*, motion.* (docs/attributes.md)
  bool framing = true;               // framing.* (faces + shot scale)
  bool text = true;                  // text.*, watermark.* (PP-OCRv4, needs ONNX Runtime)
  bool aesthetic = true;             // aesthetic.score (needs a user-supplied CLIP image encoder)
  int model_threads = 1;             // ONNX Runtime intra-op threads per model session
  std::filesystem::path models_dir;  // searched first for model files; may be empty
};

// The model directory the user named through $CLIPDEX_MODELS, or empty.
std::filesystem::path ExplicitModelsDir();

// Adds the configured analyzer factories to `options`; one line per analyzer in `notes`
// ("framing: YuNet face detector <path>", "text: disabled: text_det missing: ...").
void AddAnalyzers(const AnalyzerConfig& config, IngestOptions* options,
                  std::vector<std::string>* notes);

}  // namespace clipdex

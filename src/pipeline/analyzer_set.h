// Which analyzers an ingest runs, and with which model files. Missing models disable or
// downgrade an analyzer with a stated reason (printed in the run summary), never silently.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/ingest_video.h"

namespace clipdex {

struct AnalyzerConfig {
  bool camera = true;                // camera.*, motion.* (docs/attributes.md)
  bool framing = true;               // framing.* (faces + shot scale)
  bool dedup_signature = true;       // dedup.signature (perceptual hashes for `clipdex dedup`)
  std::filesystem::path models_dir;  // holds yunet/yunet_final_320_320_simplify.onnx
};

// The default models directory: $CLIPDEX_MODELS, else ../shared/models beside the source tree.
std::filesystem::path DefaultModelsDir();

// Adds the configured analyzer factories to `options`; one line per analyzer in `notes`
// ("framing: YuNet face detector <path>" or "framing: <path> missing, using the Haar cascade").
void AddAnalyzers(const AnalyzerConfig& config, IngestOptions* options,
                  std::vector<std::string>* notes);

}  // namespace clipdex

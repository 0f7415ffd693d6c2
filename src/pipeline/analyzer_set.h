// Which analyzers an ingest runs, with which options and model files. The analyzers themselves
// are listed once, in the registry (analyze/analyzer_registry.h); this file holds a run's choice
// among them. Model files come from the model manifest (models/model_manifest.h); a slot that is
// not ready disables or downgrades its analyzer with a stated reason (printed at the start of the
// run), never silently.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "curate/recipe.h"
#include "pipeline/ingest_video.h"
#include "util/status.h"

namespace clipdex {

struct AnalyzerConfig {
  // One entry per registered analyzer: whether it runs and its recipe parameters (checked by
  // ApplyRecipeAnalyzers against the analyzer's declared options; the rest take defaults).
  // A default-constructed config runs every analyzer with default options.
  std::map<std::string, RecipeAnalyzer> analyzers = AllAnalyzersOn();
  std::filesystem::path opencv_data_dir;  // holds quality/brisque_*.yml; empty = default
  int model_threads = 1;                  // ONNX Runtime intra-op threads per model session
  std::filesystem::path models_dir;       // searched first for model files; may be empty

  // False for a name that is not registered.
  bool enabled(const std::string& name) const;
  // Switches a registered analyzer on or off (no effect for other names).
  void set_enabled(const std::string& name, bool on);

  static std::map<std::string, RecipeAnalyzer> AllAnalyzersOn();
};

// The model directory the user named through $CLIPDEX_MODELS, or empty.
std::filesystem::path ExplicitModelsDir();

// Names a recipe's `analyzers` map may use, in registry (run) order.
std::vector<std::string> KnownAnalyzerNames();

// Sets `config`'s analyzers from a recipe: a named analyzer runs when `enabled`, with its
// parameters; an analyzer the recipe does not name is off (a recipe's `analyzers` map replaces
// the default's whole map, so `clipdex recipe show` prints exactly what runs). Errors, with
// nothing changed:
//   "recipe 'x': unknown analyzer 'camra' (known: camera, framing, ...)"
//   "recipe 'x': analyzer 'camera' has no parameter 'step' (parameters: sample_fps)"
//   "recipe 'x': analyzer 'camera': parameter 'sample_fps' must be in [0.1, 30], got '0'"
Status ApplyRecipeAnalyzers(const Recipe& recipe, AnalyzerConfig* config);

// Adds the enabled analyzers' factories to `options`, in registry order; one line per enabled
// analyzer in `notes` ("framing: YuNet face detector <path>", "text: disabled: ..."). Parameters
// are expected valid (ApplyRecipeAnalyzers checked them); an invalid one disables its analyzer
// with the reason in `notes`.
void AddAnalyzers(const AnalyzerConfig& config, IngestOptions* options,
                  std::vector<std::string>* notes);

// The analyzer part of a run's options JSON: `"<name>": true/false` for every registered
// analyzer, and under "analyzer_options" each enabled analyzer's resolved options (only those
// that declare any), e.g. {"camera": {"sample_fps": 3}}.
nlohmann::json AnalyzerOptionsJson(const AnalyzerConfig& config);

}  // namespace clipdex

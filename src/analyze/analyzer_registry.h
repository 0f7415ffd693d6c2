// The analyzer registry: one descriptor per analyzer, the single place that says an analyzer
// exists. Everything that lists analyzers is derived from it: the `ingest --no-X` flags, the
// run's options JSON, a recipe's `analyzers` section and its validation, the attribute names tier
// rules accept, and the start-of-run lines that say what runs or why it is disabled.
//
// A descriptor declares what the analyzer writes (attributes with type and unit), which model
// slots it reads (models/model_manifest.h), the options a recipe may set (util/option_table.h,
// libavfilter-style: the analyzer owns its options) and a setup function that, given the model
// roots and the resolved options, returns the per-video factory or the reason it is disabled.
//
// Adding an analyzer: its own files (the ClipAnalyzer) plus one descriptor row in
// analyzer_registry.cpp, and its attributes in docs/attributes.md.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "analyze/analyzer.h"
#include "util/option_table.h"

namespace clipdex {

// One attribute an analyzer writes (docs/attributes.md has the full meaning).
struct AttributeDecl {
  std::string name;  // stable dotted name, e.g. "camera.movement"
  std::string type;  // "number", "text", "JSON text"
  std::string unit;  // unit or range, e.g. "0..1", "frame diagonals / s"
};

// What every analyzer's setup may use; the same for all analyzers of a run.
struct AnalyzerEnv {
  std::vector<std::filesystem::path> model_roots;  // models/model_manifest.h ModelRoots()
  std::filesystem::path opencv_data_dir;           // holds quality/brisque_*.yml; empty = default
  int model_threads = 1;                           // ONNX Runtime intra-op threads per session
};

using AnalyzerFactory = std::function<std::unique_ptr<ClipAnalyzer>()>;

// The outcome of setting an analyzer up for a run.
struct AnalyzerSetup {
  // Makes one analyzer per video (models loaded once by the setup are shared through it).
  // Empty: the analyzer is disabled and `note` says why.
  AnalyzerFactory factory;
  // The start-of-run line: "camera: global motion ...", "text: disabled (...): <reason>".
  std::string note;
};

struct AnalyzerDescriptor {
  std::string name;       // recipe key and options-JSON key, e.g. "native_quality"
  std::string flag_help;  // help of the `--no-<name>` flag ('_' written '-')
  std::vector<AttributeDecl> attributes;
  std::vector<std::string> model_slots;  // manifest slot ids it reads (may be unused when absent)
  std::vector<OptionDecl> options;       // recipe parameters, with defaults
  std::function<AnalyzerSetup(const AnalyzerEnv&, const OptionValues&)> setup;
};

// Every analyzer, in the order they run and are documented.
const std::vector<AnalyzerDescriptor>& AnalyzerRegistry();
// nullptr when no analyzer has that name.
const AnalyzerDescriptor* FindAnalyzer(const std::string& name);
// "--no-native-quality" for "native_quality".
std::string AnalyzerOffFlag(const AnalyzerDescriptor& analyzer);
// Resolves a recipe's parameters for `analyzer` against its declared options; errors as
// ResolveOptions with owner "analyzer '<name>'".
Result<OptionValues> ResolveAnalyzerOptions(const AnalyzerDescriptor& analyzer,
                                            const std::map<std::string, std::string>& params);

}  // namespace clipdex

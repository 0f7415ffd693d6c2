#include "pipeline/analyzer_set.h"

#include <cstdlib>

#include "analyze/analyzer_registry.h"
#include "models/model_manifest.h"

namespace clipdex {

std::filesystem::path ExplicitModelsDir() {
  if (const char* env = std::getenv("CLIPDEX_MODELS"); env != nullptr && *env != '\0') return env;
  return {};
}

std::map<std::string, RecipeAnalyzer> AnalyzerConfig::AllAnalyzersOn() {
  std::map<std::string, RecipeAnalyzer> all;
  for (const AnalyzerDescriptor& a : AnalyzerRegistry()) all[a.name] = RecipeAnalyzer{};
  return all;
}

bool AnalyzerConfig::enabled(const std::string& name) const {
  auto it = analyzers.find(name);
  return it != analyzers.end() && it->second.enabled;
}

void AnalyzerConfig::set_enabled(const std::string& name, bool on) {
  if (FindAnalyzer(name) != nullptr) analyzers[name].enabled = on;
}

std::vector<std::string> KnownAnalyzerNames() {
  std::vector<std::string> names;
  for (const AnalyzerDescriptor& a : AnalyzerRegistry()) names.push_back(a.name);
  return names;
}

Status ApplyRecipeAnalyzers(const Recipe& recipe, AnalyzerConfig* config) {
  std::map<std::string, RecipeAnalyzer> result;
  for (const AnalyzerDescriptor& a : AnalyzerRegistry()) result[a.name].enabled = false;
  for (const auto& [name, settings] : recipe.analyzers) {
    const AnalyzerDescriptor* analyzer = FindAnalyzer(name);
    if (analyzer == nullptr) {
      std::string known;
      for (const std::string& k : KnownAnalyzerNames()) known += (known.empty() ? "" : ", ") + k;
      return Status::Error("recipe '" + recipe.name + "': unknown analyzer '" + name +
                           "' (known: " + known + ")");
    }
    // Checked even when disabled: a typo in a switched-off analyzer's options is still a typo.
    auto options = ResolveAnalyzerOptions(*analyzer, settings.params);
    if (!options.ok())
      return Status::Error("recipe '" + recipe.name + "': " + options.status().message());
    result[name] = settings;
  }
  config->analyzers = std::move(result);
  return Status::Ok();
}

void AddAnalyzers(const AnalyzerConfig& config, IngestOptions* options,
                  std::vector<std::string>* notes) {
  AnalyzerEnv env;
  env.model_roots = ModelRoots(config.models_dir);
  env.opencv_data_dir = config.opencv_data_dir;
  env.model_threads = config.model_threads;
  for (const AnalyzerDescriptor& a : AnalyzerRegistry()) {
    auto it = config.analyzers.find(a.name);
    if (it == config.analyzers.end() || !it->second.enabled) continue;
    auto values = ResolveAnalyzerOptions(a, it->second.params);
    if (!values.ok()) {
      notes->push_back(a.name + ": disabled: " + values.status().message());
      continue;
    }
    AnalyzerSetup setup = a.setup(env, values.value());
    notes->push_back(setup.note);
    if (setup.factory) options->analyzers.push_back(std::move(setup.factory));
  }
}

nlohmann::json AnalyzerOptionsJson(const AnalyzerConfig& config) {
  nlohmann::json out = nlohmann::json::object();
  nlohmann::json per_analyzer = nlohmann::json::object();
  for (const AnalyzerDescriptor& a : AnalyzerRegistry()) {
    const bool on = config.enabled(a.name);
    out[a.name] = on;
    if (!on || a.options.empty()) continue;
    auto it = config.analyzers.find(a.name);
    auto values = ResolveAnalyzerOptions(a, it->second.params);
    if (!values.ok()) continue;
    nlohmann::json o = nlohmann::json::object();
    for (const OptionDecl& d : a.options) {
      switch (d.type) {
        case OptionType::kBool:
          o[d.name] = values->GetBool(d.name);
          break;
        case OptionType::kInt:
          o[d.name] = values->GetInt(d.name);
          break;
        case OptionType::kDouble:
          o[d.name] = values->GetDouble(d.name);
          break;
        case OptionType::kString:
          o[d.name] = values->GetString(d.name);
          break;
      }
    }
    per_analyzer[a.name] = std::move(o);
  }
  out["analyzer_options"] = std::move(per_analyzer);
  return out;
}

}  // namespace clipdex

#include "pipeline/provenance.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

namespace clipdex {

const std::vector<AttributeDecl>& ProvenanceAttributeDecls() {
  static const std::vector<AttributeDecl> kDecls = {
      {"source.generated", "number", "1 (absent: not marked generated)"},
      {"generation.prompt", "text", "the prompt the clip was generated from"},
      {"generation.model", "text", "the generator's name"},
      {"input.truncated", "number", "1: the file is cut off; the clips cover its decodable part"},
      {"input.truncation", "text", "where the data ends, e.g. data ends at 6.12 s of 10.60 s"},
      // Written by `clipdex rank --dataset` (generate/preference_pairs.h), read by tier rules
      // such as the self-augmentation recipe's (recipes/self_augment.yaml).
      {"rank.prompt", "text", "the prompt the candidate was ranked for"},
      {"rank.total", "number", "the candidate's score"},
      {"rank.position", "number", "1 = best"},
      {"rank.kept", "number", "1 kept, 0 not"},
      {"rank.reasons", "JSON text", "the reasons in words"},
  };
  return kDecls;
}

Result<std::map<std::string, GeneratedBy>> LoadPromptFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Status::Error("cannot read prompt file " + path.string());
  const std::filesystem::path base = std::filesystem::absolute(path).parent_path();
  std::map<std::string, GeneratedBy> out;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("file") || !j["file"].is_string() || !j.contains("prompt") ||
        !j["prompt"].is_string() || (j.contains("model") && !j["model"].is_string())) {
      return Status::Error("prompt file " + path.string() + ":" + std::to_string(number) +
                           ": not a JSON object with a \"file\" and a \"prompt\" (strings)");
    }
    std::filesystem::path file = j["file"].get<std::string>();
    if (file.is_relative()) file = base / file;
    out[std::filesystem::absolute(file).lexically_normal().string()] = {
        j["prompt"].get<std::string>(), j.value("model", std::string())};
  }
  return out;
}

Result<long> RecordGenerated(Catalog& catalog, const std::vector<std::string>& files,
                             const std::map<std::string, GeneratedBy>& prompts,
                             const std::string& generator) {
  const std::set<std::string> wanted(files.begin(), files.end());
  std::vector<AttributeWrite> source, generation;
  Status s = catalog.ForEachClip([&](const VideoRecord& v, const ClipRecord& c) {
    if (v.status != "ok" || !wanted.count(v.path)) return true;
    source.push_back({c.id, "source.generated", 1.0, ""});
    const auto it = prompts.find(v.path);
    if (it != prompts.end()) {
      generation.push_back({c.id, "generation.prompt", std::nullopt, it->second.prompt});
    }
    const std::string model =
        it != prompts.end() && !it->second.model.empty() ? it->second.model : generator;
    if (!model.empty()) generation.push_back({c.id, "generation.model", std::nullopt, model});
    return true;
  });
  if (!s.ok()) return s;
  if (Status w = catalog.WriteClipAttributes("source.", source); !w.ok()) return w;
  if (Status w = catalog.WriteClipAttributes("generation.", generation); !w.ok()) return w;
  return static_cast<long>(source.size());
}

}  // namespace clipdex

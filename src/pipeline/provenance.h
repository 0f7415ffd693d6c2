// Provenance of generated material: `clipdex ingest --source generated [--prompt-file F]
// [--generator NAME]` marks every clip of the run's files as generated, with the prompt and the
// generator that made it, so the default recipe keeps generated clips out of the real tiers (its
// `synthetic` tier) and the report shows the real / synthetic mix (docs/generation.md).
//
// Attributes (written after the run's ingest, on every clip of each ok file; a rerun writes them
// again, so a resumed run ends the same):
//   source.generated   number 1
//   generation.prompt  text, from the prompt file (absent when the file has no entry)
//   generation.model   text, the prompt file's "model", else --generator (absent when neither)
//
// Prompt file: JSON lines {"file": PATH, "prompt": TEXT, "model": NAME (optional)}; a relative
// PATH is taken relative to the prompt file's folder. Blank lines are skipped.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "analyze/analyzer_registry.h"
#include "catalog/catalog.h"
#include "util/status.h"

namespace clipdex {

// A file cut off early (truncated download or copy) is ingested up to its last decodable frame;
// every clip of it carries these (written by the ingest itself, pipeline/ingest_video.cpp):
//   input.truncated    number 1
//   input.truncation   text, "data ends at 6.12 s of 10.60 s (end of file)"
inline constexpr std::string_view kTruncatedAttribute = "input.truncated";
inline constexpr std::string_view kTruncationAttribute = "input.truncation";

// The attributes above and rank's (rank.*), for rule compilation and docs (curate/catalog_pass.h
// collects them).
const std::vector<AttributeDecl>& ProvenanceAttributeDecls();

struct GeneratedBy {
  std::string prompt, model;
};

// Keyed by absolute, normalised path (as ingest records videos). Errors name the file and line:
// "prompt file F:3: not a JSON object with a \"file\" and a \"prompt\"".
Result<std::map<std::string, GeneratedBy>> LoadPromptFile(const std::filesystem::path& path);

// Marks the clips of `files` (absolute, normalised paths) as generated, with their prompt and
// model from `prompts` (model falling back to `generator`). Returns the clips marked.
Result<long> RecordGenerated(Catalog& catalog, const std::vector<std::string>& files,
                             const std::map<std::string, GeneratedBy>& prompts,
                             const std::string& generator);

}  // namespace clipdex

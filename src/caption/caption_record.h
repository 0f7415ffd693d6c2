// The attributes one caption is stored as (docs/captions.md): caption.json (validated), its text
// forms, the check against the measurements and provenance. A caption is written whole: every
// caption.* attribute of the clip is replaced in one transaction.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "caption/caption_backend.h"
#include "util/attribute.h"
#include "util/status.h"

namespace clipdex {

// Bumped whenever the prompt or the rendering changes what a caption says: clips captioned under
// another version are redone by the next run (resume compares backend, model and this).
inline constexpr const char* kCaptionPromptVersion = "c1";

struct CaptionProvenance {
  std::string backend, model, route;
  double seconds = 0;
  std::string error;         // the VLM's failure when this is the template fallback
  std::string context_json;  // matched glossary terms and neighbours (JSON), "" = none
};

// caption.json = measured + the seen keys of `output.content`, validated; then the texts,
// caption.check and provenance. Error: the caption.json validation failure.
Result<std::vector<Attribute>> CaptionAttributes(const nlohmann::json& measured,
                                                 const CaptionOutput& output,
                                                 const KeyframePlan& plan,
                                                 const CaptionProvenance& provenance);

// Names of every attribute CaptionAttributes may write, with type and unit (the pass registry
// declares them so tier rules accept them before any clip has one).
struct CaptionAttributeDecl {
  const char* name;
  const char* type;
  const char* unit;
};
const std::vector<CaptionAttributeDecl>& CaptionAttributeDecls();

}  // namespace clipdex

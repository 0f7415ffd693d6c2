// `clipdex rewrite`: a user's prompt read into slots (generate/prompt_parser.h) and written back
// in the captioner's camera language (generate/prompt_render.h), with the slots as JSON.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "generate/prompt_render.h"
#include "generate/prompt_slots.h"
#include "util/status.h"

namespace clipdex {

struct RewriteOptions {
  PromptLength length = PromptLength::kMedium;
  std::optional<PromptLanguage> language;  // nullopt: the prompt's own (the larger part of it)
  // Fill unsaid camera slots with defaults (FillDefaults) and list them in Rewrite::filled.
  bool fill = false;
  // Called before rendering (and before `fill`'s defaults) to fill slots from elsewhere, e.g.
  // the clips of a catalog (generate/catalog_fill.h); returns the slot names it set.
  std::function<std::vector<std::string>(PromptSlots*)> fill_from;
};

// "short" | "medium" | "long"; "en" | "zh". The error names the value and the choices.
Result<PromptLength> ParsePromptLength(std::string_view name);
Result<PromptLanguage> ParsePromptLanguage(std::string_view name);

struct Rewrite {
  std::string prompt;    // as given
  std::string detected;  // "en", "zh" or "mixed" (DetectLanguage)
  PromptSlots slots;
  std::vector<std::string> filled;  // slot names set by --fill
  std::string text;                 // the rendered prompt
};

// The longest prompt accepted, in bytes.
inline constexpr size_t kMaxPromptBytes = 4000;

// Errors: an empty (blank) prompt, one that is not UTF-8, one over kMaxPromptBytes.
Result<Rewrite> RewritePrompt(std::string_view prompt, const RewriteOptions& options);

// The defaults --fill writes where the prompt said nothing and did not rule the default out:
// shot_scale "medium", movement "static", angle "eye_level", style "live_action" (speed stays
// unsaid: a static camera has none). Returns the names of the slots it set.
std::vector<std::string> FillDefaults(PromptSlots* slots);

// {"prompt", "lang", "slots", "filled", "text"}; keys in that order.
nlohmann::ordered_json RewriteJson(const Rewrite& rewrite);

}  // namespace clipdex

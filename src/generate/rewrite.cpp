#include "generate/rewrite.h"

#include <algorithm>

#include "generate/phrase_match.h"
#include "generate/prompt_parser.h"
#include "generate/prompt_vocabulary.h"
#include "util/utf8.h"

namespace clipdex {

namespace {

bool Excluded(const PromptSlots& s, const std::string& key) {
  return std::find(s.excluded.begin(), s.excluded.end(), key) != s.excluded.end();
}

// Output language of a prompt given none: Chinese when it has at least as many Chinese
// characters as English words.
PromptLanguage OwnLanguage(std::string_view prompt) {
  size_t cjk = 0;
  for (char c : prompt) cjk += IsCjkLead(static_cast<unsigned char>(c)) ? 1 : 0;
  return cjk > 0 && cjk >= WordsBetween(AsciiLower(prompt), 0, prompt.size()) - cjk
             ? PromptLanguage::kChinese
             : PromptLanguage::kEnglish;
}

}  // namespace

Result<PromptLength> ParsePromptLength(std::string_view name) {
  if (name == "short") return PromptLength::kShort;
  if (name == "medium") return PromptLength::kMedium;
  if (name == "long") return PromptLength::kLong;
  std::string message = "unknown --style '";
  message += name;
  message += "' (short, medium, long)";
  return Status::Error(message);
}

Result<PromptLanguage> ParsePromptLanguage(std::string_view name) {
  if (name == "en") return PromptLanguage::kEnglish;
  if (name == "zh") return PromptLanguage::kChinese;
  std::string message = "unknown --lang '";
  message += name;
  message += "' (en, zh)";
  return Status::Error(message);
}

std::vector<std::string> FillDefaults(PromptSlots* s) {
  std::vector<std::string> filled;
  if (s->shot_scale.empty() && !Excluded(*s, "medium")) {
    s->shot_scale = "medium";
    filled.push_back("shot_scale");
  }
  if (s->movement.empty() && !Excluded(*s, "static")) {
    s->movement = "static";
    s->movements = {"static"};
    filled.push_back("movement");
  }
  if (s->angle.empty() && !Excluded(*s, "eye_level")) {
    s->angle = "eye_level";
    filled.push_back("angle");
  }
  if (s->style.empty() && !Excluded(*s, "live_action")) {
    s->style = "live_action";
    filled.push_back("style");
  }
  return filled;
}

Result<Rewrite> RewritePrompt(std::string_view prompt, const RewriteOptions& options) {
  if (prompt.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::Error("empty prompt");
  }
  if (!IsValidUtf8(prompt)) return Status::Error("prompt is not valid UTF-8");
  if (prompt.size() > kMaxPromptBytes) {
    std::string message = "prompt too long (";
    message += std::to_string(prompt.size());
    message += " bytes, at most ";
    message += std::to_string(kMaxPromptBytes);
    message += ")";
    return Status::Error(message);
  }
  Rewrite r;
  r.prompt = std::string(prompt);
  r.detected = DetectLanguage(prompt);
  r.slots = ParsePrompt(prompt);
  if (options.fill_from) r.filled = options.fill_from(&r.slots);
  if (options.fill) {
    for (std::string& name : FillDefaults(&r.slots)) r.filled.push_back(std::move(name));
  }
  r.text = RenderPrompt(r.slots, options.length, options.language.value_or(OwnLanguage(prompt)));
  return r;
}

nlohmann::ordered_json RewriteJson(const Rewrite& r) {
  nlohmann::ordered_json j;
  j["prompt"] = r.prompt;
  j["lang"] = r.detected;
  j["slots"] = SlotsJson(r.slots);
  j["filled"] = r.filled;
  j["text"] = r.text;
  return j;
}

}  // namespace clipdex

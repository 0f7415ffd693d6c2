// Fuzz target: generation prompts (rewrite, rank): ParsePrompt, DetectLanguage and rendering the
// slots back in the captions' camera language. Any UTF-8 or not, any length: no crash, no
// sanitizer report, the same slots every time (the parser is documented deterministic).
#include <cstdint>

#include "fuzz/fuzz_support.h"
#include "generate/prompt_parser.h"
#include "generate/prompt_render.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clipdex;
  if (size > 8192) return 0;
  const std::string_view prompt(reinterpret_cast<const char*>(data), size);
  const PromptSlots slots = ParsePrompt(prompt);
  const std::string language = DetectLanguage(prompt);
  if (language != "en" && language != "zh" && language != "mixed") {
    fuzz::Fail("unknown language", language);
  }
  const PromptLanguage out = language == "zh" ? PromptLanguage::kChinese : PromptLanguage::kEnglish;
  const std::string rendered = RenderPrompt(slots, PromptLength::kLong, out);
  (void)RenderPrompt(slots, PromptLength::kShort, out);
  if (RenderPrompt(ParsePrompt(prompt), PromptLength::kLong, out) != rendered) {
    fuzz::Fail("parse is not deterministic", prompt);
  }
  return 0;
}

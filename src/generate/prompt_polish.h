// Optional LLM polish for `clipdex rewrite --polish`: any OpenAI-compatible chat server (the
// caption backends' client) rewrites the rendered prompt more fluently, with the parsed slots as
// hard constraints. The reply is read back with the same parser: it must name the same camera
// movement(s), shot scale and speed, and no movement the prompt did not ask for; on-screen text
// asked for must still be quoted in it. A reply that breaks a constraint gets one more request
// naming what was broken; a second failure keeps the rendered (unpolished) text and says why.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "caption/openai_client.h"
#include "generate/prompt_slots.h"
#include "util/status.h"

namespace clipdex {

// What `polished` breaks of `want`, in words ("camera movement: asked pan_left, got zoom_in");
// empty when it keeps every constraint.
std::vector<std::string> PolishViolations(const PromptSlots& want, std::string_view polished);

struct PolishResult {
  std::string text;       // the polished text, or the rendered one when polishing failed
  bool polished = false;  // false: `error` says why the rendered text was kept
  std::string error;
  int requests = 0;
};

// Polishes `rendered` (the prompt rewrite wrote for `slots`, in language `lang`, "en" or "zh").
// Never an error: a failed or rejected polish is reported in the result.
PolishResult PolishPrompt(const OpenAIClient& client, const PromptSlots& slots,
                          const std::string& rendered, const std::string& lang, int max_tokens);

}  // namespace clipdex

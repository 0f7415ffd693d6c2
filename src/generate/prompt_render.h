// Writing PromptSlots as a prompt in the words and order of the template captioner, so a
// generation prompt reads like the training captions: the camera sentence, on-screen text and
// duration are the captioner's own (caption/caption_render.h RenderCaption is called for them);
// the content sentence, style, angle, people and exclusions use the prompt vocabulary's words.
//   short:  the captioner's short form: "Close-up, camera zooms in (push-in) slowly: A cat ...".
//   medium: content sentence (subject, action, scene, lighting), style, camera sentence (scale,
//           movement, speed; later movements; camera term and angle), on-screen text.
//   long:   medium, then people, what is ruled out, and the duration.
// Free words (subject, action, scene) are written as the user wrote them, in their own language:
// nothing is translated. Only slots that are set are written. Deterministic.
#pragma once

#include <string>

#include "generate/prompt_slots.h"

namespace clipdex {

enum class PromptLength { kShort, kMedium, kLong };

enum class PromptLanguage { kEnglish, kChinese };

std::string RenderPrompt(const PromptSlots& slots, PromptLength length, PromptLanguage language);

}  // namespace clipdex

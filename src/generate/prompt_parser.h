// Reading a generation prompt (English, Chinese or both) into PromptSlots. The order of work:
//  1. on-screen text (quotes, "with the text X") and the duration come out first, so the words
//     inside them are not read as camera words;
//  2. every vocabulary phrase is found at once (the film vocabulary's camera words, then the
//     prompt vocabulary's), overlaps resolved longest first ("extreme close-up" over "close-up",
//     大全景 over 全景);
//  3. a phrase governed by a negation ("no zoom", 不要晃动) sets nothing and is listed in
//     `excluded` (movements by family: "no zoom in" rules out zoom in and out);
//  4. a speed word counts only within three words of a movement in the same clause ("a fast car,
//     the camera pans left" is not a fast pan) and only for a directed movement;
//  5. subject, action and scene come from what is left (generate/prompt_subject.h).
// Deterministic; unknown stays empty.
#pragma once

#include <string>
#include <string_view>

#include "generate/prompt_slots.h"

namespace clipdex {

PromptSlots ParsePrompt(std::string_view prompt);

// "en" (no Chinese characters), "zh" (Chinese characters and no English words beyond the camera
// vocabulary's), or "mixed".
std::string DetectLanguage(std::string_view prompt);

}  // namespace clipdex

// Text forms of a structured caption (caption/caption_schema.h), in English and Chinese.
//   short: scale and camera in a few words, plus the VLM's summary when there is one;
//   text (main): the summary, then every measured fact in plain sentences;
//   long: text plus camera segments with times, subjects, events in order, scene, lighting,
//         colour, style, quality problems and picture facts.
// Only what caption.json holds is written: a template caption (no VLM) names no subjects or
// events. Deterministic: the same caption.json always renders the same strings.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace clipdex {

struct CaptionTexts {
  std::string short_en, text_en, long_en;
  std::string short_zh, text_zh, long_zh;
};

CaptionTexts RenderCaption(const nlohmann::json& caption);

// Seconds as captions and prompts write them: one decimal ("2.5").
std::string FormatSeconds(double seconds);

}  // namespace clipdex

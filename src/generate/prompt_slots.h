// The slots of a generation prompt: what `clipdex rewrite` reads out of a user's words and writes
// back in the captioner's camera language (docs/generation.md). Camera labels are the catalog's
// (camera.movement, framing.shot_scale, camera.speed), so a prompt and a clip speak the same
// labels. Empty or absent means the prompt did not say; nothing is guessed.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace clipdex {

struct PromptSlots {
  // Free words of the prompt, as written (no translation).
  std::string subject;  // "a cat", "一只猫"
  std::string action;   // "walks", "奔跑"
  std::string scene;    // "on a roof", "屋顶上"

  // Labels.
  std::string movement;                // first camera movement named (camera.movement label)
  std::vector<std::string> movements;  // every movement named, in text order (movement first)
  std::string camera_term;             // English name of a camera move coarser than its label
                                       // ("tracking shot" is `mixed`), else empty
  std::string shot_scale;              // framing.shot_scale label
  std::string speed;                   // slow, medium, fast; only with a directed movement
  std::string angle;                   // high_angle, low_angle, eye_level, over_the_shoulder ...
  std::vector<std::string> lighting;   // night, sunset, neon ... in text order
  std::string style;                   // live_action, animation, anime, 3d_render ...

  std::optional<double> duration;  // seconds
  std::optional<int> people;       // a count named ("two people", 三个人); 0 for "no people"

  std::vector<std::string> text_lines;  // on-screen text asked for, quoted or "with the text X"
  bool text_requested = false;          // on-screen text asked for (with or without lines)
  bool subtitles = false;               // subtitles asked for

  // What the prompt rules out ("no zoom", 不要晃动): movement families (zoom, pan, tilt, roll,
  // handheld, static, mixed) and other labels ("text", "subtitles", a scale or lighting label).
  std::vector<std::string> excluded;
};

// The slots as JSON: every key present, null / [] / false where the prompt said nothing, so the
// shape does not depend on the prompt. Keys in a fixed order.
nlohmann::ordered_json SlotsJson(const PromptSlots& slots);

}  // namespace clipdex

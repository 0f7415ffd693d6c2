// The words a generation prompt uses beyond the film vocabulary (caption/film_vocabulary.h):
//  - more names for the catalog's camera.movement and framing.shot_scale labels (推进, 跟拍,
//    "dolly forward", "truck left", 大全景 ...), mapped onto the existing labels, never new ones;
//  - the prompt-only slots: camera speed words, camera angle, lighting / time of day, style,
//    on-screen text and subtitles, "no people";
//  - camera families ("zoom", 变焦, "panning") that only mean something negated ("no zoom");
//  - words that look like camera speed but are not ("slow motion", 慢动作).
// Every label also carries the English and Chinese words the renderer writes for it, and those
// words are among its own synonyms, so a rendered prompt parses back to the same labels.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace clipdex {

enum class SlotKind {
  kMovement,   // label of CameraMovementLabels()
  kScale,      // label of ShotScaleLabels()
  kSpeed,      // slow, medium, fast (CameraSpeedLabels())
  kAngle,      // high_angle, low_angle, eye_level, over_the_shoulder, aerial, pov
  kLighting,   // night, sunset, golden_hour, dawn, daylight, neon, backlit, soft_light ...
  kStyle,      // live_action, animation, anime, 3d_render, screen_recording, game, watercolor ...
  kText,       // on-screen text asked for (label "text")
  kSubtitles,  // subtitles asked for (label "subtitles")
  kNoPeople,   // "no people", 空无一人 (label "none")
  kFamily,     // a camera family named without direction: zoom, pan, tilt, roll (negation only)
  kNotCamera,  // "slow motion", 慢动作: taken out so its words are not read as camera speed
};

struct SlotPhrases {
  SlotKind kind;
  std::string label;
  // How the renderer writes the label; empty for extra synonyms of a film-vocabulary label (the
  // film vocabulary's words are written) and for kNotCamera. For a movement whose words say more
  // than the label (a tracking shot is `mixed`, a crane up `tilt_up`), the camera term.
  std::string en, zh;
  std::vector<std::string> synonyms;  // lower-case English or Chinese
  // An everyday word as well ("pan", "tilt"): a camera word only when negated, else left in the
  // text for the subject and action.
  bool ambiguous = false;
};

// Every entry, one per (kind, label) except movement/scale terms, which may share a label.
const std::vector<SlotPhrases>& PromptPhraseTable();

// The entry that renders `label` of `kind` (the first with words), or nullptr.
const SlotPhrases* RenderWords(SlotKind kind, std::string_view label);

// The movement family a negation removes: zoom_in and zoom_out are "zoom", pan_* "pan", tilt_*
// "tilt", roll_* "roll"; handheld, static and mixed are their own family.
std::string MovementFamily(std::string_view movement);

// Whether a speed word can belong to this movement: the directed ones (pan, tilt, zoom, roll).
// The captioner writes a speed only for those (caption/caption_render.cpp), so a prompt keeps
// what its rendering can say.
bool MovementHasSpeed(std::string_view movement);

}  // namespace clipdex

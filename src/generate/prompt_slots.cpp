#include "generate/prompt_slots.h"

namespace clipdex {

namespace {

// A string slot: null when empty.
nlohmann::ordered_json OrNull(const std::string& s) {
  return s.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(s);
}

}  // namespace

nlohmann::ordered_json SlotsJson(const PromptSlots& s) {
  nlohmann::ordered_json j;
  j["subject"] = OrNull(s.subject);
  j["action"] = OrNull(s.action);
  j["scene"] = OrNull(s.scene);
  j["movement"] = OrNull(s.movement);
  j["movements"] = s.movements;
  j["camera_term"] = OrNull(s.camera_term);
  j["shot_scale"] = OrNull(s.shot_scale);
  j["speed"] = OrNull(s.speed);
  j["angle"] = OrNull(s.angle);
  j["lighting"] = s.lighting;
  j["style"] = OrNull(s.style);
  j["duration"] = s.duration ? nlohmann::ordered_json(*s.duration) : nlohmann::ordered_json();
  j["people"] = s.people ? nlohmann::ordered_json(*s.people) : nlohmann::ordered_json();
  j["text"] = {
      {"requested", s.text_requested}, {"lines", s.text_lines}, {"subtitles", s.subtitles}};
  j["excluded"] = s.excluded;
  return j;
}

}  // namespace clipdex

#include "caption/caption_check.h"

#include <algorithm>
#include <set>

#include "caption/film_vocabulary.h"

namespace clipdex {

namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int ScaleIndex(const std::string& label) {
  const auto& labels = ShotScaleLabels();
  auto it = std::find(labels.begin(), labels.end(), label);
  return it == labels.end() ? -1 : static_cast<int>(it - labels.begin());
}

// Movements the measurement supports: the clip label and every segment's label. Zoom and the
// dolly it cannot be told from share a label already (docs/attributes.md).
std::set<std::string> MeasuredMovements(const json& camera) {
  std::set<std::string> out;
  out.insert(Str(camera, "movement"));
  if (auto segs = camera.find("segments"); segs != camera.end()) {
    for (const json& s : *segs) out.insert(Str(s, "movement"));
  }
  return out;
}

// Free text of the model's output: the summary and the events, where camera words hide.
std::string FreeText(const json& content) {
  // Appended piece by piece: GCC 12 flags `a + " " + b` here with a false -Wrestrict.
  std::string text = Str(content, "summary");
  text += ' ';
  text += Str(content, "summary_zh");
  if (auto events = content.find("events"); events != content.end() && events->is_array()) {
    for (const json& e : *events) {
      text += ' ';
      text += Str(e, "what");
    }
  }
  return text;
}

}  // namespace

std::vector<std::string> CheckCaption(const nlohmann::json& content,
                                      const nlohmann::json& measured) {
  std::vector<std::string> conflicts;
  const json camera = measured.value("camera", json::object());
  const std::string movement = Str(camera, "movement");
  const CameraClaims text_claims = FindCameraClaims(FreeText(content));

  // Camera movement: only a measured label other than unknown can contradict.
  if (!movement.empty() && movement != "unknown") {
    const std::set<std::string> supported = MeasuredMovements(camera);
    std::vector<std::string> claimed = text_claims.movements;
    if (const std::string c = Str(content, "camera_movement"); !c.empty()) claimed.push_back(c);
    std::set<std::string> reported;
    for (const std::string& c : claimed) {
      if (c == "unknown" || c == "mixed" || supported.count(c) || reported.count(c)) continue;
      // "handheld" is a moving camera that shakes: a pan label with shake is not a lie.
      if (c == "handheld" && movement != "static") continue;
      reported.insert(c);
      conflicts.push_back("camera: claims " + c + ", measured " + movement);
    }
  }

  // Shot scale: neighbours on the ladder are a matter of taste; two steps apart is not.
  if (const int measured_scale = ScaleIndex(Str(camera, "shot_scale")); measured_scale >= 0) {
    std::vector<std::string> claimed = text_claims.scales;
    if (const std::string c = Str(content, "shot_scale"); !c.empty()) claimed.push_back(c);
    std::set<std::string> reported;
    for (const std::string& c : claimed) {
      const int k = ScaleIndex(c);
      if (k < 0 || std::abs(k - measured_scale) < 2 || reported.count(c)) continue;
      reported.insert(c);
      conflicts.push_back("shot scale: claims " + c + ", measured " + Str(camera, "shot_scale"));
    }
  }

  // People: detected faces are a lower bound (people turn away), so only fewer is a conflict.
  if (auto people = measured.find("people"); people != measured.end()) {
    const int faces = people->value("faces", 0);
    std::optional<int> claim;
    if (content.contains("people_count") && content["people_count"].is_number_integer()) {
      claim = content["people_count"].get<int>();
    } else if (text_claims.people) {
      claim = text_claims.people;
    }
    if (claim && *claim < faces) {
      conflicts.push_back("people: claims " + std::to_string(*claim) + ", " +
                          std::to_string(faces) + " faces detected");
    }
  }

  // On-screen text: only when the text analyzer ran (measured.on_screen_text present).
  if (auto text = measured.find("on_screen_text"); text != measured.end()) {
    const bool measured_lines = text->contains("lines") && !(*text)["lines"].empty();
    const std::string claim = Str(content, "on_screen_text");
    const bool claims_text = claim.find_first_not_of(" \t\n") != std::string::npos;
    if (claims_text && !measured_lines && content.contains("on_screen_text")) {
      conflicts.push_back("text: claims on-screen text, OCR found none");
    } else if (!claims_text && measured_lines && content.contains("on_screen_text")) {
      conflicts.push_back("text: misses on-screen text '" + (*text)["lines"][0].get<std::string>() +
                          "'");
    }
  }
  return conflicts;
}

std::string CheckText(const std::vector<std::string>& conflicts) {
  if (conflicts.empty()) return "ok";
  std::string out;
  for (const std::string& c : conflicts) {
    if (!out.empty()) out += "; ";
    out += c;
  }
  return out;
}

}  // namespace clipdex

#include "catalog/clip_json.h"

namespace clipdex {

namespace {

// The one list of internal attributes (see IsInternalAttribute).
constexpr std::string_view kInternalAttributes[] = {"dedup.signature"};

}  // namespace

bool IsInternalAttribute(std::string_view name) {
  for (std::string_view internal : kInternalAttributes) {
    if (name == internal) return true;
  }
  return false;
}

nlohmann::ordered_json ClipJson(const VideoRecord& v, const ClipRecord& c, bool all_attributes) {
  nlohmann::ordered_json j;
  j["video"] = v.path;
  j["fingerprint"] = v.fingerprint;
  j["media"] = IsImageContainer(v.probe.container) ? "image" : "video";
  j["clip"] = c.index;
  j["first_frame"] = c.first_frame;
  j["last_frame"] = c.last_frame;
  j["start"] = c.start_time;
  j["end"] = c.end_time;
  j["duration"] = c.end_time - c.start_time;
  j["transition_in"] = c.transition_in;
  j["transition_out"] = c.transition_out;
  j["too_short"] = c.too_short;
  j["split_part"] = c.split_part;
  j["thumbnail"] = c.thumbnail;
  j["width"] = v.probe.display_width();
  j["height"] = v.probe.display_height();
  j["fps"] = v.probe.fps();
  // Attributes flattened by dotted name so CSV columns and JSON keys read the same.
  for (const Attribute& a : c.attributes) {
    if (!all_attributes && IsInternalAttribute(a.name)) continue;
    if (a.number) {
      j[a.name] = *a.number;
    } else if (!a.text.empty() && (a.text.front() == '[' || a.text.front() == '{')) {
      auto parsed = nlohmann::ordered_json::parse(a.text, nullptr, /*allow_exceptions=*/false);
      j[a.name] = parsed.is_discarded() ? nlohmann::ordered_json(a.text) : parsed;
    } else {
      j[a.name] = a.text;
    }
  }
  return j;
}

}  // namespace clipdex

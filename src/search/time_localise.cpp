// Narrowing a hit to the moment that matched (see search/time_localise.h).
#include "search/time_localise.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "util/ascii_case.h"

namespace clipdex {
namespace {

const Attribute* FindAttr(const ClipDetail& d, const std::string& name) {
  for (const Attribute& a : d.clip.attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

bool ContainsAnyWord(const std::string& text, const std::vector<std::string>& words) {
  const std::string lower = AsciiLower(text);
  for (const std::string& w : words) {
    if (!w.empty() && lower.find(w) != std::string::npos) return true;
  }
  return false;
}

bool Matched(const LocaliseQuery& q, const std::string& column) {
  return std::find(q.matched_columns.begin(), q.matched_columns.end(), column) !=
         q.matched_columns.end();
}

// [a, b] on the file clock, clamped to the clip; a range wholly outside the clip is taken as
// clip-relative.
std::pair<double, double> ToClip(const ClipRecord& c, double a, double b) {
  if (b < c.start_time - 1e-3 || a > c.end_time + 1e-3) {
    a += c.start_time;
    b += c.start_time;
  }
  a = std::clamp(a, c.start_time, c.end_time);
  b = std::clamp(std::max(a, b), c.start_time, c.end_time);
  return {a, b};
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", s);
  return buf;
}

nlohmann::json ParseJson(const Attribute* a) {
  if (!a || a->text.empty()) return nlohmann::json();
  auto j = nlohmann::json::parse(a->text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json() : j;
}

double Num(const nlohmann::json& j, const char* key, double fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

std::optional<TimeMatch> FromTextTracks(const ClipDetail& d, const LocaliseQuery& q) {
  const nlohmann::json boxes = ParseJson(FindAttr(d, "text.boxes"));
  if (!boxes.is_array()) return std::nullopt;
  for (const auto& b : boxes) {
    if (!b.is_object() || !b.contains("text") || !b["text"].is_string()) continue;
    const std::string text = b["text"].get<std::string>();
    if (!ContainsAnyWord(text, q.words)) continue;
    auto [a, e] =
        ToClip(d.clip, Num(b, "first", d.clip.start_time), Num(b, "last", d.clip.end_time));
    // Text is on screen until about the next sample; show at least a second.
    e = std::min(d.clip.end_time, std::max(e, a + 1.0));
    return TimeMatch{a, e,
                     "on-screen text '" + text + "' at " + Seconds(a) + "-" + Seconds(e) + " s"};
  }
  return std::nullopt;
}

std::optional<TimeMatch> FromCaptionEvents(const ClipDetail& d, const LocaliseQuery& q) {
  const nlohmann::json cap = ParseJson(FindAttr(d, "caption.json"));
  if (!cap.is_object() || !cap.contains("events") || !cap["events"].is_array()) return std::nullopt;
  for (const auto& ev : cap["events"]) {
    if (!ev.is_object() || !ev.contains("what") || !ev["what"].is_string()) continue;
    if (!ev.contains("start")) continue;
    const std::string what = ev["what"].get<std::string>();
    if (!ContainsAnyWord(what, q.words)) continue;
    const double rel_start = Num(ev, "start", 0);
    const double rel_end = Num(ev, "end", rel_start + 1.0);
    const double a = std::clamp(d.clip.start_time + rel_start, d.clip.start_time, d.clip.end_time);
    const double e =
        std::clamp(d.clip.start_time + std::max(rel_end, rel_start), a, d.clip.end_time);
    return TimeMatch{a, e,
                     "caption event '" + what + "' at " + Seconds(a) + "-" + Seconds(e) + " s"};
  }
  return std::nullopt;
}

std::optional<TimeMatch> FromCameraSegments(const ClipDetail& d, const LocaliseQuery& q) {
  if (q.movements.empty()) return std::nullopt;
  const nlohmann::json segs = ParseJson(FindAttr(d, "camera.segments"));
  if (!segs.is_array()) return std::nullopt;
  for (const auto& s : segs) {
    if (!s.is_object() || !s.contains("label") || !s["label"].is_string()) continue;
    const std::string label = s["label"].get<std::string>();
    if (std::find(q.movements.begin(), q.movements.end(), label) == q.movements.end()) continue;
    auto [a, e] =
        ToClip(d.clip, Num(s, "start", d.clip.start_time), Num(s, "end", d.clip.end_time));
    return TimeMatch{a, e, "camera " + label + " at " + Seconds(a) + "-" + Seconds(e) + " s"};
  }
  return std::nullopt;
}

}  // namespace

TimeMatch LocaliseHit(const ClipDetail& d, const LocaliseQuery& q) {
  if (q.example_time) {
    const double t = std::clamp(*q.example_time, d.clip.start_time, d.clip.end_time);
    const double a = std::max(d.clip.start_time, t - 0.5);
    const double e = std::min(d.clip.end_time, t + 0.5);
    return {a, e,
            "keyframe at " + Seconds(t) + " s looks like the example (" +
                std::to_string(q.example_bits) + " of 64 bits differ)"};
  }
  if (Matched(q, "screen_text")) {
    if (auto m = FromTextTracks(d, q)) return *m;
  }
  if (Matched(q, "caption")) {
    if (auto m = FromCaptionEvents(d, q)) return *m;
  }
  if (auto m = FromCameraSegments(d, q)) return *m;
  std::string reason = "whole clip";
  if (!q.matched_columns.empty()) {
    reason += ": matched ";
    for (size_t i = 0; i < q.matched_columns.size(); ++i) {
      if (i) reason += ", ";
      reason += q.matched_columns[i];
    }
  }
  return {d.clip.start_time, d.clip.end_time, reason};
}

}  // namespace clipdex

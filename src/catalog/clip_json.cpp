#include "catalog/clip_json.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "util/json_dump.h"
#include "util/json_valid.h"
#include "util/utf8.h"

namespace clipdex {

namespace {

// The one list of internal attributes (see IsInternalAttribute).
constexpr std::string_view kInternalAttributes[] = {"dedup.signature"};

// A JSON string literal, as nlohmann's dump(ensure_ascii = false) writes it.
void AppendString(std::string_view s, std::string* out) {
  if (!IsValidUtf8(s)) {  // rare: let nlohmann apply its U+FFFD replacement rules exactly
    *out += DumpJson(nlohmann::ordered_json(std::string(s)));
    return;
  }
  out->push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    const auto ch = static_cast<unsigned char>(s[i]);
    if (ch >= 0x20 && ch != '"' && ch != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (ch) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", ch);
        *out += buf;
      }
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

// A double as nlohmann's dump writes it (shortest round trip, "null" when not finite).
void AppendDouble(double x, std::string* out) {
  if (!std::isfinite(x)) {
    *out += "null";
    return;
  }
  std::array<char, 64> buf;
  char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), x);
  out->append(buf.data(), end);
}

void AppendInt(int64_t x, std::string* out) {
  std::array<char, 24> buf;
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), x);
  out->append(buf.data(), r.ptr);
}

// `"key":` (keys are fixed names or attribute names).
void AppendKey(std::string_view key, bool first, std::string* out) {
  if (!first) out->push_back(',');
  AppendString(key, out);
  out->push_back(':');
}

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

void AppendClipJsonLine(const VideoRecord& v, const ClipRecord& c, bool all_attributes,
                        std::string* out) {
  out->push_back('{');
  AppendKey("video", true, out);
  AppendString(v.path, out);
  AppendKey("fingerprint", false, out);
  AppendString(v.fingerprint, out);
  AppendKey("media", false, out);
  AppendString(IsImageContainer(v.probe.container) ? "image" : "video", out);
  AppendKey("clip", false, out);
  AppendInt(c.index, out);
  AppendKey("first_frame", false, out);
  AppendInt(c.first_frame, out);
  AppendKey("last_frame", false, out);
  AppendInt(c.last_frame, out);
  AppendKey("start", false, out);
  AppendDouble(c.start_time, out);
  AppendKey("end", false, out);
  AppendDouble(c.end_time, out);
  AppendKey("duration", false, out);
  AppendDouble(c.end_time - c.start_time, out);
  AppendKey("transition_in", false, out);
  AppendString(c.transition_in, out);
  AppendKey("transition_out", false, out);
  AppendString(c.transition_out, out);
  AppendKey("too_short", false, out);
  *out += c.too_short ? "true" : "false";
  AppendKey("split_part", false, out);
  AppendInt(c.split_part, out);
  AppendKey("thumbnail", false, out);
  AppendString(c.thumbnail, out);
  AppendKey("width", false, out);
  AppendInt(v.probe.display_width(), out);
  AppendKey("height", false, out);
  AppendInt(v.probe.display_height(), out);
  AppendKey("fps", false, out);
  AppendDouble(v.probe.fps(), out);
  for (const Attribute& a : c.attributes) {
    if (!all_attributes && IsInternalAttribute(a.name)) continue;
    AppendKey(a.name, false, out);
    if (a.number) {
      AppendDouble(*a.number, out);
    } else if (!a.text.empty() && (a.text.front() == '[' || a.text.front() == '{') &&
               IsJsonText(a.text)) {
      *out += a.text;
    } else {
      AppendString(a.text, out);
    }
  }
  *out += "}\n";
}

}  // namespace clipdex

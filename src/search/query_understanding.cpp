// Camera and content words of a query as conditions (see search/query_understanding.h).
#include "search/query_understanding.h"

#include <algorithm>

#include "caption/film_vocabulary.h"
#include "util/ascii_case.h"

namespace clipdex {
namespace {

struct Absence {
  std::vector<std::string> phrases;  // lower case
  std::string condition;
};

const std::vector<Absence>& Absences() {
  static const std::vector<Absence> kAbsences = {
      {{"no text", "without text", "no subtitles", "without subtitles", "no captions", "无文字",
        "无字幕", "没有字幕", "没有文字"},
       "text.content IS NULL"},
      {{"no watermark", "without watermark", "no logo", "without logo", "无水印", "没有水印"},
       "(watermark.present IS NULL OR watermark.present = 0)"},
      {{"no faces", "no face", "without faces", "no people", "without people", "无人脸", "没有人"},
       "(framing.faces IS NULL OR framing.faces = 0)"},
  };
  return kAbsences;
}

bool IsAsciiWordChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// True when [a, b) of `s` starts and ends on word boundaries (for ASCII words; CJK characters
// are words of their own).
bool OnBoundaries(const std::string& s, size_t a, size_t b) {
  const bool left = a == 0 || !IsAsciiWordChar(s[a - 1]) || !IsAsciiWordChar(s[a]);
  const bool right = b >= s.size() || !IsAsciiWordChar(s[b]) || !IsAsciiWordChar(s[b - 1]);
  return left && right;
}

// Overwrites [a, a + n) with spaces: the words are gone, every other offset stays valid.
void Blank(std::string* s, size_t a, size_t n) {
  std::fill(s->begin() + static_cast<std::ptrdiff_t>(a),
            s->begin() + static_cast<std::ptrdiff_t>(a + n), ' ');
}

template <typename T>
void AddUnique(std::vector<T>* v, const T& x) {
  if (std::find(v->begin(), v->end(), x) == v->end()) v->push_back(x);
}

std::string InList(const std::string& attribute, const std::vector<std::string>& labels) {
  std::string out = attribute;
  out += " IN (";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ", ";
    out += '\'';
    out += labels[i];
    out += '\'';
  }
  out += ')';
  return out;
}

}  // namespace

UnderstoodQuery UnderstandQuery(std::string_view query) {
  UnderstoodQuery u;
  std::string text = AsciiLower(query);
  for (const Absence& a : Absences()) {
    for (const std::string& p : a.phrases) {
      size_t at;
      bool found = false;
      while ((at = text.find(p)) != std::string::npos && OnBoundaries(text, at, at + p.size())) {
        Blank(&text, at, p.size());
        found = true;
      }
      if (found) AddUnique(&u.conditions, a.condition);
    }
  }
  // Camera words, found by the film vocabulary's own phrase table.
  for (const CameraClaimSpan& span : FindCameraClaimSpans(text)) {
    AddUnique(span.movement ? &u.movements : &u.scales, span.label);
    Blank(&text, span.begin, span.end - span.begin);
  }
  if (!u.movements.empty()) u.conditions.push_back(InList("camera.movement", u.movements));
  if (!u.scales.empty()) u.conditions.push_back(InList("framing.shot_scale", u.scales));
  u.text = text;
  return u;
}

}  // namespace clipdex

#include "caption/film_vocabulary.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace clipdex {

namespace {

struct LabelEntry {
  const char* label;
  const char* en;
  const char* zh;
  // Lower-case phrases (English) or exact phrases (Chinese) that name the label in free text.
  std::vector<std::string> synonyms;
};

// The camera analyzer's labels (analyze/camera_motion.cpp). Directions are the camera's.
const std::vector<LabelEntry>& MovementTable() {
  static const std::vector<LabelEntry> kTable = {
      {"static",
       "static camera",
       "固定镜头",
       {"static shot", "static camera", "locked-off", "locked off", "fixed camera", "tripod shot",
        "camera is static", "camera remains still", "camera stays still", "固定镜头", "固定机位",
        "镜头固定"}},
      {"pan_left",
       "pans left",
       "左摇",
       {"pans left", "pan left", "panning left", "pans to the left", "左摇", "向左摇"}},
      {"pan_right",
       "pans right",
       "右摇",
       {"pans right", "pan right", "panning right", "pans to the right", "右摇", "向右摇"}},
      {"tilt_up",
       "tilts up",
       "上摇",
       {"tilts up", "tilt up", "tilting up", "上摇", "向上摇", "仰拍上移"}},
      {"tilt_down",
       "tilts down",
       "下摇",
       {"tilts down", "tilt down", "tilting down", "下摇", "向下摇"}},
      {"zoom_in",
       "zooms in (push-in)",
       "推镜头",
       {"zooms in", "zoom in", "zooming in", "push in", "push-in", "pushes in", "dolly in",
        "dolly-in", "dollies in", "推镜头", "推近", "镜头推进", "推镜"}},
      {"zoom_out",
       "zooms out (pull-out)",
       "拉镜头",
       {"zooms out", "zoom out", "zooming out", "pull out", "pull-out", "pulls out", "pulls back",
        "pull back", "dolly out", "dolly-out", "拉镜头", "拉远", "镜头拉远", "拉镜"}},
      {"roll_cw",
       "rolls clockwise",
       "顺时针旋转",
       {"rolls clockwise", "rotates clockwise", "顺时针旋转"}},
      {"roll_ccw",
       "rolls counter-clockwise",
       "逆时针旋转",
       {"rolls counter-clockwise", "rolls counterclockwise", "rotates counter-clockwise",
        "rotates counterclockwise", "逆时针旋转"}},
      {"handheld",
       "handheld, shaky",
       "手持晃动",
       {"handheld", "hand-held", "shaky camera", "camera shake", "shaky footage", "手持", "晃动"}},
      {"mixed", "moves in several ways", "多种运镜", {}},
      {"unknown", "", "", {}},
  };
  return kTable;
}

const std::vector<LabelEntry>& ScaleTable() {
  static const std::vector<LabelEntry> kTable = {
      {"extreme_close_up",
       "extreme close-up",
       "大特写",
       {"extreme close-up", "extreme close up", "extreme closeup", "macro shot", "大特写"}},
      {"close_up", "close-up", "特写", {"close-up", "close up", "closeup", "特写"}},
      {"medium_close_up",
       "medium close-up",
       "近景",
       {"medium close-up", "medium close up", "medium closeup", "head and shoulders", "近景"}},
      {"medium",
       "medium shot",
       "中景",
       {"medium shot", "mid shot", "mid-shot", "waist shot", "中景"}},
      {"medium_long",
       "medium long shot",
       "中远景",
       {"medium long shot", "medium-long shot", "medium wide shot", "cowboy shot", "中远景",
        "中全景"}},
      {"full", "full shot", "全景", {"full shot", "full-body shot", "full body shot", "全景"}},
      {"long",
       "long shot",
       "远景",
       {"long shot", "wide shot", "extreme long shot", "establishing shot", "远景", "大远景"}},
  };
  return kTable;
}

const std::vector<LabelEntry>& SpeedTable() {
  static const std::vector<LabelEntry> kTable = {
      {"none", "", "", {}},
      {"slow", "slowly", "缓慢", {}},
      {"medium", "at a moderate pace", "匀速", {}},
      {"fast", "quickly", "快速", {}},
  };
  return kTable;
}

std::vector<std::string> Labels(const std::vector<LabelEntry>& table) {
  std::vector<std::string> out;
  for (const LabelEntry& e : table) out.push_back(e.label);
  return out;
}

std::optional<VocabularyWord> Words(const std::vector<LabelEntry>& table, std::string_view label) {
  for (const LabelEntry& e : table) {
    if (label == e.label) {
      if (*e.en == '\0') return std::nullopt;
      return VocabularyWord{e.en, e.zh};
    }
  }
  return std::nullopt;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Phrase occurrence at word boundaries for ASCII phrases ("close-up" must not match inside
// "extreme close-up" on its own: that case is resolved by preferring the longest phrase at a
// position). Chinese phrases match anywhere.
std::vector<std::pair<size_t, size_t>> Occurrences(const std::string& text,
                                                   const std::string& phrase) {
  std::vector<std::pair<size_t, size_t>> out;
  const bool ascii = static_cast<unsigned char>(phrase[0]) < 0x80;
  for (size_t at = text.find(phrase); at != std::string::npos; at = text.find(phrase, at + 1)) {
    const size_t end = at + phrase.size();
    if (ascii) {
      auto word = [&](size_t i) { return std::isalnum(static_cast<unsigned char>(text[i])) != 0; };
      if ((at > 0 && word(at - 1)) || (end < text.size() && word(end))) continue;
    }
    out.emplace_back(at, end);
  }
  return out;
}

// Occurrences of every label's synonyms in `text`, without those inside a longer matched phrase
// of another label ("close-up" inside "extreme close-up").
struct LabelHit {
  size_t begin, end;
  size_t entry;
};
std::vector<LabelHit> FindHits(const std::vector<LabelEntry>& table, const std::string& text) {
  std::vector<LabelHit> hits;
  for (size_t i = 0; i < table.size(); ++i) {
    for (const std::string& s : table[i].synonyms) {
      for (auto [b, e] : Occurrences(text, s)) hits.push_back({b, e, i});
    }
  }
  std::vector<LabelHit> out;
  for (const LabelHit& h : hits) {
    bool inside_longer = false;
    for (const LabelHit& o : hits) {
      if (o.entry != h.entry && o.begin <= h.begin && o.end >= h.end &&
          (o.end - o.begin) > (h.end - h.begin)) {
        inside_longer = true;
      }
    }
    if (!inside_longer) out.push_back(h);
  }
  return out;
}

// Labels whose synonyms occur in `text` (FindHits), in table order.
std::vector<std::string> FindLabels(const std::vector<LabelEntry>& table, const std::string& text) {
  std::vector<bool> found(table.size(), false);
  for (const LabelHit& h : FindHits(table, text)) found[h.entry] = true;
  std::vector<std::string> out;
  for (size_t i = 0; i < table.size(); ++i) {
    if (found[i]) out.push_back(table[i].label);
  }
  return out;
}

std::optional<int> FindPeople(const std::string& lower) {
  static const std::map<std::string, int> kNumbers = {
      {"a", 1},    {"an", 1},   {"one", 1}, {"single", 1}, {"two", 2},   {"three", 3},
      {"four", 4}, {"five", 5}, {"six", 6}, {"seven", 7},  {"eight", 8}, {"nine", 9},
      {"ten", 10}, {"1", 1},    {"2", 2},   {"3", 3},      {"4", 4},     {"5", 5},
      {"6", 6},    {"7", 7},    {"8", 8},   {"9", 9},      {"10", 10}};
  static const std::vector<std::string> kPeopleWords = {
      "people",   "persons", "person", "men",  "women", "man", "woman",
      "children", "kids",    "child",  "boys", "girls", "boy", "girl"};
  // "<number> [adjective] <people word>", at most one word between.
  std::vector<std::string> words;
  std::string current;
  for (char c : lower) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      current += c;
    } else if (!current.empty()) {
      words.push_back(current);
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(current);
  for (size_t i = 0; i < words.size(); ++i) {
    auto n = kNumbers.find(words[i]);
    if (n == kNumbers.end()) continue;
    for (size_t j = i + 1; j <= i + 2 && j < words.size(); ++j) {
      if (std::find(kPeopleWords.begin(), kPeopleWords.end(), words[j]) != kPeopleWords.end()) {
        return n->second;
      }
    }
  }
  static const std::vector<std::pair<std::string, int>> kZh = {
      {"一个人", 1}, {"一人", 1}, {"一名", 1},   {"两个人", 2}, {"两人", 2},   {"二人", 2},
      {"三个人", 3}, {"三人", 3}, {"四个人", 4}, {"四人", 4},   {"五个人", 5}, {"五人", 5}};
  for (const auto& [phrase, n] : kZh) {
    if (lower.find(phrase) != std::string::npos) return n;
  }
  return std::nullopt;
}

}  // namespace

const std::vector<std::string>& CameraMovementLabels() {
  static const std::vector<std::string> kLabels = Labels(MovementTable());
  return kLabels;
}
const std::vector<std::string>& ShotScaleLabels() {
  static const std::vector<std::string> kLabels = Labels(ScaleTable());
  return kLabels;
}
const std::vector<std::string>& CameraSpeedLabels() {
  static const std::vector<std::string> kLabels = Labels(SpeedTable());
  return kLabels;
}

std::optional<VocabularyWord> MovementWords(std::string_view label) {
  return Words(MovementTable(), label);
}
std::optional<VocabularyWord> ScaleWords(std::string_view label) {
  return Words(ScaleTable(), label);
}
std::optional<VocabularyWord> SpeedWords(std::string_view label) {
  return Words(SpeedTable(), label);
}

CameraClaims FindCameraClaims(std::string_view text) {
  const std::string lower = Lower(text);
  CameraClaims claims;
  claims.movements = FindLabels(MovementTable(), lower);
  claims.scales = FindLabels(ScaleTable(), lower);
  claims.people = FindPeople(lower);
  return claims;
}

std::vector<CameraClaimSpan> FindCameraClaimSpans(std::string_view text) {
  const std::string lower = Lower(text);
  std::vector<CameraClaimSpan> out;
  for (const LabelHit& h : FindHits(MovementTable(), lower)) {
    out.push_back({h.begin, h.end, true, MovementTable()[h.entry].label});
  }
  for (const LabelHit& h : FindHits(ScaleTable(), lower)) {
    out.push_back({h.begin, h.end, false, ScaleTable()[h.entry].label});
  }
  std::sort(out.begin(), out.end(),
            [](const CameraClaimSpan& a, const CameraClaimSpan& b) { return a.begin < b.begin; });
  return out;
}

}  // namespace clipdex

#include "generate/phrase_match.h"

#include <algorithm>
#include <array>

namespace clipdex {

namespace {

bool IsWordByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool StartsWithAt(std::string_view s, size_t at, std::string_view what) {
  return s.substr(at, what.size()) == what;
}

// An ASCII word of `lower` that starts at `at` and equals `word`.
bool WordAt(std::string_view lower, size_t at, std::string_view word) {
  if (!StartsWithAt(lower, at, word)) return false;
  const size_t end = at + word.size();
  return (at == 0 || !IsWordByte(lower[at - 1])) &&
         (end >= lower.size() || !IsWordByte(lower[end]));
}

}  // namespace

bool IsCjkLead(unsigned char c) { return c >= 0xE3 && c <= 0xE9; }

std::vector<TextSpan> PhraseOccurrences(std::string_view lower, std::string_view phrase) {
  std::vector<TextSpan> out;
  if (phrase.empty()) return out;
  const bool ascii = static_cast<unsigned char>(phrase[0]) < 0x80;
  for (size_t at = lower.find(phrase); at != std::string_view::npos;
       at = lower.find(phrase, at + 1)) {
    const size_t end = at + phrase.size();
    if (ascii &&
        ((at > 0 && IsWordByte(lower[at - 1])) || (end < lower.size() && IsWordByte(lower[end])))) {
      continue;
    }
    out.push_back({at, end});
  }
  return out;
}

std::vector<size_t> LongestNonOverlapping(const std::vector<TextSpan>& spans) {
  std::vector<size_t> order(spans.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const size_t la = spans[a].end - spans[a].begin, lb = spans[b].end - spans[b].begin;
    return la != lb ? la > lb : spans[a].begin < spans[b].begin;
  });
  std::vector<size_t> kept;
  for (size_t i : order) {
    const bool overlaps = std::any_of(kept.begin(), kept.end(), [&](size_t k) {
      return spans[i].begin < spans[k].end && spans[k].begin < spans[i].end;
    });
    if (!overlaps) kept.push_back(i);
  }
  std::sort(kept.begin(), kept.end(),
            [&](size_t a, size_t b) { return spans[a].begin < spans[b].begin; });
  return kept;
}

size_t ClauseMarkAt(std::string_view s, size_t at) {
  static const std::array<std::string_view, 7> kCjk = {"，", "。", "、", "；", "：", "！", "？"};
  const char c = s[at];
  if (c == ',' || c == '.' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\n') return 1;
  for (std::string_view m : kCjk) {
    if (s.substr(at, m.size()) == m) return m.size();
  }
  return 0;
}

bool CrossesClause(std::string_view lower, size_t a, size_t b) {
  static const std::array<std::string_view, 4> kJoinWords = {"and", "but", "then", "while"};
  static const std::array<std::string_view, 3> kJoinZh = {"和", "但", "然后"};
  for (size_t i = a; i < b && i < lower.size(); ++i) {
    if (ClauseMarkAt(lower, i) > 0) return true;
    for (std::string_view w : kJoinWords) {
      if (WordAt(lower, i, w)) return true;
    }
    for (std::string_view w : kJoinZh) {
      if (StartsWithAt(lower, i, w)) return true;
    }
  }
  return false;
}

size_t WordsBetween(std::string_view lower, size_t a, size_t b) {
  size_t words = 0;
  b = std::min(b, lower.size());
  for (size_t i = a; i < b;) {
    const auto c = static_cast<unsigned char>(lower[i]);
    if (IsWordByte(lower[i]) || c == '\'') {
      ++words;
      while (i < b && (IsWordByte(lower[i]) || lower[i] == '\'')) ++i;
    } else if (IsCjkLead(c)) {
      ++words;
      i += 3;
    } else {
      ++i;
    }
  }
  return words;
}

std::optional<TextSpan> NegationBefore(std::string_view lower, size_t begin) {
  static const std::array<std::string_view, 12> kWords = {"no",      "not",      "without", "never",
                                                          "avoid",   "avoiding", "nor",     "don't",
                                                          "doesn't", "dont",     "doesnt",  "zero"};
  // Longest first, so 不要 is the cue rather than its 不.
  static const std::array<std::string_view, 11> kZh = {
      "不要", "不用", "不能", "没有", "避免", "禁止", "拒绝", "不", "没", "无", "别"};
  static const std::array<std::string_view, 9> kNotCues = {
      "不断", "不停", "不时", "不久", "不少", "无人机", "无论", "无数", "没多久"};
  constexpr size_t kMaxWords = 3;
  // Scan back over at most a few words' worth of bytes; the nearest cue wins.
  const size_t from = begin > 40 ? begin - 40 : 0;
  for (size_t at = begin; at-- > from;) {
    if (CrossesClause(lower, at, begin)) break;
    std::optional<TextSpan> cue;
    for (std::string_view w : kWords) {
      if (WordAt(lower, at, w)) cue = TextSpan{at, at + w.size()};
    }
    for (std::string_view w : kZh) {
      if (!cue && StartsWithAt(lower, at, w)) cue = TextSpan{at, at + w.size()};
    }
    if (!cue) continue;
    const bool look_alike = std::any_of(kNotCues.begin(), kNotCues.end(), [&](std::string_view n) {
      return StartsWithAt(lower, at, n);
    });
    if (look_alike || WordsBetween(lower, cue->end, begin) > kMaxWords) continue;
    return cue;
  }
  return std::nullopt;
}

}  // namespace clipdex

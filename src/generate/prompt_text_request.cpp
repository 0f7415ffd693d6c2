#include "generate/prompt_text_request.h"

#include <algorithm>
#include <array>

namespace clipdex {

namespace {

struct QuotePair {
  std::string_view open, close;
};
constexpr std::array<QuotePair, 5> kQuotes = {
    {{"\"", "\""}, {"“", "”"}, {"「", "」"}, {"『", "』"}, {"‘", "’"}}};

// Words that make a following quote on-screen text ("a sign that says", 写着).
constexpr std::array<std::string_view, 22> kTextWords = {
    "text",    "words",   "word",   "sign",     "says",     "say",       "reads",  "reading",
    "saying",  "titled",  "title",  "caption",  "subtitle", "subtitles", "banner", "logo",
    "written", "letters", "slogan", "headline", "label",    "lettering"};
constexpr std::array<std::string_view, 10> kTextWordsZh = {"写着", "写有", "字幕", "文字", "标题",
                                                           "招牌", "标语", "显示", "字样", "横幅"};
// Phrases taken out with the text they introduce; longest first.
constexpr std::array<std::string_view, 20> kTriggers = {
    "with the caption", "with the words", "with the text", "which reads", "which says",
    "that reads",       "that says",      "with text",     "the words",   "the text",
    "saying",           "titled",         "字幕：",        "文字：",      "标题：",
    "标语：",           "字幕为",         "文字为",        "写着",        "写有"};

constexpr size_t kWindow = 40;  // bytes looked at before a quote

size_t NextBreak(std::string_view s, size_t from) {
  for (size_t i = from; i < s.size(); ++i) {
    if (ClauseMarkAt(s, i) > 0) return i;
  }
  return s.size();
}

std::string Trimmed(std::string_view s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string_view::npos) return "";
  const size_t b = s.find_last_not_of(" \t");
  return std::string(s.substr(a, b - a + 1));
}

// The start of the last trigger phrase in lower[from, to), or npos.
size_t TriggerStart(std::string_view lower, size_t from, size_t to) {
  size_t best = std::string_view::npos;
  for (std::string_view t : kTriggers) {
    for (const TextSpan& s : PhraseOccurrences(lower.substr(0, to), t)) {
      if (s.begin >= from && (best == std::string_view::npos || s.begin < best)) best = s.begin;
    }
  }
  return best;
}

bool NamesText(std::string_view lower, size_t from, size_t to) {
  const std::string_view window = lower.substr(from, to - from);
  for (std::string_view w : kTextWords) {
    if (!PhraseOccurrences(window, w).empty()) return true;
  }
  return std::any_of(kTextWordsZh.begin(), kTextWordsZh.end(),
                     [&](std::string_view w) { return window.find(w) != std::string_view::npos; });
}

bool Inside(const std::vector<TextSpan>& spans, size_t at) {
  return std::any_of(spans.begin(), spans.end(),
                     [&](const TextSpan& s) { return at >= s.begin && at < s.end; });
}

}  // namespace

TextRequest FindTextRequest(std::string_view original, std::string_view lower) {
  TextRequest r;
  // Quoted text.
  for (size_t at = 0; at < lower.size(); ++at) {
    for (const QuotePair& q : kQuotes) {
      if (lower.substr(at, q.open.size()) != q.open) continue;
      const size_t close = lower.find(q.close, at + q.open.size());
      if (close == std::string_view::npos) continue;
      const size_t end = close + q.close.size();
      const size_t from = at > kWindow ? at - kWindow : 0;
      std::string_view after = lower.substr(end);
      const size_t skip = after.find_first_not_of(' ');
      after = skip == std::string_view::npos ? std::string_view() : after.substr(skip);
      const bool marker_after = after.substr(0, 6) == "字样" || after.substr(0, 9) == "的字样" ||
                                after.substr(0, 6) == "字幕";
      const std::string content =
          Trimmed(original.substr(at + q.open.size(), close - at - q.open.size()));
      if (!content.empty() && (NamesText(lower, from, at) || marker_after)) {
        r.lines.push_back(content);
        const size_t trigger = TriggerStart(lower, from, at);
        size_t take_end = end;
        if (after.substr(0, 9) == "的字样") take_end = lower.size() - after.size() + 9;
        if (after.substr(0, 6) == "字样") take_end = lower.size() - after.size() + 6;
        r.taken.push_back({trigger == std::string_view::npos ? at : trigger, take_end});
      } else {
        // Emphasis: drop the marks, keep the words.
        r.taken.push_back({at, at + q.open.size()});
        r.taken.push_back({close, end});
      }
      at = end - 1;
      break;
    }
  }
  // Unquoted text after a clear trigger, to the end of its clause.
  for (std::string_view t : kTriggers) {
    // Without quotes these are too common to mean text ("a man saying hello").
    if (t == "the words" || t == "the text" || t == "saying" || t == "titled") continue;
    for (const TextSpan& s : PhraseOccurrences(lower, t)) {
      if (Inside(r.taken, s.begin)) continue;
      size_t begin = s.end;
      while (begin < lower.size() && lower[begin] == ' ') ++begin;
      const size_t end = NextBreak(lower, begin);
      const std::string content = Trimmed(original.substr(begin, end - begin));
      if (content.empty()) continue;
      r.lines.push_back(content);
      r.taken.push_back({s.begin, end});
    }
  }
  return r;
}

}  // namespace clipdex

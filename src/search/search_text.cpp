// Index and query text transformation (see search/search_text.h).
#include "search/search_text.h"

#include <cstdint>

namespace clipdex {
namespace {

// One decoded code point and the bytes it spans. Invalid UTF-8 yields U+FFFD for one byte.
struct CodePoint {
  char32_t cp = 0;
  size_t begin = 0, end = 0;
};

std::vector<CodePoint> Decode(std::string_view s) {
  std::vector<CodePoint> out;
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1f) : len == 3 ? (b & 0x0f) : (b & 0x07);
    bool ok = len > 0 && i + static_cast<size_t>(len) <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
      if ((c >> 6) != 2) ok = false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (!ok) {
      out.push_back({0xfffd, i, i + 1});
      ++i;
      continue;
    }
    out.push_back({cp, i, i + static_cast<size_t>(len)});
    i += static_cast<size_t>(len);
  }
  return out;
}

bool IsCjk(char32_t c) {
  return (c >= 0x3040 && c <= 0x30ff) ||  // hiragana, katakana
         (c >= 0x3400 && c <= 0x4dbf) ||  // CJK extension A
         (c >= 0x4e00 && c <= 0x9fff) ||  // CJK unified ideographs
         (c >= 0xac00 && c <= 0xd7af) ||  // hangul syllables
         (c >= 0xf900 && c <= 0xfaff) ||  // CJK compatibility ideographs
         (c >= 0x20000 && c <= 0x2ffff);  // CJK extensions B..
}

// Letters and digits of any script except CJK (which is handled in runs): ASCII alphanumerics
// and every other code point above U+00BF that is not punctuation or a symbol block.
bool IsWordChar(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (c < 0xc0 || c == 0xd7 || c == 0xf7) return false;
  if (c >= 0x2000 && c <= 0x2bff) return false;  // punctuation, symbols, arrows, shapes
  if (c >= 0x3000 && c <= 0x303f) return false;  // CJK punctuation
  if (c >= 0xfe30 && c <= 0xfe4f) return false;  // CJK compatibility forms
  if (c >= 0xff00 && c <= 0xff65) return false;  // fullwidth punctuation
  if (c == 0xfffd) return false;
  return !IsCjk(c);
}

std::string Slice(std::string_view s, const CodePoint& a, const CodePoint& b) {
  return std::string(s.substr(a.begin, b.end - a.begin));
}

// Tokens of a CJK run [first, last] (inclusive): its bigrams, then its last character.
std::vector<std::string> CjkTokens(std::string_view s, const std::vector<CodePoint>& cps,
                                   size_t first, size_t last) {
  std::vector<std::string> out;
  for (size_t i = first; i < last; ++i) out.push_back(Slice(s, cps[i], cps[i + 1]));
  out.push_back(Slice(s, cps[last], cps[last]));
  return out;
}

std::string Quote(const std::string& token) {
  std::string out = "\"";
  for (char c : token) {
    out += c;
    if (c == '"') out += '"';
  }
  out += '"';
  return out;
}

std::string TermExpr(const QueryTerm& t) {
  std::string out;
  for (const std::string& tok : t.tokens) {
    if (!out.empty()) out += " + ";
    out += Quote(tok);
  }
  if (t.prefix) out += " *";
  return out;
}

}  // namespace

std::string IndexableText(std::string_view text) {
  const std::vector<CodePoint> cps = Decode(text);
  std::string out;
  out.reserve(text.size() * 2);
  size_t i = 0;
  while (i < cps.size()) {
    if (!IsCjk(cps[i].cp)) {
      out.append(text.substr(cps[i].begin, cps[i].end - cps[i].begin));
      ++i;
      continue;
    }
    size_t j = i;
    while (j + 1 < cps.size() && IsCjk(cps[j + 1].cp)) ++j;
    out += ' ';
    for (const std::string& tok : CjkTokens(text, cps, i, j)) {
      out += tok;
      out += ' ';
    }
    i = j + 1;
  }
  return out;
}

std::vector<QueryTerm> ParseQueryTerms(std::string_view query) {
  const std::vector<CodePoint> cps = Decode(query);
  std::vector<QueryTerm> terms;
  size_t i = 0;
  bool in_quotes = false;
  QueryTerm phrase;  // the quoted phrase being collected
  size_t phrase_begin = 0;
  auto push = [&](QueryTerm t, size_t begin, size_t end) {
    if (t.tokens.empty()) return;
    t.source = std::string(query.substr(begin, end - begin));
    terms.push_back(std::move(t));
  };
  while (i < cps.size()) {
    const char32_t c = cps[i].cp;
    if (c == '"') {
      if (in_quotes) {
        push(std::move(phrase), phrase_begin, cps[i].begin);
        phrase = QueryTerm{};
      } else {
        phrase_begin = cps[i].end;
      }
      in_quotes = !in_quotes;
      ++i;
      continue;
    }
    if (IsCjk(c)) {
      size_t j = i;
      while (j + 1 < cps.size() && IsCjk(cps[j + 1].cp)) ++j;
      std::vector<std::string> toks;
      if (j == i) {
        toks.push_back(Slice(query, cps[i], cps[i]));
      } else {
        for (size_t k = i; k < j; ++k) toks.push_back(Slice(query, cps[k], cps[k + 1]));
      }
      if (in_quotes) {
        phrase.tokens.insert(phrase.tokens.end(), toks.begin(), toks.end());
      } else {
        QueryTerm t;
        t.tokens = std::move(toks);
        t.prefix = j == i;
        push(std::move(t), cps[i].begin, cps[j].end);
      }
      i = j + 1;
      continue;
    }
    if (!IsWordChar(c)) {
      ++i;
      continue;
    }
    // A word group: words joined by '-', '_' or '\'' ("close-up", "zoom_in").
    const bool negated =
        !in_quotes && i > 0 && cps[i - 1].cp == '-' && (i == 1 || !IsWordChar(cps[i - 2].cp));
    QueryTerm t;
    t.negated = negated;
    const size_t begin = cps[i].begin;
    size_t end = begin;
    while (i < cps.size()) {
      size_t j = i;
      while (j < cps.size() && IsWordChar(cps[j].cp)) ++j;
      t.tokens.push_back(std::string(query.substr(cps[i].begin, cps[j - 1].end - cps[i].begin)));
      end = cps[j - 1].end;
      i = j;
      const bool joiner =
          i < cps.size() && (cps[i].cp == '-' || cps[i].cp == '_' || cps[i].cp == '\'');
      if (joiner && i + 1 < cps.size() && IsWordChar(cps[i + 1].cp)) {
        ++i;
        continue;
      }
      break;
    }
    if (in_quotes) {
      phrase.tokens.insert(phrase.tokens.end(), t.tokens.begin(), t.tokens.end());
    } else {
      push(std::move(t), begin, end);
    }
  }
  if (in_quotes) push(std::move(phrase), phrase_begin, query.size());  // unclosed quote
  return terms;
}

std::string FtsQuery(const std::vector<QueryTerm>& terms, bool all) {
  std::string positive;
  for (const QueryTerm& t : terms) {
    if (t.negated) continue;
    if (!positive.empty()) positive += all ? " AND " : " OR ";
    positive += TermExpr(t);
  }
  if (positive.empty()) return "";
  std::string out = "(" + positive + ")";
  for (const QueryTerm& t : terms) {
    if (!t.negated) continue;
    out += " NOT ";
    out += TermExpr(t);
  }
  return out;
}

}  // namespace clipdex

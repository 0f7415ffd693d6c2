#include "models/clip_tokenizer.h"

#include <algorithm>
#include <climits>
#include <fstream>
#include <sstream>

namespace clipdex {
namespace {

// The merges CLIP uses: lines 1 .. 49152-256-2 of the file (line 0 is the version header).
constexpr size_t kMerges = 49152 - 256 - 2;

std::string Utf8Of(uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

// One code point of `s` at `*at` (advanced past it); a malformed byte reads as U+FFFD, one byte.
uint32_t NextCodePoint(std::string_view s, size_t* at) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(*at);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || *at + len > s.size()) {
    ++*at;
    return 0xFFFD;
  }
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) {
    if ((b(*at + k) & 0xC0) != 0x80) {
      ++*at;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b(*at + k) & 0x3F);
  }
  *at += len;
  return cp;
}

bool IsSpace(uint32_t cp) {
  return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

bool IsDigit(uint32_t cp) {
  return (cp >= '0' && cp <= '9') || cp == 0xB2 || cp == 0xB3 || cp == 0xB9 ||
         (cp >= 0xBC && cp <= 0xBE) || (cp >= 0x2070 && cp <= 0x2089) ||
         (cp >= 0x2150 && cp <= 0x218B) || (cp >= 0x2460 && cp <= 0x24FF) ||
         (cp >= 0x3021 && cp <= 0x3029) || (cp >= 0xFF10 && cp <= 0xFF19);
}

// Letters without a Unicode database (see the header): ASCII letters, and every other code point
// outside the punctuation, symbol, space and digit blocks listed here.
bool IsLetter(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  if (IsSpace(cp) || IsDigit(cp)) return false;
  if (cp <= 0xBF) return cp == 0xAA || cp == 0xB5 || cp == 0xBA;  // Latin-1: ª µ º are letters
  if (cp == 0xD7 || cp == 0xF7) return false;                     // × ÷
  if (cp >= 0x2000 && cp <= 0x2BFF) return cp >= 0x2C00;  // punctuation, arrows, maths, shapes
  if (cp >= 0x3000 && cp <= 0x303F) return cp == 0x3005 || cp == 0x3006;  // CJK punctuation; 々 〆
  if (cp >= 0xFE30 && cp <= 0xFE6F) return false;  // CJK compatibility and small forms
  if (cp >= 0xFF00 && cp <= 0xFF20) return false;  // full-width punctuation
  if (cp >= 0xFF3B && cp <= 0xFF40) return false;
  if (cp >= 0xFF5B && cp <= 0xFF65) return false;
  if (cp >= 0xFFF0 && cp <= 0xFFFF) return false;    // specials (U+FFFD)
  if (cp >= 0x1F000 && cp <= 0x1FAFF) return false;  // emoji and pictographs
  return true;
}

std::string Lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// html.unescape for the entities prompts carry (named basics and numeric references).
std::string HtmlUnescaped(std::string_view s) {
  static const std::pair<std::string_view, std::string_view> kNamed[] = {
      {"&amp;", "&"},   {"&lt;", "<"},   {"&gt;", ">"},
      {"&quot;", "\""}, {"&apos;", "'"}, {"&nbsp;", " "}};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '&') {
      out += s[i++];
      continue;
    }
    bool done = false;
    for (const auto& [name, value] : kNamed) {
      if (s.substr(i, name.size()) == name) {
        out += value;
        i += name.size();
        done = true;
        break;
      }
    }
    if (!done && s.substr(i, 2) == "&#") {
      const size_t semi = s.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 10) {
        const bool hex = semi > i + 2 && (s[i + 2] == 'x' || s[i + 2] == 'X');
        const std::string digits(s.substr(i + (hex ? 3 : 2), semi - i - (hex ? 3 : 2)));
        char* end = nullptr;
        const unsigned long cp = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
        if (!digits.empty() && end != nullptr && *end == '\0' && cp > 0 && cp <= 0x10FFFF) {
          out += Utf8Of(static_cast<uint32_t>(cp));
          i = semi + 1;
          done = true;
        }
      }
    }
    if (!done) out += s[i++];
  }
  return out;
}

// basic_clean + whitespace_clean + lower(): unescape twice (as the reference does), one space
// between words, no space at the ends.
std::string Cleaned(std::string_view text) {
  const std::string unescaped = HtmlUnescaped(HtmlUnescaped(text));
  std::string out;
  bool space = false;
  for (size_t at = 0; at < unescaped.size();) {
    const size_t start = at;
    const uint32_t cp = NextCodePoint(unescaped, &at);
    if (IsSpace(cp)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out.append(unescaped, start, at - start);
  }
  return Lowered(out);
}

// The reference's pattern, in order: special tokens | contractions | letters+ | one digit |
// (not space, letter or digit)+. Spaces between pieces are dropped.
std::vector<std::string> Pieces(const std::string& s) {
  // The literal pieces, tried first in this order: the special tokens, then the contractions.
  static const std::string_view kLiterals[] = {
      "<|startoftext|>", "<|endoftext|>", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};
  std::vector<std::string> out;
  size_t at = 0;
  while (at < s.size()) {
    const std::string_view rest = std::string_view(s).substr(at);
    const auto literal = std::find_if(std::begin(kLiterals), std::end(kLiterals),
                                      [&](std::string_view lit) { return rest.starts_with(lit); });
    if (literal != std::end(kLiterals)) {
      out.emplace_back(*literal);
      at += literal->size();
      continue;
    }
    size_t next = at;
    const uint32_t cp = NextCodePoint(s, &next);
    if (IsSpace(cp)) {
      at = next;
      continue;
    }
    if (IsDigit(cp)) {
      out.push_back(s.substr(at, next - at));
      at = next;
      continue;
    }
    const bool letters = IsLetter(cp);
    size_t end = next;
    while (end < s.size()) {
      size_t after = end;
      const uint32_t c = NextCodePoint(s, &after);
      const bool same = letters ? IsLetter(c) : !IsSpace(c) && !IsLetter(c) && !IsDigit(c);
      if (!same) break;
      end = after;
    }
    out.push_back(s.substr(at, end - at));
    at = end;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<ClipTokenizer>> ClipTokenizer::Load(const std::filesystem::path& merges) {
  std::ifstream in(merges, std::ios::binary);
  if (!in) return Status::Error(merges.string() + ": cannot open the CLIP merges file");
  std::unique_ptr<ClipTokenizer> t(new ClipTokenizer());  // private constructor
  // bytes_to_unicode: printable Latin-1 bytes stand for themselves, the others for 256 + n.
  t->byte_symbol_.resize(256);
  std::vector<std::string> base;
  uint32_t extra = 0;
  std::vector<bool> printable(256, false);
  for (int b = '!'; b <= '~'; ++b) printable[b] = true;
  for (int b = 0xA1; b <= 0xAC; ++b) printable[b] = true;
  for (int b = 0xAE; b <= 0xFF; ++b) printable[b] = true;
  // The reference's vocabulary lists the printable bytes first (in byte order), then the rest.
  for (int b = 0; b < 256; ++b) {
    if (printable[b]) t->byte_symbol_[b] = Utf8Of(static_cast<uint32_t>(b));
  }
  for (int b = 0; b < 256; ++b) {
    if (!printable[b]) t->byte_symbol_[b] = Utf8Of(256 + extra++);
  }
  for (int b = 0; b < 256; ++b) {
    if (printable[b]) base.push_back(t->byte_symbol_[b]);
  }
  for (int b = 0; b < 256; ++b) {
    if (!printable[b]) base.push_back(t->byte_symbol_[b]);
  }
  std::vector<std::string> vocab = base;
  for (const std::string& v : base) vocab.push_back(v + "</w>");

  std::string line;
  std::getline(in, line);  // "#version: 0.2"
  if (line.rfind("#version", 0) != 0) {
    return Status::Error(merges.string() + ": not a CLIP merges file (no '#version' header)");
  }
  size_t merges_read = 0;
  while (merges_read < kMerges && std::getline(in, line)) {
    const size_t space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 >= line.size()) {
      return Status::Error(merges.string() + ": line " + std::to_string(merges_read + 2) +
                           " is not a merge pair");
    }
    t->ranks_.emplace(line, static_cast<int>(merges_read));
    vocab.push_back(line.substr(0, space) + line.substr(space + 1));
    ++merges_read;
  }
  if (merges_read < kMerges) {
    return Status::Error(merges.string() + ": " + std::to_string(merges_read) +
                         " merges, CLIP needs " + std::to_string(kMerges));
  }
  vocab.emplace_back("<|startoftext|>");
  vocab.emplace_back("<|endoftext|>");
  for (size_t k = 0; k < vocab.size(); ++k) t->encoder_.emplace(vocab[k], static_cast<int64_t>(k));
  return t;
}

std::vector<std::string> ClipTokenizer::Bpe(const std::string& piece) const {
  if (piece == "<|startoftext|>" || piece == "<|endoftext|>") return {piece};
  std::vector<std::string> word;
  for (size_t at = 0; at < piece.size();) {
    size_t next = at;
    NextCodePoint(piece, &next);
    word.push_back(piece.substr(at, next - at));
    at = next;
  }
  if (word.empty()) return {};
  word.back() += "</w>";
  while (word.size() > 1) {
    int best = INT_MAX;
    size_t best_at = 0;
    for (size_t k = 0; k + 1 < word.size(); ++k) {
      auto it = ranks_.find(word[k] + ' ' + word[k + 1]);
      if (it != ranks_.end() && it->second < best) {
        best = it->second;
        best_at = k;
      }
    }
    if (best == INT_MAX) break;
    // Merge every occurrence of the best pair, left to right, as the reference does.
    const std::string first = word[best_at], second = word[best_at + 1];
    std::vector<std::string> merged;
    for (size_t k = 0; k < word.size();) {
      if (k + 1 < word.size() && word[k] == first && word[k + 1] == second) {
        merged.push_back(first + second);
        k += 2;
      } else {
        merged.push_back(word[k++]);
      }
    }
    word = std::move(merged);
  }
  return word;
}

std::vector<int64_t> ClipTokenizer::Encode(std::string_view text) const {
  std::vector<int64_t> ids;
  for (const std::string& piece : Pieces(Cleaned(text))) {
    std::string symbols;
    if (piece == "<|startoftext|>" || piece == "<|endoftext|>") {
      symbols = piece;
    } else {
      for (unsigned char b : piece) symbols += byte_symbol_[b];
    }
    for (const std::string& token : Bpe(symbols)) {
      auto it = encoder_.find(token);
      if (it != encoder_.end()) ids.push_back(it->second);  // every byte symbol is in the vocab
    }
  }
  return ids;
}

std::vector<int64_t> ClipTokenizer::EncodeForModel(std::string_view text) const {
  std::vector<int64_t> ids = Encode(text);
  if (ids.size() > kContextLength - 2) ids.resize(kContextLength - 2);
  std::vector<int64_t> out;
  out.reserve(kContextLength);
  out.push_back(kStartOfText);
  out.insert(out.end(), ids.begin(), ids.end());
  out.push_back(kEndOfText);
  out.resize(kContextLength, 0);
  return out;
}

}  // namespace clipdex

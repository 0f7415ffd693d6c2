#include "util/json_valid.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "util/utf8.h"

namespace clipdex {

namespace {

constexpr int kMaxDepth = 512;

class Checker {
 public:
  explicit Checker(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

  bool Document() {
    SkipSpace();
    if (!Value(0)) return false;
    SkipSpace();
    return p_ == end_;
  }

 private:
  bool AtEnd() const { return p_ == end_; }
  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  bool Value(int depth) {
    if (AtEnd()) return false;
    switch (*p_) {
      case '{':
        return Object(depth + 1);
      case '[':
        return Array(depth + 1);
      case '"':
        return String();
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return Number();
    }
  }

  // An object or an array: `close` ends it, elements are separated by commas, and each element
  // is read by `element` (a member pair "key": value, or a value).
  template <typename Element>
  bool Container(int depth, char close, Element element) {
    if (depth > kMaxDepth) return false;
    ++p_;  // '{' or '['
    SkipSpace();
    if (!AtEnd() && *p_ == close) return ++p_, true;
    for (;;) {
      SkipSpace();
      if (!element()) return false;
      SkipSpace();
      if (AtEnd()) return false;
      if (*p_ == close) return ++p_, true;
      if (*p_ != ',') return false;
      ++p_;
    }
  }
  bool Object(int depth) {
    return Container(depth, '}', [&] {
      if (AtEnd() || *p_ != '"' || !String()) return false;
      SkipSpace();
      if (AtEnd() || *p_ != ':') return false;
      ++p_;
      SkipSpace();
      return Value(depth);
    });
  }
  bool Array(int depth) {
    return Container(depth, ']', [&] { return Value(depth); });
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }
  bool Digits() {  // one or more
    if (AtEnd() || !IsDigit(*p_)) return false;
    while (p_ != end_ && IsDigit(*p_)) ++p_;
    return true;
  }
  bool Number() {
    const char* start = p_;
    if (*p_ == '-') ++p_;
    if (AtEnd()) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (!Digits()) {
      return false;
    }
    if (!AtEnd() && *p_ == '.') {
      ++p_;
      if (!Digits()) return false;
    }
    bool exponent = false;
    if (!AtEnd() && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (!AtEnd() && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!Digits()) return false;
      exponent = true;
    }
    // A number too large for a double (1e400) is grammatical but refused, as accept() refuses
    // it ("number overflow"); only an exponent or 300+ characters can get there.
    if (exponent || p_ - start >= 300) {
      const std::string token(start, p_);
      return std::isfinite(std::strtod(token.c_str(), nullptr));
    }
    return true;
  }

  static int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  // Four hex digits after "\u"; -1 when malformed.
  int32_t Hex4() {
    if (end_ - p_ < 4) return -1;
    int32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = HexValue(*p_++);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }
  bool Escape() {  // after the backslash
    if (AtEnd()) return false;
    const char c = *p_++;
    switch (c) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        return true;
      case 'u': {
        const int32_t u = Hex4();
        if (u < 0) return false;
        if (u >= 0xDC00 && u <= 0xDFFF) return false;  // a lone low surrogate
        if (u >= 0xD800 && u <= 0xDBFF) {              // must be followed by a low one
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
          p_ += 2;
          const int32_t low = Hex4();
          return low >= 0xDC00 && low <= 0xDFFF;
        }
        return true;
      }
      default:
        return false;
    }
  }
  bool Utf8() {
    const int n = Utf8SequenceBytes(p_, end_);
    p_ += n;
    return n > 0;
  }
  bool String() {
    ++p_;  // opening quote
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') return ++p_, true;
      if (c < 0x20) return false;
      if (c == '\\') {
        ++p_;
        if (!Escape()) return false;
      } else if (c >= 0x80) {
        if (!Utf8()) return false;
      } else {
        ++p_;
      }
    }
    return false;
  }

  const char* p_;
  const char* end_;
};

}  // namespace

bool IsJsonText(std::string_view text) { return Checker(text).Document(); }

}  // namespace clipdex

#include "util/utf8.h"

#include <cstdint>
#include <cstring>

namespace clipdex {

int Utf8SequenceBytes(const char* p, const char* end) {
  const auto b = static_cast<unsigned char>(*p);
  int extra;
  uint32_t cp;
  if ((b & 0xE0) == 0xC0) {
    extra = 1, cp = b & 0x1Fu;
  } else if ((b & 0xF0) == 0xE0) {
    extra = 2, cp = b & 0x0Fu;
  } else if ((b & 0xF8) == 0xF0) {
    extra = 3, cp = b & 0x07u;
  } else {
    return 0;
  }
  if (end - p <= extra) return 0;
  for (int k = 1; k <= extra; ++k) {
    const auto c = static_cast<unsigned char>(p[k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3Fu);
  }
  static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return extra + 1;
}

bool IsValidUtf8(std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (p != end) {
    // ASCII, the common case, eight bytes at a time.
    if (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    if (static_cast<unsigned char>(*p) < 0x80) {
      ++p;
      continue;
    }
    const int n = Utf8SequenceBytes(p, end);
    if (n == 0) return false;
    p += n;
  }
  return true;
}

}  // namespace clipdex

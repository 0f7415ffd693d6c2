// ASCII case folding for matching words, extensions, host names and labels: bytes of UTF-8
// sequences (Chinese text) pass through unchanged, whatever the C locale says.
#pragma once

#include <string>
#include <string_view>

namespace clipdex {

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace clipdex

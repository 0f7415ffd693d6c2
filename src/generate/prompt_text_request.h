// On-screen text a prompt asks for: quoted words after a text word ('a sign that says "OPEN"',
// 写着“欢迎”, “新年快乐”字样) and unquoted ones after a clear trigger ("with the text Hello
// World", 字幕：你好). Quotes with no text word near them are emphasis, not on-screen text: their
// words stay in the prompt, only the quote marks go.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "generate/phrase_match.h"

namespace clipdex {

struct TextRequest {
  std::vector<std::string> lines;  // as written, trimmed
  std::vector<TextSpan> taken;     // byte ranges to take out of the prompt (quotes, triggers)
};

// `original` is the prompt, `lower` its AsciiLower (same offsets).
TextRequest FindTextRequest(std::string_view original, std::string_view lower);

}  // namespace clipdex

// UTF-8 well-formedness, shared by the exports (JSON strings written byte for byte), the JSON
// text check and prompt validation.
#pragma once

#include <string_view>

namespace clipdex {

// True when `text` is well-formed UTF-8: no overlong forms, surrogates or code points past
// U+10FFFF (what nlohmann's dump writes unchanged, apart from escapes).
bool IsValidUtf8(std::string_view text);

// Bytes of the one UTF-8 sequence at `p` (p < end, *p >= 0x80); 0 when it is malformed.
int Utf8SequenceBytes(const char* p, const char* end);

}  // namespace clipdex

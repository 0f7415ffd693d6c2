// IsJsonText: whether a string is one complete JSON value (RFC 8259), checked without building
// anything. Why not nlohmann::json::accept: the JSONL export copies JSON attributes (camera
// segments, caption.json, ...) as stored once they are known to be valid, and nlohmann's lexer,
// made for parsing into a tree, took a fifth of the export's time checking them
// (bench/scale_catalog.sh); this check reads each byte once. Tests compare it with accept() on
// valid, invalid and random inputs.
#pragma once

#include <string_view>

namespace clipdex {

// True when `text` is exactly one JSON value, optionally surrounded by JSON whitespace. Strings
// must be valid UTF-8 with valid escapes; nesting deeper than 512 levels counts as invalid.
bool IsJsonText(std::string_view text);

}  // namespace clipdex

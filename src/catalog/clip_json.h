// The JSON object that describes one clip in every export (a JSONL line, a CSV row's columns, the
// <key>.json member of a WebDataset sample): clip fields, video facts, attributes by dotted name.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "catalog/records.h"

namespace clipdex {

// Internal attributes are stored for clipdex's own later passes, not for people or training
// code: `dedup.signature` (kilobytes of perceptual hashes per clip, read by `clipdex dedup`).
// Exports leave them out unless asked for all attributes (docs/attributes.md).
bool IsInternalAttribute(std::string_view name);

// `all_attributes` false: internal attributes are left out.
nlohmann::ordered_json ClipJson(const VideoRecord& video, const ClipRecord& clip,
                                bool all_attributes);

// Appends DumpJson(ClipJson(video, clip, all_attributes)) and a newline to `out`, written
// directly instead of through a JSON tree: building, parsing and freeing the tree took three
// quarters of `export --format jsonl` (bench/scale_catalog.sh). The same bytes, with one
// difference by design: an attribute that holds valid JSON text is copied as stored rather than
// parsed and re-serialised (clipdex stores its JSON compact, through DumpJson, so the two agree;
// tests/catalog/clip_json_test.cpp checks it on real ingests).
void AppendClipJsonLine(const VideoRecord& video, const ClipRecord& clip, bool all_attributes,
                        std::string* out);

}  // namespace clipdex

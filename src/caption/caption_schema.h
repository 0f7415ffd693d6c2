// The structured caption (attribute caption.json) and the part of it a VLM writes.
//
// Schema "clipdex.caption/1" (docs/captions.md has the field table). Two kinds of fields:
//  - measured, written from the analyzers' attributes by every backend, never by a model:
//    duration, camera (movement, speed, shot scale, time segments), on_screen_text, people,
//    quality problems, picture;
//  - seen, written only by a VLM backend: summary (en and zh), subjects, events (in order, with
//    approximate times), scene, lighting, colour, style. The template backend leaves them out:
//    absent means "not known", never "none".
// Every stored caption.json is validated against StoredCaptionSchema() before it is written;
// VlmContentSchema() is what is sent as response_format json_schema and validated on receipt.
#pragma once

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace clipdex {

inline constexpr const char* kCaptionSchemaId = "clipdex.caption/1";

const nlohmann::json& StoredCaptionSchema();
const nlohmann::json& VlmContentSchema();

// The "seen" keys of the stored caption, i.e. the properties of VlmContentSchema() that are
// copied into caption.json (the VLM's claims about camera/people are checked, not stored).
const std::vector<std::string>& SeenCaptionKeys();

Status ValidateStoredCaption(const nlohmann::json& caption);
Status ValidateVlmContent(const nlohmann::json& content);

}  // namespace clipdex

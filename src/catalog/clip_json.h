// The JSON object that describes one clip in every export (a JSONL line, a CSV row's columns, the
// <key>.json member of a WebDataset sample): clip fields, video facts, attributes by dotted name.
#pragma once

#include <nlohmann/json.hpp>

#include "catalog/records.h"

namespace clipdex {

nlohmann::ordered_json ClipJson(const VideoRecord& video, const ClipRecord& clip);

}  // namespace clipdex

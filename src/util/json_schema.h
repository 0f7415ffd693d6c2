// A validator for the subset of JSON Schema (draft 2020-12) that clipdex's own schemas use:
// type (string or list), properties, required, additionalProperties: false, items, enum,
// minimum, maximum, minItems, maxItems, maxLength. The same schema text is sent to VLM servers as
// `response_format` (which constrains their sampling) and checked here on every write, so a
// stored caption always has the documented shape whatever the backend produced. Keywords outside
// the subset are an error when the schema is loaded (a typo must not silently accept anything).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "util/status.h"

namespace clipdex {

// Checks that `schema` only uses the supported keywords. Error names the JSON pointer.
Status CheckSchemaSubset(const nlohmann::json& schema);

// Ok, or the first violation: "/camera/movement: 'sideways' is not one of [...]".
Status ValidateAgainstSchema(const nlohmann::json& value, const nlohmann::json& schema);

}  // namespace clipdex

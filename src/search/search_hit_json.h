// One search hit as JSON: the object `clipdex search --json` prints per line and
// GET /api/v1/search returns in "hits" (docs/serve.md). One definition, so the CLI and the API
// never drift apart. Highlights keep the matched terms between \x01 and \x02 (the UI marks
// them; the CLI turns them into [brackets]).
#pragma once

#include <nlohmann/json.hpp>

#include "search/search_engine.h"

namespace clipdex {

nlohmann::ordered_json SearchHitJson(const SearchHit& hit);

}  // namespace clipdex

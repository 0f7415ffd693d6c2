// Where in a clip a search hit is: the clip's range narrowed to the on-screen text track, the
// caption event, the camera segment or the keyframe that matched, with the reason in words.
//
// Sources (docs/attributes.md, docs/captions.md): text.boxes tracks carry first/last sample
// times; caption.json events carry clip-relative start/end; camera.segments carry labelled time
// ranges. Times on the source file's clock are clamped to the clip; a range that lies wholly
// outside it is taken as clip-relative.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/query_records.h"

namespace clipdex {

struct TimeMatch {
  double start = 0, end = 0;  // seconds on the source file's clock, within the clip
  std::string reason;
};

struct LocaliseQuery {
  std::vector<std::string> words;      // the query's positive words (lower case)
  std::vector<std::string> movements;  // camera.movement labels asked for
  std::optional<double> example_time;  // keyframe time of a query-by-example match
  int example_bits = 0;
  std::vector<std::string> matched_columns;  // full-text columns that matched
};

TimeMatch LocaliseHit(const ClipDetail& clip, const LocaliseQuery& query);

}  // namespace clipdex

// Preference pairs for DPO-style training of a video or image generator, from `clipdex rank
// --dataset DS` results (`clipdex export DS --format preference-pairs`, docs/generation.md).
//
// `rank --dataset` stores on every clip of each candidate: rank.prompt (text), rank.total,
// rank.position (1 = best), rank.kept (1/0) and rank.reasons (a JSON array of words). For each
// prompt, every kept candidate is paired with every candidate not kept whose total is lower by at
// least `min_margin`; one JSON line per pair:
//   {"prompt": P, "chosen": {"file", "total"}, "rejected": {"file", "total", "reasons"},
//    "margin": chosen total - rejected total}
// Lines are ordered by prompt, then chosen rank, then rejected rank: deterministic.
#pragma once

#include <cstdio>
#include <string>

#include "catalog/catalog.h"
#include "util/status.h"

namespace clipdex {

// Stored attribute names (the rank pass writes them, the export reads them).
inline constexpr const char* kRankPrefix = "rank.";

// Writes the pairs to `out`; `clip_table` limits the clips read (a TEMP table of clip ids, as
// export's --where/--tier fill; "" = all). Returns the number of pairs written.
Result<long> WritePreferencePairs(Catalog& catalog, const std::string& clip_table,
                                  double min_margin, std::FILE* out);

}  // namespace clipdex

// Clip selection: which clips a reader (export) walks, by tier and by a rule expression with the
// very grammar and machinery of tier rules (curate/tier_rules.h), so `--where` accepts exactly
// what a recipe's `when` accepts and rejects the same typos.
#pragma once

#include <string>

#include "catalog/catalog.h"
#include "util/status.h"

namespace clipdex {

struct ClipFilter {
  std::string tier;   // clips placed in this tier by `clipdex tier`; "" = any
  std::string where;  // rule expression over clip fields and attributes; "" = all
  bool empty() const { return tier.empty() && where.empty(); }
};

// The TEMP table (one column clip_id) that SelectClips fills on the catalog's connection; pass it
// to Catalog::ForEachClip to walk only the selected clips.
inline constexpr const char* kSelectedClipsTable = "selected_clips";

// Checks the tier (the dataset must have been tiered) and compiles `where` against the catalog's
// attributes; the errors of SelectClips below. An empty where compiles to sql "".
Result<CompiledRule> CompileFilter(Catalog& catalog, const ClipFilter& filter);

// (Re)creates TEMP table kSelectedClipsTable holding the ids of the clips that match `filter`;
// returns how many. Nothing in the catalog itself changes. Errors (one line):
//   "--tier gold: the dataset was never tiered (run `clipdex tier DATASET` first)"
//   "--where: unknown attribute 'camera.movment' at 1 (did you mean 'camera.movement'?)"
Result<long> SelectClips(Catalog& catalog, const ClipFilter& filter);

// The clip a user names: a clip id ("123") or "<video path or fingerprint>#<clip index>" (the
// path as stored, or as the user wrote it relative to the working directory). nullopt when the
// catalog has no such clip. Errors: "clip 'x' is neither a clip id nor <video path or
// fingerprint>#<clip index>", or the catalog's.
Result<std::optional<ClipDetail>> ResolveClip(Catalog& catalog, const std::string& ref);

}  // namespace clipdex

// `clipdex caption`: a resumable catalog pass that writes a structured, bilingual caption for
// every selected clip (docs/captions.md).
//
//  - Selection: --tier / --where (the tier-rule grammar) / --limit.
//  - Resume: a clip whose caption was written by the same backend, model and prompt version
//    (caption_record.h kCaptionPromptVersion) without error is skipped; --force redoes it.
//  - Work: for each clip, the measured facts (caption_facts.h), a keyframe plan (keyframes.h),
//    the keyframes grabbed by seeking (only for backends that look at pictures), the backend's
//    description, the caption composed, validated and rendered (caption_record.h).
//  - Commits: every `batch` clips (or sooner, every second) in one transaction per batch, each
//    clip's caption.* attributes replaced whole, so SIGKILL loses at most the clips in flight
//    and the catalog always opens.
//  - A VLM failure (timeout, server gone, invalid output after the repair retry) stores the
//    template caption with caption.error set and caption.route "fallback"; the next run retries.
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "curate/recipe.h"
#include "util/option_table.h"
#include "util/status.h"

namespace clipdex {

// The pass's options (util/option_table.h), the rows `clipdex caption --help` shows.
const std::vector<OptionDecl>& CaptionPassOptions();

// Runs the pass over `catalog` (the caller holds the dataset lock). Returns the report (what the
// verb prints). Errors before anything is written: a bad --where, an unknown backend, a backend
// that cannot start.
Result<std::string> RunCaptionPass(Catalog& catalog, const Recipe& recipe,
                                   const OptionValues& values);

}  // namespace clipdex

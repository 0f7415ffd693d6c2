// The `suspect` catalog pass (`clipdex suspect DS`): among clips NOT marked generated
// (source.generated), flags likely-generated or synthetically upscaled material, with the reasons,
// so tier rules can keep it out (`source.suspect_generated IS NULL`). Evidence, each an indicator
// rather than a verdict:
//   - artifact.classifier_score >= `classifier` (0.5): a user-supplied AI-image classifier's
//     probability (the classifier model slot; absent without the user's model);
//   - artifact.spectral_peaks >= `grid` (40): an interpolation grid, the mark of a picture blown
//     up from a small one (a 4x pixel-repeat upscale of a shared clip measures 70; clean clips
//     here, synthetic renders included, stay under ~36; a bilinear 3x upscale measures 10 and is
//     not caught: docs/generation.md).
// Writes source.suspect_generated = 1 and source.suspect_reasons (JSON array of words) on flagged
// clips; a rerun replaces every earlier flag (all or nothing).
#pragma once

#include <string>
#include <vector>

#include "analyze/analyzer_registry.h"
#include "catalog/catalog.h"
#include "curate/recipe.h"
#include "util/option_table.h"
#include "util/status.h"

namespace clipdex {

std::vector<AttributeDecl> SuspectAttributeDecls();
std::vector<OptionDecl> SuspectPassOptions();
Result<std::string> RunSuspectPass(Catalog& catalog, const Recipe& recipe,
                                   const OptionValues& values);

}  // namespace clipdex

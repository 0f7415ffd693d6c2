// Tier rules: compile a recipe's `when` expressions to SQL, evaluate them with SQLite over the
// catalog, and store for every clip its tier, the rule that placed it and, for each higher tier
// it missed, the conditions that failed. Reference: docs/recipes.md.
//
// The grammar lives in curate/rule_grammar.h. Rules are evaluated by the catalog over its wide
// view (catalog/catalog.h): a missing attribute is NULL; a comparison with NULL is not true, so
// the rule does not match.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "curate/recipe.h"
#include "curate/rule_grammar.h"
#include "util/status.h"

namespace clipdex {

// Clip fields a rule may name (duration, too_short, width, fps ...), in documentation order.
std::vector<std::string> ClipFieldNames();
// Attributes the analyzers and catalog passes declare (curate/catalog_pass.h
// DeclaredAttributeNames); valid in rules even before any clip carries them.
const std::set<std::string>& DocumentedAttributeNames();

// Compiles every tier rule of `recipe` against the documented attribute names only (no catalog
// needed), so a command can reject a bad recipe before it does any work. First error wins.
Status ValidateRecipeRules(const Recipe& recipe);

// Attribute names valid in rules on this catalog: the documented ones plus every stored one.
Result<std::set<std::string>> KnownAttributeNames(Catalog& catalog);

struct TierCount {
  std::string tier;
  long clips = 0;
  double hours = 0;
};
struct TierResult {
  std::vector<TierCount> counts;  // recipe order, default tier last; tiers with 0 clips included
  long clips = 0;
  double seconds = 0;  // wall time of compilation + the tiering transaction
};

// Re-tiers every clip of the catalog in one transaction (set-based SQL, no per-clip loop).
// On any error (unknown attribute, malformed rule, SQLite failure) nothing changes.
Result<TierResult> AssignTiers(Catalog& catalog, const Recipe& recipe);

struct ClipExplanation {
  int64_t clip_id = 0;
  std::string video_path;
  std::string fingerprint;
  int index = 0;
  double start_time = 0;
  double end_time = 0;
  bool too_short = false;
  int split_part = 0;
  std::string transition_in;
  std::string transition_out;
  bool tiered = false;  // false until `clipdex tier` ran
  std::string tier;
  std::string rule;  // '' when the default tier placed it
  std::string recipe;
  std::vector<std::pair<std::string, std::vector<std::string>>> missed;  // higher tiers, in order
  std::vector<std::pair<std::string, std::string>> attributes;           // name, value text
  std::string manual;             // "<tier>: <reason> (by <who> at <when>)" when set by hand
  std::vector<std::string> tags;  // user tags
};

// `clip` is a clip id ("123") or "<video path or fingerprint>#<clip index>".
Result<ClipExplanation> ExplainClip(Catalog& catalog, const std::string& clip);
// Human-readable text, as `clipdex explain` prints it.
std::string FormatExplanation(const ClipExplanation& e);

}  // namespace clipdex

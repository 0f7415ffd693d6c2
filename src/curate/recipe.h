// Recipe: a YAML file (in the style of Data-Juicer recipes) that says how a dataset is curated:
// analyzers and their parameters, clip-length rules, tier rules and dedup settings. A documented
// default (recipes/default.yaml, compiled in as kDefaultRecipeYaml) ships with clipdex; a user
// recipe overrides it field by field. Reference: docs/recipes.md.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace clipdex {

// Text of recipes/default.yaml. A test checks that the two stay identical.
extern const std::string_view kDefaultRecipeYaml;

struct TierRule {
  std::string name;  // e.g. "gold"
  std::string when;  // rule expression, see curate/tier_rules.h
};

struct RecipeAnalyzer {
  bool enabled = true;
  // Analyzer-specific parameters, kept as scalar text (the analyzer parses them).
  std::map<std::string, std::string> params;
};

// A caption route (docs/captions.md): clips matching `when` (tier-rule grammar; "" = every clip
// no earlier route took) are captioned with `options` (caption pass options: backend, endpoint,
// model ...) over the command line's. The first matching route wins.
struct CaptionRoute {
  std::string name;
  std::string when;
  std::map<std::string, std::string> options;
};

struct Recipe {
  std::string name;
  double clip_min_seconds = 0;
  double clip_max_seconds = 0;
  std::map<std::string, RecipeAnalyzer> analyzers;
  std::vector<TierRule> tiers;  // first match wins
  std::string default_tier;
  bool dedup_enabled = false;
  int dedup_hamming = 0;
  std::vector<CaptionRoute> caption_routes;  // empty: one route, the command line's options
  // `rank:` section: weights of `clipdex rank` by name (generate/candidate_rank.h checks the
  // names: a typo is an error there); empty = its defaults.
  std::map<std::string, double> rank_weights;
};

// Parses recipe YAML on top of `base` (fields left out keep base's values; `tiers` and
// `analyzers` given in the text replace base's whole list/map). Unknown keys are errors, so a
// typo does not silently fall back to a default. Errors name `source` and the offending key:
//   "recipe my.yaml: unknown key 'teirs'", "recipe my.yaml: tier 2 has no 'when'".
Result<Recipe> ParseRecipe(std::string_view yaml_text, std::string_view source, const Recipe& base);
// The compiled-in default recipe.
const Recipe& DefaultRecipe();
// Reads `path` and parses it over DefaultRecipe(). Empty path -> DefaultRecipe().
Result<Recipe> LoadRecipe(const std::filesystem::path& path);
// Effective recipe as YAML (what `clipdex recipe show` prints); ParseRecipe reads it back.
std::string RecipeToYaml(const Recipe& recipe);

}  // namespace clipdex

// Tier rules: compile a recipe's `when` expressions to SQL, evaluate them with SQLite over the
// catalog, and store for every clip its tier, the rule that placed it and, for each higher tier
// it missed, the conditions that failed. Reference: docs/recipes.md.
//
// Rule grammar (keywords case-insensitive, strings in single quotes with '' as escape):
//   expr    := and (OR and)*
//   and     := not (AND not)*
//   not     := NOT not | cmp
//   cmp     := operand [ op operand | [NOT] IN '(' operand (',' operand)* ')' | IS [NOT] NULL ]
//   op      := = | == | != | <> | < | <= | > | >=
//   operand := name | number | -number | 'string' | TRUE | FALSE | NULL | '(' expr ')'
//   name    := a clip field (ClipFieldNames()) or a dotted attribute name (camera.movement)
// Anything else (';', function calls, subqueries, '--') is a syntax error, and the generated SQL is
// additionally prepared under an authorizer that only permits reading, so a rule can never write.
//
// Rules are evaluated over the TEMP VIEW clip_attr_wide: one row per clip with the clip fields and
// one column per referenced attribute, pivoted from clip_attributes (a number, else the text).
// A missing attribute is NULL; a comparison with NULL is not true, so the rule does not match.
#pragma once

#include <sqlite3.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "curate/recipe.h"
#include "util/status.h"

namespace clipdex {

// A top-level AND term of a rule; explain reports each one that failed separately.
struct RuleConjunct {
  std::string text;  // source text, e.g. "camera.confidence >= 0.6"
  std::string sql;   // boolean SQL over clip_attr_wide
  // SQL evaluating to a one-line message with the clip's actual values, meant for clips that
  // fail the conjunct: "camera.confidence 0.42 < 0.6", "camera.movement is missing (...)".
  std::string message_sql;
};

struct CompiledRule {
  std::string tier;
  std::string when;
  std::string sql;
  std::vector<RuleConjunct> conjuncts;
  std::set<std::string> attributes;  // dotted attribute names the rule references
};

// Clip fields a rule may name (duration, too_short, width, fps ...), in documentation order.
std::vector<std::string> ClipFieldNames();
// Attributes the analyzers and catalog passes declare (curate/catalog_pass.h
// DeclaredAttributeNames); valid in rules even before any clip carries them.
const std::set<std::string>& DocumentedAttributeNames();

// Compiles one rule. `attributes` are the valid attribute names. Errors name the tier and the
// 1-based character position in `when`:
//   "tier 'gold': unknown attribute 'camera.movment' at 42 (did you mean 'camera.movement'?)"
//   "tier 'gold': expected a value after '>=' at 12"
// With an empty `tier` (a filter that is no tier, e.g. export --where) the "tier '...': " prefix
// is left out so the caller can put its own.
Result<CompiledRule> CompileRule(const std::string& tier, const std::string& when,
                                 const std::set<std::string>& attributes);

// Compiles every tier rule of `recipe` against the documented attribute names only (no catalog
// needed), so a command can reject a bad recipe before it does any work. First error wins.
Status ValidateRecipeRules(const Recipe& recipe);

// Attribute names valid in rules on this catalog: the documented ones plus every stored one.
Result<std::set<std::string>> KnownAttributeNames(sqlite3* db);
// SQL that creates TEMP VIEW clip_attr_wide (see above) with a column for each of `attributes`.
std::string ClipAttrWideViewSql(const std::set<std::string>& attributes);
// Prepares `sql` under the read-only authorizer of CheckReadOnly and steps it to completion.
Status RunReadOnly(sqlite3* db, const std::string& sql, const std::string& insert_table = "");

// Prepares `sql` with an authorizer that allows only SELECT, column reads and functions (plus
// INSERT into `insert_table` when non-empty) and returns the first error; runs nothing.
Status CheckReadOnly(sqlite3* db, const std::string& sql, const std::string& insert_table = "");

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
};

// `clip` is a clip id ("123") or "<video path or fingerprint>#<clip index>".
Result<ClipExplanation> ExplainClip(Catalog& catalog, const std::string& clip);
// Human-readable text, as `clipdex explain` prints it.
std::string FormatExplanation(const ClipExplanation& e);

}  // namespace clipdex

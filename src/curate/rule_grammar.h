// Rule grammar: compiles a tier rule's `when` (or export's `--where`) to a boolean SQL expression
// over the catalog's wide view (catalog/catalog.h), which the catalog then evaluates under a
// read-only authorizer. Reference: docs/recipes.md.
//
// Grammar (keywords case-insensitive, strings in single quotes with '' as escape):
//   expr    := and (OR and)*
//   and     := not (AND not)*
//   not     := NOT not | cmp
//   cmp     := operand [ op operand | [NOT] IN '(' operand (',' operand)* ')' | IS [NOT] NULL ]
//   op      := = | == | != | <> | < | <= | > | >=
//   operand := name | number | -number | 'string' | TRUE | FALSE | NULL | '(' expr ')'
//   name    := a clip field (Catalog::ClipFieldNames()) or a dotted attribute name
// Anything else (';', function calls, subqueries, '--') is a syntax error.
#pragma once

#include <set>
#include <string>

#include "catalog/rule_sql.h"
#include "util/status.h"

namespace clipdex {

// Compiles one rule. `attributes` are the valid attribute names. Errors name the tier and the
// 1-based character position in `when`:
//   "tier 'gold': unknown attribute 'camera.movment' at 42 (did you mean 'camera.movement'?)"
//   "tier 'gold': expected a value after '>=' at 12"
// With an empty `tier` (a filter that is no tier, e.g. export --where) the "tier '...': " prefix
// is left out so the caller can put its own.
Result<CompiledRule> CompileRule(const std::string& tier, const std::string& when,
                                 const std::set<std::string>& attributes);

}  // namespace clipdex

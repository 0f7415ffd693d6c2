// A rule expression compiled to SQL: the hand-over between the rule grammar
// (curate/rule_grammar.h), which turns a user's `when` / `--where` text into a boolean SQL
// expression over the wide view, and the catalog, which evaluates it under a read-only authorizer
// (Catalog::WriteTiers, Catalog::SelectClips). Plain data; nothing here touches SQLite.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace clipdex {

// A top-level AND term of a rule; explain reports each one that failed separately.
struct RuleConjunct {
  std::string text;  // source text, e.g. "camera.confidence >= 0.6"
  std::string sql;   // boolean SQL over clip_attr_wide
  // SQL evaluating to a one-line message with the clip's actual values, meant for clips that
  // fail the conjunct: "camera.confidence 0.42 < 0.6", "camera.movement is missing (...)".
  std::string message_sql;
  // The same condition as "w.clip_id IN (SELECT clip_id FROM clip_attributes WHERE ...)" (over
  // clip_attr_wide aliased w), driven by
  // the attribute indexes, for conjuncts of the form "attribute op literal(s)"; "" otherwise.
  // Equivalent to `sql` as a top-level AND term only (not under NOT or OR).
  std::string index_sql;
  // The clip set of index_sql alone: "SELECT clip_id FROM clip_attributes WHERE ..." ("" when
  // index_sql is ""). A server caches what it selects (search/clip_set_cache.h).
  std::string index_select;
};

struct CompiledRule {
  std::string tier;
  std::string when;
  std::string sql;  // boolean SQL over clip_attr_wide; "" never comes out of the compiler
  std::vector<RuleConjunct> conjuncts;
  std::set<std::string> attributes;  // dotted attribute names the rule references
};

}  // namespace clipdex

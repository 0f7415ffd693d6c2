// Regression tests for what fuzzing the rule grammar found (fuzz/rule_fuzz.cpp): each input is
// the one libFuzzer wrote, inlined. The property is the fuzz target's: a rule the grammar accepts
// runs in the catalog (tiering and export's selection); anything else is a one-line error.
#include <gtest/gtest.h>

#include <string>

#include "../support/test_env.h"
#include "catalog/catalog.h"
#include "curate/rule_grammar.h"
#include "curate/tier_rules.h"

namespace clipdex {
namespace {

// Compiles `when`; when accepted, tiers and selects with it on an empty catalog. Returns the
// first error, "" when the rule compiled and ran.
std::string CompileAndRun(const std::string& when) {
  auto rule = CompileRule("gold", when, DocumentedAttributeNames());
  if (!rule.ok()) return rule.status().message();
  TempDir tmp;
  auto catalog = Catalog::Open(tmp / "ds", true);
  EXPECT_TRUE(catalog.ok()) << catalog.status().message();
  if (!catalog.ok()) return "";
  auto tiers = catalog.value()->WriteTiers({*rule}, "rest", "test");
  EXPECT_TRUE(tiers.ok()) << "accepted rule does not run: " << tiers.status().message();
  auto selected = catalog.value()->SelectClips("selection", "", *rule);
  EXPECT_TRUE(selected.ok()) << "accepted rule does not select: " << selected.status().message();
  return "";
}

// crash-51cfdc16c41c13adfbf4c0b6c17d94dba4a4e575: a NUL inside a string literal was accepted,
// and SQLite, reading the statement only up to the NUL, failed at tier time with "unrecognized
// token". Now the grammar refuses it, at the NUL's position.
TEST(RuleGrammarFuzz, NulInsideAStringIsASyntaxError) {
  const std::string when("camera.movement = '~tat\0c'", 26);
  EXPECT_EQ(CompileAndRun(when), "tier 'gold': NUL character in a string at 24");
  // The same rule without the NUL still compiles and runs.
  EXPECT_EQ(CompileAndRun("camera.movement = '~tatc'"), "");
}

// crash-04328d60ee64bf97dd272d8ee5eca1a1294e41ac: "duration " — a bare field as a whole
// conjunct (so also `export --where "is_image AND duration > 1"`, a tier rule "too_short", the
// serve API's where=) threw std::out_of_range out of CompileRule: the explain message tried to
// negate an operator the conjunct does not have. It now gets the generic message.
TEST(RuleGrammarFuzz, BareFieldAsAConjunctCompilesAndExplains) {
  for (const std::string when : {"duration ", "is_image AND duration > 1", "too_short",
                                 "NOT too_short AND camera.confidence >= 0.6"}) {
    EXPECT_EQ(CompileAndRun(when), "") << when;
  }
  auto rule = CompileRule("gold", "is_image AND duration > 1", DocumentedAttributeNames());
  ASSERT_TRUE(rule.ok()) << rule.status().message();
  ASSERT_EQ(rule->conjuncts.size(), 2u);
  EXPECT_NE(rule->conjuncts[0].message_sql.find("is_image is not true"), std::string::npos)
      << rule->conjuncts[0].message_sql;
  EXPECT_NE(rule->conjuncts[1].message_sql.find("<="), std::string::npos)
      << rule->conjuncts[1].message_sql;
}

}  // namespace
}  // namespace clipdex

// Fuzz target: the tier-rule / --where grammar. Input: a rule text. Whatever the text, CompileRule
// returns a rule or an error line; a rule it accepts must run: the catalog prepares and evaluates
// it (WriteTiers: the rule alone, its conjuncts' explain messages, the whole tier statement) over
// a real catalog holding no clips, and must never fail for a rule the grammar let through.
#include <cstdint>
#include <memory>

#include "catalog/catalog.h"
#include "curate/rule_grammar.h"
#include "curate/tier_rules.h"
#include "fuzz/fuzz_support.h"

namespace {
clipdex::Catalog* FuzzCatalog() {
  static std::unique_ptr<clipdex::Catalog> catalog = [] {
    auto opened = clipdex::Catalog::Open(clipdex::fuzz::ScratchDir() / "rule.clipdex", true);
    if (!opened.ok()) clipdex::fuzz::Fail("open catalog", opened.status().message());
    return std::move(opened.value());
  }();
  return catalog.get();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clipdex;
  if (size > 4096) return 0;  // rules are one line; long inputs only slow the search down
  const std::string when(reinterpret_cast<const char*>(data), size);
  auto rule = CompileRule("gold", when, DocumentedAttributeNames());
  if (!rule.ok()) {
    if (rule.status().message().empty()) fuzz::Fail("empty error for", when);
    return 0;
  }
  if (rule->sql.empty()) fuzz::Fail("empty SQL for", when);
  auto tiers = FuzzCatalog()->WriteTiers({*rule}, "rest", "fuzz");
  if (!tiers.ok()) fuzz::Fail("accepted rule does not run: " + when, tiers.status().message());
  // export --where takes the same rule through the selection statement.
  auto selected = FuzzCatalog()->SelectClips("fuzz_selection", "", *rule);
  if (!selected.ok())
    fuzz::Fail("accepted rule does not select: " + when, selected.status().message());
  return 0;
}

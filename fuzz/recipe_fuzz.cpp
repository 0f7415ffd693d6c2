// Fuzz target: recipe YAML. Whatever the text, ParseRecipe returns a recipe or an error line; a
// recipe it accepts prints (RecipeToYaml, what `clipdex recipe show` writes) as YAML that parses
// back to the same printed text, and its tier rules are checked like `clipdex tier` checks them.
#include <cstdint>

#include "curate/recipe.h"
#include "curate/tier_rules.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clipdex;
  if (size > 16384) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto recipe = ParseRecipe(text, "fuzz.yaml", DefaultRecipe());
  if (!recipe.ok()) {
    if (recipe.status().message().empty()) fuzz::Fail("empty error for", text);
    return 0;
  }
  (void)ValidateRecipeRules(*recipe);
  const std::string shown = RecipeToYaml(*recipe);
  auto again = ParseRecipe(shown, "shown.yaml", DefaultRecipe());
  if (!again.ok()) fuzz::Fail("recipe show output does not parse back", again.status().message());
  if (RecipeToYaml(*again) != shown) fuzz::Fail("recipe show does not round-trip", shown);
  return 0;
}

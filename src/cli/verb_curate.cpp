// Curation verbs: `recipe show`, `tier`, `explain` (see docs/recipes.md), and the helper that
// runs a catalog pass for `tier`, `dedup` and `ingest --recipe`.
#include <cstdio>
#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "cli/verbs.h"
#include "curate/catalog_pass.h"
#include "curate/recipe.h"
#include "curate/tier_rules.h"

namespace clipdex::cli {
namespace {

void AddRecipeVerb(CLI::App& app, int* exit_code) {
  CLI::App* recipe = app.add_subcommand("recipe", "Inspect curation recipes");
  recipe->require_subcommand(1);
  auto path = std::make_shared<std::string>();
  CLI::App* show = recipe->add_subcommand("show", "Print the effective recipe (YAML)");
  show->add_option("--recipe", *path, "Recipe file (default: the built-in default recipe)");
  show->callback([path, exit_code]() {
    auto r = LoadRecipe(*path);
    if (!r.ok()) {
      PrintError(r.status());
      *exit_code = kExitUsage;
      return;
    }
    std::fputs(RecipeToYaml(r.value()).c_str(), stdout);
  });
}

}  // namespace

int RunPassVerb(const std::string& name, const std::string& dataset, const Recipe& recipe,
                const std::map<std::string, std::string>& options) {
  const PassDescriptor* pass = FindCatalogPass(name);
  if (pass == nullptr) {
    std::fprintf(stderr, "clipdex: no catalog pass '%s'\n", name.c_str());
    return kExitInternal;
  }
  const PassRun run = RunCatalogPass(*pass, dataset, recipe, options);
  if (run.failure != PassFailure::kNone) {
    std::fprintf(stderr, "clipdex: %s\n", run.message.c_str());
    return run.failure == PassFailure::kNotADataset ? kExitUsage : kExitInternal;
  }
  std::fputs(run.report.c_str(), stdout);
  return kExitOk;
}

namespace {

void AddTierVerb(CLI::App& app, int* exit_code) {
  auto dataset = std::make_shared<std::string>();
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "tier", "Assign every clip a tier with the recipe's rules (no decoding; all or nothing)");
  AddDatasetArgument(cmd, dataset.get());
  cmd->add_option("--recipe", *path, "Recipe file (default: the built-in default recipe)");
  cmd->callback([dataset, path, exit_code]() {
    auto recipe = LoadRecipe(*path);
    if (!recipe.ok()) {
      PrintError(recipe.status());
      *exit_code = kExitUsage;
      return;
    }
    *exit_code = RunPassVerb("tier", *dataset, recipe.value());
  });
}

void AddExplainVerb(CLI::App& app, int* exit_code) {
  auto dataset = std::make_shared<std::string>();
  auto clip = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "explain", "Show a clip's tier, the rule that placed it and what it missed for higher tiers");
  AddDatasetArgument(cmd, dataset.get());
  cmd->add_option("clip", *clip, "Clip id, or <video path or fingerprint>#<clip index>")
      ->required();
  cmd->callback([dataset, clip, exit_code]() {
    std::unique_ptr<Catalog> catalog;
    if (ExitStatus status = OpenDatasetForRead(*dataset, &catalog); status != kExitOk) {
      *exit_code = status;
      return;
    }
    auto e = ExplainClip(*catalog, *clip);
    if (!e.ok()) {
      PrintError(e.status());
      *exit_code = kExitInternal;
      return;
    }
    std::fputs(FormatExplanation(e.value()).c_str(), stdout);
  });
}

}  // namespace

void AddCurateVerbs(CLI::App& app, int* exit_code) {
  AddRecipeVerb(app, exit_code);
  AddTierVerb(app, exit_code);
  AddExplainVerb(app, exit_code);
}

}  // namespace clipdex::cli

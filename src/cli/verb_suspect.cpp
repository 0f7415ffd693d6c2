// `clipdex suspect`: flag likely-generated clips among those not marked generated
// (generate/suspect_pass.h, run as a catalog pass; docs/generation.md).
#include <map>
#include <memory>
#include <string>

#include "cli/verbs.h"
#include "curate/recipe.h"

namespace clipdex::cli {

void AddSuspectVerb(CLI::App& app, int* exit_code) {
  auto dataset = std::make_shared<std::string>();
  auto classifier = std::make_shared<std::string>("0.5");
  auto grid = std::make_shared<std::string>("40");
  CLI::App* cmd = app.add_subcommand(
      "suspect",
      "Flag likely-generated clips among those not marked generated (source.suspect_generated, "
      "with reasons): an AI-image classifier's score, an interpolation grid");
  AddDatasetArgument(cmd, dataset.get());
  cmd->add_option("--classifier", *classifier,
                  "artifact.classifier_score at or above which a clip is suspect")
      ->capture_default_str();
  cmd->add_option("--grid", *grid, "artifact.spectral_peaks at or above which a clip is suspect")
      ->capture_default_str();
  cmd->callback([dataset, classifier, grid, exit_code]() {
    *exit_code = RunPassVerb("suspect", *dataset, DefaultRecipe(),
                             {{"classifier", *classifier}, {"grid", *grid}});
  });
}

}  // namespace clipdex::cli

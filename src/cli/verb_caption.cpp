// `clipdex caption`: structured, bilingual captions for the catalog's clips
// (caption/caption_pass.h, docs/captions.md). The flags are the pass's option table, one --flag per
// option, so the CLI, a recipe and the docs cannot drift apart.
#include <map>
#include <memory>
#include <string>

#include "caption/caption_pass.h"
#include "cli/verbs.h"
#include "curate/recipe.h"

namespace clipdex::cli {

namespace {

struct CaptionArgs {
  std::string dataset;
  std::string recipe;
  std::map<std::string, std::string> given;  // option name -> text, only the flags given
  std::map<std::string, bool> flags;         // bool options given as flags
};

std::string FlagName(const std::string& option) {
  std::string flag = "--" + option;
  for (char& c : flag) c = c == '_' ? '-' : c;
  return flag;
}

}  // namespace

void AddCaptionVerb(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<CaptionArgs>();
  CLI::App* cmd = app.add_subcommand(
      "caption",
      "Write structured, bilingual (en + zh) captions for clips: from the measurements "
      "(template, default) or with any OpenAI-compatible VLM server; resumable");
  AddDatasetArgument(cmd, &args->dataset);
  cmd->add_option("--recipe", args->recipe, "Recipe file (default: the built-in default recipe)");
  for (const OptionDecl& o : CaptionPassOptions()) {
    const std::string doc =
        o.doc + " (default: " + (o.default_value.empty() ? "none" : o.default_value) + ")";
    if (o.type == OptionType::kBool) {
      cmd->add_flag(FlagName(o.name), args->flags[o.name], doc);
    } else {
      cmd->add_option(FlagName(o.name), args->given[o.name], doc);
    }
  }
  cmd->callback([args, cmd, exit_code]() {
    auto recipe = LoadRecipe(args->recipe);
    if (!recipe.ok()) {
      PrintError(recipe.status());
      *exit_code = kExitUsage;
      return;
    }
    std::map<std::string, std::string> options;
    for (const OptionDecl& o : CaptionPassOptions()) {
      if (cmd->count(FlagName(o.name)) == 0) continue;
      options[o.name] = o.type == OptionType::kBool ? (args->flags[o.name] ? "true" : "false")
                                                    : args->given[o.name];
    }
    *exit_code = RunPassVerb("caption", args->dataset, recipe.value(), options);
  });
}

}  // namespace clipdex::cli

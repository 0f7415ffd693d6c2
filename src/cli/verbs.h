// One registration function per verb; each adds its subcommand and the callback that runs it.
// The callbacks set *exit_code. Verbs are thin: parse flags, call libclipdex, print.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/common.h"
#include "curate/dedup.h"
#include "curate/recipe.h"

namespace clipdex::cli {

void AddIngestVerb(CLI::App& app, int* exit_code);
void AddInfoVerb(CLI::App& app, int* exit_code);
void AddExportVerb(CLI::App& app, int* exit_code);
void AddReportVerb(CLI::App& app, int* exit_code);
void AddEvalVerb(CLI::App& app, int* exit_code);
// Adds `camera` and `framing` under the `eval` subcommand (verb_eval_labels.cpp).
void AddLabelEvalVerbs(CLI::App* eval, int* exit_code);
// Adds `recipe show`, `tier` and `explain` (verb_curate.cpp).
void AddCurateVerbs(CLI::App& app, int* exit_code);
// Adds `models` (verb_models.cpp).
void AddModelsVerb(CLI::App& app, int* exit_code);

// Re-tiers `dataset` with `recipe` under the dataset lock and prints the pyramid. Returns the
// exit code (0 ok, 1 rule or lock error: nothing changed, 2 not a dataset). Used by `tier` and
// `ingest --recipe`.
int TierDataset(const std::string& dataset, const Recipe& recipe);
// Adds `dedup` (verb_dedup.cpp).
void AddDedupVerb(CLI::App& app, int* exit_code);

// Groups near-duplicates of `dataset` under the dataset lock, prints the groups (at most `show`,
// -1 all) and the counts. Returns the exit code (0 ok, 1 lock or run error: nothing changed,
// 2 not a dataset). Used by `dedup` and `ingest --recipe` (when the recipe enables dedup).
int DedupDataset(const std::string& dataset, const DedupOptions& options, int show);

}  // namespace clipdex::cli

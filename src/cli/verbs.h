// One registration function per verb; each adds its subcommand and the callback that runs it.
// The callbacks set *exit_code. Verbs are thin: parse flags, call libclipdex, print.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "cli/common.h"
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

// Runs catalog pass `name` (curate/catalog_pass.h) over `dataset`, prints its report to stdout
// or its error to stderr, and returns the exit code (0 ok, 1 lock or run error: nothing changed,
// 2 not a dataset). Used by `tier`, `dedup` and `ingest --recipe` (verb_curate.cpp).
int RunPassVerb(const std::string& name, const std::string& dataset, const Recipe& recipe,
                const std::map<std::string, std::string>& options = {});
// Adds `dedup` (verb_dedup.cpp).
void AddDedupVerb(CLI::App& app, int* exit_code);
// Adds `caption` (verb_caption.cpp).
void AddCaptionVerb(CLI::App& app, int* exit_code);
// Adds `serve` (verb_serve.cpp).
void AddServeVerb(CLI::App& app, int* exit_code);
// Adds `search` and `curate` (verb_search.cpp).
void AddSearchVerbs(CLI::App& app, int* exit_code);
// Adds `rewrite` (verb_rewrite.cpp).
void AddRewriteVerb(CLI::App& app, int* exit_code);
// Adds `rank` (verb_rank.cpp).
void AddRankVerb(CLI::App& app, int* exit_code);
// Adds `suspect` (verb_suspect.cpp).
void AddSuspectVerb(CLI::App& app, int* exit_code);
// Adds `merge` (verb_merge.cpp).
void AddMergeVerb(CLI::App& app, int* exit_code);
// Adds `slurm ingest` (verb_slurm.cpp).
void AddSlurmVerb(CLI::App& app, int* exit_code);

}  // namespace clipdex::cli

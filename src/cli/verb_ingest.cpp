#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "analyze/analyzer_registry.h"
#include "catalog/catalog.h"
#include "cli/verbs.h"
#include "curate/catalog_pass.h"
#include "curate/recipe.h"
#include "curate/tier_rules.h"
#include "pipeline/analyzer_set.h"
#include "pipeline/batch.h"
#include "pipeline/inputs.h"
#include "pipeline/provenance.h"

namespace clipdex::cli {

namespace {

struct IngestArgs {
  std::vector<std::string> inputs;
  std::string dataset;
  BatchOptions batch;
  AnalyzerConfig analyzers;
  std::string models_dir;
  std::string recipe_path;
  bool profile = false;
  // Provenance (pipeline/provenance.h): --source generated, a prompt file, a generator name.
  std::string source = "real";
  std::string prompt_file;
  std::string generator;
  std::string shard;  // --shard i/N
};

// The --profile table: where the time went, per stage, over all videos and threads.
void PrintProfile(const StageTimes& times, double run_seconds, long frames) {
  double sum = 0;
  for (const auto& [stage, c] : times.Sorted()) sum += c.wall;
  std::fprintf(stderr,
               "profile (per stage, summed over threads; run %.2f s wall; CPU = the stage's own "
               "thread, decode's worker threads not included):\n",
               run_seconds);
  std::fprintf(stderr, "  %-40s %9s %7s %9s %11s\n", "stage", "wall s", "share", "CPU s",
               "CPU ms/frame");
  for (const auto& [stage, c] : times.Sorted()) {
    std::fprintf(stderr, "  %-40s %9.3f %6.1f%% %9.3f %11.3f\n", stage.c_str(), c.wall,
                 sum > 0 ? 100.0 * c.wall / sum : 0.0, c.cpu,
                 frames > 0 ? 1000.0 * c.cpu / frames : 0.0);
  }
  for (const auto& [name, n] : times.Counts()) {
    std::fprintf(stderr, "  %-40s %9ld\n", name.c_str(), n);
  }
}

}  // namespace

void AddIngestVerb(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ingest", "Decode each video once, find its shots and store them in a dataset");
  cmd->add_option("inputs", args->inputs, "Files, directories (recursive) and @list.txt files")
      ->required();
  cmd->add_option("-o,--output", args->dataset, "Dataset directory (created if missing)")
      ->required();
  cmd->add_option("--recipe", args->recipe_path,
                  "Recipe (YAML): its analyzers and clip rules drive the ingest, its tier rules "
                  "tier the dataset afterwards (docs/recipes.md)");
  auto& b = args->batch;
  auto& s = b.ingest.shots;
  cmd->add_option("-j,--jobs", b.jobs, "Files decoded in parallel")->capture_default_str();
  cmd->add_flag("--force", b.force, "Redo videos already in the catalog");
  cmd->add_option("--shard", args->shard,
                  "i/N: ingest only the i-th (0-based) of N disjoint shards of the inputs, chosen "
                  "by a hash of each file's path (docs/scale-out.md); merge shards with "
                  "`clipdex merge`");
  cmd->add_flag("-q,--quiet", b.quiet, "Print only failures and the summary");
  cmd->add_option("--stats", b.stats_csv, "Write per-frame detector signals to this CSV file");
  cmd->add_option("--min-clip", b.ingest.min_clip_seconds,
                  "Flag clips shorter than this many seconds (kept, marked too_short)");
  cmd->add_option("--max-clip", b.ingest.max_clip_seconds,
                  "Split shots longer than this many seconds into equal clips (0 = never)");
  cmd->add_option(
         "--timeout", b.ingest.decode.time_limit_seconds,
         "Per-file time limit: this many seconds plus 2 per media second of the input (0 = none)")
      ->capture_default_str();
  cmd->add_option("--threshold", s.cut_ratio, "Hard cut: frame difference / local baseline ratio")
      ->capture_default_str();
  cmd->add_option("--min-cut-diff", s.cut_min_diff, "Hard cut: minimum mean abs difference (0-255)")
      ->capture_default_str();
  cmd->add_option("--min-shot", s.min_shot_seconds, "Minimum shot length in seconds")
      ->capture_default_str();
  cmd->add_option("--sensitivity", s.sensitivity,
                  "Scales all detector thresholds: >1 finds more boundaries, <1 fewer")
      ->capture_default_str();
  cmd->add_option("--max-gradual", s.max_gradual_seconds,
                  "Longest gradual transition searched for, seconds")
      ->capture_default_str();
  cmd->add_flag(
      "--no-gradual", [args](int64_t) { args->batch.ingest.shots.detect_gradual = false; },
      "Detect hard cuts only");
  cmd->add_flag(
      "--no-region-check", [args](int64_t) { args->batch.ingest.shots.region_check = false; },
      "Keep every dissolve the classical tests accept (no learned region check)");
  cmd->add_flag(
      "--exact-decode", [args](int64_t) { args->batch.ingest.decode.fast = false; },
      "Decode with the loop filter and every frame (slower; analysis does not need it)");
  cmd->add_flag(
      "--dense-decode", [args](int64_t) { args->batch.ingest.decode.sparse = false; },
      "Decode every frame: no skipping of non-reference frames between likely scene changes");
  cmd->add_flag(
      "--no-thumbs", [args](int64_t) { args->batch.ingest.thumbnails = false; },
      "Do not write clip thumbnails");
  cmd->add_flag("--profile", args->profile,
                "Print wall time per stage (decode, shot detection, each analyzer, thumbnails)");
  cmd->add_option("--model-threads", args->analyzers.model_threads,
                  "ONNX Runtime threads per model session (ingest already runs files in parallel)")
      ->capture_default_str();
  // One --no-<analyzer> flag per registered analyzer (analyze/analyzer_registry.h).
  for (const AnalyzerDescriptor& a : AnalyzerRegistry()) {
    const std::string name = a.name;
    cmd->add_flag(
        AnalyzerOffFlag(a), [args, name](int64_t) { args->analyzers.set_enabled(name, false); },
        a.flag_help);
  }
  cmd->add_option("--source", args->source,
                  "real, or generated: every clip of this run is marked source.generated (kept "
                  "out of the real tiers by the default recipe; docs/generation.md)")
      ->check(CLI::IsMember({"real", "generated"}))
      ->capture_default_str();
  cmd->add_option("--prompt-file", args->prompt_file,
                  "With --source generated: JSON lines {\"file\", \"prompt\", \"model\"} giving "
                  "each file's prompt (generation.prompt) and generator (generation.model)");
  cmd->add_option("--generator", args->generator,
                  "With --source generated: the generator's name for files the prompt file does "
                  "not name one for");
  cmd->add_option("--models", args->models_dir,
                  "Model directory searched first (default $CLIPDEX_MODELS; then "
                  "third_party/models, ../shared/models)");
  b.ingest.decode.time_limit_seconds = 900;
  cmd->callback([args, exit_code, cmd]() {
    auto& b = args->batch;
    if (!args->shard.empty()) {
      auto shard = ParseShard(args->shard);
      if (!shard.ok()) {
        PrintError(shard.status());
        *exit_code = kExitUsage;
        return;
      }
      b.shard = shard.value();
    }
    if (args->source != "generated" && (!args->prompt_file.empty() || !args->generator.empty())) {
      std::fprintf(stderr, "clipdex: --prompt-file and --generator need --source generated\n");
      *exit_code = kExitUsage;
      return;
    }
    std::map<std::string, GeneratedBy> prompts;
    if (!args->prompt_file.empty()) {
      auto loaded = LoadPromptFile(args->prompt_file);
      if (!loaded.ok()) {  // checked before anything is decoded
        std::fprintf(stderr, "clipdex: %s (nothing ingested)\n", loaded.status().message().c_str());
        *exit_code = kExitUsage;
        return;
      }
      prompts = std::move(*loaded);
    }
    std::optional<Recipe> recipe;
    if (!args->recipe_path.empty()) {
      auto loaded = LoadRecipe(args->recipe_path);
      Status s = loaded.ok() ? ValidateRecipeRules(loaded.value()) : loaded.status();
      if (s.ok()) s = ApplyRecipeAnalyzers(loaded.value(), &args->analyzers);
      if (!s.ok()) {
        // Checked before anything is decoded: a typo in a rule must not cost an ingest.
        std::fprintf(stderr, "clipdex: %s (nothing ingested)\n", s.message().c_str());
        *exit_code = kExitUsage;
        return;
      }
      recipe = std::move(loaded.value());
      // Explicit command-line options win over the recipe.
      if (cmd->count("--min-clip") == 0) b.ingest.min_clip_seconds = recipe->clip_min_seconds;
      if (cmd->count("--max-clip") == 0) b.ingest.max_clip_seconds = recipe->clip_max_seconds;
      for (const AnalyzerDescriptor& a : AnalyzerRegistry()) {
        if (cmd->count(AnalyzerOffFlag(a)) > 0) args->analyzers.set_enabled(a.name, false);
      }
    }
    args->analyzers.models_dir =
        args->models_dir.empty() ? ExplicitModelsDir() : std::filesystem::path(args->models_dir);
    AddAnalyzers(args->analyzers, &b.ingest, &b.notes);
    nlohmann::json opts = {{"jobs", b.jobs},
                           {"force", b.force},
                           {"min_clip", b.ingest.min_clip_seconds},
                           {"max_clip", b.ingest.max_clip_seconds},
                           {"timeout", b.ingest.decode.time_limit_seconds},
                           {"fast_decode", b.ingest.decode.fast},
                           {"sparse_decode", b.ingest.decode.sparse},
                           {"cut_ratio", b.ingest.shots.cut_ratio},
                           {"cut_min_diff", b.ingest.shots.cut_min_diff},
                           {"min_shot", b.ingest.shots.min_shot_seconds},
                           {"sensitivity", b.ingest.shots.sensitivity},
                           {"gradual", b.ingest.shots.detect_gradual},
                           {"region_check", b.ingest.shots.region_check},
                           {"max_gradual", b.ingest.shots.max_gradual_seconds},
                           {"model_threads", args->analyzers.model_threads},
                           {"models", args->analyzers.models_dir.string()},
                           {"recipe", recipe ? recipe->name : ""}};
    // The shard names the run: two shards' runs started in the same second stay two runs when
    // `clipdex merge` brings them together.
    if (b.shard.active()) opts["shard"] = b.shard.ToString();
    opts.update(AnalyzerOptionsJson(args->analyzers));
    b.options_json = opts.dump();
    StageTimes profile;
    if (args->profile) b.profile = &profile;
    auto summary = RunIngestBatch(args->inputs, args->dataset, b);
    if (!summary.ok()) {
      std::fprintf(stderr, "clipdex: %s\n", summary.status().message().c_str());
      *exit_code = kExitUsage;
      return;
    }
    const BatchSummary& sm = summary.value();
    std::fprintf(stderr,
                 "done: %d ingested, %d already in catalog, %d failed; %ld frames in %.1f s "
                 "(%.0f frames/s)\n",
                 sm.ok, sm.skipped, sm.failed, sm.frames, sm.seconds,
                 sm.seconds > 0 ? sm.frames / sm.seconds : 0.0);
    if (sm.other_shards > 0) {
      std::fprintf(stderr, "shard %s: %d inputs left to the other shards\n",
                   b.shard.ToString().c_str(), sm.other_shards);
    }
    if (args->profile) PrintProfile(profile, sm.seconds, sm.frames);
    if (!sm.failures.empty()) {
      std::fprintf(stderr, "failed inputs:\n");
      for (const auto& [path, why] : sm.failures) {
        std::fprintf(stderr, "  %s: %s\n", path.c_str(), why.c_str());
      }
    }
    if (!sm.stopped_because.empty()) {
      std::fprintf(stderr,
                   "stopped early: %s; %d inputs not attempted. Free space and rerun the same "
                   "command: it resumes with the failed and unattempted inputs.\n",
                   sm.stopped_because.c_str(), sm.not_attempted);
    }
    *exit_code = sm.failed > 0 || sm.not_attempted > 0 ? kExitSomeFailed : kExitOk;
    if (args->source == "generated") {
      std::vector<std::string> files;
      for (const InputItem& item : ExpandInputs(args->inputs)) {
        if (!b.shard.Contains(item.shard_key)) continue;
        files.push_back(std::filesystem::absolute(item.path).lexically_normal().string());
      }
      auto catalog = Catalog::Open(args->dataset, /*create=*/false);
      auto marked = catalog.ok() ? RecordGenerated(**catalog, files, prompts, args->generator)
                                 : Result<long>(catalog.status());
      if (!marked.ok()) {
        std::fprintf(stderr, "clipdex: marking generated clips: %s\n",
                     marked.status().message().c_str());
        *exit_code = kExitInternal;
        return;
      }
      std::fprintf(stderr, "marked %ld clips as generated\n", *marked);
    }
    if (recipe) {
      // The recipe's catalog passes, in order (dedup before tier, so rules see dedup.dup_of).
      for (const auto& [pass, options] : RecipePasses(*recipe)) {
        const int code = RunPassVerb(pass->name, args->dataset, *recipe, options);
        if (code != 0) *exit_code = code;
      }
    }
  });
}

}  // namespace clipdex::cli

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/verbs.h"
#include "pipeline/analyzer_set.h"
#include "pipeline/batch.h"

namespace clipdex::cli {

namespace {

struct IngestArgs {
  std::vector<std::string> inputs;
  std::string dataset;
  BatchOptions batch;
  AnalyzerConfig analyzers;
  std::string models_dir;
};

}  // namespace

void AddIngestVerb(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ingest", "Decode each video once, find its shots and store them in a dataset");
  cmd->add_option("inputs", args->inputs, "Files, directories (recursive) and @list.txt files")
      ->required();
  cmd->add_option("-o,--output", args->dataset, "Dataset directory (created if missing)")
      ->required();
  auto& b = args->batch;
  auto& s = b.ingest.shots;
  cmd->add_option("-j,--jobs", b.jobs, "Files decoded in parallel")->capture_default_str();
  cmd->add_flag("--force", b.force, "Redo videos already in the catalog");
  cmd->add_flag("-q,--quiet", b.quiet, "Print only failures and the summary");
  cmd->add_option("--stats", b.stats_csv, "Write per-frame detector signals to this CSV file");
  cmd->add_option("--min-clip", b.ingest.min_clip_seconds,
                  "Flag clips shorter than this many seconds (kept, marked too_short)");
  cmd->add_option("--max-clip", b.ingest.max_clip_seconds,
                  "Split shots longer than this many seconds into equal clips (0 = never)");
  cmd->add_option("--timeout", b.ingest.decode.time_limit_seconds,
                  "Per-file decode time limit in seconds (0 = none)")
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
      "--exact-decode", [args](int64_t) { args->batch.ingest.decode.fast = false; },
      "Decode with the loop filter (slower; analysis does not need it)");
  cmd->add_flag(
      "--no-thumbs", [args](int64_t) { args->batch.ingest.thumbnails = false; },
      "Do not write clip thumbnails");
  cmd->add_flag(
      "--no-camera", [args](int64_t) { args->analyzers.camera = false; },
      "Skip camera movement / motion analysis");
  cmd->add_flag(
      "--no-framing", [args](int64_t) { args->analyzers.framing = false; },
      "Skip faces and shot-scale analysis");
  cmd->add_flag(
      "--no-dedup-signature", [args](int64_t) { args->analyzers.dedup_signature = false; },
      "Skip the perceptual-hash signature that `clipdex dedup` needs");
  cmd->add_option("--models", args->models_dir,
                  "Model directory (default $CLIPDEX_MODELS or ../shared/models)");
  b.ingest.decode.time_limit_seconds = 900;
  cmd->callback([args, exit_code]() {
    auto& b = args->batch;
    args->analyzers.models_dir =
        args->models_dir.empty() ? DefaultModelsDir() : std::filesystem::path(args->models_dir);
    AddAnalyzers(args->analyzers, &b.ingest, &b.notes);
    nlohmann::json opts = {{"jobs", b.jobs},
                           {"force", b.force},
                           {"min_clip", b.ingest.min_clip_seconds},
                           {"max_clip", b.ingest.max_clip_seconds},
                           {"timeout", b.ingest.decode.time_limit_seconds},
                           {"fast_decode", b.ingest.decode.fast},
                           {"cut_ratio", b.ingest.shots.cut_ratio},
                           {"cut_min_diff", b.ingest.shots.cut_min_diff},
                           {"min_shot", b.ingest.shots.min_shot_seconds},
                           {"sensitivity", b.ingest.shots.sensitivity},
                           {"gradual", b.ingest.shots.detect_gradual},
                           {"max_gradual", b.ingest.shots.max_gradual_seconds},
                           {"camera", args->analyzers.camera},
                           {"framing", args->analyzers.framing},
                           {"dedup_signature", args->analyzers.dedup_signature},
                           {"models", args->analyzers.models_dir.string()}};
    b.options_json = opts.dump();
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
    if (!sm.failures.empty()) {
      std::fprintf(stderr, "failed inputs:\n");
      for (const auto& [path, why] : sm.failures) {
        std::fprintf(stderr, "  %s: %s\n", path.c_str(), why.c_str());
      }
    }
    *exit_code = sm.failed > 0 ? kExitSomeFailed : kExitOk;
  });
}

}  // namespace clipdex::cli

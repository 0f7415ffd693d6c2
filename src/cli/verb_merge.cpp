// `clipdex merge OUT SHARD...`: shard datasets (ingest --shard, or any datasets) folded into one
// (Catalog::MergeFrom; docs/scale-out.md). OUT is created when missing and locked for the whole
// merge; each shard is locked while it is read (a shard still being written is refused) and
// merged in one transaction, so a kill at any moment leaves OUT with whole shards only, and a
// rerun finishes the job (merging a shard again changes nothing).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/dataset_lock.h"
#include "cli/verbs.h"

namespace clipdex::cli {

namespace {

struct MergeArgs {
  std::string output;
  std::vector<std::string> shards;
  int show = 20;  // duplicate videos listed per shard
};

void PrintReport(const std::string& shard, const MergeReport& r, int show) {
  std::printf(
      "%s: %ld videos added, %ld replaced by a newer copy, %ld kept (the copy here is newer), "
      "%ld merged before; %ld clips, %ld runs, %ld clip rows written, %ld thumbnails copied%s\n",
      shard.c_str(), r.videos_added, r.videos_replaced, r.videos_kept, r.videos_same, r.clips_added,
      r.runs_added, r.rows_written, r.thumbnails_copied, r.changed() ? "" : " (nothing changed)");
  if (r.thumbnails_missing > 0) {
    std::printf("  %ld thumbnails named by clips are missing in %s/thumbs\n", r.thumbnails_missing,
                shard.c_str());
  }
  int shown = 0;
  for (const MergeDuplicate& d : r.duplicates) {
    if (shown++ == show) {
      std::printf("  ... and %zu more duplicate videos\n", r.duplicates.size() - show);
      break;
    }
    std::printf("  duplicate video %s (%s): %s\n", d.shard_path.c_str(), d.fingerprint.c_str(),
                d.shard_won ? ("this copy replaces " + d.existing_path + " (" + d.why + ")").c_str()
                            : ("kept " + d.existing_path + " (this copy: " + d.why + ")").c_str());
  }
}

// Merges one shard into `out`; prints the report or the error line. True when merged.
bool MergeOne(Catalog& out, const std::string& shard, int show) {
  auto lock = DatasetLock::Acquire(shard);
  if (!lock.ok()) {
    PrintError(Status::Error("merge: " + lock.status().message() + " (shard not merged)"));
    return false;
  }
  // Open() migrates a shard of an older schema and refuses one of a newer schema.
  auto catalog = Catalog::Open(shard, /*create=*/false);
  if (!catalog.ok()) {
    PrintError(Status::Error("merge: shard " + shard + ": " + catalog.status().message() +
                             "; merge it with a clipdex at least as new as the one that wrote it "
                             "(shard not merged)"));
    return false;
  }
  catalog.value().reset();
  auto report = out.MergeFrom(shard);
  if (!report.ok()) {
    PrintError(Status::Error(report.status().message() + " (shard not merged)"));
    return false;
  }
  PrintReport(shard, report.value(), show);
  return true;
}

}  // namespace

void AddMergeVerb(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<MergeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "merge",
      "Fold shard datasets (ingest --shard) into one: videos by content fingerprint (the newer "
      "copy wins), clips, attributes, captions, tiers, tags, runs and thumbnails; idempotent");
  cmd->add_option("output", args->output, "Merged dataset directory (created if missing)")
      ->required();
  cmd->add_option("shards", args->shards, "Shard dataset directories")->required();
  cmd->add_option("--show", args->show, "Duplicate videos listed per shard")->capture_default_str();
  cmd->callback([args, exit_code]() {
    auto out = Catalog::Open(args->output, /*create=*/true);
    if (!out.ok()) {
      PrintError(out.status());
      *exit_code = kExitUsage;
      return;
    }
    auto lock = DatasetLock::Acquire(args->output);
    if (!lock.ok()) {
      PrintError(lock.status());
      *exit_code = kExitInternal;
      return;
    }
    int failed = 0;
    for (const std::string& shard : args->shards) {
      if (!MergeOne(*out.value(), shard, args->show)) ++failed;
    }
    if (failed > 0) {
      std::fprintf(stderr, "clipdex: merge: %d of %zu shards not merged (named above)\n", failed,
                   args->shards.size());
      *exit_code = kExitSomeFailed;
    }
  });
}

}  // namespace clipdex::cli

// The ingest batch: expand inputs, skip what the catalog already holds, ingest the rest on
// --jobs workers, commit each video in its own transaction, report progress and failures.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/ingest_video.h"
#include "util/shard.h"
#include "util/status.h"

namespace clipdex {

struct BatchOptions {
  IngestOptions ingest;
  int jobs = 1;
  bool force = false;              // redo videos already committed
  bool quiet = false;              // only failures and the summary
  std::string stats_csv;           // per-frame detector signals, "" = none
  std::string options_json;        // recorded in the runs table
  std::vector<std::string> notes;  // printed before the run (analyzers, models)
  StageTimes* profile = nullptr;   // --profile: collects wall time per stage, or none
  // --shard i/N: only the inputs whose InputItem::shard_key hashes to shard i are ingested; the
  // others are neither touched nor counted.
  ShardSpec shard;
};

struct BatchSummary {
  int ok = 0;
  int failed = 0;
  int skipped = 0;       // already in the catalog
  int other_shards = 0;  // inputs left to the other shards (--shard)
  // Inputs not attempted because the dataset's disk filled up: every later file would only have
  // been analysed to fail at its commit, so the batch stops and a rerun resumes with them.
  int not_attempted = 0;
  std::string stopped_because;  // why the batch stopped early, "" = it did not
  long frames = 0;
  double seconds = 0;
  std::vector<std::pair<std::string, std::string>> failures;  // path, reason
};

// Errors only for problems with the dataset itself (cannot create, locked, ...); per-file
// failures are counted in the summary and recorded in the catalog.
Result<BatchSummary> RunIngestBatch(const std::vector<std::string>& inputs,
                                    const std::filesystem::path& dataset,
                                    const BatchOptions& options);

}  // namespace clipdex

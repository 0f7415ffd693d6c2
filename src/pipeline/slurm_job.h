// `clipdex slurm ingest`: the batch scripts that run a sharded ingest on a Slurm cluster with
// the scheduler's own machinery (docs/scale-out.md). Nothing here talks to Slurm; the scripts do.
//
//   <dataset>/slurm/ingest.sbatch  a job array, one task per shard: `clipdex ingest <inputs>
//                                  -o <dataset>/shards/part-NNNN.clipdex --shard $TASK/N`; a task
//                                  that fails requeues itself (scontrol requeue) up to
//                                  max_retries times, a node failure requeues it too (--requeue)
//   <dataset>/slurm/merge.sbatch   `clipdex merge <dataset> <every part>`, then dedup and tier
//   <dataset>/slurm/submit.sh      sbatch the array, then the merge job with
//                                  --dependency=afterok:<array> (it runs once every task
//                                  succeeded, and is cancelled if one finally fails)
//   <dataset>/slurm/logs/          the tasks' output (appended across requeues)
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "util/status.h"

namespace clipdex {

struct SlurmIngestOptions {
  std::vector<std::string> inputs;  // files, directories, @lists (made absolute)
  std::filesystem::path dataset;    // the merged dataset; shards and scripts go inside it
  int shards = 1;                   // array tasks
  int cpus = 1;                     // --cpus-per-task of every task and of the merge job
  int jobs = 0;                     // ingest --jobs per task; 0 = cpus / 2 (at least 1)
  std::string clipdex;              // the clipdex binary the nodes run (absolute path)
  std::string recipe;               // ingest --recipe and tier --recipe; "" = built-in default
  std::string partition;            // #SBATCH --partition; "" = the cluster's default
  std::string time_limit;           // #SBATCH --time of each task; "" = the partition's default
  std::string mem;                  // #SBATCH --mem of each task; "" = the partition's default
  int max_retries = 3;              // requeues of a failing task before it is given up
  std::vector<std::string> ingest_args;  // more `clipdex ingest` arguments, verbatim
  std::vector<std::string> sbatch_args;  // more #SBATCH lines for both jobs, e.g. --account=x
};

struct SlurmScripts {
  std::filesystem::path dir;  // <dataset>/slurm
  std::filesystem::path ingest, merge, submit;
};

// Checks the options (shards >= 1, cpus >= 1, inputs given, @lists readable) and writes the
// three scripts (executable) and the logs directory. The working directory at generation becomes
// the jobs' working directory (--chdir), so relative paths inside @lists resolve as here.
Result<SlurmScripts> WriteSlurmIngestScripts(const SlurmIngestOptions& options);

// The shard datasets' directory and the name of shard `index` in it.
std::filesystem::path ShardDataset(const std::filesystem::path& dataset, int index);

// `text` quoted for a POSIX shell (single quotes).
std::string ShellQuoted(const std::string& text);

}  // namespace clipdex

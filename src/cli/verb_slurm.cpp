// `clipdex slurm ingest`: a sharded ingest as a Slurm job array plus a dependent merge job
// (pipeline/slurm_job.h, docs/scale-out.md). Writes the scripts; with --submit also submits them.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "cli/verbs.h"
#include "pipeline/slurm_job.h"

namespace clipdex::cli {

namespace {

// The binary running now, which the nodes run too (a path on the shared file system).
std::string ThisBinary() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : self.string();
}

// Runs `command` through the shell, echoing its output; its exit status (-1 if it did not run).
int RunAndEcho(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen((command + " 2>&1").c_str(), "r"), ::pclose);
  if (!pipe) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe.get())) > 0) std::fwrite(buf, 1, n, stdout);
  const int status = ::pclose(pipe.release());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

void AddSlurmVerb(CLI::App& app, int* exit_code) {
  CLI::App* slurm = app.add_subcommand(
      "slurm", "Run clipdex on a Slurm cluster: job scripts for the scheduler (docs/scale-out.md)");
  slurm->require_subcommand(1);
  auto o = std::make_shared<SlurmIngestOptions>();
  auto submit = std::make_shared<bool>(false);
  CLI::App* cmd = slurm->add_subcommand(
      "ingest",
      "Write (and with --submit, submit) a job array ingesting one shard per task, and a merge "
      "job that runs after all of them, then dedup and tier");
  cmd->add_option("inputs", o->inputs, "Files, directories and @list.txt files")->required();
  cmd->add_option("-o,--output", o->dataset,
                  "The merged dataset (on a file system every node sees); shards go to "
                  "DIR/shards, scripts and logs to DIR/slurm")
      ->required();
  cmd->add_option("--shards", o->shards, "Array tasks (shards of the inputs)")->required();
  cmd->add_option("--cpus", o->cpus, "CPUs per task (--cpus-per-task)")->required();
  cmd->add_option("--jobs", o->jobs, "ingest --jobs in each task (default: cpus / 2)");
  cmd->add_option("--recipe", o->recipe, "Recipe for ingest, dedup and tier");
  cmd->add_option("--partition", o->partition, "Slurm partition");
  cmd->add_option("--time", o->time_limit, "Time limit of each task (sbatch --time)");
  cmd->add_option("--mem", o->mem, "Memory of each task (sbatch --mem)");
  cmd->add_option("--max-retries", o->max_retries, "Requeues of a failing task")
      ->capture_default_str();
  cmd->add_option("--clipdex", o->clipdex,
                  "The clipdex binary the nodes run (default: this one's absolute path)");
  cmd->add_option("--ingest-arg", o->ingest_args,
                  "One more argument for every task's ingest, e.g. --ingest-arg=--no-text "
                  "(repeatable)");
  cmd->add_option("--sbatch-arg", o->sbatch_args,
                  "One more #SBATCH line for both jobs, e.g. --sbatch-arg=--account=media "
                  "(repeatable)");
  cmd->add_flag("--submit", *submit, "Submit with sbatch now (else print how)");
  cmd->callback([o, submit, exit_code]() {
    if (o->clipdex.empty()) o->clipdex = ThisBinary();
    auto scripts = WriteSlurmIngestScripts(*o);
    if (!scripts.ok()) {
      PrintError(scripts.status());
      *exit_code = kExitUsage;
      return;
    }
    std::printf("wrote %s (array of %d shards), %s and %s\n", scripts->ingest.c_str(), o->shards,
                scripts->merge.c_str(), scripts->submit.c_str());
    if (!*submit) {
      std::printf("submit with: %s\n", scripts->submit.c_str());
      return;
    }
    const int rc = RunAndEcho(ShellQuoted(scripts->submit.string()));
    if (rc != 0) {
      PrintError(Status::Error("slurm: " + scripts->submit.string() + " failed (exit " +
                               std::to_string(rc) + ")"));
      *exit_code = kExitInternal;
    }
  });
}

}  // namespace clipdex::cli

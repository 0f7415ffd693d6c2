// `clipdex slurm ingest --submit` on a real Slurm: scripts/slurm_local.sh starts munged,
// slurmctld and slurmd (Debian's slurm-wlm) on 127.0.0.1; a 4-shard job array ingests
// ../shared/media/video, one task is made to fail once for real (its shard dataset is locked) and
// is requeued by its script, the dependent merge job merges, dedups and tiers; the result must
// equal a single-machine run (scripts/catalog_diff.sh). Where the daemons cannot start the test
// is skipped with the script's reason (never a stand-in for the scheduler).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "../support/catalog_peek.h"
#include "../support/merge_check.h"
#include "../support/test_env.h"
#include "catalog/dataset_lock.h"
#include "pipeline/slurm_job.h"

namespace clipdex {
namespace {

const std::string kScript = std::string(CLIPDEX_SOURCE_DIR) + "/scripts/slurm_local.sh";

// Stops the daemons however the test ends.
class LocalCluster {
 public:
  explicit LocalCluster(std::filesystem::path dir) : dir_(std::move(dir)) {}
  ~LocalCluster() {
    if (started_) RunShell(ShellQuote(kScript) + " stop " + ShellQuote(dir_.string()));
  }
  // "" when up, else the script's output (why not).
  std::string Start() {
    started_ = true;
    auto r = RunShell("timeout 90 " + ShellQuote(kScript) + " start " + ShellQuote(dir_.string()));
    if (r.exit_code != 0) return r.output;
    ::setenv("SLURM_CONF", (dir_ / "etc/slurm.conf").c_str(), 1);
    return "";
  }

 private:
  std::filesystem::path dir_;
  bool started_ = false;
};

// The pieces joined (GCC 12 warns falsely on long "literal" + string + "literal" chains).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out += p;
  return out;
}

// Polls `done` every 500 ms for up to `seconds`.
bool WaitFor(int seconds, const std::function<bool()>& done) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return done();
}

TEST(Slurm, ShardedIngestArrayAndMergeJobEqualASingleMachineRun) {
  CLIPDEX_REQUIRE_FILE(Media("video"));
  if (RunShell("command -v slurmctld slurmd munged sbatch").exit_code != 0) {
    GTEST_SKIP() << "slurm-wlm / munge not installed (scripts/setup.sh deps installs them)";
  }
  TempDir tmp;
  LocalCluster cluster(tmp / "cluster");
  if (std::string why = cluster.Start(); !why.empty()) {
    GTEST_SKIP() << "a local Slurm could not start in this environment:\n" << why;
  }
  const std::string folder = ShellQuote(Media("video").string());
  const std::string flags = " --no-text --no-aesthetic";
  const auto single = tmp / "single", ds = tmp / "ds";

  // Shard 2's dataset is locked, as if another clipdex held it: its first attempt fails.
  std::filesystem::create_directories(ShardDataset(ds, 2));
  std::optional<DatasetLock> held;
  {
    auto lock = DatasetLock::Acquire(ShardDataset(ds, 2));
    ASSERT_TRUE(lock.ok()) << lock.status().message();
    held.emplace(std::move(lock.value()));
  }
  auto submitted = RunClipdex("slurm ingest " + folder + " -o " + ShellQuote(ds.string()) +
                              " --shards 4 --cpus 1 --ingest-arg=--no-text "
                              "--ingest-arg=--no-aesthetic --submit");
  ASSERT_EQ(submitted.exit_code, 0) << submitted.output;
  std::smatch ids;
  ASSERT_TRUE(std::regex_search(
      submitted.output, ids, std::regex("ingest array job (\\d+) \\(4 tasks\\), merge job (\\d+)")))
      << submitted.output;
  const std::string array = ids[1], merge = ids[2];

  const auto log2 = ds / "slurm/logs" / Cat({"ingest-", array, "_2.log"});
  ASSERT_TRUE(WaitFor(90, [&] { return ReadFile(log2).find("requeueing") != std::string::npos; }))
      << "task 2 did not fail and requeue: " << ReadFile(log2)
      << RunShell(Cat({"squeue; scontrol show job ", array})).output;
  EXPECT_NE(ReadFile(log2).find("in use by another clipdex process"), std::string::npos)
      << ReadFile(log2);
  held.reset();  // the second attempt finds the shard free

  // The reference run, while the array works.
  auto one = RunClipdex("ingest -q -j 2 " + folder + " -o " + ShellQuote(single.string()) + flags);
  ASSERT_EQ(one.exit_code, 0) << one.output;
  for (const char* verb : {"dedup", "tier"}) {
    auto run = RunClipdex(std::string(verb) + " " + ShellQuote(single.string()));
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }

  const bool drained = WaitFor(150, [&] {
    return RunShell(Cat({"squeue -h -j ", array, ",", merge})).output.empty();
  });
  ASSERT_TRUE(drained) << RunShell(Cat({"squeue; scontrol show job ", merge})).output;
  const std::string merge_job = RunShell(Cat({"scontrol show job ", merge})).output;
  const auto merge_log = ds / "slurm/logs" / Cat({"merge-", merge, ".log"});
  ASSERT_NE(merge_job.find("JobState=COMPLETED"), std::string::npos)
      << merge_job << ReadFile(merge_log)
      << RunShell("tail -n 20 " + ShellQuote((ds / "slurm/logs").string()) + "/*.log").output;
  EXPECT_NE(ReadFile(merge_log).find("merged dataset"), std::string::npos) << ReadFile(merge_log);
  // Task 2 ran twice (one requeue); the others once.
  EXPECT_NE(RunShell(Cat({"scontrol show job ", array, "_2"})).output.find("Restarts=1"),
            std::string::npos)
      << RunShell(Cat({"scontrol show job ", array, "_2"})).output;
  for (int s = 0; s < 4; ++s) {
    EXPECT_EQ(testing::CatalogPeek(ShardDataset(ds, s))
                  .Text("SELECT json_extract(options, '$.shard') FROM runs WHERE files_ok > 0 "
                        "ORDER BY id DESC LIMIT 1"),
              std::to_string(s) + "/4");
  }

  std::vector<std::string> parts;
  for (int s = 0; s < 4; ++s) parts.push_back(ShardDataset(ds, s).string());
  testing::ExpectMergedHoldsEveryShardRow(ds, parts);
  testing::ExpectSameAsSingleMachineRun(single, ds);
}

// Without --submit: the scripts carry the array, the shard flag, the requeue and the dependency.
TEST(Slurm, ScriptsDescribeTheArrayAndTheDependentMerge) {
  TempDir tmp;
  std::ofstream(tmp / "all.txt") << Media("video/gh_psd_fades.mp4").string() << "\n";
  auto run = RunClipdex("slurm ingest @" + ShellQuote((tmp / "all.txt").string()) + " -o " +
                        ShellQuote((tmp / "ds").string()) +
                        " --shards 64 --cpus 8 --partition gpu --sbatch-arg=--account=media");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string ingest = ReadFile(tmp / "ds/slurm/ingest.sbatch");
  const std::string merge = ReadFile(tmp / "ds/slurm/merge.sbatch");
  const std::string submit = ReadFile(tmp / "ds/slurm/submit.sh");
  for (const char* want :
       {"#SBATCH --array=0-63", "#SBATCH --cpus-per-task=8", "#SBATCH --requeue",
        "#SBATCH --partition=gpu", "#SBATCH --account=media", "--shard \"$shard/64\" --jobs 4",
        "scontrol requeue", "SLURM_RESTART_COUNT:-0} -lt 3"}) {
    EXPECT_NE(ingest.find(want), std::string::npos) << want << " not in\n" << ingest;
  }
  std::string list = "@";
  list += (tmp / "all.txt").string();
  EXPECT_NE(ingest.find(list), std::string::npos) << ingest;
  EXPECT_NE(merge.find("part-0063.clipdex"), std::string::npos);
  EXPECT_NE(merge.find(" dedup "), std::string::npos);
  EXPECT_NE(merge.find(" tier "), std::string::npos);
  EXPECT_NE(submit.find("--dependency=afterok:\"$array\""), std::string::npos) << submit;
  EXPECT_EQ(RunShell("bash -n " + ShellQuote((tmp / "ds/slurm/ingest.sbatch").string()) +
                     " && bash -n " + ShellQuote((tmp / "ds/slurm/merge.sbatch").string()))
                .exit_code,
            0);
  // A list that is not there is refused now, not in 64 tasks later.
  auto bad = RunClipdex("slurm ingest @/nonexistent.txt -o " + ShellQuote((tmp / "x").string()) +
                        " --shards 2 --cpus 1");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("cannot read input list /nonexistent.txt"), std::string::npos);
}

}  // namespace
}  // namespace clipdex

// Checks shared by the merge and Slurm tests: a merged dataset against its shards (exact) and
// against a single-machine ingest of the same inputs (scripts/catalog_diff.sh).
#pragma once

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "catalog_peek.h"
#include "test_env.h"

namespace clipdex::testing {

// Every video, clip, transition and attribute row of every shard is in `merged`, keyed by
// (path, clip index), values exact; dedup.* (clip ids, recomputed after a merge) left out.
// Call right after the merge, before dedup/tier change the merged dataset.
inline void ExpectMergedHoldsEveryShardRow(const std::filesystem::path& merged,
                                           const std::vector<std::string>& shards) {
  CatalogPeek peek(merged);
  const char* kRows[] = {
      "SELECT v.path, v.status, v.frames, v.duration FROM %s.videos v",
      "SELECT v.path, c.idx, c.first_frame, c.last_frame, c.start_time, c.end_time, "
      "c.transition_in, c.transition_out, c.thumbnail FROM %s.clips c JOIN %s.videos v ON v.id = "
      "c.video_id",
      "SELECT v.path, t.type, t.first_frame, t.last_frame, t.score FROM %s.transitions t JOIN "
      "%s.videos v ON v.id = t.video_id",
      "SELECT v.path, c.idx, a.name, a.num, a.text FROM %s.clip_attributes a JOIN %s.clips c ON "
      "c.id = a.clip_id JOIN %s.videos v ON v.id = c.video_id WHERE a.name NOT LIKE 'dedup.%%'"};
  for (const std::string& shard : shards) {
    ASSERT_TRUE(peek.Exec("ATTACH DATABASE '" + shard + "/catalog.sqlite' AS s"));
    EXPECT_GT(peek.Count("SELECT count(*) FROM s.videos"), 0) << shard << " ingested nothing";
    for (const char* rows : kRows) {
      char in_shard[1024], in_main[1024];
      std::snprintf(in_shard, sizeof(in_shard), rows, "s", "s", "s");
      std::snprintf(in_main, sizeof(in_main), rows, "main", "main", "main");
      EXPECT_EQ(
          peek.Count(std::string("SELECT count(*) FROM (") + in_shard + " EXCEPT " + in_main + ")"),
          0)
          << "rows of " << shard << " missing or changed in " << merged << ": " << in_shard;
    }
    ASSERT_TRUE(peek.Exec("DETACH DATABASE s"));
  }
}

// scripts/catalog_diff.sh SINGLE MERGED: videos, clips, transitions, every attribute value, dedup
// keepers and tiers must be identical.
inline void ExpectSameAsSingleMachineRun(const std::filesystem::path& single,
                                         const std::filesystem::path& merged) {
  auto compared =
      RunShell(ShellQuote(std::string(CLIPDEX_SOURCE_DIR) + "/scripts/catalog_diff.sh") + " " +
               ShellQuote(single.string()) + " " + ShellQuote(merged.string()));
  std::smatch m;
  std::string text = compared.output;
  std::regex line("(\\w+) +(\\d+) rows in A +(\\d+) rows in B +(\\d+) differing lines");
  int tables = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator();
       ++it) {
    const std::string table = (*it)[1];
    const long a = std::stol((*it)[2]), b = std::stol((*it)[3]), diff = std::stol((*it)[4]);
    ++tables;
    EXPECT_EQ(a, b) << table << "\n" << compared.output;
    // Exactly equal, attribute values included: ingest is deterministic under any load
    // (pipeline/shot_detection_worker.h), so a sharded run must reproduce a single one.
    EXPECT_EQ(diff, 0) << table << "\n" << compared.output;
  }
  EXPECT_EQ(tables, 6) << compared.output;
}

}  // namespace clipdex::testing

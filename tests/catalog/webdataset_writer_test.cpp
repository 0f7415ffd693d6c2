// TarWriter and WebDatasetWriter: archives that tar reads back, fixed headers (byte-identical
// reruns), shards closed by sample count or by size.
#include "catalog/webdataset_writer.h"

#include <gtest/gtest.h>

#include <fstream>

#include "../support/test_env.h"
#include "catalog/tar_writer.h"
#include "curate/clip_selection.h"

namespace clipdex {
namespace {

namespace fs = std::filesystem;

// Built with snprintf: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
std::string SampleKey(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "s%d", i);
  return buf;
}

TEST(TarWriter, TarReadsMembersBackWithFixedHeaders) {
  TempDir tmp;
  const std::string big(70000, 'x');  // > one copy buffer, not a multiple of 512
  { std::ofstream(tmp / "big.bin", std::ios::binary) << big; }
  for (const char* name : {"a.tar", "b.tar"}) {
    auto tar = TarWriter::Create(tmp / name);
    ASSERT_TRUE(tar.ok()) << tar.status().message();
    ASSERT_TRUE(tar.value()->AddBytes("k1.json", "{\"a\":1}").ok());
    ASSERT_TRUE(tar.value()->AddFile("k1.bin", tmp / "big.bin").ok());
    ASSERT_TRUE(tar.value()->AddBytes("k2.txt", "").ok());
    EXPECT_FALSE(tar.value()->AddBytes(std::string(101, 'n'), "x").ok());
    ASSERT_TRUE(tar.value()->Close().ok());
  }
  const std::string a = ReadFile(tmp / "a.tar");
  EXPECT_EQ(a, ReadFile(tmp / "b.tar"));
  EXPECT_EQ(a.size() % 512, 0u);
  EXPECT_EQ(a.size(), TarMemberBytes(7) + TarMemberBytes(70000) + TarMemberBytes(0) + 1024);
  auto list = RunShell("tar -tvf " + ShellQuote((tmp / "a.tar").string()));
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find("-rw-r--r-- 0/0               7 2020-01-01 00:00 k1.json"),
            std::string::npos)
      << list.output;
  EXPECT_NE(list.output.find("70000"), std::string::npos);
  auto json = RunShell("tar -xOf " + ShellQuote((tmp / "a.tar").string()) + " k1.json");
  EXPECT_EQ(json.output, "{\"a\":1}");
  auto bin = RunShell("tar -xOf " + ShellQuote((tmp / "a.tar").string()) + " k1.bin");
  EXPECT_EQ(bin.output, big);
}

TEST(WebDatasetWriter, ShardSizeParsing) {
  auto clips = ParseShardSize("250");
  ASSERT_TRUE(clips.ok());
  EXPECT_EQ(clips->max_samples, 250);
  EXPECT_EQ(clips->max_bytes, 0u);
  auto mb = ParseShardSize("512MB");
  ASSERT_TRUE(mb.ok());
  EXPECT_EQ(mb->max_samples, 0);
  EXPECT_EQ(mb->max_bytes, 512000000u);
  EXPECT_EQ(ParseShardSize("2gb")->max_bytes, 2000000000u);
  for (const char* bad : {"", "0", "MB", "12TB", "-3", "1.5GB"}) {
    EXPECT_FALSE(ParseShardSize(bad).ok()) << bad;
  }
}

TEST(WebDatasetWriter, ShardsCloseByCountAndBySize) {
  TempDir tmp;
  {
    auto w = WebDatasetWriter::Create(tmp / "count", ShardLimit{2, 0});
    ASSERT_TRUE(w.ok());
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(w.value()->Add(SampleKey(i), {{"txt", {}, "sample"}}).ok());
    }
    ASSERT_TRUE(w.value()->Finish().ok());
    EXPECT_EQ(w.value()->shards(), 3);
    auto last = RunShell("tar -tf " + ShellQuote((tmp / "count" / "shard-000002.tar").string()));
    EXPECT_EQ(last.output, "s4.txt\n");
    EXPECT_FALSE(fs::exists(tmp / "count" / "shard-000002.tar.partial"));
  }
  {
    // Each sample takes 512 + 1024 bytes: two fit in 4200 with the 1024-byte end, three do not.
    auto w = WebDatasetWriter::Create(tmp / "size", ShardLimit{0, 4200});
    ASSERT_TRUE(w.ok());
    const std::string payload(1000, 'p');
    for (int i = 0; i < 4; ++i) {
      ASSERT_TRUE(w.value()->Add(SampleKey(i), {{"bin", {}, payload}}).ok());
    }
    ASSERT_TRUE(w.value()->Add("huge", {{"bin", {}, std::string(5000, 'h')}}).ok());
    ASSERT_TRUE(w.value()->Finish().ok());
    EXPECT_EQ(w.value()->shards(), 3);  // {s0, s1}, {s2, s3}, {huge}: alone, over the limit
    for (int i = 0; i < w.value()->shards(); ++i) {
      const auto size = fs::file_size(tmp / "size" / WebDatasetWriter::ShardName(i));
      auto members = RunShell("tar -tf " +
                              ShellQuote((tmp / "size" / WebDatasetWriter::ShardName(i)).string()));
      ASSERT_EQ(members.exit_code, 0);
      if (members.output.find("huge") == std::string::npos) {
        EXPECT_LE(size, 4200u) << i;
        EXPECT_EQ(std::count(members.output.begin(), members.output.end(), '\n'), 2) << i;
      }
    }
  }
  EXPECT_FALSE(WebDatasetWriter::Create(tmp / "count", ShardLimit{}).ok());  // holds shards
  auto w = WebDatasetWriter::Create(tmp / "keys", ShardLimit{});
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(w.value()->Add("has.dot", {{"txt", {}, "x"}}).ok());
}

TEST(ClipSelection, TierFilterOnUntieredDatasetIsAClearError) {
  TempDir tmp;
  auto catalog = Catalog::Open(tmp / "ds", /*create=*/true);
  ASSERT_TRUE(catalog.ok());
  auto r = SelectClips(*catalog.value(), ClipFilter{"gold", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("never tiered"), std::string::npos);
  auto w = SelectClips(*catalog.value(), ClipFilter{"", "duration >= 1 AND nosuch.thing = 2"});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().message().rfind("--where: unknown attribute 'nosuch.thing' at 19", 0), 0u)
      << w.status().message();
  auto ok = SelectClips(*catalog.value(), ClipFilter{"", "duration >= 1"});
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok.value(), 0);
}

}  // namespace
}  // namespace clipdex

// The catalog-scale candidate search (curate/chunk_join.h) and its spill file
// (curate/codes_spill.h): with the pigeonhole probe radius the join must find exactly the pairs a
// brute-force comparison finds, in one pass or in many memory-bounded slices; at probe radius 0
// it must find every pair within 2 bits and nothing that is not a pair.
#include "curate/chunk_join.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <filesystem>
#include <random>
#include <set>
#include <vector>

#include "../support/test_env.h"
#include "curate/codes_spill.h"

namespace clipdex {
namespace {

uint64_t Flip(uint64_t h, int bits, std::mt19937_64& rng) {
  std::set<int> at;
  while (static_cast<int>(at.size()) < bits) at.insert(static_cast<int>(rng() % 64));
  for (int b : at) h ^= uint64_t{1} << b;
  return h;
}

TEST(CodesSpill, ReadsBackEveryClipInOrderAcrossBatchesAndAfterMoreAdds) {
  testing::TempDir tmp;
  auto spill = CodesSpill::Create(tmp.path());
  ASSERT_TRUE(spill.ok()) << spill.status().message();
  // The file is unlinked at once: nothing is left in the directory.
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
  std::mt19937_64 rng(3);
  std::vector<ClipCodes> written;
  for (int i = 0; i < 4000; ++i) {
    ClipCodes c;
    c.stored.resize(rng() % 60);
    c.queries.resize(rng() % 20);
    c.mirrored.resize(rng() % 3);
    for (auto* v : {&c.stored, &c.queries, &c.mirrored}) {
      for (uint64_t& h : *v) h = rng();
    }
    c.has_windows = i % 3 == 0;
    c.featureless = c.stored.empty();
    written.push_back(c);
    ASSERT_TRUE(spill->Add(c).ok());
  }
  const auto read_all = [&] {
    std::vector<ClipCodes> out;
    int batches = 0;
    Status st = spill->ForEachBatch(
        [&](size_t first, const std::vector<std::string_view>& blobs) {
          EXPECT_EQ(first, out.size());
          ++batches;
          for (std::string_view b : blobs) {
            auto c = DecodeClipCodes(b);
            if (!c.ok()) return c.status();
            out.push_back(*c);
          }
          return Status::Ok();
        },
        /*batch_bytes=*/1);  // the smallest batch: records straddle every batch's end
    EXPECT_TRUE(st.ok()) << st.message();
    EXPECT_GT(batches, 5);
    return out;
  };
  EXPECT_EQ(read_all(), written);
  EXPECT_EQ(read_all(), written);  // as often as needed
  ClipCodes last;
  last.stored = {42};
  written.push_back(last);
  ASSERT_TRUE(spill->Add(last).ok());
  EXPECT_EQ(read_all(), written);
  EXPECT_EQ(spill->size(), written.size());
  uint64_t stored = 0;
  for (const ClipCodes& c : written) stored += c.stored.size();
  EXPECT_EQ(spill->stored_codes(), stored);

  // A fn error stops the reading and comes back.
  Status stop = spill->ForEachBatch(
      [](size_t, const std::vector<std::string_view>&) { return Status::Error("enough"); });
  EXPECT_EQ(stop.message(), "enough");
  EXPECT_FALSE(CodesSpill::Create(tmp / "no such dir").ok());
}

// Clips with random codes, and planted pairs whose query lies `d` bits from another clip's
// stored code, for d = 0..6.
struct JoinFixture {
  std::vector<ClipCodes> clips;
  std::set<uint64_t> Reference(int radius) const {  // brute force
    std::set<uint64_t> out;
    for (size_t i = 0; i < clips.size(); ++i) {
      for (size_t j = 0; j < clips.size(); ++j) {
        if (i == j) continue;
        bool hit = false;
        for (const auto* list : {&clips[i].queries, &clips[i].mirrored}) {
          for (uint64_t q : *list) {
            for (uint64_t s : clips[j].stored) hit = hit || std::popcount(q ^ s) <= radius;
          }
        }
        if (hit) out.insert((uint64_t{std::min(i, j)} << 32) | std::max(i, j));
      }
    }
    return out;
  }
  // The smallest distance from a query of i to a stored code of j or back.
  int Closest(size_t i, size_t j) const {
    int best = 64;
    for (auto [a, b] : {std::pair{i, j}, std::pair{j, i}}) {
      for (const auto* list : {&clips[a].queries, &clips[a].mirrored}) {
        for (uint64_t q : *list) {
          for (uint64_t s : clips[b].stored) best = std::min(best, std::popcount(q ^ s));
        }
      }
    }
    return best;
  }
};

JoinFixture MakeFixture() {
  std::mt19937_64 rng(5);
  JoinFixture f;
  for (int i = 0; i < 700; ++i) {
    ClipCodes c;
    for (int k = 0; k < 8; ++k) c.stored.push_back(rng());
    for (int k = 0; k < 4; ++k) c.queries.push_back(rng());
    if (i % 5 == 0) c.mirrored.push_back(rng());
    f.clips.push_back(c);
  }
  for (int p = 0; p < 210; ++p) {
    const size_t i = rng() % f.clips.size(), j = rng() % f.clips.size();
    if (i == j) continue;
    const uint64_t s = f.clips[j].stored[rng() % f.clips[j].stored.size()];
    auto& list = p % 7 == 0 ? f.clips[i].mirrored : f.clips[i].queries;
    list.push_back(Flip(s, p % 7, rng));
  }
  // Codes sharing one chunk exactly but far apart: bucket mates that are no pair.
  for (int p = 0; p < 50; ++p) {
    const size_t j = rng() % f.clips.size();
    f.clips[p].queries.push_back((f.clips[j].stored[0] & 0x1fffff) | (rng() << 21));
  }
  return f;
}

std::set<uint64_t> Join(const JoinFixture& f, int probe_radius, size_t budget,
                        ChunkJoinStats* stats) {
  testing::TempDir tmp;
  auto spill = CodesSpill::Create(tmp.path());
  EXPECT_TRUE(spill.ok());
  for (const ClipCodes& c : f.clips) EXPECT_TRUE(spill->Add(c).ok());
  ChunkJoinOptions options;
  options.radius = 4;
  options.probe_radius = probe_radius;
  options.memory_budget = budget;
  auto pairs = ChunkJoinPairs(*spill, options, stats);
  EXPECT_TRUE(pairs.ok()) << pairs.status().message();
  if (!pairs.ok()) return {};
  EXPECT_TRUE(std::is_sorted(pairs->begin(), pairs->end()));
  return std::set<uint64_t>(pairs->begin(), pairs->end());
}

TEST(ChunkJoin, PigeonholeProbeRadiusFindsExactlyTheBruteForcePairsInOneOrManySlices) {
  const JoinFixture f = MakeFixture();
  const std::set<uint64_t> reference = f.Reference(4);
  ASSERT_GT(reference.size(), 100u);
  ChunkJoinStats one, many;
  EXPECT_EQ(Join(f, /*probe_radius=*/1, size_t{1} << 30, &one), reference);
  EXPECT_EQ(one.slices, 1);
  EXPECT_EQ(Join(f, 1, /*budget=*/2048, &many), reference);
  EXPECT_GT(many.slices, 16);
  EXPECT_EQ(many.comparisons, one.comparisons);  // the same work, in slices
}

TEST(ChunkJoin, ExactChunkJoinFindsEveryPairWithinTwoBitsAndNoFalsePair) {
  const JoinFixture f = MakeFixture();
  const std::set<uint64_t> reference = f.Reference(4);
  const std::set<uint64_t> found = Join(f, /*probe_radius=*/0, size_t{1} << 30, nullptr);
  EXPECT_TRUE(std::includes(reference.begin(), reference.end(), found.begin(), found.end()));
  int within2 = 0, far = 0, far_found = 0;
  for (uint64_t p : reference) {
    const size_t i = p >> 32, j = p & 0xffffffffu;
    if (f.Closest(i, j) <= 2) {
      ++within2;
      EXPECT_TRUE(found.count(p)) << i << " ~ " << j;
    } else {
      ++far;
      far_found += found.count(p) ? 1 : 0;
    }
  }
  EXPECT_GT(within2, 50);
  // Pairs 3-4 bits apart: found unless the bits fall in all three chunks (~22 % / 44 %).
  EXPECT_GT(far, 30);
  EXPECT_GT(far_found, far / 3);
  EXPECT_LT(far_found, far);
  // The same with slices.
  EXPECT_EQ(Join(f, 0, 2048, nullptr), found);
}

}  // namespace
}  // namespace clipdex

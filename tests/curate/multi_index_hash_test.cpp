// Multi-index hashing must return exactly the codes a brute-force scan finds within the radius,
// for any chunk count and radius (the pigeonhole argument in curate/multi_index_hash.h).
#include "curate/multi_index_hash.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace clipdex {
namespace {

// Random codes, half of them near-copies of earlier ones (a few bits flipped), so every radius
// has true neighbours to find, not only the query itself.
std::vector<uint64_t> MakeCodes(size_t n, std::mt19937_64& rng) {
  std::vector<uint64_t> codes;
  std::uniform_int_distribution<int> bit(0, 63), flips(0, 14);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && rng() % 2 == 0) {
      uint64_t c = codes[rng() % codes.size()];
      for (int k = flips(rng); k > 0; --k) c ^= uint64_t{1} << bit(rng);
      codes.push_back(c);
    } else {
      codes.push_back(rng());
    }
  }
  return codes;
}

TEST(MultiIndexHash, QueryEqualsBruteForceForEveryChunkCountAndRadius) {
  std::mt19937_64 rng(20261129);
  const std::vector<uint64_t> codes = MakeCodes(3000, rng);
  for (int chunks : {3, 4, 5, 8, 9, 16}) {
    MultiIndexHash index(chunks);
    for (size_t i = 0; i < codes.size(); ++i) index.Add(codes[i], static_cast<uint32_t>(i * 7));
    index.Build();
    ASSERT_EQ(index.size(), codes.size());
    for (int radius : {0, 1, 3, 8, 12}) {
      long found_total = 0;
      std::vector<MultiIndexHash::Hit> got;
      for (size_t q = 0; q < 300; ++q) {
        // Queries: stored codes, perturbed stored codes and fresh random codes.
        uint64_t query = q % 3 == 2 ? rng() : codes[(q * 131) % codes.size()];
        if (q % 3 == 1) query ^= uint64_t{1} << (q % 64);
        index.Query(query, radius, &got);
        std::vector<MultiIndexHash::Hit> want;
        for (uint32_t p = 0; p < codes.size(); ++p) {
          if (__builtin_popcountll(codes[p] ^ query) <= radius) want.push_back({p * 7, codes[p]});
        }
        ASSERT_EQ(got, want) << "chunks " << chunks << " radius " << radius << " query " << q;
        found_total += static_cast<long>(got.size());
      }
      // 200 of the queries find at least themselves; the rest are true neighbours.
      if (radius >= 3) {
        EXPECT_GT(found_total, 230) << "test codes have too few neighbours";
      }
    }
  }
}

TEST(MultiIndexHash, ChunksForFollowsTheCostModel) {
  EXPECT_EQ(MultiIndexHash::ChunksFor(3'200'000, 4), 3);  // 100k clips: 21-bit chunks, radius 1
  EXPECT_EQ(MultiIndexHash::ChunksFor(65'536, 8), 5);     // 13-bit chunks, radius 1
  EXPECT_EQ(MultiIndexHash::ChunksFor(100, 8), 9);        // small: r + 1 chunks, exact probes
  EXPECT_EQ(MultiIndexHash::ChunksFor(100, 2), 3);
  MultiIndexHash empty(4);
  empty.Build();
  std::vector<MultiIndexHash::Hit> got{{1, 2}};
  empty.Query(42, 8, &got);
  EXPECT_TRUE(got.empty());
}

}  // namespace
}  // namespace clipdex

// Semantic dedup: the embedding.clip text form, the LSH index against brute force, and grouping
// through FindDuplicates, all on synthetic unit vectors with known membership.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "analyze/clip_embedding.h"
#include "curate/dedup.h"
#include "curate/semantic_index.h"
#include "curate/semantic_join.h"

namespace clipdex {
namespace {

std::vector<float> RandomUnit(std::mt19937& rng, size_t dims) {
  std::normal_distribution<float> n(0, 1);
  std::vector<float> v(dims);
  for (float& x : v) x = n(rng);
  return L2Normalised(std::move(v));
}

// A unit vector with cosine exactly `cosine` to the unit vector `a` (a random direction
// orthogonal to `a` mixed in).
std::vector<float> AtCosine(std::mt19937& rng, const std::vector<float>& a, double cosine) {
  std::vector<float> u = RandomUnit(rng, a.size());
  const double along = Dot(u, a);
  for (size_t d = 0; d < u.size(); ++d) u[d] = static_cast<float>(u[d] - along * a[d]);
  u = L2Normalised(std::move(u));
  const double s = std::sqrt(1 - cosine * cosine);
  std::vector<float> b(a.size());
  for (size_t d = 0; d < a.size(); ++d) b[d] = static_cast<float>(cosine * a[d] + s * u[d]);
  return L2Normalised(std::move(b));
}

TEST(SemanticDedup, EmbeddingTextRoundTripsWithinOnePercentCosine) {
  std::mt19937 rng(7);
  for (size_t dims : {512u, 768u, 5u}) {
    for (int k = 0; k < 20; ++k) {
      std::vector<float> v = RandomUnit(rng, dims);
      for (float& x : v) x *= 3.5f;  // any length: the text form is normalised
      const std::string text = EncodeClipEmbedding(v);
      auto back = DecodeClipEmbedding(text);
      ASSERT_TRUE(back.ok()) << back.status().message();
      ASSERT_EQ(back->size(), dims);
      const double cosine = Dot(*back, L2Normalised(v));
      EXPECT_GE(cosine, 0.99) << dims;
      if (dims == 512) {
        EXPECT_GE(cosine, 0.9995);  // int8: measured ~0.9999
      }
      if (dims == 512 && k == 0) {
        std::printf("embedding.clip 512-d: %zu characters, round-trip cosine %.6f\n", text.size(),
                    cosine);
      }
    }
  }
  // The same input gives the same text (identical clips give identical attributes).
  std::vector<float> v = RandomUnit(rng, 512);
  EXPECT_EQ(EncodeClipEmbedding(v), EncodeClipEmbedding(v));
  for (const char* bad : {"", "f16:3:1:AAAA", "i8:3:1:AAA", "i8:4:1:AAAA", "i8:3:-1:AAAA",
                          "i8:3:x:AAAA", "i8:3:1:A*AA", "i8:3"}) {
    auto r = DecodeClipEmbedding(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.status().message().starts_with("embedding.clip: ")) << r.status().message();
  }
}

struct Synthetic {
  std::vector<std::vector<float>> vectors;
  std::vector<int> cluster;  // -1: a distinct vector
};

// `clusters` groups of 2..6 near-identical vectors (pairwise cosine >= ~0.97) plus `distinct`
// random vectors, shuffled.
Synthetic MakeSynthetic(int clusters, int distinct, size_t dims, unsigned seed) {
  std::mt19937 rng(seed);
  Synthetic s;
  for (int c = 0; c < clusters; ++c) {
    const std::vector<float> centre = RandomUnit(rng, dims);
    const int members = 2 + c % 5;
    for (int m = 0; m < members; ++m) {
      // 0.985 to the centre: members are >= 0.97 to each other.
      s.vectors.push_back(AtCosine(rng, centre, 0.985 + 0.014 * (m % 2)));
      s.cluster.push_back(c);
    }
  }
  for (int k = 0; k < distinct; ++k) {
    s.vectors.push_back(RandomUnit(rng, dims));
    s.cluster.push_back(-1);
  }
  std::vector<size_t> order(s.vectors.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  Synthetic shuffled;
  for (size_t i : order) {
    shuffled.vectors.push_back(s.vectors[i]);
    shuffled.cluster.push_back(s.cluster[i]);
  }
  return shuffled;
}

TEST(SemanticDedup, LshFindsEveryPairBruteForceFindsAndNoOther) {
  const Synthetic s = MakeSynthetic(/*clusters=*/60, /*distinct=*/1500, 512, 11);
  const double threshold = 0.95;
  // Ground truth from construction: exactly the pairs inside a cluster.
  std::vector<std::pair<uint32_t, uint32_t>> truth;
  for (uint32_t a = 0; a < s.vectors.size(); ++a) {
    for (uint32_t b = a + 1; b < s.vectors.size(); ++b) {
      if (s.cluster[a] >= 0 && s.cluster[a] == s.cluster[b]) truth.emplace_back(a, b);
    }
  }
  const auto brute = BruteForceSimilarPairs(s.vectors, threshold);
  ASSERT_EQ(brute, truth);  // the synthetic data is what it claims to be

  const auto candidates = LshCandidatePairs(s.vectors, threshold);
  size_t recalled = 0;
  for (const auto& p : brute) {
    recalled += std::binary_search(candidates.begin(), candidates.end(), p) ? 1 : 0;
  }
  const SemanticPairs found = FindSimilarPairs(s.vectors, threshold);
  const double all_pairs = s.vectors.size() * (s.vectors.size() - 1) / 2.0;
  std::printf(
      "%zu vectors, LSH %d tables x %d bits: %zu candidates (%.2f%% of all pairs), "
      "recall %zu/%zu\n",
      s.vectors.size(), found.tables, found.bits, candidates.size(),
      100.0 * candidates.size() / all_pairs, recalled, brute.size());
  EXPECT_EQ(recalled, brute.size());
  EXPECT_LT(candidates.size(), all_pairs / 20);  // an index, not all pairs
  EXPECT_EQ(found.pairs, brute);                 // exact verification: no false pair
  EXPECT_EQ(found.candidates, static_cast<long>(candidates.size()));
}

// Pairs exactly at the threshold are the hardest: the index is sized for 99.9 % recall there.
TEST(SemanticDedup, RecallOfPairsJustAboveTheThreshold) {
  std::mt19937 rng(3);
  std::vector<std::vector<float>> vectors;
  const int pairs = 300;
  for (int k = 0; k < pairs; ++k) {
    vectors.push_back(RandomUnit(rng, 512));
    vectors.push_back(AtCosine(rng, vectors.back(), 0.951));
  }
  const auto brute = BruteForceSimilarPairs(vectors, 0.95);
  ASSERT_EQ(brute.size(), static_cast<size_t>(pairs));
  const SemanticPairs found = FindSimilarPairs(vectors, 0.95);
  std::printf("pairs at cosine 0.951, threshold 0.95: found %zu/%d (%d tables x %d bits)\n",
              found.pairs.size(), pairs, found.tables, found.bits);
  EXPECT_GE(found.pairs.size(), static_cast<size_t>(pairs * 0.99));
  for (const auto& p : found.pairs) {
    EXPECT_TRUE(std::binary_search(brute.begin(), brute.end(), p));
  }
}

TEST(SemanticDedup, GroupsMatchTheClustersExactlyAndMergeWithHashGroups) {
  const Synthetic s = MakeSynthetic(/*clusters=*/40, /*distinct=*/400, 512, 5);
  std::vector<DedupClip> clips(s.vectors.size());
  for (size_t i = 0; i < clips.size(); ++i) {
    clips[i].clip_id = static_cast<int64_t>(i) + 1;
    clips[i].embedding = s.vectors[i];  // no signature frames: only semantic can group
  }
  DedupOptions options;
  EXPECT_TRUE(FindDuplicates(clips, options).groups.empty());  // off by default

  options.semantic = 0.95;
  // The catalog-scale join (curate/semantic_join.h) groups the same clips.
  DedupOptions join = options;
  join.search = DedupSearch::kChunkJoin;
  join.memory_budget = 64 << 10;  // several blocks of vectors
  const DedupResult joined_run = FindDuplicates(clips, join);
  EXPECT_GT(joined_run.semantic_candidate_pairs, 0);
  const DedupResult r = FindDuplicates(clips, options);
  std::map<int, std::set<int64_t>> want;
  for (size_t i = 0; i < clips.size(); ++i) {
    if (s.cluster[i] >= 0) want[s.cluster[i]].insert(clips[i].clip_id);
  }
  std::set<std::set<int64_t>> want_groups, got_groups;
  for (const auto& [c, members] : want) want_groups.insert(members);
  for (const DedupGroup& g : r.groups) {
    std::set<int64_t> members(g.duplicates.begin(), g.duplicates.end());
    members.insert(g.keeper);
    got_groups.insert(members);
  }
  EXPECT_EQ(got_groups, want_groups);  // exact groups: nothing missed, no false merge
  EXPECT_EQ(r.clips_without_embedding, 0);
  EXPECT_EQ(joined_run.groups.size(), r.groups.size());
  for (size_t g = 0; g < std::min(r.groups.size(), joined_run.groups.size()); ++g) {
    EXPECT_EQ(joined_run.groups[g].keeper, r.groups[g].keeper);
    EXPECT_EQ(joined_run.groups[g].duplicates, r.groups[g].duplicates);
  }
  EXPECT_EQ(joined_run.semantic_pairs, r.semantic_pairs);

  // A perceptual-hash duplicate pair joins the same union-find: two clips of different clusters
  // with identical signatures merge those clusters into one group.
  DupSignature sig;
  for (uint64_t k = 0; k < 8; ++k) {
    FrameHash f;
    for (size_t kind = 0; kind < f.h.size(); ++kind) {
      f.h[kind] = 0x9e3779b97f4a7c15ull * (k * 7 + kind + 1) ^ 0xc2b2ae3d27d4eb4full * (kind + 1);
    }
    sig.frames.push_back(f);
  }
  size_t a = 0, b = 0, lone = 0;
  for (size_t i = 0; i < clips.size(); ++i) {
    if (s.cluster[i] == 0) a = i;
    if (s.cluster[i] == 1) b = i;
    if (s.cluster[i] == -1) lone = i;
  }
  clips[a].signature = sig;
  clips[b].signature = sig;
  clips[lone].embedding.clear();  // a distinct clip without embedding changes no group
  const DedupResult merged = FindDuplicates(clips, options);
  EXPECT_EQ(merged.duplicate_pairs, 1);
  EXPECT_EQ(merged.clips_without_embedding, 1);
  EXPECT_EQ(merged.groups.size(), want_groups.size() - 1);
  std::set<int64_t> joined = want[0];
  joined.insert(want[1].begin(), want[1].end());
  bool found = false;
  for (const DedupGroup& g : merged.groups) {
    std::set<int64_t> members(g.duplicates.begin(), g.duplicates.end());
    members.insert(g.keeper);
    found = found || members == joined;
  }
  EXPECT_TRUE(found);
}

// The catalog-scale join against the in-memory search: the same LSH shape and hyperplanes, so
// the same candidates; pairs decided in 8 bits where that is safe and on the floats near the
// threshold. Pairs at 0.951 and 0.949 around a 0.95 threshold must come back as borderline.
TEST(SemanticJoin, FindsTheInMemoryPairsInOneBlockAndInMany) {
  Synthetic s = MakeSynthetic(/*clusters=*/60, /*distinct=*/1500, 512, 11);
  std::mt19937 rng(19);
  for (int k = 0; k < 60; ++k) {
    s.vectors.push_back(RandomUnit(rng, 512));
    s.vectors.push_back(AtCosine(rng, s.vectors.back(), k % 2 == 0 ? 0.951 : 0.949));
  }
  const double threshold = 0.95;
  const SemanticPairs in_memory = FindSimilarPairs(s.vectors, threshold);
  ASSERT_GT(in_memory.pairs.size(), 300u);
  const auto entry_of = [](size_t i) { return static_cast<uint32_t>(3 * i + 7); };
  for (size_t budget : {size_t{2048} << 20, size_t{64} << 10}) {
    auto spill =
        EmbeddingSpill::Create(std::filesystem::temp_directory_path(), s.vectors.size(), threshold);
    ASSERT_TRUE(spill.ok()) << spill.status().message();
    for (size_t i = 0; i < s.vectors.size(); ++i) {
      ASSERT_TRUE(spill->Add(entry_of(i), s.vectors[i]).ok());
    }
    SemanticJoinOptions options;
    options.memory_budget = budget;
    auto joined = SemanticJoinPairs(*spill, options);
    ASSERT_TRUE(joined.ok()) << joined.status().message();
    EXPECT_EQ(joined->shape.bits, in_memory.bits);
    EXPECT_EQ(joined->shape.tables, in_memory.tables);
    // The same bucket pairs as in memory (counted once per table there), most of them thrown
    // away by the sketches before verification.
    EXPECT_GE(joined->bucket_pairs, in_memory.candidates);
    EXPECT_LT(joined->candidates, in_memory.candidates / 2);
    if (budget < (size_t{1} << 20)) {
      EXPECT_GT(joined->blocks, 4);
    } else {
      EXPECT_EQ(joined->blocks, 1);
    }
    // Back from entries to indices; borderline pairs decided on the floats.
    std::vector<std::pair<uint32_t, uint32_t>> got;
    for (const auto& [a, b] : joined->pairs) got.emplace_back((a - 7) / 3, (b - 7) / 3);
    long near_kept = 0;
    for (const auto& [a, b] : joined->borderline) {
      const uint32_t i = (a - 7) / 3, j = (b - 7) / 3;
      if (Dot(s.vectors[i], s.vectors[j]) >= threshold - 1e-6) {
        got.emplace_back(i, j);
        ++near_kept;
      }
    }
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, in_memory.pairs) << "budget " << budget;
    EXPECT_GE(joined->borderline.size(), 50u);  // the 0.951 / 0.949 pairs the LSH met
    EXPECT_GT(near_kept, 20);
    EXPECT_LT(near_kept, static_cast<long>(joined->borderline.size()));
  }
}

// Thousands of copies of one embedding (black frames, title cards) share every bucket: they must
// not become millions of candidates a table, and must still make one group with the near copies.
TEST(SemanticJoin, ManyIdenticalVectorsStayLinearAndGroupTogether) {
  std::mt19937 rng(31);
  const std::vector<float> black = RandomUnit(rng, 256);
  std::vector<std::vector<float>> vectors;
  for (int k = 0; k < 4000; ++k) vectors.push_back(black);
  for (int k = 0; k < 20; ++k) vectors.push_back(AtCosine(rng, black, 0.97));
  for (int k = 0; k < 1000; ++k) vectors.push_back(RandomUnit(rng, 256));
  std::shuffle(vectors.begin(), vectors.end(), rng);
  auto spill = EmbeddingSpill::Create(std::filesystem::temp_directory_path(), vectors.size(), 0.95);
  ASSERT_TRUE(spill.ok());
  for (size_t i = 0; i < vectors.size(); ++i) {
    ASSERT_TRUE(spill->Add(static_cast<uint32_t>(i), vectors[i]).ok());
  }
  auto joined = SemanticJoinPairs(*spill);
  ASSERT_TRUE(joined.ok()) << joined.status().message();
  std::printf("bucket pairs %ld, past the sketch %ld, pairs %zu\n", joined->bucket_pairs,
              joined->raw_candidates, joined->pairs.size());
  // The LSH pairs the 4,000 copies in every table (8 million a table); about 4,000 a table are
  // written.
  EXPECT_GT(joined->bucket_pairs, 7'000'000L * joined->shape.tables);
  EXPECT_LT(joined->raw_candidates, 10'000L * joined->shape.tables);
  // One group: every copy and every near copy, nothing else.
  std::vector<size_t> root(vectors.size());
  std::iota(root.begin(), root.end(), 0);
  std::function<size_t(size_t)> find = [&](size_t x) {
    return root[x] == x ? x : root[x] = find(root[x]);
  };
  for (const auto& [a, b] : joined->pairs) root[find(a)] = find(b);
  for (const auto& [a, b] : joined->borderline) {
    if (Dot(vectors[a], vectors[b]) >= 0.95 - 1e-6) root[find(a)] = find(b);
  }
  size_t anchor = 0;
  while (vectors[anchor] != black) ++anchor;
  for (size_t i = 0; i < vectors.size(); ++i) {
    const bool related = Dot(vectors[i], black) >= 0.96;
    EXPECT_EQ(find(i) == find(anchor), related) << i;
  }
}

TEST(SemanticJoin, SkipsEmptyAndOtherLengthVectors) {
  std::mt19937 rng(5);
  auto spill = EmbeddingSpill::Create(std::filesystem::temp_directory_path(), 4, 0.95);
  ASSERT_TRUE(spill.ok());
  const std::vector<float> a = RandomUnit(rng, 64);
  ASSERT_TRUE(spill->Add(0, a).ok());
  ASSERT_TRUE(spill->Add(1, {}).ok());
  ASSERT_TRUE(spill->Add(2, RandomUnit(rng, 32)).ok());
  ASSERT_TRUE(spill->Add(3, a).ok());
  EXPECT_EQ(spill->size(), 2u);
  EXPECT_EQ(spill->other_length(), 1);
  auto joined = SemanticJoinPairs(*spill);
  ASSERT_TRUE(joined.ok());
  const std::vector<std::pair<uint32_t, uint32_t>> want = {{0, 3}};
  EXPECT_EQ(joined->pairs, want);  // identical vectors: sure in 8 bits
  EXPECT_TRUE(joined->borderline.empty());
}

}  // namespace
}  // namespace clipdex

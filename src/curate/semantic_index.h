// Pairs of unit vectors whose cosine similarity reaches a threshold, without comparing all pairs
// (`clipdex dedup --semantic`, docs/attributes.md embedding.clip).
//
// Random-hyperplane LSH: each of `tables` hash tables keys a vector by the signs of its dot
// products with `bits` random Gaussian hyperplanes. Two vectors at angle theta agree on one sign
// with probability p = 1 - theta / pi, so they share a key in at least one table with probability
// 1 - (1 - p^bits)^tables. `bits` grows with log2(n) (so unrelated vectors rarely share a bucket:
// about n / 2^bits per bucket); `tables` is then the fewest that reach `target_recall` for a pair
// exactly at the threshold (pairs above it are found more surely). Every pair sharing a bucket is
// a candidate; a candidate is kept only when its exact cosine reaches the threshold, so LSH can
// miss a pair (with probability <= 1 - target_recall at the threshold) but never adds a wrong one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace clipdex {

struct SemanticIndexOptions {
  double target_recall = 0.999;      // for a pair exactly at the threshold
  int bits = 0;                      // 0: chosen from n (see above)
  int tables = 0;                    // 0: chosen from bits and target_recall, at most 64
  uint64_t seed = 0x5eed0c11bdeull;  // fixed: the same input gives the same groups
};

struct SemanticPairs {
  std::vector<std::pair<uint32_t, uint32_t>>
      pairs;                 // (i, j), i < j, ascending; cosine >= threshold
  long candidates = 0;       // pairs that shared a bucket (verified)
  int bits = 0, tables = 0;  // the index used (last dimension group)
};

// Pairs (i, j) of `vectors` (indices into it) with Dot >= min_cosine, found through the LSH index.
// Vectors are expected to be L2-normalised; empty vectors are skipped, and vectors of different
// lengths are never paired (each length is indexed on its own).
SemanticPairs FindSimilarPairs(const std::vector<std::vector<float>>& vectors, double min_cosine,
                               const SemanticIndexOptions& options = {});

// The index's shape for n vectors (see above); the in-memory search and the catalog-scale join
// (curate/semantic_join.h) choose it the same way, so they key every vector alike.
struct LshShape {
  int bits = 0, tables = 0;
  size_t planes() const { return static_cast<size_t>(bits) * static_cast<size_t>(tables); }
};
LshShape ChooseLshShape(size_t n, double min_cosine, const SemanticIndexOptions& options);

// The random hyperplanes of `shape` for vectors of `dims` floats: planes() rows of dims, table t's
// bit b in row t * bits + b, drawn from `seed` (and dims).
std::vector<float> LshHyperplanes(size_t dims, const LshShape& shape, uint64_t seed);

// The keys of `n` vectors (`rows`: n rows of dims floats) into keys[t * n + k] (table t, vector
// k): the signs of their dot products with the hyperplanes, one bit each, table t's first plane
// the key's highest bit. The products are one matrix multiplication (the system BLAS).
void LshKeys(const float* rows, size_t n, size_t dims, const std::vector<float>& planes,
             const LshShape& shape, uint32_t* keys);

// The LSH candidate pairs alone (before exact verification), for measuring recall.
std::vector<std::pair<uint32_t, uint32_t>> LshCandidatePairs(
    const std::vector<std::vector<float>>& vectors, double min_cosine,
    const SemanticIndexOptions& options = {});

// Every pair with Dot >= min_cosine by comparing all pairs: the reference for tests.
std::vector<std::pair<uint32_t, uint32_t>> BruteForceSimilarPairs(
    const std::vector<std::vector<float>>& vectors, double min_cosine);

}  // namespace clipdex

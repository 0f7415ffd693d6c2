#include "curate/semantic_index.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <random>

#include "analyze/clip_embedding.h"

// The system BLAS (FAISS links it): single-precision matrix product, Fortran interface.
extern "C" int sgemm_(const char* transa, const char* transb, const int* m, const int* n,
                      const int* k, const float* alpha, const float* a, const int* lda,
                      const float* b, const int* ldb, const float* beta, float* c, const int* ldc);

namespace clipdex {
namespace {

uint64_t PairKey(uint32_t a, uint32_t b) {
  if (a > b) std::swap(a, b);
  return (uint64_t{a} << 32) | b;
}

// Candidate pair keys of the vectors `ids` (all of length `dims`).
std::vector<uint64_t> Candidates(const std::vector<std::vector<float>>& vectors,
                                 const std::vector<uint32_t>& ids, size_t dims,
                                 const LshShape& shape, uint64_t seed) {
  const std::vector<float> planes = LshHyperplanes(dims, shape, seed);
  // keys[t * n + k]: table t's key of vector ids[k], computed in batches of rows.
  const size_t n = ids.size();
  std::vector<uint32_t> keys(static_cast<size_t>(shape.tables) * n);
  constexpr size_t kBatch = 4096;
  std::vector<float> rows;
  std::vector<uint32_t> batch_keys;
  for (size_t from = 0; from < n; from += kBatch) {
    const size_t m = std::min(kBatch, n - from);
    rows.resize(m * dims);
    for (size_t k = 0; k < m; ++k) {
      std::copy(vectors[ids[from + k]].begin(), vectors[ids[from + k]].end(), &rows[k * dims]);
    }
    batch_keys.resize(static_cast<size_t>(shape.tables) * m);
    LshKeys(rows.data(), m, dims, planes, shape, batch_keys.data());
    for (int t = 0; t < shape.tables; ++t) {
      std::copy_n(&batch_keys[static_cast<size_t>(t) * m], m,
                  &keys[static_cast<size_t>(t) * n + from]);
    }
  }

  std::vector<uint64_t> pairs;
  std::vector<std::pair<uint32_t, uint32_t>> bucketed(n);  // (key, vector id)
  for (int t = 0; t < shape.tables; ++t) {
    for (size_t k = 0; k < n; ++k) bucketed[k] = {keys[static_cast<size_t>(t) * n + k], ids[k]};
    std::sort(bucketed.begin(), bucketed.end());
    for (size_t start = 0; start < n;) {
      size_t end = start + 1;
      while (end < n && bucketed[end].first == bucketed[start].first) ++end;
      for (size_t a = start; a < end; ++a) {
        for (size_t b = a + 1; b < end; ++b) {
          pairs.push_back(PairKey(bucketed[a].second, bucketed[b].second));
        }
      }
      start = end;
    }
    // Dedupe as we go so the same pair from many tables does not pile up.
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  }
  return pairs;
}

// Vector ids grouped by vector length (empty vectors left out).
std::map<size_t, std::vector<uint32_t>> ByLength(const std::vector<std::vector<float>>& vectors) {
  std::map<size_t, std::vector<uint32_t>> groups;
  for (size_t i = 0; i < vectors.size(); ++i) {
    if (!vectors[i].empty()) groups[vectors[i].size()].push_back(static_cast<uint32_t>(i));
  }
  return groups;
}

std::pair<uint32_t, uint32_t> Unpack(uint64_t key) {
  return {static_cast<uint32_t>(key >> 32), static_cast<uint32_t>(key & 0xffffffffu)};
}

}  // namespace

LshShape ChooseLshShape(size_t n, double min_cosine, const SemanticIndexOptions& options) {
  constexpr int kMaxTables = 64;
  const double theta = std::acos(std::clamp(min_cosine, -1.0, 1.0));
  const double p = std::max(1e-9, 1.0 - theta / std::numbers::pi);  // one sign agrees
  const double miss = std::clamp(1.0 - options.target_recall, 1e-12, 0.5);
  auto tables_for = [&](int bits) {
    const double hit = std::pow(p, bits);  // same key in one table
    if (hit >= 1.0) return 1;
    return static_cast<int>(std::ceil(std::log(miss) / std::log(1.0 - hit)));
  };
  LshShape s;
  s.bits = options.bits > 0
               ? options.bits
               : std::clamp(static_cast<int>(std::ceil(std::log2(std::max<size_t>(n, 2)))), 8, 24);
  if (options.bits <= 0) {
    // Fewer bits for a loose threshold, so the table count stays bounded.
    while (s.bits > 4 && tables_for(s.bits) > kMaxTables) --s.bits;
  }
  s.tables = options.tables > 0 ? options.tables : std::clamp(tables_for(s.bits), 1, kMaxTables);
  return s;
}

std::vector<float> LshHyperplanes(size_t dims, const LshShape& shape, uint64_t seed) {
  std::vector<float> normal(shape.planes() * dims);
  std::mt19937_64 rng(seed ^ dims);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  for (float& x : normal) x = gauss(rng);
  return normal;
}

void LshKeys(const float* rows, size_t n, size_t dims, const std::vector<float>& planes,
             const LshShape& shape, uint32_t* keys) {
  const size_t p = shape.planes();
  if (n == 0 || p == 0) return;
  // products (column-major p x n): products[k * p + j] = plane j . row k, in one SGEMM. A
  // hand-written loop at the baseline's SSE2 is several times slower at ten million vectors.
  std::vector<float> products(p * n);
  const char transpose = 'T', plain = 'N';
  const int m_rows = static_cast<int>(p), n_cols = static_cast<int>(n);
  const int depth = static_cast<int>(dims);
  const float one = 1.0f, zero = 0.0f;
  sgemm_(&transpose, &plain, &m_rows, &n_cols, &depth, &one, planes.data(), &depth, rows, &depth,
         &zero, products.data(), &m_rows);
  for (size_t k = 0; k < n; ++k) {
    const float* dot = &products[k * p];
    for (int t = 0; t < shape.tables; ++t) {
      uint32_t key = 0;
      for (int b = 0; b < shape.bits; ++b) {
        key = (key << 1) | (dot[static_cast<size_t>(t) * shape.bits + b] >= 0 ? 1u : 0u);
      }
      keys[static_cast<size_t>(t) * n + k] = key;
    }
  }
}

std::vector<std::pair<uint32_t, uint32_t>> LshCandidatePairs(
    const std::vector<std::vector<float>>& vectors, double min_cosine,
    const SemanticIndexOptions& options) {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  for (const auto& [dims, ids] : ByLength(vectors)) {
    const LshShape shape = ChooseLshShape(ids.size(), min_cosine, options);
    for (uint64_t key : Candidates(vectors, ids, dims, shape, options.seed)) {
      out.push_back(Unpack(key));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

SemanticPairs FindSimilarPairs(const std::vector<std::vector<float>>& vectors, double min_cosine,
                               const SemanticIndexOptions& options) {
  SemanticPairs result;
  for (const auto& [dims, ids] : ByLength(vectors)) {
    const LshShape shape = ChooseLshShape(ids.size(), min_cosine, options);
    result.bits = shape.bits;
    result.tables = shape.tables;
    const std::vector<uint64_t> candidates = Candidates(vectors, ids, dims, shape, options.seed);
    result.candidates += static_cast<long>(candidates.size());
    for (uint64_t key : candidates) {
      const auto [a, b] = Unpack(key);
      // The tolerance keeps bit-identical vectors (cosine 1 up to float rounding) at threshold 1.
      if (Dot(vectors[a], vectors[b]) >= min_cosine - 1e-6) result.pairs.emplace_back(a, b);
    }
  }
  std::sort(result.pairs.begin(), result.pairs.end());
  return result;
}

std::vector<std::pair<uint32_t, uint32_t>> BruteForceSimilarPairs(
    const std::vector<std::vector<float>>& vectors, double min_cosine) {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  for (uint32_t a = 0; a < vectors.size(); ++a) {
    for (uint32_t b = a + 1; b < vectors.size(); ++b) {
      if (vectors[a].empty() || vectors[a].size() != vectors[b].size()) continue;
      if (Dot(vectors[a], vectors[b]) >= min_cosine - 1e-6) out.emplace_back(a, b);
    }
  }
  return out;
}

}  // namespace clipdex

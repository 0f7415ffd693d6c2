// `dedup --semantic`'s pair search (every pair of clip embeddings at cosine >= t) with clipdex's
// random-hyperplane LSH (curate/semantic_index.h) against FAISS: an inverted file of exact
// vectors (IndexIVFFlat, inner product) range-searched with every vector. Both are checked
// against brute force (FAISS IndexFlatIP range search over all pairs).
//
// Usage: semantic_pairs_bench [n=100000] [dims=512] [threshold=0.95] [nprobe=8]
// Data: unit vectors; a fifth of them come in groups of 2-6 near copies at cosine 0.95-0.99 of a
// base (re-encodes, crops of one shot), the rest are unrelated.
#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/AuxIndexStructures.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "curate/semantic_index.h"

namespace {

using Clock = std::chrono::steady_clock;
using Pair = std::pair<uint32_t, uint32_t>;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::vector<float> Unit(std::vector<float> v) {
  double n = 0;
  for (float x : v) n += double(x) * x;
  for (float& x : v) x = static_cast<float>(x / std::sqrt(n));
  return v;
}

// Pairs (i < j) with inner product >= t found by range-searching `index` with every vector.
std::vector<Pair> RangePairs(const faiss::Index& index, const std::vector<float>& flat, size_t n,
                             int dims, float t) {
  std::vector<Pair> out;
  const size_t batch = 4096;
  for (size_t q = 0; q < n; q += batch) {
    const size_t m = std::min(batch, n - q);
    faiss::RangeSearchResult r(static_cast<faiss::Index::idx_t>(m));
    // Inner product: results with score > radius.
    index.range_search(static_cast<faiss::Index::idx_t>(m), flat.data() + q * dims,
                       std::nextafter(t, 0.0f), &r);
    for (size_t i = 0; i < m; ++i) {
      for (size_t k = r.lims[i]; k < r.lims[i + 1]; ++k) {
        const auto a = static_cast<uint32_t>(q + i), b = static_cast<uint32_t>(r.labels[k]);
        if (a < b && r.distances[k] >= t) out.emplace_back(a, b);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

size_t Common(const std::vector<Pair>& a, const std::vector<Pair>& b) {
  std::vector<Pair> both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  return both.size();
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
  const int dims = argc > 2 ? std::atoi(argv[2]) : 512;
  const float t = argc > 3 ? static_cast<float>(std::atof(argv[3])) : 0.95f;
  const int nprobe = argc > 4 ? std::atoi(argv[4]) : 8;
  std::mt19937 rng(7);
  std::normal_distribution<float> g(0, 1);
  std::uniform_real_distribution<float> u(0, 1);
  std::vector<std::vector<float>> vectors;
  while (vectors.size() < n) {
    std::vector<float> base(static_cast<size_t>(dims));
    for (float& x : base) x = g(rng);
    base = Unit(base);
    vectors.push_back(base);
    if (u(rng) < 0.06f) {  // a group of near copies
      const int copies = 1 + static_cast<int>(rng() % 5);
      for (int c = 0; c < copies && vectors.size() < n; ++c) {
        const float cosine = 0.95f + 0.04f * u(rng);
        std::vector<float> noise(static_cast<size_t>(dims));
        for (float& x : noise) x = g(rng);
        double dot = 0;
        for (int d = 0; d < dims; ++d) dot += double(noise[d]) * base[d];
        for (int d = 0; d < dims; ++d) noise[d] -= static_cast<float>(dot) * base[d];
        noise = Unit(noise);
        std::vector<float> v(static_cast<size_t>(dims));
        const float s = std::sqrt(1 - cosine * cosine);
        for (int d = 0; d < dims; ++d) v[d] = cosine * base[d] + s * noise[d];
        vectors.push_back(Unit(v));
      }
    }
  }
  std::vector<float> flat;
  flat.reserve(n * dims);
  for (const auto& v : vectors) flat.insert(flat.end(), v.begin(), v.end());

  auto t0 = Clock::now();
  faiss::IndexFlatIP exact(dims);
  exact.add(static_cast<faiss::Index::idx_t>(n), flat.data());
  const std::vector<Pair> truth = RangePairs(exact, flat, n, dims, t);
  const double brute_s = Seconds(t0);

  t0 = Clock::now();
  const clipdex::SemanticPairs lsh = clipdex::FindSimilarPairs(vectors, t);
  const double lsh_s = Seconds(t0);

  t0 = Clock::now();
  faiss::IndexFlatIP quantizer(dims);
  const int lists = std::max(64, static_cast<int>(std::sqrt(static_cast<double>(n))));
  faiss::IndexIVFFlat ivf(&quantizer, dims, static_cast<size_t>(lists),
                          faiss::METRIC_INNER_PRODUCT);
  ivf.train(static_cast<faiss::Index::idx_t>(std::min<size_t>(n, 40 * lists)), flat.data());
  ivf.add(static_cast<faiss::Index::idx_t>(n), flat.data());
  ivf.nprobe = static_cast<size_t>(nprobe);
  const std::vector<Pair> ivf_pairs = RangePairs(ivf, flat, n, dims, t);
  const double ivf_s = Seconds(t0);

  std::printf(
      "semantic_pairs_bench: %zu vectors of %d dims, cosine >= %.3f: %zu true pairs "
      "(brute force %.1f s)\n",
      n, dims, t, truth.size(), brute_s);
  std::printf("  %-40s %8s %10s %10s\n", "", "seconds", "pairs", "recall");
  std::printf("  %-40s %8.2f %10zu %10.4f\n",
              ("clipdex LSH (" + std::to_string(lsh.tables) + " tables x " +
               std::to_string(lsh.bits) + " bits)")
                  .c_str(),
              lsh_s, lsh.pairs.size(), Common(lsh.pairs, truth) / double(truth.size()));
  std::printf(
      "  %-40s %8.2f %10zu %10.4f\n",
      ("FAISS IVFFlat (" + std::to_string(lists) + " lists, nprobe " + std::to_string(nprobe) + ")")
          .c_str(),
      ivf_s, ivf_pairs.size(), Common(ivf_pairs, truth) / double(truth.size()));
  return 0;
}

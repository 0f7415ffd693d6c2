// `dedup --semantic` at ten million clips (issue 18): the catalog-scale join of
// curate/semantic_join.h on synthetic CLIP-like embeddings with planted near-duplicates, timed
// phase by phase, with its peak memory and its recall against exact search.
//
// Usage: semantic_join_bench N [threshold=0.95] [memory MB=2048] [queries=400] [dir=/tmp]
//
// Data (clip_like_vectors.h): N vectors of 512 dimensions in scenes and topics; one in 500 is
// replaced by a near-copy of an earlier vector (a re-encode or a crop of the same shot) at cosine
// 0.955-0.995 to it. The vectors stream into the join's spill as dedup streams them from the
// catalog, in the catalog's 8-bit form; pairs near the threshold are decided on the floats
// (regenerated here; dedup reads them from the catalog).
// Recall against exact search: `queries` vectors (half of them planted copies, half any vector)
// compared with all N by brute force (a matrix product per chunk); every pair at or above the
// threshold that involves a query must be among the join's pairs. Planted pairs: the share of
// copy-source pairs at or above the threshold that the join found.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "analyze/clip_embedding.h"
#include "bench_args.h"
#include "clip_like_vectors.h"
#include "curate/semantic_join.h"

extern "C" int sgemm_(const char* transa, const char* transb, const int* m, const int* n,
                      const int* k, const float* alpha, const float* a, const int* lda,
                      const float* b, const int* ldb, const float* beta, float* c, const int* ldc);

namespace {

using Clock = std::chrono::steady_clock;
using clipdex::bench::Generator;
using clipdex::bench::Mix;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

// The source of planted copy i, or -1 when i is no copy.
int64_t SourceOf(int64_t i) {
  if (i < 1000 || Mix(static_cast<uint64_t>(i) ^ 0xd0b1e) % 500 != 0) return -1;
  return i - 1 - static_cast<int64_t>(Mix(static_cast<uint64_t>(i) + 17) % 999);
}

// Vector i with the planted copies (a copy is its source moved to cosine 0.955-0.995), in the
// catalog's form: embedding.clip keeps 8 bits a dimension, and dedup reads what it keeps.
void RawVector(const Generator& gen, int64_t i, float* out);
void PlantedVector(const Generator& gen, int64_t i, float* out) {
  RawVector(gen, i, out);
  const std::vector<float> raw(out, out + gen.dims);
  auto stored = clipdex::DecodeClipEmbedding(clipdex::EncodeClipEmbedding(raw));
  std::copy(stored->begin(), stored->end(), out);
}
void RawVector(const Generator& gen, int64_t i, float* out) {
  const int64_t source = SourceOf(i);
  if (source < 0) {
    gen.Vector(i, out);
    return;
  }
  gen.Vector(source, out);
  std::vector<float> noise(static_cast<size_t>(gen.dims));
  gen.Vector(i, noise.data());  // a direction of its own
  double along = 0;
  for (int d = 0; d < gen.dims; ++d) along += double(noise[d]) * out[d];
  double norm = 0;
  for (int d = 0; d < gen.dims; ++d) {
    noise[d] = static_cast<float>(noise[d] - along * out[d]);
    norm += double(noise[d]) * noise[d];
  }
  const double cosine =
      0.955 + 0.04 * static_cast<double>(Mix(static_cast<uint64_t>(i)) % 1000) / 1000.0;
  const double sine = std::sqrt(1 - cosine * cosine) / std::sqrt(norm);
  for (int d = 0; d < gen.dims; ++d) out[d] = static_cast<float>(cosine * out[d] + sine * noise[d]);
}

void Chunk(const Generator& gen, int64_t from, int64_t m, std::vector<float>* out) {
  out->resize(static_cast<size_t>(m) * gen.dims);
#pragma omp parallel for
  for (int64_t i = 0; i < m; ++i) PlantedVector(gen, from + i, out->data() + i * gen.dims);
}

double DotOf(const Generator& gen, int64_t a, int64_t b) {
  std::vector<float> x(static_cast<size_t>(gen.dims)), y(static_cast<size_t>(gen.dims));
  PlantedVector(gen, a, x.data());
  PlantedVector(gen, b, y.data());
  double s = 0;
  for (int d = 0; d < gen.dims; ++d) s += double(x[d]) * y[d];
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const clipdex::bench::PositionalArgs args(
      argc, argv, 1, "N [threshold=0.95] [memory MB=2048] [queries=400] [dir=/tmp]");
  const int64_t n = args.Int(1, 0);
  const double threshold = args.Real(2, 0.95);
  const size_t memory_mb = static_cast<size_t>(args.Int(3, 2048));
  const int queries = static_cast<int>(args.Int(4, 400));
  const std::string dir = args.Text(5, "/tmp");
  const int64_t chunk = 65536;
  Generator gen;
  gen.clusters = std::max<int64_t>(100, n / 100);
  gen.Init();

  // Phase 1: stream every vector into the spill (generation timed apart).
  auto spill = clipdex::EmbeddingSpill::Create(dir, static_cast<size_t>(n), threshold);
  if (!spill.ok()) {
    std::fprintf(stderr, "%s\n", spill.status().message().c_str());
    return 1;
  }
  std::vector<float> buf;
  std::vector<float> one(static_cast<size_t>(gen.dims));
  double generate_s = 0;
  const auto t_spill = Clock::now();
  for (int64_t from = 0; from < n; from += chunk) {
    const int64_t m = std::min(chunk, n - from);
    const auto t_gen = Clock::now();
    Chunk(gen, from, m, &buf);
    generate_s += Seconds(t_gen);
    for (int64_t i = 0; i < m; ++i) {
      one.assign(buf.begin() + i * gen.dims, buf.begin() + (i + 1) * gen.dims);
      if (auto st = spill->Add(static_cast<uint32_t>(from + i), one); !st.ok()) {
        std::fprintf(stderr, "%s\n", st.message().c_str());
        return 1;
      }
    }
    if ((from / chunk) % 16 == 0) std::fprintf(stderr, "\r  spilled %lld", (long long)(from + m));
  }
  std::fprintf(stderr, "\n");
  const double spill_s = Seconds(t_spill) - generate_s;

  // Phase 2: the join.
  clipdex::SemanticJoinOptions options;
  options.memory_budget = memory_mb << 20;
  const auto t_join = Clock::now();
  auto joined = clipdex::SemanticJoinPairs(*spill, options);
  if (!joined.ok()) {
    std::fprintf(stderr, "%s\n", joined.status().message().c_str());
    return 1;
  }
  const double join_s = Seconds(t_join);
  // Phase 3: borderline pairs on the floats (dedup reads them from the catalog).
  const auto t_near = Clock::now();
  std::vector<std::pair<uint32_t, uint32_t>> pairs = joined->pairs;
  for (const auto& [a, b] : joined->borderline) {
    if (DotOf(gen, a, b) >= threshold - 1e-6) pairs.emplace_back(a, b);
  }
  std::sort(pairs.begin(), pairs.end());
  const double near_s = Seconds(t_near);
  const double peak_mb = PeakRssMb();

  // Planted pairs at or above the threshold, and how many the join found.
  long planted = 0, planted_found = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t s = SourceOf(i);
    if (s < 0 || DotOf(gen, s, i) < threshold) continue;
    ++planted;
    planted_found +=
        std::binary_search(pairs.begin(), pairs.end(),
                           std::make_pair(static_cast<uint32_t>(s), static_cast<uint32_t>(i)));
  }

  // Exact pairs of the queries by brute force over all N.
  std::vector<int64_t> qids;
  for (int64_t i = 0; i < n && static_cast<int>(qids.size()) < queries / 2; ++i) {
    if (SourceOf(i) >= 0) qids.push_back(i);
  }
  for (int q = 0; static_cast<int>(qids.size()) < queries; ++q) {
    qids.push_back(
        static_cast<int64_t>(Mix(static_cast<uint64_t>(q) + 99) % static_cast<uint64_t>(n)));
  }
  const int nq = static_cast<int>(qids.size());
  std::vector<float> qv(static_cast<size_t>(nq) * gen.dims);
  for (int q = 0; q < nq; ++q) PlantedVector(gen, qids[q], qv.data() + q * gen.dims);
  const auto t_exact = Clock::now();
  long exact_pairs = 0, exact_found = 0;
  std::vector<float> products;
  for (int64_t from = 0; from < n; from += chunk) {
    const int64_t m = std::min(chunk, n - from);
    Chunk(gen, from, m, &buf);
    products.resize(static_cast<size_t>(nq) * m);
    const char t = 'T', p = 'N';
    const int rows = nq, cols = static_cast<int>(m), depth = gen.dims;
    const float alpha = 1, beta = 0;
    sgemm_(&t, &p, &rows, &cols, &depth, &alpha, qv.data(), &depth, buf.data(), &depth, &beta,
           products.data(), &rows);
    for (int64_t j = 0; j < m; ++j) {
      for (int q = 0; q < nq; ++q) {
        const int64_t other = from + j;
        if (other == qids[q] || products[j * nq + q] < threshold - 1e-4) continue;
        if (DotOf(gen, qids[q], other) < threshold) continue;  // the float test, not BLAS's
        ++exact_pairs;
        const auto key = std::make_pair(static_cast<uint32_t>(std::min(other, qids[q])),
                                        static_cast<uint32_t>(std::max(other, qids[q])));
        exact_found += std::binary_search(pairs.begin(), pairs.end(), key);
      }
    }
  }
  const double exact_s = Seconds(t_exact);

  std::printf(
      "semantic_join_bench: %lld vectors of %d dims (clip model, 1 in 500 a planted copy), "
      "cosine >= %.3f, memory %zu MB\n",
      (long long)n, gen.dims, threshold, memory_mb);
  std::printf("  LSH %d tables x %d bits, %d blocks; candidates %ld, borderline %zu, pairs %zu\n",
              joined->shape.tables, joined->shape.bits, joined->blocks, joined->candidates,
              joined->borderline.size(), pairs.size());
  std::printf("  bucket pairs %ld, past the sketch %ld; bucketing %.1f s, verifying %.1f s\n",
              joined->bucket_pairs, joined->raw_candidates, joined->bucket_seconds,
              joined->verify_seconds);
  std::printf(
      "  spill %.1f s (generation %.1f s apart), join %.1f s, borderline on floats %.1f s; "
      "total %.1f s; peak RSS %.0f MB\n",
      spill_s, generate_s, join_s, near_s, spill_s + join_s + near_s, peak_mb);
  std::printf("  planted pairs found %ld / %ld (%.4f)\n", planted_found, planted,
              planted ? double(planted_found) / planted : 1.0);
  std::printf("  exact pairs of %d queries found %ld / %ld (recall %.4f; brute force %.1f s)\n", nq,
              exact_found, exact_pairs, exact_pairs ? double(exact_found) / exact_pairs : 1.0,
              exact_s);
  return 0;
}

// Query by example over millions of clip embeddings (issue 18): the approximate index clipdex
// builds above ann_min_clips (search/ann_index.h: FAISS IVF with 8-bit scalar quantisation,
// inner product on unit vectors), measured against exact search.
//
// Usage: embedding_ann_bench N [dims=512] [queries=200] [nprobe list, e.g. 8,16,32,64]
//
// Data: N synthetic unit vectors with the structure of real CLIP embeddings of video clips:
// clusters (one per "scene"; N/100 of them) of varying spread, the clips of one scene at cosine
// 0.94 down to 1/sqrt(1 + spread_max^2) to its centre (0.74 at the default 0.9; pairs of clips of
// one scene about the square of that), plus 10 % of loose clips that belong to no scene (random
// directions: their "neighbours" are no closer than chance, the hardest queries for any index).
// They are generated in chunks from a seed, never all held in memory as floats (10M x 512 floats =
// 20 GB). Queries: the embeddings of `queries` clips of the set, as `search --like CLIP` sends
// them. Exact top-10: a second streaming pass over the same chunks, every query against every
// vector. Latency: one query at a time on one thread (the server runs each search on one thread),
// p50 and p99 over the queries; recall@10 = |approx top-10 ∩ exact top-10| / 10, averaged.
#include <faiss/IndexFlat.h>
#include <faiss/IndexIVF.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "bench_args.h"
#include "clip_like_vectors.h"
#include "search/ann_index.h"

namespace {

using clipdex::bench::Generator;

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::vector<int> ParseList(const char* s) {
  std::vector<int> out;
  for (const char* p = s; *p;) {
    out.push_back(std::atoi(p));
    while (*p && *p != ',') ++p;
    if (*p == ',') ++p;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const clipdex::bench::PositionalArgs args(
      argc, argv, 1,
      "N [dims=512] [queries=200] [nprobe list=8,16,32,64] [spread=0.9] [clip|iso] [cache dir]");
  const int64_t n = args.Int(1, 0);
  const int dims = static_cast<int>(args.Int(2, 512));
  const int queries = static_cast<int>(args.Int(3, 200));
  const std::vector<int> nprobes = ParseList(args.Text(4, "8,16,32,64").c_str());
  const int64_t chunk = 100000;
  const int k = 10;
  const float spread_max = static_cast<float>(args.Real(5, 0.9));
  Generator gen;
  gen.dims = dims;
  gen.clusters = std::max<int64_t>(100, n / 100);
  gen.spread_max = spread_max;
  gen.structured = args.Text(6, "clip") != "iso";
  gen.Init();

  // Build, as clipdex does: train on a sample, then add every vector with its id. With a cache
  // directory (7th argument) the index and the exact answers are kept there and reused, so the
  // queries can be timed again on a quiet machine without the ~10 min build.
  const std::string cache = args.Text(7, "");
  const std::string cache_index = cache.empty() ? "" : cache + "/index.ann";
  const std::string cache_exact = cache.empty() ? "" : cache + "/exact.txt";
  std::unique_ptr<clipdex::AnnIndex> index;
  std::vector<float> buf;
  double train_s = 0, add_s = 0, load_s = -1;
  int64_t train_n = 0;
  if (!cache_index.empty()) {
    auto t = Clock::now();
    auto loaded = clipdex::AnnIndex::Load(cache_index);
    if (loaded.ok()) {
      index = std::move(*loaded);
      load_s = Seconds(t);
    }
  }
  if (!index) {
    auto t0 = Clock::now();
    index = std::make_unique<clipdex::AnnIndex>(dims, clipdex::AnnIndex::ListsFor(n));
    train_n = std::min<int64_t>(n, clipdex::AnnIndex::TrainingSize(index->lists()));
    {
      std::vector<float> train(static_cast<size_t>(train_n) * dims);
      std::vector<float> one(dims);
      // Every (n / train_n)-th vector: a sample spread over the whole set.
      for (int64_t j = 0; j < train_n; ++j) {
        gen.Vector(j * (n / train_n), one.data());
        std::copy(one.begin(), one.end(), train.begin() + j * dims);
      }
      index->Train(train.data(), train_n);
    }
    train_s = Seconds(t0);
    auto t1 = Clock::now();
    std::vector<int64_t> ids;
    for (int64_t from = 0; from < n; from += chunk) {
      const int64_t m = std::min(chunk, n - from);
      gen.Chunk(from, m, &buf);
      ids.resize(static_cast<size_t>(m));
      for (int64_t i = 0; i < m; ++i) ids[static_cast<size_t>(i)] = from + i + 1;  // ids from 1
      index->Add(buf.data(), ids.data(), m);
      if ((from / chunk) % 10 == 0)
        std::fprintf(stderr, "\r  added %lld", static_cast<long long>(from + m));
    }
    std::fprintf(stderr, "\n");
    add_s = Seconds(t1);
    if (!cache_index.empty() && !index->Save(cache_index).ok()) {
      std::fprintf(stderr, "cannot write %s\n", cache_index.c_str());
    }
  }

  // Queries: clips of the set, evenly spread.
  std::vector<float> qv(static_cast<size_t>(queries) * dims);
  for (int q = 0; q < queries; ++q)
    gen.Vector(static_cast<int64_t>(q) * (n / queries) + 7, qv.data() + q * dims);

  // Exact top-k by streaming every chunk through a flat inner-product index (or from the cache).
  auto t2 = Clock::now();
  std::vector<std::vector<int64_t>> exact(static_cast<size_t>(queries));
  bool exact_cached = false;
  if (!cache_exact.empty()) {
    std::ifstream in(cache_exact);
    int64_t id;
    for (int q = 0; q < queries && in; ++q) {
      for (int j = 0; j < k && in >> id; ++j) exact[static_cast<size_t>(q)].push_back(id);
    }
    exact_cached = in && static_cast<int>(exact.back().size()) == k;
  }
  if (!exact_cached) {
    for (auto& e : exact) e.clear();
    using Hit = std::pair<float, int64_t>;  // (score, id): a min-heap of the best k per query
    std::vector<std::priority_queue<Hit, std::vector<Hit>, std::greater<Hit>>> best(
        static_cast<size_t>(queries));
    std::vector<float> dist(static_cast<size_t>(queries) * k);
    std::vector<faiss::Index::idx_t> lab(static_cast<size_t>(queries) * k);
    for (int64_t from = 0; from < n; from += chunk) {
      const int64_t m = std::min(chunk, n - from);
      gen.Chunk(from, m, &buf);
      faiss::IndexFlatIP flat(dims);
      flat.add(m, buf.data());
      flat.search(queries, qv.data(), k, dist.data(), lab.data());
      for (int q = 0; q < queries; ++q) {
        auto& heap = best[static_cast<size_t>(q)];
        for (int j = 0; j < k; ++j) {
          const Hit h{dist[q * k + j], from + lab[q * k + j] + 1};
          if (static_cast<int>(heap.size()) < k) {
            heap.push(h);
          } else if (h.first > heap.top().first) {
            heap.pop();
            heap.push(h);
          }
        }
      }
    }
    for (int q = 0; q < queries; ++q) {
      for (auto& heap = best[static_cast<size_t>(q)]; !heap.empty(); heap.pop())
        exact[q].push_back(heap.top().second);
    }
    if (!cache_exact.empty()) {
      std::ofstream out(cache_exact);
      for (const auto& e : exact) {
        for (int64_t id : e) out << id << ' ';
        out << '\n';
      }
    }
  }
  const double exact_s = Seconds(t2);

  std::printf(
      "embedding_ann_bench: %lld vectors of %d dims (%s model), %lld scenes; IVF lists %d, SQ8\n",
      static_cast<long long>(n), dims, gen.structured ? "clip" : "iso",
      static_cast<long long>(gen.clusters), index->lists());
  if (load_s >= 0) {
    std::printf("  index loaded from %s in %.1f s; exact top-%d of %d queries %.1f s%s\n",
                cache_index.c_str(), load_s, k, queries, exact_s, exact_cached ? " (cached)" : "");
  } else {
    std::printf(
        "  train %.1f s on %lld, add %.1f s (%.0f vectors/s), exact top-%d of %d queries %.1f s\n",
        train_s, static_cast<long long>(train_n), add_s, n / add_s, k, queries, exact_s);
  }
  std::printf("  index memory %.0f MB (%.0f bytes a clip)\n", index->MemoryBytes() / 1e6,
              static_cast<double>(index->MemoryBytes()) / static_cast<double>(n));
  std::printf("  %-7s %10s %10s %10s %12s %12s\n", "nprobe", "p50 ms", "p99 ms", "recall@10",
              "(scene clips", "loose clips)");
  for (int nprobe : nprobes) {
    std::vector<double> ms;
    double recall = 0, recall_scene = 0, recall_loose = 0;
    int loose = 0;
    for (int q = 0; q < queries; ++q) {
      auto tq = Clock::now();
      const auto hits = index->Search(qv.data() + q * dims, k, nprobe);
      ms.push_back(Seconds(tq) * 1000);
      int found = 0;
      for (const auto& h : hits) {
        found += std::count(exact[q].begin(), exact[q].end(), h.id) > 0;
      }
      recall += found / static_cast<double>(k);
      if (gen.Loose(static_cast<int64_t>(q) * (n / queries) + 7)) {
        recall_loose += found / static_cast<double>(k);
        ++loose;
      } else {
        recall_scene += found / static_cast<double>(k);
      }
    }
    std::sort(ms.begin(), ms.end());
    const auto at = [&](double p) {
      return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))];
    };
    std::printf("  %-7d %10.2f %10.2f %10.3f %12.3f %12.3f\n", nprobe, at(0.5), at(0.99),
                recall / queries, recall_scene / std::max(1, queries - loose),
                recall_loose / std::max(1, loose));
  }
  return 0;
}

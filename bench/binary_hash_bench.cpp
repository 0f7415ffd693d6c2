// Candidate search of `clipdex dedup` (every stored 64-bit frame hash within r bits of a query)
// with clipdex's multi-index hash (curate/multi_index_hash.h) against FAISS's
// IndexBinaryMultiHash, the library's structure for the same job (issue 18 asks to use a library
// where one does the job as well). Same codes, same queries, same radius; prints build time,
// query time, memory growth and whether both found the same neighbours.
//
// Usage: binary_hash_bench [codes=3200000] [queries=100000] [radius=4] [mih]
//   (a fourth argument `mih` times clipdex's index alone, for A/B runs of its own changes;
//   MIH_CHUNKS=m forces m chunks instead of the cost model's choice)
// Codes: random 64-bit words, and for every 32nd a planted copy 1..radius bits away, as frame
// hashes of near-duplicate clips would be; queries: stored codes, evenly spread.
#include <faiss/IndexBinaryHash.h>
#include <faiss/impl/AuxIndexStructures.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "curate/multi_index_hash.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Resident set size of this process in MB (from /proc/self/status).
double RssMb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 3200000;
  const size_t queries = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100000;
  const int radius = argc > 3 ? std::atoi(argv[3]) : 4;
  std::mt19937_64 rng(42);
  std::vector<uint64_t> codes(n);
  for (size_t i = 0; i < n; ++i) {
    if (i % 32 == 1) {  // a near copy of the previous code
      uint64_t c = codes[i - 1];
      const int flips = 1 + static_cast<int>(rng() % radius);
      for (int f = 0; f < flips; ++f) c ^= uint64_t{1} << (rng() % 64);
      codes[i] = c;
    } else {
      codes[i] = rng();
    }
  }
  std::vector<uint64_t> qs(queries);
  for (size_t q = 0; q < queries; ++q) qs[q] = codes[q * (n / queries)];

  // clipdex's multi-index hash.
  double rss0 = RssMb();
  auto t0 = Clock::now();
  // MIH_CHUNKS overrides the cost model's choice (to check the model).
  const char* forced = std::getenv("MIH_CHUNKS");
  const int chunks = forced != nullptr && std::atoi(forced) > 0
                         ? std::atoi(forced)
                         : clipdex::MultiIndexHash::ChunksFor(n, radius);
  clipdex::MultiIndexHash mih(chunks);
  for (size_t i = 0; i < n; ++i) mih.Add(codes[i], static_cast<uint32_t>(i));
  mih.Build();
  const double mih_build = Seconds(t0);
  const double mih_mb = RssMb() - rss0;
  t0 = Clock::now();
  std::vector<clipdex::MultiIndexHash::Hit> hits;
  size_t mih_found = 0;
  for (uint64_t q : qs) {
    mih.Query(q, radius, &hits);
    mih_found += hits.size();
  }
  const double mih_query = Seconds(t0);
  if (argc > 4 && std::string(argv[4]) == "mih") {
    std::printf(
        "clipdex MultiIndexHash (%d chunks): %zu codes, %zu queries, radius %d: build %.2f "
        "s, query %.2f s (%.2f us a query), %.0f MB, %zu found\n",
        chunks, n, queries, radius, mih_build, mih_query, 1e6 * mih_query / queries, mih_mb,
        mih_found);
    return 0;
  }

  // FAISS: `chunks` hash tables of 64 / chunks bits, probed with radius / chunks bit flips (the
  // same pigeonhole guarantee).
  rss0 = RssMb();
  t0 = Clock::now();
  const int b = 64 / chunks;
  faiss::IndexBinaryMultiHash fmh(64, chunks, b);
  fmh.nflip = radius / chunks;
  fmh.add(static_cast<faiss::Index::idx_t>(n), reinterpret_cast<const uint8_t*>(codes.data()));
  const double faiss_build = Seconds(t0);
  const double faiss_mb = RssMb() - rss0;
  t0 = Clock::now();
  size_t faiss_found = 0;
  const size_t batch = 1000;
  for (size_t q = 0; q < queries; q += batch) {
    const size_t m = std::min(batch, queries - q);
    faiss::RangeSearchResult result(static_cast<faiss::Index::idx_t>(m));
    fmh.range_search(static_cast<faiss::Index::idx_t>(m),
                     reinterpret_cast<const uint8_t*>(qs.data() + q), radius + 1, &result);
    faiss_found += result.lims[m];
  }
  const double faiss_query = Seconds(t0);

  std::printf("binary_hash_bench: %zu codes, %zu queries, radius %d\n", n, queries, radius);
  std::printf("  %-32s %8s %8s %10s %10s\n", "", "build s", "query s", "memory MB", "found");
  std::printf("  %-32s %8.2f %8.2f %10.0f %10zu\n",
              ("clipdex MultiIndexHash (" + std::to_string(chunks) + " chunks)").c_str(), mih_build,
              mih_query, mih_mb, mih_found);
  std::printf("  %-32s %8.2f %8.2f %10.0f %10zu\n",
              ("FAISS IndexBinaryMultiHash (" + std::to_string(chunks) + "x" + std::to_string(b) +
               " bits, " + std::to_string(fmh.nflip) + " flips)")
                  .c_str(),
              faiss_build, faiss_query, faiss_mb, faiss_found);
  return 0;
}

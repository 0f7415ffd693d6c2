#include "curate/multi_index_hash.h"

#include <algorithm>
#include <cmath>

#include "util/hamming.h"

namespace clipdex {
namespace {

constexpr int kMaxChunkBits = 24;

// Calls fn(v) for every value of `bits` bits within `radius` bit flips of `value`.
template <typename Fn>
void ForEachNeighbour(uint32_t value, int bits, int radius, int first_bit, Fn&& fn) {
  fn(value);
  if (radius == 0) return;
  for (int b = first_bit; b < bits; ++b) {
    ForEachNeighbour(value ^ (1u << b), bits, radius - 1, b + 1, fn);
  }
}

}  // namespace

int MultiIndexHash::ChunksFor(size_t code_count, int max_distance) {
  // Cost model of one query, in nanoseconds: each probed bucket is a cache miss (~100 ns), each
  // code in it a sequential read and popcount (~3 ns, measured with prefetching queries). The
  // paper's rule (chunks of log2(n) bits) minimises codes read, but at radius > 0 it probes
  // hundreds of buckets; with the codes stored inline in the buckets, a few probes into fuller
  // buckets often win. Each chunk is costed at its own width (the constructor gives the first
  // 64 % m chunks one bit more): costing every chunk at 64 / m bits overstated the buckets of 5
  // chunks and chose 4 at radius 12, 1.47x slower at 3.2M codes (bench/binary_hash_bench.cpp,
  // MIH_CHUNKS).
  const double n = std::max<double>(1.0, static_cast<double>(code_count));
  const int r = std::max(0, max_distance);
  int best = 4;
  double best_cost = -1;
  for (int m = (64 + kMaxChunkBits - 1) / kMaxChunkBits; m <= 16; ++m) {
    const int radius = r / m;
    double probes = 0, scanned = 0;
    for (int c = 0; c < m; ++c) {
      const int bits = 64 / m + (c < 64 % m ? 1 : 0);
      double probes_per_chunk = 0, choose = 1;  // sum of C(bits, k) for k <= radius
      for (int k = 0; k <= radius && k <= bits; ++k) {
        probes_per_chunk += choose;
        choose = choose * (bits - k) / (k + 1);
      }
      probes += probes_per_chunk;
      scanned += probes_per_chunk * n / std::ldexp(1.0, bits);
    }
    const double cost = probes * 100 + scanned * 3;
    if (best_cost < 0 || cost < best_cost) {
      best_cost = cost;
      best = m;
    }
  }
  return best;
}

MultiIndexHash::MultiIndexHash(int chunks) {
  chunks = std::clamp(chunks, (64 + kMaxChunkBits - 1) / kMaxChunkBits, 16);
  int shift = 0;
  for (int c = 0; c < chunks; ++c) {
    // Spread the remainder so chunk sizes differ by at most one bit.
    const int bits = 64 / chunks + (c < 64 % chunks ? 1 : 0);
    chunk_shift_.push_back(shift);
    chunk_bits_.push_back(bits);
    chunk_mask_.push_back((uint64_t{1} << bits) - 1);
    shift += bits;
  }
}

void MultiIndexHash::Add(uint64_t code, uint32_t id) {
  codes_.push_back(code);
  ids_.push_back(id);
}

void MultiIndexHash::Build() {
  const int m = chunks();
  size_ = codes_.size();
  offsets_.assign(m, {});
  entry_ids_.assign(m, {});
  entry_codes_.assign(m, {});
  // Chunk 0's table is built from what Add collected, which is then freed; the other chunks are
  // built from chunk 0's table (the same codes in another order), so the build never holds more
  // than the finished tables.
  for (int c = 0; c < m; ++c) {
    const std::vector<uint64_t>& from_codes = c == 0 ? codes_ : entry_codes_[0];
    const std::vector<uint32_t>& from_ids = c == 0 ? ids_ : entry_ids_[0];
    std::vector<uint32_t>& off = offsets_[c];
    off.assign((size_t{1} << chunk_bits_[c]) + 1, 0);
    for (uint64_t code : from_codes) ++off[ChunkOf(code, c) + 1];
    for (size_t v = 1; v < off.size(); ++v) off[v] += off[v - 1];
    std::vector<uint32_t> fill(off.begin(), off.end() - 1);
    std::vector<uint32_t>& ids = entry_ids_[c];
    std::vector<uint64_t>& codes = entry_codes_[c];
    ids.resize(size_);
    codes.resize(size_);
    for (size_t p = 0; p < size_; ++p) {
      const uint32_t k = fill[ChunkOf(from_codes[p], c)]++;
      ids[k] = from_ids[p];
      codes[k] = from_codes[p];
    }
    if (c == 0) {
      std::vector<uint64_t>().swap(codes_);
      std::vector<uint32_t>().swap(ids_);
    }
  }
}

void MultiIndexHash::Query(uint64_t query, int max_distance, std::vector<Hit>* out) const {
  out->clear();
  if (size_ == 0 || offsets_.empty()) return;
  const int m = chunks();
  const int radius = std::max(0, max_distance) / m;
  // Each probed bucket costs two cache misses at corpus scale (its offsets, then its codes), and
  // a query probes dozens (3 chunks x 22 values at radius 4). Resolving them in passes -- every
  // bucket's offsets prefetched, then every bucket's first codes, then the scans -- lets the
  // misses overlap instead of waiting for each in turn (bench/binary_hash_bench.cpp ... mih).
  struct Probe {
    int chunk;
    uint32_t value, begin, end;
  };
  thread_local std::vector<Probe> probes;
  probes.clear();
  for (int c = 0; c < m; ++c) {
    ForEachNeighbour(ChunkOf(query, c), chunk_bits_[c], radius, 0, [&](uint32_t v) {
      probes.push_back({c, v, 0, 0});
      __builtin_prefetch(offsets_[c].data() + v);
    });
  }
  for (Probe& p : probes) {
    const std::vector<uint32_t>& off = offsets_[p.chunk];
    p.begin = off[p.value];
    p.end = off[p.value + 1];
    if (p.begin < p.end) __builtin_prefetch(entry_codes_[p.chunk].data() + p.begin);
  }
  for (const Probe& p : probes) {
    const std::vector<uint32_t>& ids = entry_ids_[p.chunk];
    const std::vector<uint64_t>& codes = entry_codes_[p.chunk];
    for (uint32_t k = p.begin; k < p.end; ++k) {
      if (HammingDistance(codes[k], query) <= max_distance) out->push_back({ids[k], codes[k]});
    }
  }
  // A code close to the query may share several chunks with it and be found more than once.
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

}  // namespace clipdex

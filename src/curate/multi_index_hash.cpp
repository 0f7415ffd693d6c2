#include "curate/multi_index_hash.h"

#include <algorithm>
#include <cmath>

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
  const double log_n = std::log2(std::max<double>(2.0, static_cast<double>(code_count)));
  int m = static_cast<int>(std::lround(64.0 / std::clamp(log_n, 4.0, 21.0)));
  // Never more chunks than the distance needs: with m > r + 1 the probe radius is already 0.
  m = std::clamp(m, 3, std::max(3, max_distance + 1));
  return std::min(m, 16);
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
  offsets_.assign(m, {});
  entries_.assign(m, {});
  for (int c = 0; c < m; ++c) {
    std::vector<uint32_t>& off = offsets_[c];
    off.assign((size_t{1} << chunk_bits_[c]) + 1, 0);
    for (uint64_t code : codes_) ++off[ChunkOf(code, c) + 1];
    for (size_t v = 1; v < off.size(); ++v) off[v] += off[v - 1];
    std::vector<uint32_t> fill(off.begin(), off.end() - 1);
    std::vector<uint32_t>& ent = entries_[c];
    ent.resize(codes_.size());
    for (uint32_t p = 0; p < codes_.size(); ++p) ent[fill[ChunkOf(codes_[p], c)]++] = p;
  }
}

void MultiIndexHash::Query(uint64_t query, int max_distance, std::vector<uint32_t>* out) const {
  out->clear();
  if (codes_.empty() || offsets_.empty()) return;
  const int m = chunks();
  const int radius = std::max(0, max_distance) / m;
  for (int c = 0; c < m; ++c) {
    const std::vector<uint32_t>& off = offsets_[c];
    const std::vector<uint32_t>& ent = entries_[c];
    ForEachNeighbour(ChunkOf(query, c), chunk_bits_[c], radius, 0, [&](uint32_t v) {
      for (uint32_t k = off[v]; k < off[v + 1]; ++k) {
        const uint32_t p = ent[k];
        if (__builtin_popcountll(codes_[p] ^ query) <= max_distance) out->push_back(p);
      }
    });
  }
  // A code close to the query may share several chunks with it and be found more than once.
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

}  // namespace clipdex

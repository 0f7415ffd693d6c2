// MultiIndexHash: finds every stored 64-bit code within Hamming distance r of a query without
// comparing the query with all codes (multi-index hashing: Norouzi, Punjani and Fleet, "Fast
// Search in Hamming Space with Multi-Index Hashing", CVPR 2012).
//
// The 64 bits are split into m disjoint chunks, each with its own exact-match table. Pigeonhole:
// if two codes differ in at most r bits, then some chunk differs in at most floor(r / m) bits
// (otherwise the chunks together would differ in more than r). So a query probes, in every chunk
// table, the buckets of all chunk values within floor(r / m) of its own chunk, and checks the full
// distance of what it finds. With m = r + 1 the probe radius is 0 (one shared chunk exactly), but
// the chunks are then so short (64 / 9 = 7 bits for r = 8) that each bucket holds a large share
// of all codes at corpus scale. ChunksFor() picks m from a cost model (probed buckets are cache
// misses, codes in a bucket are sequential reads): for 3.2M codes at r = 4 it picks 3 chunks of
// 21-22 bits probed at radius 1 (bench/dedup_scale.sh: 7.6 s of candidate search for 101k clips,
// against 10.4 s with the pigeonhole-exact r + 1 = 5 chunks); for 65k codes at r = 8, 5 chunks.
//
// A query resolves its probes in passes with prefetches (every bucket's offsets, then every
// bucket's first codes, then the scans), so its cache misses overlap: 2.65x fewer microseconds a
// query at 32M codes and radius 4 than probing bucket by bucket (bench/binary_hash_bench.cpp).
//
// Not thread-safe to build; Query() is const and may run from several threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace clipdex {

class MultiIndexHash {
 public:
  // Chunks for `code_count` stored codes searched at radius `max_distance` (3..16 chunks, each
  // at most 24 bits so the tables stay small); see the cost model in the .cpp.
  static int ChunksFor(size_t code_count, int max_distance);

  // `chunks` in 1..16 and 64 / chunks <= 24 bits per chunk (so chunks >= 3).
  explicit MultiIndexHash(int chunks);

  // Stores a code under a caller-chosen id (ids need not be unique or dense).
  void Add(uint64_t code, uint32_t id);
  // Builds the tables; call once after the last Add and before Query. The tables are then the
  // only copy of the codes (12 bytes a code and chunk; the list Add filled is freed).
  void Build();

  size_t size() const { return size_; }
  int chunks() const { return static_cast<int>(chunk_shift_.size()); }

  // A stored code and its id.
  struct Hit {
    uint32_t id = 0;
    uint64_t code = 0;
    bool operator==(const Hit&) const = default;
    bool operator<(const Hit& o) const { return id != o.id ? id < o.id : code < o.code; }
  };
  // Every stored (id, code) whose code is within `max_distance` bits of `query`, each once, by
  // id then code. `out` is cleared first.
  void Query(uint64_t query, int max_distance, std::vector<Hit>* out) const;

 private:
  uint32_t ChunkOf(uint64_t code, int chunk) const {
    return static_cast<uint32_t>((code >> chunk_shift_[chunk]) & chunk_mask_[chunk]);
  }

  std::vector<int> chunk_shift_;
  std::vector<uint64_t> chunk_mask_;
  std::vector<int> chunk_bits_;
  size_t size_ = 0;
  // What Add collected, until Build.
  std::vector<uint64_t> codes_;
  std::vector<uint32_t> ids_;
  // Per chunk, a CSR table: the ids and codes with chunk value v are
  // entry_ids_[c] and entry_codes_[c] at [offsets_[c][v], offsets_[c][v + 1]). The codes sit in
  // the buckets so a scan reads them sequentially.
  std::vector<std::vector<uint32_t>> offsets_;
  std::vector<std::vector<uint32_t>> entry_ids_;
  std::vector<std::vector<uint64_t>> entry_codes_;
};

}  // namespace clipdex

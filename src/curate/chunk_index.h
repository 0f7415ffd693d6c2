// ChunkIndex: dedup's codes kept on disk, sorted by chunk value, so an incremental run over a
// catalog of millions of clips looks up only what its new clips need: time proportional to the
// new clips instead of a pass over every old clip's codes (curate/dedup.h, "Incremental runs").
//
// The index is a list of segments in the dataset directory (`dedup-index/`): the full chunk-join
// run (curate/chunk_join.h) writes one segment of every clip, each incremental run adds one of
// its new clips; the manifest names them with the settings and clip count they cover. A segment
// holds, for each of the join's chunks, every code of every clip as an entry (code, clip, role:
// stored / query / windows) sorted by that chunk's value, with a coarse table of offsets by the
// value's top bits (about 64 entries a coarse bucket, at most one a value); a lookup reads one
// coarse bucket with one pread and scans it.
//
// Layout of a segment (little-endian; chunk sections 8-byte aligned):
//   "CDXCHIX3", u32 chunks, u32 coarse bits C, u64 clips, u64 first (global index of the
//   segment's clip 0), per chunk: u32 bits, u32 shift, u64 entries;
//   i64 clip ids [clips];
//   per chunk: u64 coarse offsets [2^min(C, bits) + 1], records [entries] of u64 code and u32
//   meta (12 bytes, packed; + padding to 8).
// meta: clip index within the segment (low 29 bits) | kStored | kQuery | kWindows.
//
// Lookups see a segment exactly as written: nothing here checks that the catalog still matches;
// RunDedup uses the index only when the manifest's clip count and settings are the last run's.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "curate/dedup_codes.h"
#include "util/status.h"

namespace clipdex {

inline constexpr uint32_t kEntryStored = 1u << 31;   // a stored code of the clip
inline constexpr uint32_t kEntryQuery = 1u << 30;    // a query or mirrored code of the clip
inline constexpr uint32_t kEntryWindows = 1u << 29;  // the clip's codes have windows (radius)
inline constexpr uint32_t kEntryClipMask = (1u << 29) - 1;

// The chunk layout shared by the join and the index: `chunks` parts of 64 bits, the first
// 64 % chunks one bit longer.
struct ChunkLayout {
  std::vector<int> bits, shift;
  explicit ChunkLayout(int chunks);
  int chunks() const { return static_cast<int>(bits.size()); }
  uint32_t ValueOf(uint64_t code, int c) const {
    return static_cast<uint32_t>((code >> shift[c]) & ((uint64_t{1} << bits[c]) - 1));
  }
};

// Calls fn(code, roles) for each entry of a clip: its stored codes only (`all_roles` false: what
// the join itself needs), or every distinct code of its stored, query and mirrored lists with
// the roles it has (what the index keeps). `merged` is scratch space.
template <typename Fn>
void ForEachIndexEntry(const ClipCodesView& v, bool all_roles,
                       std::vector<std::pair<uint64_t, uint32_t>>* merged, Fn&& fn) {
  const uint32_t windows = v.has_windows ? kEntryWindows : 0;
  if (!all_roles) {
    for (uint32_t k = 0; k < v.counts[0]; ++k) fn(v.Code(0, k), kEntryStored | windows);
    return;
  }
  merged->clear();
  for (int list = 0; list < 3; ++list) {
    const uint32_t role = list == 0 ? kEntryStored : kEntryQuery;
    for (uint32_t k = 0; k < v.counts[list]; ++k) merged->emplace_back(v.Code(list, k), role);
  }
  std::sort(merged->begin(), merged->end());
  for (size_t k = 0; k < merged->size();) {
    const uint64_t code = (*merged)[k].first;
    uint32_t roles = 0;
    for (; k < merged->size() && (*merged)[k].first == code; ++k) roles |= (*merged)[k].second;
    fn(code, roles | windows);
  }
}

// Writes one segment sequentially: Begin, then for each chunk in order BeginChunk with the count of
// entries of every chunk value and Append the entries in value order, then Finish (fsync and
// rename into place: a segment file is whole or absent).
class ChunkIndexWriter {
 public:
  // Error: "dedup index: cannot write PATH (<reason>)".
  static Result<std::unique_ptr<ChunkIndexWriter>> Begin(const std::filesystem::path& path,
                                                         const ChunkLayout& layout,
                                                         const std::vector<int64_t>& clip_ids,
                                                         uint64_t first,
                                                         const std::vector<uint64_t>& entries);
  ~ChunkIndexWriter();
  // counts[v] = entries of chunk value v (size 2^bits).
  Status BeginChunk(int c, const std::vector<uint32_t>& counts);
  Status Append(const uint64_t* codes, const uint32_t* meta, size_t n);
  Status Finish();

 private:
  ChunkIndexWriter() = default;
  Status WriteAt(uint64_t at, const void* data, size_t bytes);
  std::filesystem::path path_, temp_;
  int fd_ = -1;
  std::vector<uint64_t> entries_;
  uint64_t end_ = 0;       // bytes laid out so far
  uint64_t codes_at_ = 0;  // where the current chunk's next codes go
  uint64_t meta_at_ = 0;   // and its next meta
  uint64_t left_ = 0;      // entries the current chunk still expects
  int coarse_bits_ = 0;    // see CoarseBitsFor (chunk_index.cpp)
};

// A whole segment of a few clips (an incremental run's new ones), sorted in memory: clip k has
// codes blobs[k] (the stored form) and id clip_ids[k]; `first` is its global index.
Status WriteChunkIndexSegment(const std::filesystem::path& path, const ChunkLayout& layout,
                              const std::vector<int64_t>& clip_ids, uint64_t first,
                              const std::vector<std::string_view>& blobs);

// One segment, open for reading: its ids and coarse tables in memory (8 bytes a clip, up to 96 MB
// of coarse tables for the largest segments), its records read a bucket at
// a time (pread: nothing mapped, so the run's RSS does not grow with the gigabytes it looks into;
// a memory map reached 12 GB of RSS on ten million clips).
class ChunkIndexSegment {
 public:
  // Error: "dedup index: PATH: <reason>".
  static Result<std::unique_ptr<ChunkIndexSegment>> Open(const std::filesystem::path& path);
  ~ChunkIndexSegment();
  ChunkIndexSegment(const ChunkIndexSegment&) = delete;
  ChunkIndexSegment& operator=(const ChunkIndexSegment&) = delete;
  uint64_t clips() const { return clips_; }
  uint64_t first() const { return first_; }
  int64_t clip_id(uint64_t i) const { return ids_[i]; }
  // Calls fn(code, meta) for every entry of chunk c whose value is `value`. `buffer` is the
  // caller's scratch space (one per thread: Lookup may run from several threads at once).
  void Lookup(int c, uint32_t value, std::vector<char>* buffer,
              const std::function<void(uint64_t, uint32_t)>& fn) const;
  const ChunkLayout& layout() const { return *layout_; }

 private:
  ChunkIndexSegment() = default;
  bool ReadAt(uint64_t at, void* to, size_t bytes) const;
  struct Chunk {
    std::vector<uint64_t> coarse;
    uint64_t records_at = 0;  // file offset of the chunk's records
    int coarse_bits = 0;
  };
  int fd_ = -1;
  uint64_t clips_ = 0, first_ = 0;
  std::vector<int64_t> ids_;
  std::unique_ptr<ChunkLayout> layout_;
  std::vector<Chunk> chunks_;
};

// The manifest (`dedup-index/manifest`): the settings key and clip count the index covers and its
// segments in order.
struct ChunkIndexManifest {
  std::string settings;
  uint64_t clips = 0;
  uint64_t featureless = 0;           // clips whose signature had no informative frame
  std::vector<std::string> segments;  // file names in the index directory
};
std::filesystem::path ChunkIndexDir(const std::filesystem::path& dataset);
// nullopt-like: an empty settings string when there is no readable manifest.
ChunkIndexManifest ReadChunkIndexManifest(const std::filesystem::path& dataset);
// Written to a temporary file and renamed into place. Error: "dedup index: cannot write ...".
Status WriteChunkIndexManifest(const std::filesystem::path& dataset, const ChunkIndexManifest& m);
// Removes the index (a run whose result the index no longer describes). Never fails loudly: a
// left-over index is ignored anyway unless its manifest matches.
void RemoveChunkIndex(const std::filesystem::path& dataset);

}  // namespace clipdex

// ChunkJoin: dedup's candidate search for catalogs beyond the reach of the in-memory exact search
// (curate/multi_index_hash.h), with memory bounded by a budget, not by the catalog.
//
// Why not the exact search at ten million clips. A clip of 16 samples has ~32 stored and ~16
// query codes; at 10M clips that is 320M stored codes. Exact radius-4 search over them needs
// either long chunks probed at radius 1-2 (hundreds of probes a query) or short chunks whose
// buckets hold hundreds of codes; both cost ~10^12 comparisons for 160M queries: days on two
// cores. Its tables would also need ~11 GB.
//
// What this does instead. The 64 bits are split into `chunks` parts (3: 21, 21 and 22 bits) and a
// query meets the stored codes that share a part with it exactly (`probe_radius` 0), a join on
// equal chunk values. Any two codes within 2 bits share a part (pigeonhole); codes 3 or 4 bits
// apart share one unless the differing bits fall in all three parts (for bits spread at random:
// 22 % of 3-bit and 44 % of 4-bit differences). A duplicate pair has many matching samples (60 %
// of the shorter clip's, DedupOptions::min_match_fraction), and one shared part of one matching
// pair is enough to make it a candidate: the chance of missing a pair whose 10 matching samples
// are all 4 bits apart is 0.44^10 = 3e-4, and re-encoded copies are mostly within 2 bits. The
// verification of candidates is the exact one (dedup.h, step 2). With `probe_radius` =
// floor(radius / chunks) the search is exact (every chunk value within that many bits is probed):
// the tests check it against the multi-index.
//
// Memory. One pass holds the stored codes of one chunk whose values fall in one slice of the
// chunk's range (12 bytes a code): the slices are as many as the budget asks. Each chunk reads the
// spill (curate/codes_spill.h) once to count its values, and each pass twice: to place the
// slice's stored codes and to run every query against them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "curate/codes_spill.h"
#include "util/status.h"

namespace clipdex {

struct ChunkJoinOptions {
  int radius = 4;         // a query's radius (DedupOptions::hamming)
  int window_radius = 4;  // the radius of clips whose codes have windows, when `windows`
  bool windows = false;   // window relations are on (DedupOptions::window_hamming > 0)
  int chunks = 3;         // 3..16
  int probe_radius = 0;   // chunk values within this many bits are probed (see above)
  size_t memory_budget = size_t{2048} << 20;  // bytes for one pass's stored codes
  unsigned threads = 2;
  // When set: the passes also write every clip's codes (stored, query and mirrored, with their
  // roles) as one segment of the persisted index (curate/chunk_index.h) at this path, clip k
  // under index_clip_ids[k]. A failure to write it is reported in ChunkJoinStats, not as an
  // error: the pairs do not depend on it.
  std::filesystem::path index_path;
  const std::vector<int64_t>* index_clip_ids = nullptr;
};

struct ChunkJoinStats {
  int chunks = 0;
  int slices = 0;        // passes per chunk
  long comparisons = 0;  // full 64-bit comparisons
  bool index_written = false;
  std::string index_error;  // why the index was not written
};

// Every pair (PairKey: smaller index in the high 32 bits) of clips i != j where a query or
// mirrored code q of i and a stored code s of j share a chunk value within probe_radius and
// HammingDistance(q, s) <= i's radius. Sorted, unique. Errors: the spill's, and "bad dedup
// codes (...)".
Result<std::vector<uint64_t>> ChunkJoinPairs(const CodesSpill& spill,
                                             const ChunkJoinOptions& options,
                                             ChunkJoinStats* stats = nullptr);

}  // namespace clipdex

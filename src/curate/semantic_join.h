// SemanticJoin: `dedup --semantic`'s pair search (clip embeddings at cosine >= a threshold) for
// catalogs whose embeddings do not fit in memory (ten million clips x 512 floats = 20 GB), with
// memory bounded by a budget instead of by the catalog.
//
// The index is the in-memory search's (curate/semantic_index.h): random-hyperplane LSH, the same
// shape for the same number of vectors and the same hyperplanes, so both meet the same candidate
// pairs. What changes is where things live:
// - The vectors stream in once (EmbeddingSpill::Add). Each batch's keys for every table are
//   computed by one matrix product and written to a temporary file; each vector is written to
//   another as 8 bits a dimension with its scale and rounding error (520 bytes at 512
//   dimensions, a quarter of its floats).
// - The join reads one table's keys at a time, sorts the vectors by key, and writes every pair of
//   a bucket to the temporary file of its block pair: the vectors are cut into blocks of
//   consecutive vectors, as many as the memory budget asks (two blocks are held at once).
// - Verification loads two blocks and computes the 8-bit cosine of each candidate of theirs.
//   With rounding errors of norms ea and eb (each vector's is kept beside it), the float cosine
//   lies within ea + eb + 3 ea eb of the 8-bit one (Cauchy-Schwarz): a pair is decided in 8 bits
//   only when that interval lies on one side of the threshold. The others come back as
//   `borderline`, and the caller decides them on the floats (dedup reads their embeddings from
//   the catalog again), so the result is the float search's. The catalog stores embeddings in 8
//   bits already (embedding.clip, "i8:"), which this quantisation reproduces exactly: there the
//   errors are float rounding (~1e-7), and only pairs within a few millionths of the threshold
//   are borderline. Arbitrary floats (errors ~0.013 at 512 dimensions) leave a band of ~0.03.
// - Before a bucket pair is written, the sketches of its vectors (the first tables' keys side
//   by side) estimate their angle; pairs far below the threshold are dropped there
//   (semantic_join.cpp, Sketch). In CLIP-like data most LSH candidates are clips of one scene at
//   cosine 0.7-0.9, and dropping them made the join 6x faster at 300,000 vectors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <utility>
#include <vector>

#include "curate/semantic_index.h"
#include "util/status.h"
#include "util/temp_file.h"

namespace clipdex {

struct SemanticJoinOptions {
  SemanticIndexOptions lsh;
  // Bytes for the sketches (64 a vector), the two blocks of 8-bit vectors held while verifying
  // (3/4 of what the sketches leave) and one batch of candidate pairs; at most 16 blocks, so a
  // budget under ~1/12 of the 8-bit vectors is exceeded.
  size_t memory_budget = size_t{2048} << 20;
  unsigned threads = 2;
};

struct SemanticJoinResult {
  std::vector<std::pair<uint32_t, uint32_t>> pairs;       // (a, b), a < b: cosine >= threshold
  std::vector<std::pair<uint32_t, uint32_t>> borderline;  // within 8-bit error: check on floats
  long bucket_pairs = 0;    // pairs that shared a bucket, once per table that paired them
  long raw_candidates = 0;  // those whose sketches agree (see semantic_join.cpp, Sketch)
  long candidates = 0;      // the same, verified once a batch
  double bucket_seconds = 0, verify_seconds = 0;
  LshShape shape;
  int blocks = 0;
};

// The vectors of one join, as they stream in. Vectors are identified by the caller's `entry`
// numbers (an index into its own list of clips).
class EmbeddingSpill {
 public:
  // `expected`: how many vectors will be added (the LSH shape grows with it, as in memory).
  static Result<EmbeddingSpill> Create(const std::filesystem::path& dir, size_t expected,
                                       double min_cosine, const SemanticIndexOptions& lsh = {});

  // Adds entry's unit vector. Empty vectors are skipped; so are vectors of another length than
  // the first one's (counted in other_length(): the in-memory search pairs each length on its own;
  // here, one model's embeddings are expected). Errors: the temporary files'.
  Status Add(uint32_t entry, const std::vector<float>& vector);

  size_t size() const { return entries_.size(); }
  long other_length() const { return other_length_; }

 private:
  friend Result<SemanticJoinResult> SemanticJoinPairs(EmbeddingSpill& spill,
                                                      const SemanticJoinOptions& options);
  struct Keyer;  // the keys of full batches, computed on a thread of their own
  EmbeddingSpill(std::filesystem::path dir, TempFile vectors, TempFile keys, size_t expected,
                 double min_cosine, const SemanticIndexOptions& lsh);
  Status FlushBatch();

  std::filesystem::path dir_;  // where the pair files go too
  TempFile vectors_;
  size_t expected_;
  double min_cosine_;
  SemanticIndexOptions lsh_;
  size_t dims_ = 0;
  LshShape shape_;
  std::vector<float> batch_;       // vectors waiting for their keys, row after row
  std::vector<uint32_t> entries_;  // entry of the k-th vector added
  std::vector<int8_t> record_;     // one vector in 8 bits, reused
  long other_length_ = 0;
  std::unique_ptr<Keyer> keyer_;  // by pointer: its thread keeps its address when the spill moves

 public:
  EmbeddingSpill(EmbeddingSpill&&) noexcept;
  EmbeddingSpill& operator=(EmbeddingSpill&&) noexcept;
  ~EmbeddingSpill();  // waits for the keying thread
};

// Every pair of the spill's vectors that shares an LSH bucket and reaches the threshold, as
// (entry, entry). Errors: the temporary files'.
Result<SemanticJoinResult> SemanticJoinPairs(EmbeddingSpill& spill,
                                             const SemanticJoinOptions& options = {});

}  // namespace clipdex

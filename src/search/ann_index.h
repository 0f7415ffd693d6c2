// AnnIndex: approximate nearest neighbours over clip embeddings (unit vectors, ranked by inner
// product = cosine), for query by example and semantic search on catalogs too large for the
// exact scan of search/embedding_index.h. A thin owner of a FAISS index (Debian's libfaiss-dev):
// an inverted file (IVF) of `lists` k-means cells over 8-bit scalar-quantised vectors
// (IndexIVFScalarQuantizer, QT_8bit: D bytes a clip, the same precision as the exact scan's
// int8). A query scans the `nprobe` cells nearest to it. Why IVF + SQ8 rather than HNSW: HNSW
// builds in O(n log n) distance evaluations with no batching (hours for 10M x 512 on two cores)
// and holds its graph on top of the vectors; IVF trains on a sample, assigns in BLAS batches and
// adds incrementally at the same cost per clip. Measured in bench/embedding_ann_bench.cpp
// (docs/scale.md).
//
// Not thread-safe to build; Search may run from several threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <unordered_set>
#include <vector>

#include "catalog/clip_set.h"
#include "util/status.h"

namespace faiss {
struct IndexIVFScalarQuantizer;
struct IndexFlatIP;
}  // namespace faiss

namespace clipdex {

struct AnnHit {
  int64_t id = 0;
  float score = 0;  // inner product of the quantised vectors, ~ cosine
};

class AnnIndex {
 public:
  // IVF cells for `n` vectors: ~sqrt(n), a power of two in 64..4096 (the coarse assignment of
  // every added vector costs n x lists x D; 4096 cells keep 10M adds to minutes on two cores).
  static int ListsFor(int64_t n);
  // Training vectors for `lists` cells (k-means wants ~40 a cell).
  static int64_t TrainingSize(int lists);
  // Cells probed by default, max(32, lists / 64): chosen with bench/embedding_ann_bench.cpp on
  // CLIP-like vectors for recall@10 >= 0.95 (1M clips, 1024 cells: 16 probes 0.948, 32 0.959;
  // 10M, 4096 cells: 32 probes 0.949, 64 0.956; docs/scale.md).
  static int DefaultProbes(int lists);

  AnnIndex(int dims, int lists);
  ~AnnIndex();
  AnnIndex(const AnnIndex&) = delete;
  AnnIndex& operator=(const AnnIndex&) = delete;

  // k-means on `n` vectors (row-major, dims each); once, before Add.
  void Train(const float* vectors, int64_t n);
  // Adds `n` vectors under `ids` (clip ids); trained first.
  void Add(const float* vectors, const int64_t* ids, int64_t n);
  // Removes the vectors of `ids` (clips gone or re-ingested); returns how many were removed.
  int64_t Remove(const std::vector<int64_t>& ids);
  // The `k` best by inner product, best first; `nprobe` <= 0: DefaultProbes. Only ids in
  // `allowed` (when not null) and never `exclude` are candidates; they are filtered while the
  // cells are scanned, so a restrictive `allowed` can leave fewer than k in the probed cells.
  std::vector<AnnHit> Search(const float* query, int k, int nprobe = 0,
                             const std::unordered_set<int64_t>* allowed = nullptr,
                             int64_t exclude = -1) const;
  // Every id in the index.
  ClipSet Ids() const;

  // Writes the index to `path` (FAISS's own format, through a temporary file renamed into
  // place). Error: "cannot write ANN index <path>: <reason>".
  Status Save(const std::filesystem::path& path) const;
  // Reads an index Save wrote. Error: "cannot read ANN index <path>: <reason>".
  static Result<std::unique_ptr<AnnIndex>> Load(const std::filesystem::path& path);

  int dims() const { return dims_; }
  int lists() const { return lists_; }
  bool trained() const;
  int64_t size() const;
  // Codes, ids and centroids held in memory.
  int64_t MemoryBytes() const;

 private:
  AnnIndex() = default;
  int dims_ = 0;
  int lists_ = 0;
  std::unique_ptr<faiss::IndexFlatIP> quantizer_;
  std::unique_ptr<faiss::IndexIVFScalarQuantizer> index_;
};

}  // namespace clipdex

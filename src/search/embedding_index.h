// Semantic search: clips ranked by the cosine of their CLIP image embedding (embedding.clip,
// written by the aesthetic analyzer when a CLIP image encoder is configured) to a query vector
// from the same CLIP model: the text embedding of the words (slot clip_text), the embedding of an
// example picture (slot clip_image), or an example clip's own embedding.clip.
//
// Two modes, by catalog size:
//  - Below kAnnMinClips clips with an embedding: each clip's embedding as D signed bytes and one
//    scale (D + 12 bytes a clip: 52 MB for 100k clips of 512-d), re-quantised from the
//    L2-normalised stored vector; the scan is exact (every clip, ~0.3 ms per 1,000 clips of 512-d
//    here: p99 91 ms at 100k under load, bench/search_load.sh).
//  - From kAnnMinClips on: an approximate index (search/ann_index.h, FAISS IVF + 8-bit scalar
//    quantisation), kept in the dataset as `embeddings.ann` and brought up to date incrementally
//    when the index is next built: clips gone are removed, new clips added, the file rewritten.
//    Adding 100k clips to a 10M index costs the 100k (one catalog lookup and one add each), not a
//    rebuild. Measured in docs/scale.md (bench/embedding_ann_bench.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <unordered_set>
#include <vector>

#include "catalog/catalog.h"
#include "search/ann_index.h"
#include "util/status.h"

namespace clipdex {

// Clips with an embedding from which the approximate index replaces the exact scan: at 200k the
// exact scan's p99 under 16 clients would pass ~180 ms (2x the 100k figure), and k-means has
// enough clips to train its cells.
inline constexpr int64_t kAnnMinClips = 200000;

struct EmbeddingMatch {
  int64_t clip_id = 0;
  double cosine = 0;  // -1..1
};

class EmbeddingIndex {
 public:
  // Reads every clip's embedding.clip (clips of ok videos that have one). Errors: "semantic
  // index: bad embedding.clip of clip N: <reason>", "semantic index: clips carry embeddings of
  // different sizes (512 and 768): re-ingest with one CLIP model".
  // `ann_min_clips`: see kAnnMinClips (tests lower it). The approximate index's file is written
  // when it changed and the dataset is writable; a file that cannot be read (another FAISS
  // version, damage) is rebuilt.
  static Result<std::shared_ptr<EmbeddingIndex>> Build(Catalog& catalog,
                                                       int64_t ann_min_clips = kAnnMinClips);

  // The `k` clips nearest to the unit vector `query`, best first (ties by clip id); `allowed`
  // (when not null) limits the candidates; `exclude` is left out. Empty when the sizes differ.
  std::vector<EmbeddingMatch> Nearest(const std::vector<float>& query, int k,
                                      const std::unordered_set<int64_t>* allowed,
                                      int64_t exclude = 0) const;

  size_t clips() const { return ann_ ? static_cast<size_t>(ann_->size()) : ids_.size(); }
  int dims() const { return dims_; }
  bool approximate() const { return ann_ != nullptr; }
  // What the last Build did with the approximate index: "built", "updated (+A -R)",
  // "loaded" (unchanged) or "" (exact mode).
  const std::string& ann_note() const { return ann_note_; }

 private:
  static Status BuildApproximate(Catalog& catalog, const ClipSet& with_embedding,
                                 EmbeddingIndex* index);
  int dims_ = 0;
  std::unique_ptr<AnnIndex> ann_;
  std::string ann_note_;
  std::vector<int64_t> ids_;
  std::vector<float> scales_;
  std::vector<int8_t> values_;  // dims_ per clip, in ids_ order
};

// The query vectors of a semantic search, from the user's CLIP models under the model roots
// (models/model_manifest.h; $CLIPDEX_MODELS first). Models load once per process. Errors say
// which slot is missing: "semantic search needs a CLIP text encoder: clip_text: not configured:
// ...".
Result<std::vector<float>> SemanticTextQuery(const std::string& words);
Result<std::vector<float>> SemanticPictureQuery(const cv::Mat& bgr);

}  // namespace clipdex

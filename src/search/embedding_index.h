// Semantic search: clips ranked by the cosine of their CLIP image embedding (embedding.clip,
// written by the aesthetic analyzer when a CLIP image encoder is configured) to a query vector
// from the same CLIP model: the text embedding of the words (slot clip_text), the embedding of an
// example picture (slot clip_image), or an example clip's own embedding.clip.
//
// The index keeps each clip's embedding as D signed bytes and one scale (D + 12 bytes a clip:
// 52 MB for 100k clips of 512-d), re-quantised from the L2-normalised stored vector; the scan is
// exact (every clip, ~0.3 ms per 1,000 clips of 512-d here). The ten-million-clip case needs an
// approximate index (docs/search.md).
#pragma once

#include <cstdint>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <unordered_set>
#include <vector>

#include "catalog/catalog.h"
#include "util/status.h"

namespace clipdex {

struct EmbeddingMatch {
  int64_t clip_id = 0;
  double cosine = 0;  // -1..1
};

class EmbeddingIndex {
 public:
  // Reads every clip's embedding.clip (clips of ok videos that have one). Errors: "semantic
  // index: bad embedding.clip of clip N: <reason>", "semantic index: clips carry embeddings of
  // different sizes (512 and 768): re-ingest with one CLIP model".
  static Result<std::shared_ptr<EmbeddingIndex>> Build(Catalog& catalog);

  // The `k` clips nearest to the unit vector `query`, best first (ties by clip id); `allowed`
  // (when not null) limits the candidates; `exclude` is left out. Empty when the sizes differ.
  std::vector<EmbeddingMatch> Nearest(const std::vector<float>& query, int k,
                                      const std::unordered_set<int64_t>* allowed,
                                      int64_t exclude = 0) const;

  size_t clips() const { return ids_.size(); }
  int dims() const { return dims_; }

 private:
  int dims_ = 0;
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

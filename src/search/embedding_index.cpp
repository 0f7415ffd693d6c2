#include "search/embedding_index.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "analyze/aesthetic.h"
#include "analyze/clip_embedding.h"
#include "models/clip_text_encoder.h"
#include "models/model_manifest.h"
#include "pipeline/analyzer_set.h"

namespace clipdex {

Result<std::shared_ptr<EmbeddingIndex>> EmbeddingIndex::Build(Catalog& catalog) {
  auto index = std::make_shared<EmbeddingIndex>();
  Status st = catalog.ForEachWideClip({"embedding.clip"}, 1, [&](const WideClipRow& row) -> Status {
    if (!row.cells[0].text) return Status::Ok();
    auto v = DecodeClipEmbedding(*row.cells[0].text);
    if (!v.ok()) {
      return Status::Error("semantic index: bad embedding.clip of clip " +
                           std::to_string(row.clip_id) + ": " + v.status().message());
    }
    const int dims = static_cast<int>(v->size());
    if (index->dims_ == 0) index->dims_ = dims;
    if (dims != index->dims_) {
      return Status::Error("semantic index: clips carry embeddings of different sizes (" +
                           std::to_string(index->dims_) + " and " + std::to_string(dims) +
                           "): re-ingest with one CLIP model");
    }
    float peak = 0;
    for (float x : *v) peak = std::max(peak, std::abs(x));
    const float scale = peak > 0 ? peak / 127.0f : 1.0f;
    index->ids_.push_back(row.clip_id);
    index->scales_.push_back(scale);
    for (float x : *v) index->values_.push_back(static_cast<int8_t>(std::lround(x / scale)));
    return Status::Ok();
  });
  if (!st.ok()) {
    return st.message().rfind("semantic index: ", 0) == 0
               ? st
               : Status::Error("semantic index: " + st.message());
  }
  return index;
}

std::vector<EmbeddingMatch> EmbeddingIndex::Nearest(const std::vector<float>& query, int k,
                                                    const std::unordered_set<int64_t>* allowed,
                                                    int64_t exclude) const {
  std::vector<EmbeddingMatch> all;
  if (static_cast<int>(query.size()) != dims_ || k <= 0) return all;
  for (size_t c = 0; c < ids_.size(); ++c) {
    if (ids_[c] == exclude || (allowed != nullptr && !allowed->count(ids_[c]))) continue;
    const int8_t* v = values_.data() + c * dims_;
    float dot = 0;
    for (int d = 0; d < dims_; ++d) dot += query[d] * v[d];
    all.push_back({ids_[c], static_cast<double>(dot * scales_[c])});
  }
  const auto better = [](const EmbeddingMatch& a, const EmbeddingMatch& b) {
    return a.cosine != b.cosine ? a.cosine > b.cosine : a.clip_id < b.clip_id;
  };
  const size_t keep = std::min(all.size(), static_cast<size_t>(k));
  std::partial_sort(all.begin(), all.begin() + static_cast<long>(keep), all.end(), better);
  all.resize(keep);
  return all;
}

namespace {

// The user's CLIP models, loaded on first use; a failure is kept (and reported every time).
struct SemanticModels {
  std::mutex mu;
  bool text_tried = false, picture_tried = false;
  std::unique_ptr<ClipTextEncoder> text;
  std::unique_ptr<AestheticAnalyzer> picture;
  Status text_error, picture_error;
};

SemanticModels& Models() {
  static SemanticModels models;
  return models;
}

}  // namespace

Result<std::vector<float>> SemanticTextQuery(const std::string& words) {
  SemanticModels& m = Models();
  {
    std::lock_guard lock(m.mu);
    if (!m.text_tried) {
      m.text_tried = true;
      auto loaded = ClipTextEncoder::Load(ModelRoots(ExplicitModelsDir()));
      if (loaded.ok()) {
        m.text = std::move(*loaded);
      } else {
        m.text_error = Status::Error("semantic search needs a CLIP text encoder: " +
                                     loaded.status().message());
      }
    }
    if (!m.text) return m.text_error;
  }
  return m.text->Embed(words);  // sessions run from several threads at once
}

Result<std::vector<float>> SemanticPictureQuery(const cv::Mat& bgr) {
  SemanticModels& m = Models();
  {
    std::lock_guard lock(m.mu);
    if (!m.picture_tried) {
      m.picture_tried = true;
      const SlotState slot =
          ResolveModelSlot(*FindModelSlot("clip_image"), ModelRoots(ExplicitModelsDir()));
      auto loaded = slot.ready ? AestheticAnalyzer::Load(slot.path, "", "")
                               : Result<std::unique_ptr<AestheticAnalyzer>>(
                                     Status::Error("clip_image: " + slot.reason));
      if (loaded.ok()) {
        m.picture = std::move(*loaded);
      } else {
        m.picture_error = Status::Error("semantic search by example needs a CLIP image encoder: " +
                                        loaded.status().message());
      }
    }
    if (!m.picture) return m.picture_error;
  }
  auto v = m.picture->Embed(bgr);
  if (!v.ok()) return v.status();
  return L2Normalised(std::move(*v));
}

}  // namespace clipdex

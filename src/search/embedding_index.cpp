#include "search/embedding_index.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <system_error>

#include "analyze/aesthetic.h"
#include "analyze/clip_embedding.h"
#include "models/clip_text_encoder.h"
#include "models/model_manifest.h"
#include "pipeline/analyzer_set.h"
#include "util/progress_line.h"

namespace clipdex {

namespace {

namespace fs = std::filesystem;

constexpr const char* kAnnFile = "embeddings.ann";
// The clips the index covers: of ok videos, with an embedding.
constexpr const char* kWithEmbedding =
    "SELECT a.clip_id FROM clip_attributes a JOIN clips c ON c.id = a.clip_id "
    "JOIN videos v ON v.id = c.video_id WHERE a.name = 'embedding.clip' AND v.status = 'ok'";

// "YYYY-MM-DD HH:MM:SS" (UTC, as SQLite's CURRENT_TIMESTAMP writes videos.ingested_at) of the
// last change of `file`, less `margin` seconds; the epoch when it cannot be read.
std::string UtcSecondsBefore(const fs::path& file, int margin) {
  struct stat st {};
  std::time_t t = ::stat(file.c_str(), &st) == 0 ? st.st_mtime - margin : 0;
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &utc);
  return buf;
}

Status BadEmbedding(int64_t clip_id, const Status& why) {
  return Status::Error("semantic index: bad embedding.clip of clip " + std::to_string(clip_id) +
                       ": " + why.message());
}
Status MixedSizes(int a, int b) {
  return Status::Error("semantic index: clips carry embeddings of different sizes (" +
                       std::to_string(a) + " and " + std::to_string(b) +
                       "): re-ingest with one CLIP model");
}

// Feeds an AnnIndex from a stream of vectors: the first TrainingSize are held to train the
// cells, then added; every later vector is added in batches.
class AnnFeeder {
 public:
  AnnFeeder(int dims, int lists) : index_(std::make_unique<AnnIndex>(dims, lists)) {}
  explicit AnnFeeder(std::unique_ptr<AnnIndex> trained) : index_(std::move(trained)) {}
  void Push(int64_t id, const std::vector<float>& v) {
    ids_.push_back(id);
    values_.insert(values_.end(), v.begin(), v.end());
    const auto held = static_cast<int64_t>(ids_.size());
    if (index_->trained() ? held >= kBatch : held >= AnnIndex::TrainingSize(index_->lists())) {
      Flush();
    }
  }
  std::unique_ptr<AnnIndex> Finish() {
    Flush();
    return std::move(index_);
  }

 private:
  static constexpr int64_t kBatch = 8192;
  void Flush() {
    const auto n = static_cast<int64_t>(ids_.size());
    if (n == 0) return;
    if (!index_->trained()) index_->Train(values_.data(), n);
    index_->Add(values_.data(), ids_.data(), n);
    ids_.clear();
    values_.clear();
  }
  std::unique_ptr<AnnIndex> index_;
  std::vector<int64_t> ids_;
  std::vector<float> values_;
};

}  // namespace

Status EmbeddingIndex::BuildApproximate(Catalog& catalog, const ClipSet& with_embedding,
                                        EmbeddingIndex* index) {
  const fs::path path = catalog.dir() / kAnnFile;
  std::error_code ec;
  std::unique_ptr<AnnIndex> ann;
  if (fs::exists(path, ec)) {
    auto loaded = AnnIndex::Load(path);
    if (loaded.ok()) ann = std::move(*loaded);  // else: rebuilt below
  }
  long added = 0, removed = 0;
  if (ann) {
    // Bring the saved index up to date: clips gone (or of failed videos now) out, new ones in,
    // each new one read by its own lookup. More than half new: a rebuild trains better cells.
    // Clips of videos ingested since the file was written are taken out and read again too: a
    // re-ingest deletes a video's clips and inserts new ones, and SQLite may give a new clip the
    // id of a deleted one (the largest id is reused), which would otherwise keep a stale vector.
    auto since = catalog.SelectClipSet(
        "SELECT c.id FROM clips c JOIN videos v ON v.id = c.video_id WHERE v.ingested_at >= '" +
        UtcSecondsBefore(path, 2) + "'");
    if (!since.ok()) return Status::Error("semantic index: " + since.status().message());
    const ClipSet have = ann->Ids();
    std::vector<int64_t> gone, fresh;
    have.ForEach([&](int64_t id) {
      if (!with_embedding.Contains(id) || since->Contains(id)) gone.push_back(id);
    });
    with_embedding.ForEach([&](int64_t id) {
      if (!have.Contains(id) || since->Contains(id)) fresh.push_back(id);
    });
    if (fresh.size() * 2 > with_embedding.size()) {
      ann.reset();
    } else {
      removed = static_cast<long>(ann->Remove(gone));
      const int dims = ann->dims();
      AnnFeeder feeder(std::move(ann));
      ProgressLine progress("semantic index: update", "clips", static_cast<long>(fresh.size()));
      for (int64_t id : fresh) {
        if ((added & 1023) == 0) progress.Update(added);
        auto clip = catalog.FindClip(id);
        if (!clip.ok()) return Status::Error("semantic index: " + clip.status().message());
        if (!*clip) continue;  // removed since the selection
        const Attribute* a = FindAttribute((*clip)->clip, "embedding.clip");
        if (a == nullptr) continue;
        auto v = DecodeClipEmbedding(a->text);
        if (!v.ok()) return BadEmbedding(id, v.status());
        if (static_cast<int>(v->size()) != dims)
          return MixedSizes(dims, static_cast<int>(v->size()));
        feeder.Push(id, *v);
        ++added;
      }
      ann = feeder.Finish();
      progress.Done();
      index->ann_note_ = added == 0 && removed == 0 ? "loaded"
                                                    : "updated (+" + std::to_string(added) + " -" +
                                                          std::to_string(removed) + ")";
    }
  }
  if (!ann) {
    std::unique_ptr<AnnFeeder> feeder;
    int dims = 0;
    const int lists = AnnIndex::ListsFor(static_cast<int64_t>(with_embedding.size()));
    // Ten million vectors take minutes (training, then adding): say how far it is.
    ProgressLine progress("semantic index: build", "clips",
                          static_cast<long>(with_embedding.size()));
    long pushed = 0;
    Status st =
        catalog.ForEachWideClip({"embedding.clip"}, 1, [&](const WideClipRow& row) -> Status {
          if (!row.cells[0].text) return Status::Ok();
          auto v = DecodeClipEmbedding(*row.cells[0].text);
          if (!v.ok()) return BadEmbedding(row.clip_id, v.status());
          const int d = static_cast<int>(v->size());
          if (!feeder) {
            dims = d;
            feeder = std::make_unique<AnnFeeder>(dims, lists);
          }
          if (d != dims) return MixedSizes(dims, d);
          feeder->Push(row.clip_id, *v);
          if ((++pushed & 1023) == 0) progress.Update(pushed);
          return Status::Ok();
        });
    if (!st.ok()) {
      return st.message().rfind("semantic index: ", 0) == 0
                 ? st
                 : Status::Error("semantic index: " + st.message());
    }
    if (!feeder) return Status::Ok();  // nothing to index after all
    ann = feeder->Finish();
    progress.Update(pushed);
    progress.Done();
    index->ann_note_ = "built";
  }
  index->dims_ = ann->dims();
  if (index->ann_note_ != "loaded") {
    // Kept for the next build; a read-only dataset just rebuilds each time.
    (void)ann->Save(path);
  }
  index->ann_ = std::move(ann);
  return Status::Ok();
}

Result<std::shared_ptr<EmbeddingIndex>> EmbeddingIndex::Build(Catalog& catalog,
                                                              int64_t ann_min_clips) {
  auto index = std::make_shared<EmbeddingIndex>();
  auto with_embedding = catalog.SelectClipSet(kWithEmbedding);
  if (!with_embedding.ok()) {
    return Status::Error("semantic index: " + with_embedding.status().message());
  }
  if (static_cast<int64_t>(with_embedding->size()) >= ann_min_clips) {
    if (Status s = BuildApproximate(catalog, *with_embedding, index.get()); !s.ok()) return s;
    return index;
  }
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
  if (ann_) {
    auto hits = ann_->Search(query.data(), k, 0, allowed, exclude);
    // A filter whose clips sit outside the probed cells leaves fewer than k: look again in
    // eight times as many cells before giving up on them.
    if (static_cast<int>(hits.size()) < k && allowed != nullptr) {
      hits = ann_->Search(query.data(), k, AnnIndex::DefaultProbes(ann_->lists()) * 8, allowed,
                          exclude);
    }
    for (const AnnHit& h : hits) all.push_back({h.id, static_cast<double>(h.score)});
    return all;
  }
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

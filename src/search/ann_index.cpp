#include "search/ann_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexScalarQuantizer.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/index_io.h>
#include <faiss/invlists/InvertedLists.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <system_error>

namespace clipdex {

namespace {

// The candidates of one search: in `allowed` (when set) and not `exclude`.
struct CandidateFilter : faiss::IDSelector {
  const std::unordered_set<int64_t>* allowed = nullptr;
  int64_t exclude = -1;
  bool is_member(faiss::Index::idx_t id) const override {
    return id != exclude && (allowed == nullptr || allowed->count(id) > 0);
  }
};

}  // namespace

int AnnIndex::ListsFor(int64_t n) {
  int lists = 64;
  while (lists < 4096 && static_cast<double>(lists) * lists < static_cast<double>(n)) lists *= 2;
  return lists;
}

int64_t AnnIndex::TrainingSize(int lists) { return int64_t{40} * lists; }

int AnnIndex::DefaultProbes(int lists) { return std::max(32, lists / 64); }

AnnIndex::AnnIndex(int dims, int lists)
    : dims_(dims),
      lists_(lists),
      quantizer_(std::make_unique<faiss::IndexFlatIP>(dims)),
      index_(std::make_unique<faiss::IndexIVFScalarQuantizer>(
          quantizer_.get(), dims, static_cast<size_t>(lists), faiss::ScalarQuantizer::QT_8bit,
          faiss::METRIC_INNER_PRODUCT)) {}

AnnIndex::~AnnIndex() = default;

void AnnIndex::Train(const float* vectors, int64_t n) { index_->train(n, vectors); }

void AnnIndex::Add(const float* vectors, const int64_t* ids, int64_t n) {
  index_->add_with_ids(n, vectors, ids);
}

int64_t AnnIndex::Remove(const std::vector<int64_t>& ids) {
  if (ids.empty()) return 0;
  faiss::IDSelectorBatch selector(ids.size(), ids.data());
  return static_cast<int64_t>(index_->remove_ids(selector));
}

std::vector<AnnHit> AnnIndex::Search(const float* query, int k, int nprobe,
                                     const std::unordered_set<int64_t>* allowed,
                                     int64_t exclude) const {
  if (k <= 0 || index_->ntotal == 0) return {};
  CandidateFilter filter;
  filter.allowed = allowed;
  filter.exclude = exclude;
  faiss::SearchParametersIVF params;
  if (allowed != nullptr || exclude >= 0) params.sel = &filter;
  params.nprobe =
      static_cast<size_t>(std::min(lists_, nprobe > 0 ? nprobe : DefaultProbes(lists_)));
  std::vector<float> scores(static_cast<size_t>(k));
  std::vector<faiss::Index::idx_t> labels(static_cast<size_t>(k));
  // One query runs on the calling thread alone: FAISS parallelises over queries, so a team would
  // only wait (and libgomp's idle threads spin), and the server already runs one search per
  // worker thread.
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  index_->search(1, query, k, scores.data(), labels.data(), &params);
  omp_set_num_threads(threads);
  std::vector<AnnHit> out;
  for (int i = 0; i < k; ++i) {
    if (labels[static_cast<size_t>(i)] < 0) break;  // fewer than k in the probed cells
    out.push_back({labels[static_cast<size_t>(i)], scores[static_cast<size_t>(i)]});
  }
  return out;
}

Status AnnIndex::Save(const std::filesystem::path& path) const {
  // One temporary file per process: two processes saving at once (a server and a CLI search)
  // must not write into the same one; the rename makes whichever finishes last the index.
  const std::filesystem::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
  try {
    faiss::write_index(index_.get(), tmp.c_str());
  } catch (const faiss::FaissException& e) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);  // a half-written file (disk full) is no use
    return Status::Error("cannot write ANN index " + path.string() + ": " + e.what());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    return Status::Error("cannot write ANN index " + path.string() + ": " + ec.message());
  }
  return Status::Ok();
}

Result<std::unique_ptr<AnnIndex>> AnnIndex::Load(const std::filesystem::path& path) {
  std::unique_ptr<faiss::Index> raw;
  try {
    raw.reset(faiss::read_index(path.c_str()));
  } catch (const faiss::FaissException& e) {
    return Status::Error("cannot read ANN index " + path.string() + ": " + e.what());
  }
  auto* ivf = dynamic_cast<faiss::IndexIVFScalarQuantizer*>(raw.get());
  auto* flat = ivf ? dynamic_cast<faiss::IndexFlatIP*>(ivf->quantizer) : nullptr;
  if (ivf == nullptr || flat == nullptr || ivf->metric_type != faiss::METRIC_INNER_PRODUCT) {
    return Status::Error("cannot read ANN index " + path.string() +
                         ": not an inner-product IVF scalar-quantiser index");
  }
  std::unique_ptr<AnnIndex> out(new AnnIndex());
  out->dims_ = static_cast<int>(ivf->d);
  out->lists_ = static_cast<int>(ivf->nlist);
  // The index read owns its quantizer; take both over so they are freed by their owners here.
  ivf->own_fields = false;
  out->quantizer_.reset(flat);
  out->index_.reset(ivf);
  raw.release();
  return out;
}

ClipSet AnnIndex::Ids() const {
  ClipSet out;
  const faiss::InvertedLists* lists = index_->invlists;
  for (size_t l = 0; l < lists->nlist; ++l) {
    const size_t n = lists->list_size(l);
    if (n == 0) continue;
    faiss::InvertedLists::ScopedIds ids(lists, l);
    for (size_t i = 0; i < n; ++i) out.Add(ids[i]);
  }
  return out;
}

bool AnnIndex::trained() const { return index_->is_trained; }
int64_t AnnIndex::size() const { return index_->ntotal; }

int64_t AnnIndex::MemoryBytes() const {
  return index_->ntotal * static_cast<int64_t>(index_->code_size + sizeof(faiss::Index::idx_t)) +
         static_cast<int64_t>(lists_) * dims_ * static_cast<int64_t>(sizeof(float));
}

}  // namespace clipdex

#include "curate/semantic_join.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "util/cpu_clones.h"
#include "util/parallel.h"
#include "util/progress_line.h"

namespace clipdex {
namespace {

constexpr size_t kKeyBatch = 4096;  // vectors keyed by one matrix product
constexpr int kMaxBlocks = 16;      // 136 pair files at most
constexpr size_t kPairBuffer = size_t{1} << 16;
// Float rounding of the dot products (the 8-bit one and the float one it stands for).
constexpr double kRounding = 2e-6;

using Pair = std::pair<uint32_t, uint32_t>;

// The sketch of a vector: the keys of the first tables side by side, up to 512 bits (64 bytes a
// vector, 640 MB at ten million). Two vectors at angle theta differ in each of its bits with
// probability theta / pi, so their Hamming distance estimates the angle well enough to throw
// away most candidate pairs before they are written: in-scene pairs at cosine 0.7-0.9 are most
// of the LSH's candidates and all of its cost. The cut is `kSketchDeviations` standard deviations
// of the binomial above the mean distance of a pair at the threshold less kSketchSlack; a pair
// that shares a bucket shares that table's bits too, which only lowers its distance.
constexpr int kSketchWords = 8;
constexpr double kSketchDeviations = 6;
constexpr double kSketchSlack = 0.02;
struct Sketch {
  uint64_t w[kSketchWords] = {};
};

// The pairs of one bucket (`members`: positions, ascending) whose sketches agree: a first cut on
// the first 128 bits throws away most pairs at a quarter of the cost, the full cut decides. Hot:
// ten million vectors make ~10^10 bucket pairs. Compiled twice, with the POPCNT instruction and
// without (the project's baseline has none; the builtin is then a library call), the first
// chosen at load time on every CPU that has it (x86-64 since 2008).
template <typename Emit>
CLIPDEX_CPU_CLONES("popcnt", "default")
void AgreeingPairs(const uint32_t* members, size_t count, const std::vector<Sketch>& sketches,
                   int first_cut, int cut, const Emit& emit) {
  for (size_t i = 0; i < count; ++i) {
    const Sketch& x = sketches[members[i]];
    for (size_t j = i + 1; j < count; ++j) {
      const Sketch& y = sketches[members[j]];
      int d = __builtin_popcountll(x.w[0] ^ y.w[0]) + __builtin_popcountll(x.w[1] ^ y.w[1]);
      if (d > first_cut) continue;
      for (int k = 2; k < kSketchWords; ++k) d += __builtin_popcountll(x.w[k] ^ y.w[k]);
      if (d <= cut) emit(members[i], members[j]);
    }
  }
}

// Buckets of more than this many vectors are searched for vectors with identical sketches first.
constexpr size_t kCollapseFrom = 32;

// Catalogs hold many copies of one embedding (black frames, title cards, a static slide: the
// same pixels give the same 8-bit vector). They share every bucket, and m of them would make
// m^2 / 2 candidates in every table: 100,000 black clips, 5 * 10^9 a table. Vectors whose
// sketches are identical (their 500-odd sign bits all agree: cosine ~1) are paired with the first
// of them instead (m - 1 candidates, each verified as usual), and only that first one is paired
// with the rest of the bucket. The groups are the same; a pair between two such copies and a
// third vector is found through the first copy.
template <typename Emit>
void CollapseIdentical(std::vector<uint32_t>* members, const std::vector<Sketch>& sketches,
                       const Emit& emit) {
  const auto less = [&](uint32_t a, uint32_t b) {
    const Sketch& x = sketches[a];
    const Sketch& y = sketches[b];
    return std::lexicographical_compare(x.w, x.w + kSketchWords, y.w, y.w + kSketchWords) ||
           (std::equal(x.w, x.w + kSketchWords, y.w) && a < b);
  };
  std::sort(members->begin(), members->end(), less);
  std::vector<uint32_t> kept;
  for (size_t i = 0; i < members->size();) {
    size_t j = i + 1;
    const Sketch& first = sketches[(*members)[i]];
    while (j < members->size() &&
           std::equal(first.w, first.w + kSketchWords, sketches[(*members)[j]].w)) {
      emit((*members)[i], (*members)[j]);  // the first is the smallest position of the run
      ++j;
    }
    kept.push_back((*members)[i]);
    i = j;
  }
  // Back in position order: emit wants the smaller position first.
  std::sort(kept.begin(), kept.end());
  members->swap(kept);
}

// The largest sketch distance a pair at `min_cosine` may show (see Sketch).
int SketchCut(int bits, double min_cosine) {
  const double p =
      std::acos(std::clamp(min_cosine - kSketchSlack, -1.0, 1.0)) / 3.14159265358979323846;
  const double mean = bits * p;
  return static_cast<int>(std::ceil(mean + kSketchDeviations * std::sqrt(bits * p * (1 - p))));
}

// One vector in 8 bits: dims signed steps, then the step and the norm of the rounding error
// (two floats).
size_t RecordBytes(size_t dims) { return dims + 2 * sizeof(float); }

float StepOf(const int8_t* record, size_t dims) {
  float step;
  std::memcpy(&step, record + dims, sizeof step);
  return step;
}

float ErrorOf(const int8_t* record, size_t dims) {
  float error;
  std::memcpy(&error, record + dims + sizeof(float), sizeof error);
  return error;
}

// The integer dot product of two 8-bit vectors: a simple loop the compiler vectorises
// (multiply-add of 16-bit lanes), compiled for AVX2 too and chosen at load time where the CPU has
// it: verification computes hundreds of millions of these at ten million clips.
CLIPDEX_CPU_CLONES("avx2", "default")
int32_t DotSteps(const int8_t* a, const int8_t* b, size_t dims) {
  int32_t s = 0;
  for (size_t d = 0; d < dims; ++d) s += int16_t{a[d]} * int16_t{b[d]};
  return s;
}

// Sorts `items` by their bits [from, to) (LSD radix, 16 bits a pass; stable).
void RadixSort(std::vector<uint64_t>* items, std::vector<uint64_t>* scratch, int from, int to) {
  scratch->resize(items->size());
  std::vector<size_t> count((size_t{1} << 16) + 1);
  for (int shift = from; shift < to; shift += 16) {
    std::fill(count.begin(), count.end(), 0);
    for (uint64_t x : *items) ++count[((x >> shift) & 0xffff) + 1];
    for (size_t k = 1; k < count.size(); ++k) count[k] += count[k - 1];
    for (uint64_t x : *items) (*scratch)[count[(x >> shift) & 0xffff]++] = x;
    items->swap(*scratch);
  }
}

int BitsFor(size_t values) {  // bits that hold 0 .. values - 1
  int bits = 1;
  while (bits < 63 && (size_t{1} << bits) < values) ++bits;
  return bits;
}

// Sorts a batch of one block pair's candidates and drops repeats (a pair met in several tables):
// as (a - first_a, b - first_b) packed into few bits, a radix sort instead of std::sort's
// comparisons (3x faster on a batch of 50 million).
void SortUniquePairs(std::vector<std::pair<uint32_t, uint32_t>>* batch, size_t first_a,
                     size_t first_b, size_t block_vectors, std::vector<uint64_t>* keys,
                     std::vector<uint64_t>* scratch) {
  const int bits = BitsFor(block_vectors);
  keys->resize(batch->size());
  for (size_t k = 0; k < batch->size(); ++k) {
    (*keys)[k] = (uint64_t{(*batch)[k].first - first_a} << bits) | ((*batch)[k].second - first_b);
  }
  RadixSort(keys, scratch, 0, 2 * bits);
  keys->erase(std::unique(keys->begin(), keys->end()), keys->end());
  batch->resize(keys->size());
  const uint64_t mask = (uint64_t{1} << bits) - 1;
  for (size_t k = 0; k < keys->size(); ++k) {
    (*batch)[k] = {static_cast<uint32_t>(((*keys)[k] >> bits) + first_a),
                   static_cast<uint32_t>(((*keys)[k] & mask) + first_b)};
  }
}

// Block pair (a, b), a <= b, of kMaxBlocks at most, as one index.
size_t PartIndex(int a, int b, int blocks) {
  return static_cast<size_t>(a) * static_cast<size_t>(blocks) + static_cast<size_t>(b);
}

}  // namespace

// The keying thread. The reading thread fills a batch while the previous one is keyed: SGEMM
// on the other core instead of in turn with the catalog reads. BLAS runs on one thread meanwhile
// (OpenBLAS's own threads spin between calls and took a core from the reader: 20 % of a 1M-clip
// run in the scheduler). The hook is weak: another BLAS simply keeps its threading.
extern "C" void openblas_set_num_threads(int) __attribute__((weak));
extern "C" int openblas_get_num_threads() __attribute__((weak));

struct EmbeddingSpill::Keyer {
  explicit Keyer(TempFile file) : keys(std::move(file)) {
    if (openblas_get_num_threads != nullptr && openblas_set_num_threads != nullptr) {
      blas_threads = openblas_get_num_threads();
      openblas_set_num_threads(1);
    }
  }
  ~Keyer() {
    (void)Wait();
    if (blas_threads > 0) openblas_set_num_threads(blas_threads);
  }
  Status Wait() { return done.valid() ? done.get() : Status::Ok(); }
  // Keys `rows` (m rows of dims) on the thread once the previous batch is done.
  Status Start(std::vector<float>* rows, size_t dims, const LshShape& batch_shape,
               const std::vector<float>& batch_planes) {
    if (Status st = Wait(); !st.ok()) return st;
    batch.swap(*rows);
    rows->clear();
    done = std::async(std::launch::async, [this, dims, batch_shape, &batch_planes] {
      const size_t m = batch.size() / dims;
      std::vector<uint32_t> out(static_cast<size_t>(batch_shape.tables) * m);
      LshKeys(batch.data(), m, dims, batch_planes, batch_shape, out.data());
      return keys.Append(out.data(), out.size() * sizeof(uint32_t));
    });
    return Status::Ok();
  }

  TempFile keys;
  std::vector<float> planes;  // the hyperplanes (set by the first vector)
  std::vector<float> batch;   // the batch being keyed
  std::future<Status> done;
  int blas_threads = 0;
};

EmbeddingSpill::EmbeddingSpill(std::filesystem::path dir, TempFile vectors, TempFile keys,
                               size_t expected, double min_cosine, const SemanticIndexOptions& lsh)
    : dir_(std::move(dir)),
      vectors_(std::move(vectors)),
      expected_(expected),
      min_cosine_(min_cosine),
      lsh_(lsh),
      keyer_(std::make_unique<Keyer>(std::move(keys))) {}

EmbeddingSpill::EmbeddingSpill(EmbeddingSpill&&) noexcept = default;
EmbeddingSpill& EmbeddingSpill::operator=(EmbeddingSpill&&) noexcept = default;
EmbeddingSpill::~EmbeddingSpill() = default;

Result<EmbeddingSpill> EmbeddingSpill::Create(const std::filesystem::path& dir, size_t expected,
                                              double min_cosine, const SemanticIndexOptions& lsh) {
  auto vectors = TempFile::Create(dir, "semantic-vectors");
  if (!vectors.ok()) return vectors.status();
  auto keys = TempFile::Create(dir, "semantic-keys");
  if (!keys.ok()) return keys.status();
  return EmbeddingSpill(dir, std::move(*vectors), std::move(*keys), expected, min_cosine, lsh);
}

Status EmbeddingSpill::Add(uint32_t entry, const std::vector<float>& vector) {
  if (vector.empty()) return Status::Ok();
  if (dims_ == 0) {
    dims_ = vector.size();
    shape_ = ChooseLshShape(std::max<size_t>(expected_, 2), min_cosine_, lsh_);
    keyer_->planes = LshHyperplanes(dims_, shape_, lsh_.seed);
  }
  if (vector.size() != dims_) {
    ++other_length_;
    return Status::Ok();
  }
  float peak = 0;
  for (float x : vector) peak = std::max(peak, std::fabs(x));
  const float step = peak > 0 ? peak / 127.0f : 0.0f;
  record_.resize(RecordBytes(dims_));
  double error = 0;  // squared norm of vector - steps * step
  for (size_t d = 0; d < dims_; ++d) {
    // Rounded half away from zero, as std::lround (embedding.clip's encoder) rounds, without its
    // library call.
    const float x = step > 0 ? vector[d] / step : 0.0f;
    const long q = std::clamp(static_cast<long>(x >= 0 ? x + 0.5f : x - 0.5f), -127L, 127L);
    record_[d] = static_cast<int8_t>(q);
    const double e = vector[d] - static_cast<double>(q) * step;
    error += e * e;
  }
  // Rounded up, so the bound in SemanticJoinPairs holds for the float too.
  const float error_norm = std::nextafter(static_cast<float>(std::sqrt(error)), 1.0f);
  std::memcpy(record_.data() + dims_, &step, sizeof step);
  std::memcpy(record_.data() + dims_ + sizeof(float), &error_norm, sizeof error_norm);
  if (Status st = vectors_.Append(record_.data(), record_.size()); !st.ok()) return st;
  entries_.push_back(entry);
  batch_.insert(batch_.end(), vector.begin(), vector.end());
  return batch_.size() >= kKeyBatch * dims_ ? FlushBatch() : Status::Ok();
}

// Keys file layout: batch after batch (every batch kKeyBatch vectors but the last), each batch
// table after table, a 32-bit key per vector.
Status EmbeddingSpill::FlushBatch() {
  if (batch_.empty()) return Status::Ok();
  return keyer_->Start(&batch_, dims_, shape_, keyer_->planes);
}

Result<SemanticJoinResult> SemanticJoinPairs(EmbeddingSpill& spill,
                                             const SemanticJoinOptions& options) {
  SemanticJoinResult result;
  result.shape = spill.shape_;
  const size_t n = spill.size();
  if (n < 2) return result;
  for (Status st : {spill.FlushBatch(), spill.keyer_->Wait(), spill.vectors_.Flush(),
                    spill.keyer_->keys.Flush()}) {
    if (!st.ok()) return st;
  }
  const size_t dims = spill.dims_;
  const size_t record = RecordBytes(dims);
  const LshShape shape = spill.shape_;
  const unsigned threads = std::max(1u, options.threads);

  // Blocks of consecutive vectors: two of them in 3/4 of the budget.
  const size_t sketch_bytes = n * sizeof(Sketch);
  const size_t for_blocks =
      options.memory_budget > sketch_bytes ? options.memory_budget - sketch_bytes : 0;
  const size_t block_vectors =
      std::max<size_t>({1, for_blocks * 3 / 8 / record, (n + kMaxBlocks - 1) / kMaxBlocks});
  const int blocks = static_cast<int>((n + block_vectors - 1) / block_vectors);
  result.blocks = blocks;
  const auto block_of = [&](uint32_t position) {
    return static_cast<int>(position / block_vectors);
  };

  // Pair files, one per block pair (a <= b), each record (position a, position b), a < b.
  std::vector<std::optional<TempFile>> parts(static_cast<size_t>(blocks) * blocks);
  for (int a = 0; a < blocks; ++a) {
    for (int b = a; b < blocks; ++b) {
      auto f = TempFile::Create(spill.dir_, "semantic-pairs");
      if (!f.ok()) return f.status();
      parts[PartIndex(a, b, blocks)].emplace(std::move(*f));
    }
  }
  // Table t's key of every vector (keys file layout: EmbeddingSpill::FlushBatch).
  const auto read_keys = [&](int t, std::vector<uint32_t>* keys) -> Status {
    for (size_t from = 0; from < n; from += kKeyBatch) {
      const size_t m = std::min(kKeyBatch, n - from);
      const uint64_t at = (from * shape.tables + static_cast<uint64_t>(t) * m) * sizeof(uint32_t);
      if (Status st = spill.keyer_->keys.ReadAt(&(*keys)[from], m * sizeof(uint32_t), at);
          !st.ok()) {
        return st;
      }
    }
    return Status::Ok();
  };
  const int sketch_tables = std::min(shape.tables, kSketchWords * 64 / shape.bits);
  std::vector<Sketch> sketches(n);
  {
    std::vector<uint32_t> keys(n);
    for (int t = 0; t < sketch_tables; ++t) {
      if (Status st = read_keys(t, &keys); !st.ok()) return st;
      const int offset = t * shape.bits, word = offset / 64, shift = offset % 64;
      for (size_t k = 0; k < n; ++k) {
        sketches[k].w[word] |= uint64_t{keys[k]} << shift;
        if (shift + shape.bits > 64) sketches[k].w[word + 1] |= uint64_t{keys[k]} >> (64 - shift);
      }
    }
  }
  const int sketch_cut = SketchCut(sketch_tables * shape.bits, spill.min_cosine_);
  // The first 128 bits alone (all of them when the sketch is shorter).
  const int first_cut =
      sketch_tables * shape.bits >= 128 ? SketchCut(128, spill.min_cosine_) : sketch_cut;
  std::mutex parts_mutex;
  Status failed;
  ProgressLine bucket_progress("dedup: semantic buckets", "tables", shape.tables);
  long tables_done = 0;
  const auto t_bucket = std::chrono::steady_clock::now();

  // Candidates: each worker takes tables in turn, buckets the vectors by key and writes every pair
  // of a bucket to its block pair's file.
  RunOnWorkers(std::min<unsigned>(threads, static_cast<unsigned>(shape.tables)), [&](unsigned w) {
    std::vector<uint32_t> keys(n);
    std::vector<uint64_t> items(n), scratch;
    std::vector<std::vector<Pair>> out(parts.size());
    std::vector<uint32_t> members;
    long bucket_pairs = 0;
    const auto flush = [&](size_t part) {
      std::lock_guard lock(parts_mutex);
      if (failed.ok()) {
        result.raw_candidates += static_cast<long>(out[part].size());
        Status st = parts[part]->Append(out[part].data(), out[part].size() * sizeof(Pair));
        if (!st.ok()) failed = st;
      }
      out[part].clear();
    };
    for (int t = static_cast<int>(w); t < shape.tables;
         t += static_cast<int>(std::min<unsigned>(threads, shape.tables))) {
      {
        std::lock_guard lock(parts_mutex);
        bucket_progress.Update(tables_done++);
      }
      if (Status st = read_keys(t, &keys); !st.ok()) {
        std::lock_guard lock(parts_mutex);
        failed = st;
        return;
      }
      for (size_t k = 0; k < n; ++k) items[k] = (uint64_t{keys[k]} << 32) | k;
      // By key, positions ascending within a key (stable; keys have at most 24 bits).
      RadixSort(&items, &scratch, 32, 64);
      const auto emit = [&](uint32_t a, uint32_t b) {  // b > a: positions ascend in a key
        const size_t part = PartIndex(block_of(a), block_of(b), blocks);
        out[part].emplace_back(a, b);
        if (out[part].size() >= kPairBuffer) flush(part);
      };
      for (size_t start = 0; start < n;) {
        size_t end = start + 1;
        while (end < n && (items[end] >> 32) == (items[start] >> 32)) ++end;
        if (end - start > 1) {
          members.clear();
          for (size_t k = start; k < end; ++k) members.push_back(static_cast<uint32_t>(items[k]));
          bucket_pairs += static_cast<long>(members.size() * (members.size() - 1) / 2);
          if (members.size() > kCollapseFrom) CollapseIdentical(&members, sketches, emit);
          AgreeingPairs(members.data(), members.size(), sketches, first_cut, sketch_cut, emit);
        }
        start = end;
      }
    }
    for (size_t part = 0; part < out.size(); ++part) {
      if (!out[part].empty()) flush(part);
    }
    std::lock_guard lock(parts_mutex);
    result.bucket_pairs += bucket_pairs;
  });
  bucket_progress.Done();
  if (!failed.ok()) return failed;
  const auto t_verify = std::chrono::steady_clock::now();
  result.bucket_seconds = std::chrono::duration<double>(t_verify - t_bucket).count();

  // Verification, block pair by block pair, a batch of candidates at a time.
  const size_t batch_pairs =
      std::max<size_t>(kPairBuffer, options.memory_budget / 16 / sizeof(Pair));
  std::vector<int8_t> block_a, block_b;
  const auto load = [&](int block, std::vector<int8_t>* into) {
    const size_t first = static_cast<size_t>(block) * block_vectors;
    const size_t count = std::min(block_vectors, n - first);
    into->resize(count * record);
    return spill.vectors_.ReadAt(into->data(), into->size(), first * record);
  };
  const double min_cosine = spill.min_cosine_;
  std::vector<Pair> batch;
  std::vector<uint64_t> sort_keys, sort_scratch;
  ProgressLine verify_progress("dedup: semantic verification", "block pairs",
                               static_cast<long>(blocks) * (blocks + 1) / 2);
  long parts_done = 0;
  for (int a = 0; a < blocks; ++a) {
    if (Status st = load(a, &block_a); !st.ok()) return st;
    for (int b = a; b < blocks; ++b) {
      verify_progress.Update(parts_done++);
      TempFile& part = *parts[PartIndex(a, b, blocks)];
      if (Status st = part.Flush(); !st.ok()) return st;
      const uint64_t count = part.size() / sizeof(Pair);
      if (count == 0) continue;
      if (b != a) {
        if (Status st = load(b, &block_b); !st.ok()) return st;
      }
      const std::vector<int8_t>& second = b == a ? block_a : block_b;
      const size_t first_a = static_cast<size_t>(a) * block_vectors;
      const size_t first_b = static_cast<size_t>(b) * block_vectors;
      for (uint64_t from = 0; from < count; from += batch_pairs) {
        const size_t m = static_cast<size_t>(std::min<uint64_t>(batch_pairs, count - from));
        batch.resize(m);
        if (Status st = part.ReadAt(batch.data(), m * sizeof(Pair), from * sizeof(Pair));
            !st.ok()) {
          return st;
        }
        // The same pair from several tables is verified once a batch.
        SortUniquePairs(&batch, first_a, first_b, block_vectors, &sort_keys, &sort_scratch);
        result.candidates += static_cast<long>(batch.size());
        std::vector<std::vector<Pair>> sure(threads), near(threads);
        RunOnWorkers(threads, [&](unsigned w) {
          // Each worker a contiguous share (its first vectors repeat, sorted); the second
          // vector of a pair is anywhere in its block, so it is fetched a few pairs ahead.
          const size_t begin = batch.size() * w / threads;
          const size_t end = batch.size() * (w + 1) / threads;
          constexpr size_t kAhead = 6;
          for (size_t k = begin; k < end; ++k) {
            if (k + kAhead < end) {
              const int8_t* next = &second[(batch[k + kAhead].second - first_b) * record];
              for (size_t line = 0; line < record; line += 64) __builtin_prefetch(next + line);
            }
            const int8_t* x = &block_a[(batch[k].first - first_a) * record];
            const int8_t* y = &second[(batch[k].second - first_b) * record];
            const double estimate =
                DotSteps(x, y, dims) * double{StepOf(x, dims)} * StepOf(y, dims);
            // |a.b - a'.b'| <= ea + eb + 3 ea eb for unit a, b with rounding errors of norms
            // ea, eb (see the header); the float test keeps a pair at min_cosine - 1e-6.
            const double ex = ErrorOf(x, dims), ey = ErrorOf(y, dims);
            const double margin = ex + ey + 3 * ex * ey + kRounding;
            if (estimate - margin >= min_cosine - 1e-6) {
              sure[w].push_back(batch[k]);
            } else if (estimate + margin >= min_cosine - 1e-6) {
              near[w].push_back(batch[k]);
            }
          }
        });
        const auto entry_pair = [&](const Pair& p) {
          const uint32_t x = spill.entries_[p.first], y = spill.entries_[p.second];
          return Pair(std::min(x, y), std::max(x, y));
        };
        for (unsigned w = 0; w < threads; ++w) {
          for (const Pair& p : sure[w]) result.pairs.push_back(entry_pair(p));
          for (const Pair& p : near[w]) result.borderline.push_back(entry_pair(p));
        }
      }
    }
  }
  result.verify_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_verify).count();
  for (auto* list : {&result.pairs, &result.borderline}) {
    std::sort(list->begin(), list->end());
    list->erase(std::unique(list->begin(), list->end()), list->end());
  }
  return result;
}

}  // namespace clipdex

#include "curate/chunk_join.h"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <memory>
#include <thread>

#include "curate/chunk_index.h"
#include "util/hamming.h"
#include "util/parallel.h"
#include "util/progress_line.h"

namespace clipdex {
namespace {

uint64_t PairOf(uint32_t a, uint32_t b) {
  if (a > b) std::swap(a, b);
  return (uint64_t{a} << 32) | b;
}

// Asks for transparent huge pages on a large array before it is first touched: the probes land
// at random in gigabytes, and with 4 KiB pages nearly every one also missed the TLB. (The
// kernel's default here is "madvise"; where huge pages are off this changes nothing.)
void AdviseHugePages(void* data, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const auto begin = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const auto end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) {
    madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // advice only
  }
}

// Probes resolved together (ChunkJoinPairs, step 3).
constexpr size_t kProbeBatch = 64;

// Every mask of `bits` bits with at most `radius` bits set (the chunk values a probe visits).
std::vector<uint32_t> MasksWithin(int bits, int radius) {
  std::vector<uint32_t> masks = {0};
  std::vector<uint32_t> frontier = {0};
  for (int d = 1; d <= radius; ++d) {
    std::vector<uint32_t> next;
    for (uint32_t m : frontier) {
      // Add a bit above the highest set bit, so each mask is made once.
      const int from = m == 0 ? 0 : 32 - std::countl_zero(m);
      for (int b = from; b < bits; ++b) next.push_back(m | (uint32_t{1} << b));
    }
    masks.insert(masks.end(), next.begin(), next.end());
    frontier = std::move(next);
  }
  return masks;
}

// Sorted union of `into` and `more` (both sorted, unique).
void MergeUnique(std::vector<uint64_t>* into, std::vector<uint64_t>* more) {
  std::sort(more->begin(), more->end());
  more->erase(std::unique(more->begin(), more->end()), more->end());
  std::vector<uint64_t> merged;
  merged.reserve(into->size() + more->size());
  std::set_union(into->begin(), into->end(), more->begin(), more->end(),
                 std::back_inserter(merged));
  into->swap(merged);
  std::vector<uint64_t>().swap(*more);
}

}  // namespace

Result<std::vector<uint64_t>> ChunkJoinPairs(const CodesSpill& spill,
                                             const ChunkJoinOptions& options,
                                             ChunkJoinStats* stats) {
  const ChunkLayout layout(std::clamp(options.chunks, 3, 16));
  const int chunks = layout.chunks();
  const unsigned workers = std::clamp<unsigned>(options.threads, 1, 16);
  const bool write_index = !options.index_path.empty() && options.index_clip_ids != nullptr;
  // Slices: a power of two, so a slice is the top bits of a chunk value; as many as the budget
  // asks for the entries placed (every chunk places the same entries: with the index, every
  // distinct code of a clip, queries and mirrored codes marked as such). Set once the first
  // chunk has counted them.
  const uint64_t entry_bytes = sizeof(uint32_t) + sizeof(uint64_t);
  int slice_bits = 0;
  ChunkJoinStats local_stats;
  ChunkJoinStats& st_out = stats != nullptr ? *stats : local_stats;
  st_out.chunks = chunks;
  const auto radius_of = [&](const ClipCodesView& v) {
    return options.windows && v.has_windows ? std::max(options.radius, options.window_radius)
                                            : options.radius;
  };
  std::unique_ptr<ChunkIndexWriter> index;
  const auto index_failed = [&](const Status& s) {
    st_out.index_error = s.message();
    index.reset();  // removes the unfinished file
  };

  std::vector<uint64_t> pairs;
  std::vector<uint32_t> offsets;
  std::vector<uint32_t> meta;  // clip index | roles
  std::vector<uint64_t> codes;
  std::vector<std::pair<uint64_t, uint32_t>> scratch;
  std::vector<long> comparisons(workers, 0);
  ProgressLine progress("dedup: candidate search (chunk join)", "passes", chunks);
  long passes_done = 0;
  for (int c = 0; c < chunks; ++c) {
    const auto chunk_of = [&](uint64_t code) { return layout.ValueOf(code, c); };
    const std::vector<uint32_t> masks =
        MasksWithin(layout.bits[c], std::max(0, options.probe_radius));
    // 1. Count the entries per chunk value, once for every slice (4 bytes a value).
    std::vector<uint32_t> counts(size_t{1} << layout.bits[c], 0);
    Status st = spill.ForEachBatch([&](size_t, const std::vector<std::string_view>& blobs) {
      for (std::string_view blob : blobs) {
        auto v = ViewClipCodes(blob);
        if (!v.ok()) return v.status();
        ForEachIndexEntry(*v, write_index, &scratch,
                          [&](uint64_t code, uint32_t) { ++counts[chunk_of(code)]; });
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    uint64_t total = 0;
    for (uint32_t n : counts) total += n;
    if (c == 0) {
      while (slice_bits < 12 && (total * entry_bytes >> slice_bits) > options.memory_budget) {
        ++slice_bits;
      }
      st_out.slices = 1 << slice_bits;
      progress.SetTotal(static_cast<long>(chunks) << slice_bits);
    }
    const int local_bits = layout.bits[c] - slice_bits;
    const uint32_t local_mask = (uint32_t{1} << local_bits) - 1;
    if (write_index && c == 0) {
      auto w = ChunkIndexWriter::Begin(options.index_path, layout, *options.index_clip_ids, 0,
                                       std::vector<uint64_t>(chunks, total));
      if (w.ok()) {
        index = std::move(*w);
      } else {
        index_failed(w.status());
      }
    }
    if (index) {
      if (Status s = index->BeginChunk(c, counts); !s.ok()) index_failed(s);
    }
    for (uint32_t slice = 0; slice < (uint32_t{1} << slice_bits); ++slice) {
      progress.Update(passes_done++);
      // The slice's bucket offsets, from its values' counts.
      const size_t base = size_t{slice} << local_bits;
      offsets.assign((size_t{1} << local_bits) + 1, 0);
      for (size_t b = 1; b < offsets.size(); ++b) {
        offsets[b] = offsets[b - 1] + counts[base + b - 1];
      }
      // 2. Place them (a counting sort by chunk value). A larger slice than the last one gets
      // fresh arrays: growing them in place would copy the old contents and hold both.
      if (offsets.back() > meta.capacity()) {
        std::vector<uint32_t>().swap(meta);
        std::vector<uint64_t>().swap(codes);
        meta.reserve(offsets.back());
        codes.reserve(offsets.back());
        AdviseHugePages(meta.data(), meta.capacity() * sizeof(uint32_t));
        AdviseHugePages(codes.data(), codes.capacity() * sizeof(uint64_t));
      }
      meta.resize(offsets.back());
      codes.resize(offsets.back());
      std::vector<uint32_t> cursor(offsets.begin(), offsets.end() - 1);
      st = spill.ForEachBatch([&](size_t first, const std::vector<std::string_view>& blobs) {
        for (size_t i = 0; i < blobs.size(); ++i) {
          auto v = ViewClipCodes(blobs[i]);
          if (!v.ok()) return v.status();
          const auto clip = static_cast<uint32_t>(first + i);
          ForEachIndexEntry(*v, write_index, &scratch, [&](uint64_t code, uint32_t roles) {
            const uint32_t value = chunk_of(code);
            if ((value >> local_bits) != slice) return;
            const uint32_t at = cursor[value & local_mask]++;
            meta[at] = clip | roles;
            codes[at] = code;
          });
        }
        return Status::Ok();
      });
      if (!st.ok()) return st;
      std::vector<uint32_t>().swap(cursor);
      if (index) {
        if (Status s = index->Append(codes.data(), meta.data(), codes.size()); !s.ok()) {
          index_failed(s);
        }
      }
      // 3. Every clip's queries against the slice's stored codes, on all cores.
      std::vector<std::vector<uint64_t>> found(workers);
      st = spill.ForEachBatch([&](size_t first, const std::vector<std::string_view>& blobs) {
        std::vector<Status> errors(workers);
        RunOnWorkers(workers, [&](unsigned w) {
          long compared = 0;
          // Probes are resolved in batches with prefetches (every bucket's offset, then every
          // bucket's first codes, then the scans), so their cache and TLB misses overlap: one
          // probe at a time waited on two misses into gigabyte arrays per query.
          struct Probe {
            uint64_t q;
            uint32_t self, bucket, begin, end;
            int radius;
          };
          std::vector<Probe> batch;
          batch.reserve(kProbeBatch + 64);
          const auto run_batch = [&] {
            for (const Probe& p : batch) __builtin_prefetch(offsets.data() + p.bucket);
            for (Probe& p : batch) {
              p.begin = offsets[p.bucket];
              p.end = offsets[p.bucket + 1];
              if (p.begin < p.end) __builtin_prefetch(codes.data() + p.begin);
            }
            for (const Probe& p : batch) {
              // The hot loop (tens of billions of entries at ten million clips): the distance
              // first, on the codes array alone (HammingDistance: no library popcount call on
              // baseline x86-64), the roles only for the rare hits.
              compared += p.end - p.begin;
              for (uint32_t e = p.begin; e < p.end; ++e) {
                if (HammingDistance(codes[e], p.q) > p.radius) continue;
                const uint32_t other = meta[e] & kEntryClipMask;
                if ((meta[e] & kEntryStored) != 0 && other != p.self) {
                  found[w].push_back(PairOf(p.self, other));
                }
              }
            }
            batch.clear();
          };
          for (size_t i = w; i < blobs.size(); i += workers) {
            auto v = ViewClipCodes(blobs[i]);
            if (!v.ok()) {
              errors[w] = v.status();
              return;
            }
            const auto self = static_cast<uint32_t>(first + i);
            const int radius = radius_of(*v);
            for (int list = 1; list <= 2; ++list) {
              for (uint32_t k = 0; k < v->counts[list]; ++k) {
                const uint64_t q = v->Code(list, k);
                const uint32_t value = chunk_of(q);
                for (uint32_t m : masks) {
                  const uint32_t probe = value ^ m;
                  if ((probe >> local_bits) != slice) continue;
                  batch.push_back({q, self, probe & local_mask, 0, 0, radius});
                }
              }
            }
            if (batch.size() >= kProbeBatch) run_batch();
          }
          run_batch();
          comparisons[w] += compared;
        });
        for (const Status& e : errors) {
          if (!e.ok()) return e;
        }
        return Status::Ok();
      });
      if (!st.ok()) return st;
      for (auto& f : found) MergeUnique(&pairs, &f);
    }
  }
  progress.Update(passes_done);
  progress.Done();
  if (index) {
    if (Status s = index->Finish(); !s.ok()) {
      index_failed(s);
    } else {
      st_out.index_written = true;
    }
  }
  st_out.comparisons = 0;
  for (long n : comparisons) st_out.comparisons += n;
  return pairs;
}

}  // namespace clipdex

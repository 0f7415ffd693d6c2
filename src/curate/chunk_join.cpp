#include "curate/chunk_join.h"

#include <algorithm>
#include <bit>
#include <thread>

#include "util/parallel.h"
#include "util/progress_line.h"

namespace clipdex {
namespace {

uint64_t PairOf(uint32_t a, uint32_t b) {
  if (a > b) std::swap(a, b);
  return (uint64_t{a} << 32) | b;
}

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
  const int chunks = std::clamp(options.chunks, 3, 16);
  const unsigned workers = std::clamp<unsigned>(options.threads, 1, 16);
  // Chunk c covers bits [shift[c], shift[c] + bits[c]); the first 64 % chunks get one more bit.
  std::vector<int> bits(chunks), shift(chunks);
  for (int c = 0, at = 0; c < chunks; ++c) {
    bits[c] = 64 / chunks + (c < 64 % chunks ? 1 : 0);
    shift[c] = at;
    at += bits[c];
  }
  // Slices: a power of two, so a slice is the top bits of a chunk value.
  const uint64_t entry_bytes = sizeof(uint32_t) + sizeof(uint64_t);
  int slice_bits = 0;
  while (slice_bits < 12 &&
         (spill.stored_codes() * entry_bytes >> slice_bits) > options.memory_budget) {
    ++slice_bits;
  }
  if (stats != nullptr) {
    stats->chunks = chunks;
    stats->slices = 1 << slice_bits;
  }
  const auto radius_of = [&](const ClipCodesView& v) {
    return options.windows && v.has_windows ? std::max(options.radius, options.window_radius)
                                            : options.radius;
  };

  std::vector<uint64_t> pairs;
  std::vector<uint32_t> offsets;
  std::vector<uint32_t> ids;
  std::vector<uint64_t> codes;
  std::vector<long> comparisons(workers, 0);
  ProgressLine progress("dedup: candidate search (chunk join)", "passes",
                        static_cast<long>(chunks) << slice_bits);
  long passes_done = 0;
  for (int c = 0; c < chunks; ++c) {
    const int local_bits = bits[c] - slice_bits;
    const uint64_t chunk_mask = (uint64_t{1} << bits[c]) - 1;
    const uint32_t local_mask = (uint32_t{1} << local_bits) - 1;
    const auto chunk_of = [&](uint64_t code) {
      return static_cast<uint32_t>((code >> shift[c]) & chunk_mask);
    };
    const std::vector<uint32_t> masks = MasksWithin(bits[c], std::max(0, options.probe_radius));
    // 1. Count the stored codes per chunk value, once for every slice (4 bytes a value).
    std::vector<uint32_t> counts((size_t{1} << bits[c]) + 1, 0);
    Status st = spill.ForEachBatch([&](size_t, const std::vector<std::string_view>& blobs) {
      for (std::string_view blob : blobs) {
        auto v = ViewClipCodes(blob);
        if (!v.ok()) return v.status();
        for (uint32_t k = 0; k < v->counts[0]; ++k) ++counts[chunk_of(v->Code(0, k)) + 1];
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    for (uint32_t slice = 0; slice < (uint32_t{1} << slice_bits); ++slice) {
      progress.Update(passes_done++);
      // The slice's bucket offsets, from its values' counts.
      const size_t base = size_t{slice} << local_bits;
      offsets.assign((size_t{1} << local_bits) + 1, 0);
      for (size_t b = 1; b < offsets.size(); ++b) {
        offsets[b] = offsets[b - 1] + counts[base + b];
      }
      // 2. Place them (a counting sort by chunk value).
      ids.resize(offsets.back());
      codes.resize(offsets.back());
      std::vector<uint32_t> cursor(offsets.begin(), offsets.end() - 1);
      st = spill.ForEachBatch([&](size_t first, const std::vector<std::string_view>& blobs) {
        for (size_t i = 0; i < blobs.size(); ++i) {
          auto v = ViewClipCodes(blobs[i]);
          if (!v.ok()) return v.status();
          for (uint32_t k = 0; k < v->counts[0]; ++k) {
            const uint64_t code = v->Code(0, k);
            const uint32_t value = chunk_of(code);
            if ((value >> local_bits) != slice) continue;
            const uint32_t at = cursor[value & local_mask]++;
            ids[at] = static_cast<uint32_t>(first + i);
            codes[at] = code;
          }
        }
        return Status::Ok();
      });
      if (!st.ok()) return st;
      std::vector<uint32_t>().swap(cursor);
      // 3. Every clip's queries against the slice, on all cores.
      std::vector<std::vector<uint64_t>> found(workers);
      st = spill.ForEachBatch([&](size_t first, const std::vector<std::string_view>& blobs) {
        std::vector<Status> errors(workers);
        RunOnWorkers(workers, [&](unsigned w) {
          long compared = 0;
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
                  const uint32_t b = probe & local_mask;
                  for (uint32_t e = offsets[b]; e < offsets[b + 1]; ++e) {
                    ++compared;
                    if (ids[e] != self && std::popcount(codes[e] ^ q) <= radius) {
                      found[w].push_back(PairOf(self, ids[e]));
                    }
                  }
                }
              }
            }
          }
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
  if (stats != nullptr) {
    stats->comparisons = 0;
    for (long n : comparisons) stats->comparisons += n;
  }
  return pairs;
}

}  // namespace clipdex

// A set of clip ids as a bitmap: what one filter condition ("quality.score >= 8") selects, made
// once and then tested per candidate clip in nanoseconds (search/clip_set_cache.h). One bit per
// clip id up to the largest: 12.5 kB for 100k clips, 1.25 MB for ten million.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace clipdex {

class ClipSet {
 public:
  void Add(int64_t id) {
    if (id < 0) return;
    const auto word = static_cast<size_t>(id) / 64;
    if (word >= bits_.size()) bits_.resize(word + 1, 0);
    const uint64_t bit = uint64_t{1} << (static_cast<uint64_t>(id) % 64);
    count_ += (bits_[word] & bit) == 0 ? 1 : 0;
    bits_[word] |= bit;
  }
  bool Contains(int64_t id) const {
    if (id < 0) return false;
    const auto word = static_cast<size_t>(id) / 64;
    return word < bits_.size() && (bits_[word] >> (static_cast<uint64_t>(id) % 64) & 1) != 0;
  }
  size_t size() const { return count_; }
  // Calls fn(id) for every id in the set, ascending.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (size_t w = 0; w < bits_.size(); ++w) {
      for (uint64_t word = bits_[w]; word != 0; word &= word - 1) {
        fn(static_cast<int64_t>(w * 64 + static_cast<size_t>(__builtin_ctzll(word))));
      }
    }
  }
  size_t bytes() const { return bits_.capacity() * sizeof(uint64_t); }
  // The ids in both sets (word by word).
  ClipSet Intersect(const ClipSet& other) const {
    ClipSet out;
    const size_t n = std::min(bits_.size(), other.bits_.size());
    out.bits_.reserve(n);
    for (size_t w = 0; w < n; ++w) {
      const uint64_t word = bits_[w] & other.bits_[w];
      out.bits_.push_back(word);
      out.count_ += static_cast<size_t>(__builtin_popcountll(word));
    }
    return out;
  }

 private:
  std::vector<uint64_t> bits_;
  size_t count_ = 0;
};

}  // namespace clipdex

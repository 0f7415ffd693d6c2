// Hamming distance of 64-bit codes (perceptual hashes).
#pragma once

#include <cstdint>

namespace clipdex {

// Bit-parallel counting rather than __builtin_popcountll: without a -mpopcnt build flag the
// builtin is a library call per comparison, which dominated candidate search.
inline int HammingDistance(uint64_t a, uint64_t b) {
  uint64_t x = a ^ b;
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return static_cast<int>((x * 0x0101010101010101ULL) >> 56);
}

}  // namespace clipdex

// FNV-1a 64-bit: a hash that is the same on every machine and library version (std::hash may
// differ), for deterministic choices keyed by a name (caption DPO variants, paired-data
// degradations).
#pragma once

#include <cstdint>
#include <string_view>

namespace clipdex {

inline uint64_t StableHash(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace clipdex

// The distance between a query frame and a kept clip frame of the example index
// (search/example_index.h): the smallest, over the relations dedup uses, of the larger of the two
// Hamming distances each relation compares. This is the whole cost of a query by example (every
// kept frame of every clip, for each probe frame), so it has two implementations with one
// result: portable scalar code, and one for CPUs with AVX-512's 64-bit popcount (VPOPCNTQ, on
// Intel since Ice Lake and AMD since Zen 4) that compares the 13 windows' relations in vector
// lanes, chosen once at run time (FrameDistance).
#pragma once

#include <array>
#include <cstdint>

#include "analyze/dup_signature.h"

namespace clipdex {

// Positions in a kept frame's hashes (ExampleIndex's Hashes), in this order.
inline constexpr int kKeptPlain = 0, kKeptCentre = 1, kKeptInner = 2, kKeptGradient = 3;
inline constexpr int kKeptWindow0 = 4, kKeptWindowGradient0 = 4 + kWindows;
inline constexpr int kKeptHashes = 4 + 2 * kWindows;

// A query frame's hashes as the comparison reads them, made once per query.
struct ExampleProbe {
  uint64_t plain = 0, centre = 0, inner = 0, gradient = 0;
  // kWindows used; padded to 16 so vector code can load whole registers.
  std::array<uint64_t, 16> window{}, window_gradient{};
  bool windows = false;  // the frame has window hashes
};

ExampleProbe MakeExampleProbe(const FrameHash& q);

// The hashes the index keeps of a clip frame, in the kKept* order.
std::array<uint64_t, kKeptHashes> KeepExampleHashes(const FrameHash& h);

// The distance in bits (0..64); `c` holds kKeptHashes hashes, `c_windows` whether its window
// hashes are real. Uses the vector implementation where the CPU has it.
int ExampleFrameDistance(const ExampleProbe& q, const uint64_t* c, bool c_windows);

// The portable implementation, and whether the vector one is in use (for tests and benches).
int ExampleFrameDistanceScalar(const ExampleProbe& q, const uint64_t* c, bool c_windows);
bool ExampleDistanceIsVectorised();

}  // namespace clipdex

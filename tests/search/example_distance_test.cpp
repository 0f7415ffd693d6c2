// The vector and scalar frame distances of query by example agree on every input (they are one
// function in two implementations), and the distance means what it says on constructed frames.
#include "search/example_distance.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace clipdex {
namespace {

// A frame whose hashes are `base` with `flips` random bits flipped in each hash.
FrameHash Near(const FrameHash& base, int flips, std::mt19937_64& rng) {
  FrameHash h = base;
  for (int k = 0; k < kHashKinds; ++k) {
    uint64_t v = h.of(static_cast<HashKind>(k));
    for (int f = 0; f < flips; ++f) v ^= uint64_t{1} << (rng() % 64);
    h.of(static_cast<HashKind>(k)) = v;
  }
  return h;
}

FrameHash Random(std::mt19937_64& rng) {
  FrameHash h;
  for (int k = 0; k < kHashKinds; ++k) h.of(static_cast<HashKind>(k)) = rng();
  return h;
}

std::array<uint64_t, kKeptHashes> Kept(const FrameHash& h) { return KeepExampleHashes(h); }

TEST(ExampleDistance, VectorAndScalarAgreeOnEveryInput) {
  if (!ExampleDistanceIsVectorised()) {
    std::printf("this CPU has no AVX-512 VPOPCNTQ: only the scalar distance runs here\n");
  }
  std::mt19937_64 rng(42);
  int different = 0;
  for (int i = 0; i < 20000; ++i) {
    const FrameHash a = Random(rng);
    // Near copies (0..24 bits per hash), unrelated frames, and one window planted equal.
    FrameHash b = i % 3 == 0 ? Random(rng) : Near(a, static_cast<int>(rng() % 25), rng);
    if (i % 5 == 0) b.of(WindowKind(static_cast<int>(rng() % kWindows))) = a.of(HashKind::kPlain);
    const ExampleProbe q = MakeExampleProbe(a);
    const auto c = Kept(b);
    for (bool c_windows : {true, false}) {
      const int scalar = ExampleFrameDistanceScalar(q, c.data(), c_windows);
      const int used = ExampleFrameDistance(q, c.data(), c_windows);
      ASSERT_EQ(used, scalar) << "input " << i;
      ASSERT_GE(scalar, 0);
      ASSERT_LE(scalar, 64);
      different += scalar != ExampleFrameDistanceScalar(q, c.data(), !c_windows);
    }
  }
  EXPECT_GT(different, 1000) << "the window relations never decided: the test proves nothing";
}

TEST(ExampleDistance, IdenticalFramesAreZeroAndAWindowCropIsFound) {
  std::mt19937_64 rng(7);
  const FrameHash a = Random(rng);
  const ExampleProbe q = MakeExampleProbe(a);
  EXPECT_EQ(ExampleFrameDistance(q, Kept(a).data(), true), 0);
  // The query is a crop of the clip frame's window 11 (a lane of the second vector group): its
  // plain and gradient hashes equal that window's; everything else is unrelated.
  FrameHash b = Random(rng);
  b.of(WindowKind(11)) = a.of(HashKind::kPlain);
  b.of(WindowGradientKind(11)) = a.of(HashKind::kPlainGradient);
  EXPECT_EQ(ExampleFrameDistance(q, Kept(b).data(), true), 0);
  EXPECT_GT(ExampleFrameDistance(q, Kept(b).data(), false), 10) << "windows off: no relation";
}

}  // namespace
}  // namespace clipdex

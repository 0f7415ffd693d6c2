// Frame distance of query by example, scalar and AVX-512 (see search/example_distance.h).
#include "search/example_distance.h"

#include <algorithm>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace clipdex {
namespace {

// The hardware popcount is one instruction on every x86-64 since 2008; the project's default
// flags target baseline x86-64, where the builtin is a library call (util/hamming.h).
#if defined(__x86_64__)
#define CLIPDEX_POPCNT __attribute__((target("popcnt")))
#else
#define CLIPDEX_POPCNT
#endif

CLIPDEX_POPCNT inline int Bits(uint64_t a, uint64_t b) { return __builtin_popcountll(a ^ b); }

// The three relations without windows: same framing, the query a centre crop of the clip frame,
// the clip frame a centre crop of the query.
CLIPDEX_POPCNT inline int BaseDistance(const ExampleProbe& q, const uint64_t* c) {
  int best = std::max(Bits(q.plain, c[kKeptPlain]), Bits(q.centre, c[kKeptCentre]));
  best = std::min(best, std::max(Bits(q.plain, c[kKeptCentre]), Bits(q.centre, c[kKeptInner])));
  return std::min(best, std::max(Bits(c[kKeptPlain], q.centre), Bits(c[kKeptCentre], q.inner)));
}

#if defined(__x86_64__)
// GCC 12 reports the _mm512_undefined_epi32() that its own AVX-512 intrinsics pass as an unused
// merge source as "may be used uninitialized" (every max/min/shuffle here); nothing is.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define CLIPDEX_AVX512 __attribute__((target("avx512f,avx512vpopcntdq,popcnt")))

CLIPDEX_AVX512 inline __m512i LaneBits(__m512i a, __m512i b) {
  return _mm512_popcnt_epi64(_mm512_xor_si512(a, b));
}
CLIPDEX_AVX512 inline __m512i Broadcast(uint64_t v) {
  return _mm512_set1_epi64(static_cast<long long>(v));
}

// The windows' three relations for the windows [first, first + 8) selected by `lanes`, as the
// smallest over them: the query a crop of the clip frame's window (its plain and gradient hashes
// against the window's), the clip frame a crop of the query's window, the same window of both.
CLIPDEX_AVX512 inline int WindowLanes(const ExampleProbe& q, const uint64_t* c, int first,
                                      __mmask8 lanes) {
  const __m512i cw = _mm512_maskz_loadu_epi64(lanes, c + kKeptWindow0 + first);
  const __m512i cwg = _mm512_maskz_loadu_epi64(lanes, c + kKeptWindowGradient0 + first);
  const __m512i qw = _mm512_loadu_si512(q.window.data() + first);
  const __m512i qwg = _mm512_loadu_si512(q.window_gradient.data() + first);
  const __m512i q_crop =
      _mm512_max_epu64(LaneBits(cw, Broadcast(q.plain)), LaneBits(cwg, Broadcast(q.gradient)));
  const __m512i c_crop = _mm512_max_epu64(LaneBits(qw, Broadcast(c[kKeptPlain])),
                                          LaneBits(qwg, Broadcast(c[kKeptGradient])));
  const __m512i same = _mm512_max_epu64(LaneBits(qw, cw), LaneBits(qwg, cwg));
  const __m512i best = _mm512_min_epu64(q_crop, _mm512_min_epu64(c_crop, same));
  return static_cast<int>(_mm512_mask_reduce_min_epu64(lanes, best));
}

CLIPDEX_AVX512 int VectorDistance(const ExampleProbe& q, const uint64_t* c, bool c_windows) {
  const int best = BaseDistance(q, c);
  if (!q.windows || !c_windows) return best;
  static_assert(kWindows > 8 && kWindows <= 16, "two groups of 8 lanes hold the windows");
  constexpr auto kRest = static_cast<__mmask8>((1u << (kWindows - 8)) - 1);
  return std::min({best, WindowLanes(q, c, 0, 0xff), WindowLanes(q, c, 8, kRest)});
}

#pragma GCC diagnostic pop

bool CpuHasVectorPopcount() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq");
}
const bool kVector = CpuHasVectorPopcount();
#else
const bool kVector = false;
#endif

}  // namespace

ExampleProbe MakeExampleProbe(const FrameHash& h) {
  ExampleProbe p;
  p.plain = h.of(HashKind::kPlain);
  p.centre = h.of(HashKind::kCentre);
  p.inner = h.of(HashKind::kInner);
  p.gradient = h.of(HashKind::kPlainGradient);
  for (int w = 0; w < kWindows; ++w) {
    p.window[static_cast<size_t>(w)] = h.of(WindowKind(w));
    p.window_gradient[static_cast<size_t>(w)] = h.of(WindowGradientKind(w));
    // A frame has windows when any bit of them is set (HashExamplePicture sets them; a parsed
    // old-format signature has none).
    p.windows = p.windows || p.window[static_cast<size_t>(w)] != 0;
  }
  return p;
}

std::array<uint64_t, kKeptHashes> KeepExampleHashes(const FrameHash& h) {
  std::array<uint64_t, kKeptHashes> k{};
  k[kKeptPlain] = h.of(HashKind::kPlain);
  k[kKeptCentre] = h.of(HashKind::kCentre);
  k[kKeptInner] = h.of(HashKind::kInner);
  k[kKeptGradient] = h.of(HashKind::kPlainGradient);
  for (int w = 0; w < kWindows; ++w) {
    k[static_cast<size_t>(kKeptWindow0 + w)] = h.of(WindowKind(w));
    k[static_cast<size_t>(kKeptWindowGradient0 + w)] = h.of(WindowGradientKind(w));
  }
  return k;
}

CLIPDEX_POPCNT int ExampleFrameDistanceScalar(const ExampleProbe& q, const uint64_t* c,
                                              bool c_windows) {
  int best = BaseDistance(q, c);
  if (!q.windows || !c_windows) return best;
  for (int w = 0; w < kWindows; ++w) {
    const auto i = static_cast<size_t>(w);
    const uint64_t cw = c[kKeptWindow0 + w], cwg = c[kKeptWindowGradient0 + w];
    best = std::min(best, std::max(Bits(q.plain, cw), Bits(q.gradient, cwg)));  // q crop of c's w
    best = std::min(best, std::max(Bits(c[kKeptPlain], q.window[i]),
                                   Bits(c[kKeptGradient], q.window_gradient[i])));  // c crop of q
    best = std::min(
        best, std::max(Bits(q.window[i], cw), Bits(q.window_gradient[i], cwg)));  // same window
  }
  return best;
}

int ExampleFrameDistance(const ExampleProbe& q, const uint64_t* c, bool c_windows) {
#if defined(__x86_64__)
  if (kVector) return VectorDistance(q, c, c_windows);
#endif
  return ExampleFrameDistanceScalar(q, c, c_windows);
}

bool ExampleDistanceIsVectorised() { return kVector; }

}  // namespace clipdex

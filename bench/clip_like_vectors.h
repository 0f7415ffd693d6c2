// Synthetic unit vectors with the structure of real CLIP embeddings of video clips, generated
// from their index (never all held: ten million 512-d floats are 20 GB), for the benches of
// query by example (embedding_ann_bench.cpp) and semantic dedup (semantic_join_bench.cpp).
// See embedding_ann_bench.cpp for the model: scenes of clips at cosine 0.74-0.94 to their
// centre, scenes in topics, a power-law spectrum, 10 % loose clips.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace clipdex::bench {

// splitmix64: a fast, well-mixed 64-bit sequence, reproducible per (seed, index).
inline uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
// An approximately normal value (sum of four uniforms, variance 1) from one 64-bit word.
inline float Gauss(uint64_t word) {
  float s = 0;
  for (int k = 0; k < 4; ++k) s += static_cast<float>((word >> (16 * k)) & 0xFFFF) / 65535.0f;
  return (s - 2.0f) * 1.7320508f;
}

struct Generator {
  int dims = 512;
  int64_t clusters = 100;
  float spread_max =
      0.9f;  // noise norm of the loosest scene (its clips at cosine 1/sqrt(1+s^2) to it)
  // "clip": structured like real CLIP embeddings (below); "iso": scene centres in random
  // directions of all 512 dimensions, no topics, a flat spectrum (the worst case for any index
  // that partitions space).
  bool structured = true;
  std::vector<float> spectrum;  // per-dimension scale ("clip": decaying, "iso": all 1)

  void Init() {
    spectrum.resize(static_cast<size_t>(dims));
    for (int d = 0; d < dims; ++d) {
      // Real CLIP embeddings put most of their variance in few directions (their PCA spectrum
      // decays roughly as a power law); scale dimension d by (d + 1)^-0.5.
      spectrum[static_cast<size_t>(d)] =
          structured ? 1.0f / std::sqrt(static_cast<float>(d + 1)) : 1.0f;
    }
  }
  bool Loose(int64_t i) const { return Mix(static_cast<uint64_t>(i) * 7919 + 1) % 10 == 0; }
  // Vector `i` into out[0..dims).
  void Vector(int64_t i, float* out) const {
    const uint64_t h = Mix(static_cast<uint64_t>(i) * 7919 + 1);
    const bool loose = Loose(i);
    const int64_t c = static_cast<int64_t>((h >> 8) % static_cast<uint64_t>(clusters));
    // "clip": scenes belong to topics (a hundred scenes a topic, the centre = topic + its own
    // offset), as shots of one kind of content (beaches, interviews, cars) resemble each other.
    const uint64_t topic = Mix(static_cast<uint64_t>(c) + 0xabc) %
                           static_cast<uint64_t>(std::max<int64_t>(1, clusters / 100));
    // Spread of this cluster: noise norm relative to the unit centre, 0.35..spread_max.
    const float spread = 0.35f + (spread_max - 0.35f) *
                                     static_cast<float>(Mix(static_cast<uint64_t>(c)) % 1000) /
                                     1000.0f;
    const float unit = 1.0f / std::sqrt(static_cast<float>(dims));
    double norm = 0;
    for (int d = 0; d < dims; ++d) {
      float centre = 0;
      if (!loose) {
        centre = Gauss(Mix(static_cast<uint64_t>(c) * 1000003 + d)) * unit;
        if (structured) centre = 0.8f * centre + Gauss(Mix(topic * 999983 + d + 77)) * unit;
      }
      const float noise = Gauss(Mix(static_cast<uint64_t>(i) * 1000033 + d + 0x51ed)) * unit;
      out[d] = (centre + (loose ? 1.0f : spread) * noise) * spectrum[static_cast<size_t>(d)];
      norm += double(out[d]) * out[d];
    }
    const float inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (int d = 0; d < dims; ++d) out[d] *= inv;
  }
  void Chunk(int64_t from, int64_t n, std::vector<float>* out) const {
    out->resize(static_cast<size_t>(n) * dims);
#pragma omp parallel for
    for (int64_t i = 0; i < n; ++i) Vector(from + i, out->data() + i * dims);
  }
};

}  // namespace clipdex::bench

// Sparse sampling inside a clip: the sample buffer keeps up to its memory bound; analyzers
// that only need a handful of pictures per clip pick them spread evenly over the clip.
#pragma once

#include <algorithm>
#include <vector>

#include "analyze/analyzer.h"

namespace clipdex {

// Up to `max_count` frames spread evenly over `frames` (all of them when fewer), in time order.
inline std::vector<const AnalysisFrame*> SpreadSamples(const std::vector<AnalysisFrame>& frames,
                                                       size_t max_count) {
  std::vector<const AnalysisFrame*> out;
  if (frames.empty() || max_count == 0) return out;
  const size_t n = std::min(frames.size(), max_count);
  for (size_t i = 0; i < n; ++i) {
    // Centre of the i-th of n equal parts, so neither end of the clip is favoured.
    const size_t k = (2 * i + 1) * frames.size() / (2 * n);
    out.push_back(&frames[std::min(k, frames.size() - 1)]);
  }
  return out;
}

}  // namespace clipdex

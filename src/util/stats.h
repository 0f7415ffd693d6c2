// Small statistics shared by the analyzers and the shot detector.
#pragma once

#include <algorithm>
#include <vector>

namespace clipdex {

// The upper median (element n/2 in sorted order) of `v`; 0 for an empty vector. Takes a copy:
// nth_element reorders it.
inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  return v[mid];
}

}  // namespace clipdex

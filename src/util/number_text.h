// A number as text with a fixed count of decimals, for reasons and reports people read
// ("quality 23/100", "spectral peaks 70.42").
#pragma once

#include <cstdio>
#include <string>

namespace clipdex {

inline std::string FixedDigits(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace clipdex

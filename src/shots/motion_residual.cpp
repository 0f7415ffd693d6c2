#include "shots/motion_residual.h"

#include <algorithm>
#include <cstdlib>

namespace clipdex {

namespace {

// Block size and search range on the tiny luma plane. 64x36 frames give 8x6 blocks of 8x6;
// +-6 / +-4 pixels is ~10% of the frame per frame: fast pans and shake, not whip pans (their
// blur makes them cut-like anyway and the other tests handle them).
constexpr int kBlockW = 8;
constexpr int kBlockH = 6;
constexpr int kSearchX = 6;
constexpr int kSearchY = 4;

}  // namespace

MotionResidual TinyMotionResidual(const TinyYuv& prev, const TinyYuv& cur) {
  MotionResidual out;
  const int w = cur.width, h = cur.height;
  if (w <= 0 || h <= 0 || prev.width != w || prev.height != h) return out;
  long raw = 0, compensated = 0, pixels = 0;
  for (int by = 0; by + kBlockH <= h; by += kBlockH) {
    for (int bx = 0; bx + kBlockW <= w; bx += kBlockW) {
      auto sad = [&](int dx, int dy, long limit) {
        long s = 0;
        for (int y = 0; y < kBlockH && s < limit; ++y) {
          const uint8_t* rc = &cur.y[size_t(by + y) * w + bx];
          const uint8_t* rp = &prev.y[size_t(by + y + dy) * w + bx + dx];
          for (int x = 0; x < kBlockW; ++x) s += std::abs(int(rc[x]) - int(rp[x]));
        }
        return s;
      };
      const long zero = sad(0, 0, 1L << 40);
      long best = zero;
      for (int dy = -kSearchY; dy <= kSearchY; ++dy) {
        if (by + dy < 0 || by + dy + kBlockH > h) continue;
        for (int dx = -kSearchX; dx <= kSearchX; ++dx) {
          if (bx + dx < 0 || bx + dx + kBlockW > w) continue;
          best = std::min(best, sad(dx, dy, best));
        }
      }
      raw += zero;
      compensated += best;
      pixels += kBlockW * kBlockH;
    }
  }
  if (pixels > 0) {
    out.raw = double(raw) / pixels;
    out.compensated = double(compensated) / pixels;
  }
  return out;
}

}  // namespace clipdex

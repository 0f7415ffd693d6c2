// Motion-compensated frame difference on tiny frames: how much of the change between two
// frames a local shift of each block explains. Camera and subject motion (pans, shake, push-ins,
// objects sweeping past) leave a small residual once each block may move; a cut replaces the
// content, so no shift explains it. Costly next to TinyDifference (a block search), so the
// detector asks it only for cut candidates.
#pragma once

#include "media/frame_convert.h"

namespace clipdex {

struct MotionResidual {
  double raw = 0;          // mean abs luma difference without motion (0-255 scale)
  double compensated = 0;  // the same after the best shift of every block (<= raw)
  // compensated / raw: ~0.2-0.4 for motion, ~0.6-1 for a cut (1 when raw is 0).
  double ratio() const { return raw > 0 ? compensated / raw : 1.0; }
};

// `cur` is cut into blocks (8x6 luma pixels on a 64x36 frame); each block is matched in `prev`
// within +-kSearchX / +-kSearchY pixels (whole block inside `prev`).
MotionResidual TinyMotionResidual(const TinyYuv& prev, const TinyYuv& cur);

}  // namespace clipdex

// Slides: one picture pushed out of the frame by the next (ffmpeg xfade slideleft/right/up/down,
// an editor's "push"). Neither a blend nor a wipe: every in-between pixel shows a shifted end
// picture, so the window tests of a dissolve or wipe (no single step carries the change; the
// in-between frame lies between the ends pixel by pixel) reject it, and the cut test sees
// global motion. FitSlide says how well a slide explains an in-between frame (docs/shots.md,
// "Gradual transitions").
#pragma once

#include "media/frame_convert.h"

namespace clipdex {

struct SlideFit {
  // Mean absolute luma difference between `m` and the best slide composite of `a` and `b`.
  double residual = 1e9;
  // Of the end pictures, the closer one to `m` (mean absolute luma difference): what the slide
  // must explain better.
  double plain = 1e9;
  int direction = -1;   // 0 left, 1 right, 2 up, 3 down: where the outgoing picture goes
  double progress = 0;  // how far the outgoing picture has moved, 0..1 of the frame side
  // How much the two lines of `m` on either side of the slide's seam differ, over the median
  // difference of neighbouring lines elsewhere in `m`: two unrelated pictures meet at a slide's
  // seam (well over 1); a pan that fits a slide geometrically (the camera moves a whole frame
  // width over the window, so the ends are neighbouring views of one scene) has no seam (about 1).
  double seam = 0;
};

// The best slide composite of tiny frames `a` (outgoing) and `b` (incoming) for `m`: for each
// direction and offset o, the part of the frame the outgoing picture still covers shows `a`
// shifted by o, the rest shows the matching edge of `b`. Offsets leaving less than 1/8 of the
// frame to either picture are not tried (a sliver explains nothing). Only composites whose
// residual can come under `max_ratio` times SlideFit::plain are followed to the end; when none
// does, `direction` is -1 and `residual` 1e9.
SlideFit FitSlide(const TinyYuv& a, const TinyYuv& m, const TinyYuv& b, double max_ratio = 1.0);

}  // namespace clipdex

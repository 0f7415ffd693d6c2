#include "analyze/shot_scale_decision.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <iterator>

namespace clipdex {
namespace {

// Face rungs on r = tallest face box height (YuNet: brow to chin) / frame height, at the
// geometric middle between the rungs the tune labels measure: a head filling the frame
// (1.75 face heights tall) r 0.52-0.58, chest up (3.1) 0.32-0.38, waist up (4.6) 0.22-0.26,
// knees up (6.6) ~0.15, a whole body ~0.11; a face cut by the frame is not found (the
// extreme close-up then comes from the detail rules below).
constexpr double kFaceRungs[] = {0.75, 0.50, 0.27, 0.18, 0.125, 0.07};
const char* const kFaceLabels[] = {"extreme_close_up", "close_up",    "medium_close_up",
                                   "medium",           "medium_long", "full"};

// Without a face or a body (objects, animals, inserts, scenery), from the tune split:
// * detail scale (160 vs 40 px) >= 0.38: large shapes dominate the picture. Sharp over at
//   least 45 % of it and evenly so (sharpness spread < 1.5): a detail filling the frame edge to
//   edge (extreme close-up); otherwise a whole subject set off from plain or out-of-focus
//   surroundings (full).
// * below: fine structure dominates. A defocused background (>= 23 % of the tiles have contrast
//   but no sharp detail) behind a sharp subject (>= 50 % sharp tiles): close-up; otherwise a
//   long shot (scenery, a room, a subject small in it).
constexpr double kLargeShapes = 0.38, kSharpDetail = 0.45, kEvenSpread = 1.5, kDefocused = 0.23,
                 kSharpSubject = 0.5;
// A whole person at least this tall (fraction of the frame) is a full shot, smaller a long one.
constexpr double kPersonFull = 0.6;

// 1 far from every threshold in `rungs`, 0 on one: |log(x / t)| / width, capped at 1.
double Margin(double x, std::initializer_list<double> rungs, double width) {
  double m = 1.0;
  for (double t : rungs) m = std::min(m, std::abs(std::log(std::max(x, 1e-6) / t)) / width);
  return m;
}

}  // namespace

std::string ShotScaleForFaceRatio(double r) {
  for (size_t i = 0; i < std::size(kFaceRungs); ++i) {
    if (r >= kFaceRungs[i]) return kFaceLabels[i];
  }
  return "long";
}

ShotScaleDecision DecideShotScale(const ShotScaleEvidence& e) {
  ShotScaleDecision d;
  if (e.face_fraction >= 1.0 / 3 && e.face_ratio > 0) {
    d.scale = ShotScaleForFaceRatio(e.face_ratio);
    d.evidence = "face";
    const double m = Margin(e.face_ratio, {0.75, 0.50, 0.27, 0.18, 0.125, 0.07}, 0.25);
    d.confidence = e.face_fraction * (0.6 + 0.4 * m);
    return d;
  }
  if (e.person_height > 0) {
    d.scale = e.person_height >= kPersonFull ? "full" : "long";
    d.evidence = "body";
    d.confidence = 0.5 + 0.2 * Margin(e.person_height, {kPersonFull}, 0.3);
    return d;
  }
  if (e.upper_body_height > 0) {
    // Head and shoulders without a face (profile, back of the head). No tune label reached
    // this branch (the cascade fires rarely at 256 px), so the split is by construction: the
    // cascade's box spans head and shoulders, about half the height of a chest-up frame.
    d.scale = e.upper_body_height >= 0.5 ? "medium_close_up" : "medium";
    d.evidence = "upper_body";
    d.confidence = 0.45;
    return d;
  }
  const double ds = e.detail_scale_coarse;
  if (ds >= kLargeShapes) {
    const bool sharp = e.sharp_fraction >= kSharpDetail && e.sharp_spread < kEvenSpread;
    d.scale = sharp ? "extreme_close_up" : "full";
    d.evidence = "detail";
    d.confidence = 0.35 + 0.15 * Margin(ds, {kLargeShapes}, 0.2) +
                   0.15 * Margin(e.sharp_fraction, {kSharpDetail}, 0.3);
  } else if (e.defocus_fraction >= kDefocused && e.sharp_fraction >= kSharpSubject) {
    d.scale = "close_up";
    d.evidence = "depth_of_field";
    d.confidence = 0.35 + 0.15 * Margin(e.defocus_fraction, {kDefocused}, 0.5) +
                   0.15 * Margin(e.sharp_fraction, {kSharpSubject}, 0.3);
  } else {
    d.scale = "long";
    d.evidence = "detail";
    d.confidence = 0.35 + 0.3 * Margin(ds, {kLargeShapes}, 0.3);
  }
  return d;
}

}  // namespace clipdex

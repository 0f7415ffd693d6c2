// Keyframe choice for VLM captioning: few, well-placed, right-sized frames instead of a uniform
// 2 fps at 448 px (the usual VLM input), because visual tokens are the cost of captioning.
//
// A frame is chosen for a reason, in this priority:
//   1. first and last picture of the clip;
//   2. each camera segment of >= 1 s, 0.5 s after its start (so the movement is seen), unless a
//      chosen frame already lies within 0.5 s of that time;
//   3. every strong picture change: consecutive samples of the clip's near-duplicate signature
//      (dedup.signature, dense per-frame perceptual hashes the ingest already computed) more
//      than `change_bits` apart, and one frame a second of every fast camera segment (the whole
//      picture moves; hashes made to ignore small shifts miss it);
//   4. coverage: while a changing clip has a stretch of more than `max_unseen` seconds without
//      a frame, its middle (widest first); then picture changes inside fast movement, which the
//      movement's own frames mostly show already;
//   5. novelty: the sample farthest (in hash bits) from every frame chosen so far, while it is
//      more than `novelty_bits` away and the budget allows.
// Frames closer than `min_gap` seconds merge (the higher priority stays). At most `max_frames`,
// except that strong changes may take the plan up to `max_change_frames`.
// Size adapts to the clip: a static, unchanging clip without text gets `small_side`, others
// `long_side`. On-screen text needs no larger frames: its OCR reading is stated in the prompt.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "catalog/records.h"

namespace clipdex {

struct KeyframeOptions {
  int max_frames = 8;
  int max_change_frames = 16;  // strong changes may add frames up to this many in all
  int long_side = 448;
  int small_side = 336;
  int change_bits = 16;           // of 64: a different picture, not motion within one
  int novelty_bits = 14;          // of 64
  double min_gap = 0.4;           // seconds
  double fast_motion_step = 1.0;  // seconds between frames of a fast camera segment
  double max_unseen = 2.0;        // seconds a changing clip may go without a frame
  // Visual-token arithmetic of the backend: one token per patch x patch pixels. 28 = a 14-px ViT
  // patch with 2x2 token merging (Qwen2-VL / Qwen2.5-VL), the common open VLM family.
  int patch = 28;
};

struct Keyframe {
  double time = 0;  // seconds from the clip's start
  // "first", "last", "change", "segment", "coverage", "novelty", "middle"
  std::string reason;
};

struct KeyframePlan {
  std::vector<Keyframe> frames;  // in time order
  int long_side = 0;             // pixels of the longer side each frame is sent at
  long visual_tokens = 0;        // the backend's arithmetic for these frames
};

// Visual tokens of one w x h picture scaled to `long_side` (never up): ceil(w'/p) * ceil(h'/p).
long VisualTokens(int width, int height, int long_side, int patch);

// The plan for one clip, from its attributes (dedup.signature, camera.segments, text.content,
// camera.movement) and its video's display size. `measured` is MeasuredCaption's output.
KeyframePlan PlanKeyframes(const VideoRecord& video, const ClipRecord& clip,
                           const nlohmann::json& measured, const KeyframeOptions& options);

// The uniform baseline a plan is compared with: `fps` frames per second at `long_side`.
long UniformBaselineTokens(const VideoRecord& video, const ClipRecord& clip, double fps,
                           int long_side, int patch);

}  // namespace clipdex

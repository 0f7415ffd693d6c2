// The measured half of a structured caption (caption/caption_schema.h), read from the analyzers'
// attributes of one clip: camera movement with time segments and speed, shot scale, on-screen
// text, faces, quality problems and picture facts. Nothing here is guessed: a field whose
// attribute is missing is left out.
#pragma once

#include <nlohmann/json.hpp>

#include "catalog/records.h"

namespace clipdex {

// Thresholds that turn quality attributes into the words of caption.json's quality.problems.
// They describe, they do not judge (tiers judge): each is far enough out that a viewer would
// name the problem. docs/captions.md lists them.
struct ProblemThresholds {
  double blurry_sharpness = 0.25;  // quality.sharpness below
  double noisy_sigma = 6.0;        // quality.noise above (grey levels)
  double blocky_ratio = 2.0;       // quality.blockiness above
  double underexposed = 0.4;       // quality.exposure_under above
  double overexposed = 0.25;       // quality.exposure_over above
  double low_contrast = 0.06;      // quality.contrast below
  double frozen = 0.9;             // quality.frozen_ratio at or above (videos >= 2 s)
  double black_frames = 0.5;       // quality.black_frames at or above
};

// caption.json with schema, duration, camera, and what else was measured. Camera segment times
// are seconds from the clip's start (the attribute stores video time). Always valid against
// StoredCaptionSchema().
nlohmann::json MeasuredCaption(const VideoRecord& video, const ClipRecord& clip,
                               const ProblemThresholds& thresholds = {});

}  // namespace clipdex

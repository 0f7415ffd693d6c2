// Preference pairs for caption-model DPO (`clipdex export --format caption-dpo`): for each
// captioned clip, the stored caption is "chosen" and a plausible but wrong caption "rejected":
//   swapped_events  the first two events in swapped order (clips with >= 2 events, VLM captions)
//   padded          the caption padded with details nobody measured or saw
//   wrong_camera    the camera movement replaced by its opposite (pan left <-> right, zoom in <->
//                   out, static <-> handheld ...); the time segments left out
//   wrong_scale     the shot scale moved three steps along the ladder
// Rejected texts are rendered by the same renderer from an edited caption.json, so chosen and
// rejected differ only in the error. Deterministic: the same catalog gives the same lines.
// Line: {"prompt", "video", "start", "end", "keyframes" (seconds on the video's clock),
//        "thumbnail", "key", "kind", "chosen", "rejected", "lang"}; one line per kind and
// language (en, zh).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "catalog/records.h"

namespace clipdex {

std::vector<nlohmann::ordered_json> CaptionPreferencePairs(const VideoRecord& video,
                                                           const ClipRecord& clip);

}  // namespace clipdex

// Paired samples for conditional generation, as WebDataset shards (`clipdex export DS --pairs KIND
// -o DIR`, docs/generation.md). One sample per clip, from the picture at the clip's middle (a
// still's only picture), read by seeking (media/frame_grabber.h), longer side `long_side`:
//   sketch       <key>.sketch.pgm (binary PGM, black lines on white: Canny edges of the blurred
//   luma,
//                thresholds from the picture's median) <-> <key>.jpg (the picture)
//   degraded     <key>.degraded.jpg <-> <key>.jpg; the degradation is chosen by the sample key's
//                hash (deterministic): gaussian blur, gaussian noise, JPEG at quality 12, or 4x
//                downscale and back; its kind and strength are in the json
//   first-frame  <key>.jpg (the clip's first picture) + <key>.txt (caption.text, else empty) ->
//                the clip, referenced in the json (source file and start/end seconds)
//   camera       <key>.jpg (the first picture) + the camera segments (label, start, end, rate)
//                as the trajectory in the json: segment-level, what ingest measures
// Every sample has <key>.json: {"key", "kind", "video", "clip_index", "start", "end", "time",
// ...kind's fields}. Same catalog, same bytes: nothing random.
#pragma once

#include <string>

#include "catalog/catalog.h"
#include "catalog/clip_export.h"
#include "catalog/webdataset_writer.h"
#include "util/status.h"

namespace clipdex {

// "sketch", "degraded", "first-frame", "camera"; false for anything else.
bool IsPairKind(const std::string& kind);

Result<ExportCounts> ExportPairs(Catalog& catalog, const ExportSelection& selection,
                                 const std::string& kind, int long_side, WebDatasetWriter* writer,
                                 const ClipFailureFn& on_failure);

}  // namespace clipdex

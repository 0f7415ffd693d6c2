// WriteClip: export one shot (or any frame range) of a source video as its own file.
//
// Two modes, because exactness and speed pull in opposite directions:
//  - Stream copy (accurate = false): packets are copied without decoding, from the last video
//    keyframe at or before start_time up to end_time. Fast and lossless, but a copied clip can
//    only start on a keyframe, so it may begin up to one GOP early. At the end it may also keep
//    a few reordered reference frames past end_time (at most the stream's B-frame delay) when
//    frames before end_time depend on them. Video and the first audio stream are copied; all
//    timestamps are rebased so the clip starts at 0.
//  - Accurate (accurate = true): the video is decoded and exactly frames first_frame..last_frame
//    are re-encoded (libx264 crf 18 preset veryfast, yuv420p; the mpeg4 encoder when libx264 is
//    missing). Audio is dropped in this mode: the clip is meant for viewing and analysing
//    pictures, and cutting audio on a frame boundary would need audio re-encoding too. The
//    output runs at the stream's average frame rate (constant frame rate).
#pragma once

#include <filesystem>

#include "util/status.h"

namespace clipdex {

struct ClipCut {
  long first_frame = 0;   // inclusive, 0-based decoded-frame index of the video stream
  long last_frame = 0;    // inclusive
  double start_time = 0;  // seconds from the video stream's first presentation timestamp
                          // (the decoder's DecodedFrame::time)
  double end_time = 0;    // seconds, end of the last frame (exclusive)
};

// Writes the clip to out_path; the container is chosen from its extension (.mp4, .mkv, ...).
// Stream copy uses start_time/end_time, accurate mode uses first_frame/last_frame. On failure
// the reason is one line ("cannot create output x.mp4: ...", "source has no video stream") and
// no partial output file is left behind.
Status WriteClip(const std::filesystem::path& source, const ClipCut& cut,
                 const std::filesystem::path& out_path, bool accurate);

}  // namespace clipdex

// Exporting one shot (or any frame range) of a source video as its own file.
//
// Two ways, because exactness and speed pull in opposite directions:
//  - Stream copy (CopyClip): packets are copied without decoding, from the last video keyframe
//    at or before start_time up to end_time. Fast and lossless, but a copied clip can only start
//    on a keyframe, so it may begin before the range (CopyInfo::start_offset says by how much;
//    CopyOptions::max_start_offset refuses a copy that would start too far away). At the end it
//    may also keep a few reordered reference frames past end_time (at most the stream's B-frame
//    delay) when frames before end_time depend on them. Video and the first audio stream are
//    copied; timestamps are rebased so the clip starts at 0; the display matrix is kept.
//    It fails when the container cannot hold the codec (VP8, Theora, H.263, WMV ... in MP4),
//    when the source's timestamps run backwards, or when no keyframe is near enough.
//  - Transcode (media/clip_transcoder.h): decoded and re-encoded, frame-exact, normalised.
//
// WriteClip is the one-call form of both (accurate = transcode, H.264, no audio).
#pragma once

#include <filesystem>
#include <string>

#include "util/status.h"

namespace clipdex {

struct ClipCut {
  long first_frame = 0;   // inclusive, 0-based decoded-frame index of the video stream
  long last_frame = 0;    // inclusive
  double start_time = 0;  // seconds from the video stream's first presentation timestamp
                          // (the decoder's DecodedFrame::time)
  double end_time = 0;    // seconds, end of the last frame (exclusive)
};

struct CopyOptions {
  bool audio = true;  // copy the first audio stream when the container can hold it
  // >= 0: fail ("no keyframe near the clip start ...") when the copy would start more than this
  // many seconds (plus half a frame) before or after start_time: 0 = only a copy that starts on
  // the clip's first frame. < 0: any keyframe at or before start_time will do.
  double max_start_offset = -1;
};

struct CopyInfo {
  double start_offset = 0;  // seconds of source before start_time that the copy starts with
  double duration = 0;      // seconds of video written (first picture to end of the last)
  long frames = 0;          // video packets written
  bool audio = false;       // an audio stream was copied
  std::string codec;        // the (copied) video codec
  int width = 0, height = 0;
};

// Stream-copies [start_time, end_time) of `source` into out_path (container from the
// extension). On failure the reason is one line ("cannot create output x.mp4: ...", "source has
// no video stream", "codec vp8 cannot be stream-copied into mp4") and no partial output file is
// left behind.
Result<CopyInfo> CopyClip(const std::filesystem::path& source, const ClipCut& cut,
                          const std::filesystem::path& out_path, const CopyOptions& options);

// Stream copy (time range, audio kept) or, with `accurate`, a frame-exact H.264 re-encode of
// first_frame..last_frame without audio.
Status WriteClip(const std::filesystem::path& source, const ClipCut& cut,
                 const std::filesystem::path& out_path, bool accurate);

}  // namespace clipdex

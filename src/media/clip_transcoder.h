// TranscodeClips: frame-exact, normalised clips (and still pictures) from one source video in a
// single decoding pass.
//
// Each target is a frame range first_frame..last_frame (0-based decoded-frame indices, as the
// ingest counted them). Every frame of the range is decoded exactly (no fast flags), turned into
// an upright, square-pixel yuv420p picture (the display matrix and the pixel aspect ratio are
// applied to the pixels, so readers that ignore both still see the picture right), resized as
// asked, and encoded; the first audio stream is cut to the clip's time range and re-encoded to
// AAC. Several targets share the pass (they may overlap); pictures are converted once per frame.
//
// Timing: without `fps` every source frame is kept with its own timestamp, so the clip lasts
// exactly as long as its frames did in the source (variable frame rate stays variable). With
// `fps` the clip runs at that constant rate, each output frame showing the source frame on screen
// at its time (frames are repeated or dropped), round(duration * fps) frames in all.
//
// Determinism: the same source, targets and settings give byte-identical files. The encoders
// run with a fixed thread count (EncodeSettings::threads, part of the configuration), swscale is
// bit-exact, the muxer writes no version strings.
//
// Where the decode starts: from the beginning of the file (counting frames is the only exact
// way to find a frame index in general), or, for a constant-frame-rate source whose first
// target starts well into the file, by seeking to the keyframe before it and recognising the
// first frame by its timestamp; when that cannot be done exactly it starts over from the
// beginning.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "util/status.h"

namespace clipdex {

struct EncodeSettings {
  std::string codec = "h264";  // h264 (libx264), hevc (libx265), av1 (libaom-av1)
  int crf = -1;                // quality; -1 = the codec's default (DefaultCrf)
  // Size: at most one of these. short_side: the shorter side becomes this many pixels (even),
  // the other follows the aspect ratio. box_width x box_height: exactly that size, the picture
  // scaled to cover it and centre-cropped, or with `pad` scaled to fit and centred on black.
  int short_side = 0;
  int box_width = 0, box_height = 0;
  bool pad = false;
  double fps = 0;     // > 0: constant output frame rate; 0 = keep the source's timing
  bool audio = true;  // re-encode the first audio stream (AAC) over the clip's time range
  int threads = 1;    // encoder threads: fixed, so the output bytes do not depend on the machine
};

// The crf used when EncodeSettings::crf is -1: h264 18, hevc 20, av1 30.
int DefaultCrf(const std::string& codec);
// Whether this FFmpeg build has the encoder for `codec` ("h264", "hevc", "av1"); the error
// names what is missing ("hevc needs the libx265 encoder, which this FFmpeg lacks").
Status CheckEncoder(const std::string& codec);

struct TranscodeTarget {
  long first_frame = 0;   // inclusive
  long last_frame = 0;    // inclusive
  double start_time = 0;  // seconds (decoder time) of first_frame, as recorded
  double end_time = 0;    // seconds, end of last_frame (its time + duration), as recorded
  std::filesystem::path video_path;  // the clip (.mp4, .mkv ...); empty = no video file
  // Pictures of these frames (ascending, within the range) as JPEG files, same size and
  // orientation as the video would have.
  std::vector<long> still_frames;
  std::vector<std::filesystem::path> still_paths;
};

struct TranscodeOutcome {
  Status status;
  // The failure was on the output side (encoder, muxer, writing the file: a full disk), not in
  // the source: the clip itself is fine and must be tried again, not reported failed.
  bool output_failed = false;
  std::string codec;                // the encoder's codec name ("h264")
  int width = 0, height = 0;        // of the pictures written
  long frames = 0;                  // video frames encoded
  double duration = 0;              // seconds of video written
  bool audio = false;               // an audio stream was written
  std::vector<double> still_times;  // seconds from the clip's first frame, per still
};

struct TranscodeOptions {
  int decode_threads = 0;   // 0 = decoder default
  bool allow_seek = false;  // start near the first target by seeking (constant-rate sources)
  const std::atomic<bool>* cancel = nullptr;
};

// One outcome per target, in order. A target fails alone (its partial files removed): frames
// past the end of the source, an unwritable output. When the source cannot be opened or
// decoded every target fails with that reason ("cannot read source X: ...").
std::vector<TranscodeOutcome> TranscodeClips(const std::filesystem::path& source,
                                             const std::vector<TranscodeTarget>& targets,
                                             const EncodeSettings& settings,
                                             const TranscodeOptions& options);

}  // namespace clipdex

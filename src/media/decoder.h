// VideoDecoder: one pass over a file's main video stream, frames in presentation order with
// timestamps in seconds from the stream's first frame. Threaded; speed options on by default.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "media/ffmpeg_raii.h"
#include "media/open_input.h"
#include "media/probe.h"
#include "util/status.h"

namespace clipdex {

struct DecodeOptions {
  // Analysis decoding: skip the in-loop deblocking filter and allow non-spec-compliant speedups
  // (AV_CODEC_FLAG2_FAST). Both leave the picture structure intact, which is all the analyzers
  // read from their downscaled frames; clip export decodes with fast = false.
  bool fast = true;
  int threads = 0;                // decoder threads; 0 = one per core
  double time_limit_seconds = 0;  // per-file wall-clock limit; 0 = none
};

struct DecodedFrame {
  const AVFrame* frame = nullptr;  // valid until the next call to Next()
  long index = 0;                  // 0-based decoded-frame index
  double time = 0.0;               // seconds from the stream's first presentation timestamp
  double duration = 0.0;           // seconds until the next frame (estimated for the last one)
};

class VideoDecoder {
 public:
  static Result<std::unique_ptr<VideoDecoder>> Open(const std::filesystem::path& path,
                                                    const DecodeOptions& options);
  ~VideoDecoder();

  const ProbeInfo& info() const { return info_; }

  // Next frame in presentation order: true and `out` filled, false at the end of the stream,
  // or an error (timeout, nothing decodable, truncated stream).
  Result<bool> Next(DecodedFrame* out);

  int decode_errors() const { return decode_errors_; }
  long frames_decoded() const { return frames_; }
  // Seconds covered by decoded frames: from the first frame's start to the last frame's end.
  double decoded_duration() const { return last_time_ + last_duration_; }
  // True when timestamps advanced irregularly (variable frame rate).
  bool observed_vfr() const { return vfr_; }

 private:
  VideoDecoder() = default;
  Result<bool> ReceiveOne(DecodedFrame* out);
  Status CheckEndOfStream();

  InputFile input_;
  CodecContextPtr codec_;
  PacketPtr packet_;
  FramePtr frame_;
  ProbeInfo info_;
  double time_base_ = 0.0;
  int64_t first_pts_ = AV_NOPTS_VALUE;
  double last_time_ = -1.0;
  double last_duration_ = 0.0;
  double min_step_ = 1e9, max_step_ = 0.0;
  bool vfr_ = false;
  bool draining_ = false;
  bool finished_ = false;
  std::string read_error_;
  int decode_errors_ = 0;
  long frames_ = 0;
};

}  // namespace clipdex

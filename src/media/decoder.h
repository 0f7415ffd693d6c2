// VideoDecoder: one pass over a file's main video stream, frames in presentation order with
// timestamps in seconds from the stream's first frame. Threaded; speed options on by default.
#pragma once

#include <deque>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

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
  // Sparse decoding (H.264/HEVC in MP4/MOV/Matroska with B-frames): non-reference frames are
  // not decoded unless the packet that follows them in display order looks like a scene change
  // (a keyframe, or much larger than the recent reference frames) or a dense window is open.
  // Skipped frames are still counted and timed (DecodedFrame::skipped); the caller fills in what
  // it needs for them (docs/design.md, "Sparse decoding"). Only when every analyzer's needs are
  // met by the decoded frames: the ingest turns it on, and off again for dense samplers.
  bool sparse = false;
  int threads = 0;                // decoder threads; 0 = cores + 2 (see decoder.cpp)
  double time_limit_seconds = 0;  // per-file wall-clock limit; 0 = none
};

// A frame that sparse decoding did not decode: its place and time in the stream.
struct SkippedFrame {
  long index = 0;
  double time = 0.0;
  double duration = 0.0;
  int64_t pts = 0;  // stream timestamp, for an exact re-decode (FrameFetcher)
};

struct DecodedFrame {
  // Valid until the next call to Next(). Null only for a last record that carries trailing
  // skipped frames (nothing decoded after them).
  const AVFrame* frame = nullptr;
  long index = 0;         // 0-based decoded-frame index
  double time = 0.0;      // seconds from the stream's first presentation timestamp
  double duration = 0.0;  // seconds until the next frame (estimated for the last one)
  // Frames just before this one (display order) that sparse decoding skipped, in order.
  std::vector<SkippedFrame> skipped;
};

class VideoDecoder {
 public:
  static Result<std::unique_ptr<VideoDecoder>> Open(const std::filesystem::path& path,
                                                    const DecodeOptions& options);
  ~VideoDecoder();

  const ProbeInfo& info() const { return info_; }

  // Next frame in presentation order: true and `out` filled, false at the end of the stream,
  // or an error (timeout, nothing decodable). A stream cut off early (truncated file) ends
  // normally after its last decodable frame; truncation() then says so.
  Result<bool> Next(DecodedFrame* out);

  // Decode every frame whose packet is read from now on until `seconds` of stream time past the
  // newest frame returned (sparse mode; e.g. while the content moves too fast to fill gaps).
  void RequestDense(double seconds);
  bool sparse() const { return sparse_; }
  // Decode every frame after all; only before the first Next().
  void DisableSparse() { sparse_ = false; }
  long frames_skipped() const { return skipped_total_; }

  int decode_errors() const { return decode_errors_; }
  // After the end: "" for a whole stream, else why it looks cut off ("data ends at 6.12 s of
  // 10.60 s (end of file)").
  const std::string& truncation() const { return truncation_; }
  // Frames in the stream so far, skipped ones included (every frame has an index).
  long frames_decoded() const { return frames_; }
  // Seconds covered by decoded frames: from the first frame's start to the last frame's end.
  double decoded_duration() const { return last_time_ + last_duration_; }
  // True when timestamps advanced irregularly (variable frame rate).
  bool observed_vfr() const { return vfr_; }
  // Seconds (stream timeline) of the first frame's presentation timestamp: where time 0 is.
  double origin_seconds() const {
    return first_pts_ == AV_NOPTS_VALUE ? 0.0 : first_pts_ * time_base_;
  }

 private:
  VideoDecoder() = default;
  Result<bool> ReceiveOne(DecodedFrame* out);
  Status CheckEndOfStream();
  // Assigns the next index and a strictly increasing time to a frame with timestamp `pts`.
  void Stamp(int64_t pts, int64_t pkt_duration, long* index, double* time);
  // Sparse mode: moves pending (sent, not output) timestamps below `pts` into `out`.
  void TakeSkippedBefore(int64_t pts, bool all, DecodedFrame* out);
  // Sparse mode: whether to decode a non-reference frame that packet `pkt` may hold.
  bool ShouldDecodeAll(const AVPacket* pkt) const;
  void NoteSentPacket(const AVPacket* pkt);

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
  std::string truncation_;
  int decode_errors_ = 0;
  long frames_ = 0;
  // Sparse decoding state.
  bool sparse_ = false;
  std::multiset<int64_t> pending_pts_;  // sent packets not yet output or skipped
  struct SentPacket {
    int64_t pts = 0;
    int size = 0;
    bool key = false, forward = false;  // forward: later than every earlier packet (a reference)
  };
  std::deque<SentPacket> recent_;  // the last few packets sent, decode order
  int64_t max_sent_pts_ = AV_NOPTS_VALUE;
  int64_t last_output_pts_ = AV_NOPTS_VALUE;
  int64_t dense_until_pts_ = AV_NOPTS_VALUE;
  long skipped_total_ = 0;
};

}  // namespace clipdex

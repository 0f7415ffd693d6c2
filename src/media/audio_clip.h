// AudioClipEncoder: the first audio stream of a source, cut to a time range and re-encoded to
// AAC (FFmpeg's native encoder), for clips whose video is re-encoded. The range is cut on the
// sample: samples before the start are dropped, a gap in the source becomes silence (so sound
// stays in sync with the pictures), and the track ends at the range's end or where the source's
// sound ends. Mono stays mono, more channels become stereo; the sample rate is kept when AAC
// has it, else 48 kHz.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "media/ffmpeg_raii.h"
#include "media/open_input.h"
#include "util/status.h"

struct SwrContext;
struct AVAudioFifo;

namespace clipdex {

class AudioClipEncoder {
 public:
  // nullptr when the source has no (decodable) audio stream.
  static Result<std::unique_ptr<AudioClipEncoder>> Open(const std::filesystem::path& source);
  ~AudioClipEncoder();

  // Decodes and encodes [start, end) seconds of the source's own timeline (stream timestamps,
  // not relative to the video). `global_header`: the output container wants codec extradata.
  Status Encode(double start, double end, bool global_header);
  bool empty() const { return packets_.empty(); }

  // Adds the AAC stream to `out` (before its header is written).
  Status AddStream(AVFormatContext* out);
  int stream_index() const { return stream_index_; }
  // Encoded packets in order, timestamps in time_base() (1 / sample rate), from 0.
  std::vector<PacketPtr>& packets() { return packets_; }
  AVRational time_base() const { return enc_ ? enc_->time_base : AVRational{1, 1}; }

 private:
  AudioClipEncoder() = default;
  Status Push(const AVFrame* frame, double start);
  Status EncodeFifo(bool final);

  InputFile input_;  // the source, read for its audio stream only
  int audio_index_ = -1;
  CodecContextPtr dec_;
  CodecContextPtr enc_;
  struct SwrFreer {
    void operator()(::SwrContext* s) const;
  };
  std::unique_ptr<::SwrContext, SwrFreer> swr_;
  struct FifoFreer {
    void operator()(::AVAudioFifo* f) const;
  };
  std::unique_ptr<::AVAudioFifo, FifoFreer> fifo_;
  int out_rate_ = 48000;
  int out_channels_ = 2;
  long total_ = 0;        // samples wanted
  long written_ = 0;      // samples placed on the output timeline so far
  long encoded_ = 0;      // samples sent to the encoder
  bool aligned_ = false;  // the first frame's position was matched exactly
  int stream_index_ = -1;
  std::vector<PacketPtr> packets_;
};

}  // namespace clipdex

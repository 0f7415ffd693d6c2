#include "media/clip_transcoder.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <utility>

#include "media/audio_clip.h"
#include "media/clip_output.h"
#include "media/decoder.h"
#include "media/frame_normalizer.h"
#include "media/jpeg.h"
#include "media/open_input.h"

extern "C" {
#include <libavutil/opt.h>
}

namespace clipdex {

namespace fs = std::filesystem;

namespace {

// Timestamps of re-encoded clips that keep the source's timing: 90 kHz, fine enough for any
// frame rate (and MPEG's usual clock).
constexpr AVRational kFineTimeBase{1, 90000};
// A target starting later than this (seconds) is reached by seeking when the source allows it.
constexpr double kSeekWorthSeconds = 3.0;
// Two frame times closer than this are the same frame.
constexpr double kSameTime = 1e-6;
constexpr int kJpegQuality = 95;
// Clips with fewer pictures than this are encoded without B-frames (see VideoEncoder::Open).
constexpr long kMinFramesForBFrames = 4;

const char* EncoderName(const std::string& codec) {
  if (codec == "h264") return "libx264";
  if (codec == "hevc") return "libx265";
  if (codec == "av1") return "libaom-av1";
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// One clip's video encoder.

class VideoEncoder {
 public:
  // `frames`: how many pictures the clip will have (a few-frame clip encodes without B-frames).
  Status Open(const EncodeSettings& settings, int width, int height, double source_fps,
              const AVFrame* sample, long frames, ClipOutput* out) {
    const char* name = EncoderName(settings.codec);
    if (name == nullptr) return Status::Error("unknown codec '" + settings.codec + "'");
    const AVCodec* codec = avcodec_find_encoder_by_name(name);
    bool mpeg4 = false;
    if (codec == nullptr && settings.codec == "h264") {
      codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);  // an FFmpeg without libx264
      mpeg4 = codec != nullptr;
    }
    if (codec == nullptr) return CheckEncoder(settings.codec);
    enc_.reset(avcodec_alloc_context3(codec));
    packet_.reset(av_packet_alloc());
    if (!enc_ || !packet_) return Status::Error("out of memory");
    AVCodecContext* ctx = enc_.get();
    ctx->width = width;
    ctx->height = height;
    ctx->pix_fmt = AV_PIX_FMT_YUV420P;
    ctx->sample_aspect_ratio = AVRational{1, 1};
    ctx->color_range = AVCOL_RANGE_MPEG;
    ctx->color_primaries = sample->color_primaries;
    ctx->color_trc = sample->color_trc;
    ctx->colorspace = sample->colorspace;
    const double rate = settings.fps > 0 ? settings.fps : (source_fps > 0 ? source_fps : 25.0);
    AVRational framerate = av_d2q(rate, 100000);
    if (settings.fps > 0) {
      ctx->time_base = av_inv_q(framerate);
    } else if (mpeg4) {
      // MPEG-4 part 2 cannot express time bases above 65535.
      av_reduce(&ctx->time_base.num, &ctx->time_base.den, framerate.den, framerate.num, 65535);
    } else {
      ctx->time_base = kFineTimeBase;
    }
    ctx->framerate = framerate;
    // Fixed, never "auto": x264, x265 and libaom are deterministic for a given thread count.
    ctx->thread_count = std::max(1, settings.threads);
    ctx->flags |= AV_CODEC_FLAG_BITEXACT;
    if (out->ctx()->oformat->flags & AVFMT_GLOBALHEADER) ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    const int crf = settings.crf >= 0 ? settings.crf : DefaultCrf(settings.codec);
    const std::string crf_text = std::to_string(crf);
    if (mpeg4) {
      ctx->flags |= AV_CODEC_FLAG_QSCALE;
      ctx->global_quality = FF_QP2LAMBDA * 3;
    } else if (settings.codec == "h264") {
      av_opt_set(ctx->priv_data, "crf", crf_text.c_str(), 0);
      av_opt_set(ctx->priv_data, "preset", "veryfast", 0);
      // x264 0.164's macroblock-tree rate control reads uninitialised memory: with it the same
      // input gives different bytes from run to run (seen with MALLOC_PERTURB_ on the shared
      // media). Without it the output is a function of the input.
      av_opt_set(ctx->priv_data, "x264-params", "mbtree=0", 0);
    } else if (settings.codec == "hevc") {
      av_opt_set(ctx->priv_data, "crf", crf_text.c_str(), 0);
      av_opt_set(ctx->priv_data, "preset", "veryfast", 0);
      std::string params =
          "pools=" + std::to_string(ctx->thread_count) + ":frame-threads=1:log-level=error";
      // x265 3.5 with B-frames and fewer pictures than its reorder delay hands the muxer values
      // it never wrote (valgrind: bytes of its encoder object reach av_interleaved_write_frame):
      // on a recycled heap (MALLOC_PERTURB_, jemalloc) the MP4 muxer rejects the packets ("Not
      // yet implemented in FFmpeg"). A clip this short needs no B-frame (docs/design.md,
      // "Allocator").
      if (frames < kMinFramesForBFrames) params.append(":bframes=0");
      av_opt_set(ctx->priv_data, "x265-params", params.c_str(), 0);
    } else {  // av1
      av_opt_set(ctx->priv_data, "crf", crf_text.c_str(), 0);
      av_opt_set(ctx->priv_data, "usage", "realtime", 0);
      av_opt_set(ctx->priv_data, "cpu-used", "8", 0);
      av_opt_set(ctx->priv_data, "row-mt", "0", 0);
    }
    TakeLastLibavError();
    if (int rc = avcodec_open2(ctx, codec, nullptr); rc < 0) {
      return Status::Error(std::string("cannot open the ") + codec->name +
                           " encoder: " + LibavReason(rc));
    }
    AVStream* st = avformat_new_stream(out->ctx(), nullptr);
    if (st == nullptr) return Status::Error("out of memory");
    if (avcodec_parameters_from_context(st->codecpar, ctx) < 0) {
      return Status::Error("out of memory");
    }
    // hvc1 (parameter sets in the sample entry) is what Apple players require in MP4.
    if (settings.codec == "hevc" && std::string(out->ctx()->oformat->name) == "mp4") {
      st->codecpar->codec_tag = MKTAG('h', 'v', 'c', '1');
    }
    st->time_base = ctx->time_base;
    st->avg_frame_rate = framerate;
    st->sample_aspect_ratio = ctx->sample_aspect_ratio;
    stream_index_ = st->index;
    codec_name_ = avcodec_get_name(codec->id);
    out_ = out;
    return Status::Ok();
  }

  // `pts` and `duration` in time_base(). Written packets go through `write`.
  template <typename WriteFn>
  Status Encode(const AVFrame* picture, int64_t pts, int64_t duration, WriteFn&& write) {
    FramePtr frame(av_frame_alloc());
    if (!frame || av_frame_ref(frame.get(), picture) < 0) return Status::Error("out of memory");
    frame->pict_type = AV_PICTURE_TYPE_NONE;  // let the encoder choose frame types
    frame->pts = pts;
    frame->quality = enc_->global_quality;  // read per frame by the qscale (mpeg4) path
    durations_[pts] = duration;
    ++frames_;
    TakeLastLibavError();
    if (int rc = avcodec_send_frame(enc_.get(), frame.get()); rc < 0) {
      return Status::Error("encoding failed: " + LibavReason(rc));
    }
    return Drain(write);
  }

  // `end`: where the clip ends, in time_base(). The muxer takes a track's length from its
  // packets' decode times: last dts + its duration - first dts. The first dts lies before 0 by
  // the B-frame delay, and for a constant rate the last packet's dts lies before the end by the
  // same delay; over a variable frame rate it can lie well before, so the last packet's
  // duration is stretched until the track is as long as the clip.
  template <typename WriteFn>
  Status Flush(int64_t end, WriteFn&& write) {
    if (int rc = avcodec_send_frame(enc_.get(), nullptr); rc < 0) {
      return Status::Error("encoding failed: " + LibavReason(rc));
    }
    if (Status s = Drain(write); !s.ok()) return s;
    if (!held_) return Status::Ok();
    const AVRational stream_tb = out_->ctx()->streams[stream_index_]->time_base;
    const int64_t stream_end = av_rescale_q(end, enc_->time_base, stream_tb);
    const int64_t first = first_dts_ != AV_NOPTS_VALUE ? std::min<int64_t>(first_dts_, 0) : 0;
    if (held_->dts != AV_NOPTS_VALUE && stream_end + first > held_->dts + held_->duration) {
      held_->duration = stream_end + first - held_->dts;
    }
    Status s = write(held_.get());
    held_.reset();
    return s;
  }

  AVRational time_base() const { return enc_->time_base; }
  int stream_index() const { return stream_index_; }
  long frames() const { return frames_; }
  const std::string& codec_name() const { return codec_name_; }

 private:
  template <typename WriteFn>
  Status Drain(WriteFn&& write) {
    const AVRational stream_tb = out_->ctx()->streams[stream_index_]->time_base;
    while (true) {
      int rc = avcodec_receive_packet(enc_.get(), packet_.get());
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return Status::Ok();
      if (rc < 0) return Status::Error("encoding failed: " + LibavReason(rc));
      // Durations as the frames had them: the last frame's sets where the clip ends.
      if (auto it = durations_.find(packet_->pts); it != durations_.end()) {
        packet_->duration = it->second;
        durations_.erase(it);
      }
      // libx265 guesses the first decode times from the frame rate, and with a single frame
      // its guess lands after the picture's own time, which no container accepts.
      if (packet_->dts != AV_NOPTS_VALUE && packet_->pts != AV_NOPTS_VALUE &&
          packet_->dts > packet_->pts) {
        packet_->dts = packet_->pts;
      }
      av_packet_rescale_ts(packet_.get(), enc_->time_base, stream_tb);
      packet_->stream_index = stream_index_;
      if (first_dts_ == AV_NOPTS_VALUE) first_dts_ = packet_->dts;
      // One packet is held back: the last one is only known at the end (see Flush).
      if (held_) {
        Status s = write(held_.get());
        if (!s.ok()) return s;
      } else {
        held_.reset(av_packet_alloc());
        if (!held_) return Status::Error("out of memory");
      }
      av_packet_unref(held_.get());
      av_packet_move_ref(held_.get(), packet_.get());
    }
  }

  CodecContextPtr enc_;
  PacketPtr packet_, held_;
  int64_t first_dts_ = AV_NOPTS_VALUE;  // stream time base
  ClipOutput* out_ = nullptr;
  int stream_index_ = -1;
  long frames_ = 0;
  std::string codec_name_;
  std::map<int64_t, int64_t> durations_;
};

// ---------------------------------------------------------------------------------------------
// Frames in: sequential (VideoDecoder from the start) or from a seek.

// A decoded frame with its place in the stream.
struct SourceFrame {
  const AVFrame* frame = nullptr;
  long index = 0;
  double time = 0;
};

class FrameReader {
 public:
  virtual ~FrameReader() = default;
  virtual Result<bool> Next(SourceFrame* out) = 0;
  virtual double origin_seconds() const = 0;  // stream seconds of time 0
  virtual double end_time() const = 0;        // end of the last frame read (at the end)
  virtual double fps() const = 0;
};

class SequentialReader : public FrameReader {
 public:
  static Result<std::unique_ptr<SequentialReader>> Open(const fs::path& source, int threads) {
    DecodeOptions options;
    options.fast = false;  // exported pictures must be exactly what a player shows
    options.sparse = false;
    options.threads = threads;
    auto dec = VideoDecoder::Open(source, options);
    if (!dec.ok()) return SourceError(source, dec.status());
    std::unique_ptr<SequentialReader> r(new SequentialReader());
    r->dec_ = std::move(dec.value());
    r->source_ = source;
    return r;
  }
  Result<bool> Next(SourceFrame* out) override {
    auto got = dec_->Next(&frame_);
    if (!got.ok()) return SourceError(source_, got.status());
    if (!got.value()) return false;
    out->frame = frame_.frame;
    out->index = frame_.index;
    out->time = frame_.time;
    return true;
  }
  double origin_seconds() const override { return dec_->origin_seconds(); }
  double end_time() const override { return dec_->decoded_duration(); }
  double fps() const override { return dec_->info().fps(); }
  const ProbeInfo& info() const { return dec_->info(); }

 private:
  SequentialReader() = default;
  std::unique_ptr<VideoDecoder> dec_;
  DecodedFrame frame_;
  fs::path source_;
};

// Seeks to the keyframe before `start_time` and recognises the frame at start_time by its
// timestamp: the last frame whose time (from the first frame's timestamp, as the ingest's
// decoder counts it) is at or before start_time. Only for sources whose timestamps are
// regular; Align() says false whenever it cannot be sure.
class SeekingReader : public FrameReader {
 public:
  static Result<std::unique_ptr<SeekingReader>> Open(const fs::path& source, int threads) {
    auto input = OpenInput(source, 0);
    if (!input.ok()) return SourceError(source, input.status());
    std::unique_ptr<SeekingReader> r(new SeekingReader());
    r->input_ = std::move(input.value());
    AVFormatContext* fmt = r->input_.format.get();
    r->vi_ = r->input_.stream_index;
    for (unsigned i = 0; i < fmt->nb_streams; ++i) {
      if (static_cast<int>(i) != r->vi_) fmt->streams[i]->discard = AVDISCARD_ALL;
    }
    const AVStream* st = fmt->streams[r->vi_];
    const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
    r->dec_.reset(avcodec_alloc_context3(codec));
    if (!r->dec_ || avcodec_parameters_to_context(r->dec_.get(), st->codecpar) < 0) {
      return Status::Error("out of memory");
    }
    r->dec_->pkt_timebase = st->time_base;
    r->dec_->thread_count = threads > 0 ? threads : 0;
    r->dec_->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    if (avcodec_open2(r->dec_.get(), codec, nullptr) < 0) {
      return Status::Error("cannot open the decoder");
    }
    r->tb_ = av_q2d(st->time_base);
    const AVRational rate = st->avg_frame_rate.num > 0 ? st->avg_frame_rate : st->r_frame_rate;
    r->fps_ = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 0;
    r->packet_.reset(av_packet_alloc());
    r->frame_.reset(av_frame_alloc());
    if (!r->packet_ || !r->frame_) return Status::Error("out of memory");
    return r;
  }

  // Positions the reader so that Next() returns the frame at `start_time` first, numbered
  // `first_index`. False: cannot be done exactly (read from the start instead).
  Result<bool> Align(double start_time, long first_index) {
    // Time 0 is the first frame's timestamp: decode it once.
    while (first_pts_ == AV_NOPTS_VALUE) {
      auto got = Decode();
      if (!got.ok()) return got.status();
      if (!got.value()) return false;
      if (frame_->best_effort_timestamp == AV_NOPTS_VALUE) return false;
      first_pts_ = frame_->best_effort_timestamp;
    }
    for (double back : {0.0, 2.0, 8.0, 30.0}) {
      const double from = start_time - back;
      if (from <= 0) return false;  // as good as reading from the start
      const int64_t ts = first_pts_ + std::llround(from / tb_);
      if (av_seek_frame(input_.format.get(), vi_, ts, AVSEEK_FLAG_BACKWARD) < 0) return false;
      avcodec_flush_buffers(dec_.get());
      eof_ = false;
      FramePtr candidate;
      double candidate_time = 0;
      while (true) {
        auto got = Decode();
        if (!got.ok()) return got.status();
        if (!got.value()) break;
        const int64_t pts = frame_->best_effort_timestamp;
        if (pts == AV_NOPTS_VALUE) return false;
        const double t = (pts - first_pts_) * tb_;
        if (t <= start_time + kSameTime) {
          if (candidate && t <= candidate_time) return false;  // irregular timestamps
          candidate.reset(av_frame_clone(frame_.get()));
          if (!candidate) return Status::Error("out of memory");
          candidate_time = t;
          continue;
        }
        if (!candidate) break;  // landed after the start: seek further back
        // The frame at the start is the candidate; this one follows it.
        pending_.push_back({std::move(candidate), candidate_time});
        FramePtr next(av_frame_clone(frame_.get()));
        if (!next) return Status::Error("out of memory");
        pending_.push_back({std::move(next), t});
        next_index_ = first_index;
        return true;
      }
      if (candidate && eof_) {
        pending_.push_back({std::move(candidate), candidate_time});
        next_index_ = first_index;
        return true;
      }
    }
    return false;
  }

  Result<bool> Next(SourceFrame* out) override {
    if (pending_.empty()) {
      auto got = Decode();
      if (!got.ok()) return got.status();
      if (!got.value()) return false;
      const int64_t pts = frame_->best_effort_timestamp;
      const double nominal = fps_ > 0 ? 1.0 / fps_ : 0.04;
      double t = pts == AV_NOPTS_VALUE ? last_time_ + nominal : (pts - first_pts_) * tb_;
      if (t <= last_time_) t = last_time_ + nominal * 0.5;  // as the ingest's decoder does
      FramePtr f(av_frame_clone(frame_.get()));
      if (!f) return Status::Error("out of memory");
      pending_.push_back({std::move(f), t});
    }
    current_ = std::move(pending_.front());
    pending_.erase(pending_.begin());
    if (last_time_ > -1e300) last_step_ = current_.time - last_time_;
    last_time_ = current_.time;
    out->frame = current_.frame.get();
    out->index = next_index_++;
    out->time = current_.time;
    return true;
  }

  double origin_seconds() const override { return first_pts_ * tb_; }
  double end_time() const override {
    return last_time_ + (last_step_ > 0 ? last_step_ : (fps_ > 0 ? 1.0 / fps_ : 0.04));
  }
  double fps() const override { return fps_; }

 private:
  SeekingReader() = default;

  // The next decoded frame into frame_; false at the end.
  Result<bool> Decode() {
    while (true) {
      av_frame_unref(frame_.get());
      int rc = avcodec_receive_frame(dec_.get(), frame_.get());
      if (rc >= 0) return true;
      if (rc == AVERROR_EOF) return false;
      if (rc != AVERROR(EAGAIN)) continue;  // a damaged frame: skipped, as the decoder does
      if (eof_) return false;
      rc = av_read_frame(input_.format.get(), packet_.get());
      if (rc < 0) {
        eof_ = true;
        avcodec_send_packet(dec_.get(), nullptr);
        continue;
      }
      if (packet_->stream_index == vi_) avcodec_send_packet(dec_.get(), packet_.get());
      av_packet_unref(packet_.get());
    }
  }

  struct Held {
    FramePtr frame;
    double time = 0;
  };
  InputFile input_;
  int vi_ = -1;
  CodecContextPtr dec_;
  PacketPtr packet_;
  FramePtr frame_;
  double tb_ = 0, fps_ = 0;
  int64_t first_pts_ = AV_NOPTS_VALUE;
  bool eof_ = false;
  std::vector<Held> pending_;
  Held current_;
  long next_index_ = 0;
  double last_time_ = -1e308, last_step_ = 0;
};

// ---------------------------------------------------------------------------------------------
// One target's output while the pass runs.

class TargetWriter {
 public:
  TargetWriter(const fs::path& source, const TranscodeTarget& target,
               const EncodeSettings& settings, TranscodeOutcome* outcome)
      : source_(source), target_(target), settings_(settings), outcome_(outcome) {}

  bool done() const { return done_; }
  bool wants(long index) const {
    return !done_ && index >= target_.first_frame && index <= target_.last_frame;
  }

  // A picture of the target: `time` its source time, `end` when the next picture starts.
  void Add(const AVFrame* picture, long index, double time, double end, double origin,
           double source_fps) {
    if (done_) return;
    Status s = AddPicture(picture, index, time, end, origin, source_fps);
    if (s.ok() && index == target_.last_frame) s = Finish(end);
    if (!s.ok()) {
      Fail(s);
      outcome_->output_failed = true;
    }
  }

  // The source ended before the target's last frame.
  void SourceEnded(long frames_in_source) {
    if (done_) return;
    Fail(Status::Error("source has only " + std::to_string(frames_in_source) +
                       " frames; the clip needs frames " + std::to_string(target_.first_frame) +
                       ".." + std::to_string(target_.last_frame)));
  }
  void Fail(const Status& s) {
    if (done_) return;
    done_ = true;
    out_.reset();  // removes the partial file
    std::error_code ec;
    for (const fs::path& p : target_.still_paths) fs::remove(p, ec);
    outcome_->status = s;
  }

 private:
  // Pictures the clip will have: its frame range, or its length at the requested rate.
  long ExpectedFrames() const {
    if (settings_.fps > 0) {
      const double length = std::max(0.0, target_.end_time - target_.start_time);
      return std::max<long>(1, std::lround(length * settings_.fps));
    }
    return std::max<long>(1, target_.last_frame - target_.first_frame + 1);
  }

  Status Open(const AVFrame* picture, double time, double origin, double source_fps) {
    t0_ = time;
    outcome_->width = picture->width;
    outcome_->height = picture->height;
    if (target_.video_path.empty()) return Status::Ok();
    out_ = std::make_unique<ClipOutput>(target_.video_path);
    if (Status s = out_->Create(); !s.ok()) return s;
    const bool global_header = (out_->ctx()->oformat->flags & AVFMT_GLOBALHEADER) != 0;
    if (settings_.audio) {
      auto audio = AudioClipEncoder::Open(source_);
      if (!audio.ok()) return audio.status();
      audio_ = std::move(audio.value());
      if (audio_) {
        const double length = std::max(0.0, target_.end_time - target_.start_time);
        Status s = audio_->Encode(origin + t0_, origin + t0_ + length, global_header);
        if (!s.ok()) return s;
        if (audio_->empty()) audio_.reset();
      }
    }
    video_ = std::make_unique<VideoEncoder>();
    Status s = video_->Open(settings_, picture->width, picture->height, source_fps, picture,
                            ExpectedFrames(), out_.get());
    if (!s.ok()) return s;
    if (audio_) {
      if (s = audio_->AddStream(out_->ctx()); !s.ok()) return s;
    }
    if (s = out_->WriteHeader(); !s.ok()) return s;
    outcome_->codec = video_->codec_name();
    outcome_->audio = audio_ != nullptr;
    if (settings_.fps > 0) {
      const double length = std::max(0.0, target_.end_time - target_.start_time);
      slots_ = std::max<long>(1, std::lround(length * settings_.fps));
    }
    return Status::Ok();
  }

  Status AddPicture(const AVFrame* picture, long index, double time, double end, double origin,
                    double source_fps) {
    if (!opened_) {
      opened_ = true;
      if (Status s = Open(picture, time, origin, source_fps); !s.ok()) return s;
    }
    while (next_still_ < target_.still_frames.size() &&
           target_.still_frames[next_still_] <= index) {
      if (target_.still_frames[next_still_] == index) {
        Status s = WriteJpeg(target_.still_paths[next_still_], Yuv420ToBgr(picture), kJpegQuality);
        if (!s.ok()) return s;
        outcome_->still_times.push_back(time - t0_);
      }
      ++next_still_;
    }
    if (!video_) return Status::Ok();
    auto write = [this](AVPacket* p) { return WriteVideo(p); };
    if (settings_.fps <= 0) {
      const AVRational tb = video_->time_base();
      const int64_t pts = std::llround((time - t0_) / av_q2d(tb));
      const int64_t next = std::llround((end - t0_) / av_q2d(tb));
      return video_->Encode(picture, pts, std::max<int64_t>(1, next - pts), write);
    }
    // Constant rate: output frame k shows the picture on screen at k / fps.
    while (slot_ < slots_ && slot_ / settings_.fps < end - t0_ - kSameTime) {
      if (Status s = video_->Encode(picture, slot_, 1, write); !s.ok()) return s;
      ++slot_;
    }
    held_.reset(av_frame_clone(picture));
    return held_ ? Status::Ok() : Status::Error("out of memory");
  }

  Status Finish(double end) {
    if (video_) {
      auto write = [this](AVPacket* p) { return WriteVideo(p); };
      // Constant rate: the last picture fills the clip to its nominal length.
      while (settings_.fps > 0 && held_ && slot_ < slots_) {
        if (Status s = video_->Encode(held_.get(), slot_, 1, write); !s.ok()) return s;
        ++slot_;
      }
      const int64_t end_ts =
          settings_.fps > 0 ? slots_ : std::llround((end - t0_) / av_q2d(video_->time_base()));
      if (Status s = video_->Flush(end_ts, write); !s.ok()) return s;
      if (Status s = WriteAudioUpTo(1e300); !s.ok()) return s;
      if (Status s = out_->Finish(); !s.ok()) return s;
      outcome_->frames = video_->frames();
      outcome_->duration = settings_.fps > 0 ? slots_ / settings_.fps : end - t0_;
    } else {
      outcome_->duration = end - t0_;
    }
    done_ = true;
    outcome_->status = Status::Ok();
    return Status::Ok();
  }

  // Audio packets that play before this video packet go first, so the file is interleaved.
  Status WriteVideo(AVPacket* packet) {
    const AVRational tb = out_->ctx()->streams[packet->stream_index]->time_base;
    const int64_t t = packet->dts != AV_NOPTS_VALUE ? packet->dts : packet->pts;
    if (Status s = WriteAudioUpTo(t * av_q2d(tb)); !s.ok()) return s;
    return out_->Write(packet);
  }

  Status WriteAudioUpTo(double seconds) {
    if (!audio_) return Status::Ok();
    auto& packets = audio_->packets();
    const AVRational stream_tb = out_->ctx()->streams[audio_->stream_index()]->time_base;
    while (audio_next_ < packets.size()) {
      AVPacket* p = packets[audio_next_].get();
      if (p->pts * av_q2d(audio_->time_base()) > seconds) break;
      av_packet_rescale_ts(p, audio_->time_base(), stream_tb);
      p->stream_index = audio_->stream_index();
      if (Status s = out_->Write(p); !s.ok()) return s;
      ++audio_next_;
    }
    return Status::Ok();
  }

  fs::path source_;
  const TranscodeTarget& target_;
  const EncodeSettings& settings_;
  TranscodeOutcome* outcome_;
  bool opened_ = false, done_ = false;
  double t0_ = 0;
  std::unique_ptr<ClipOutput> out_;
  std::unique_ptr<VideoEncoder> video_;
  std::unique_ptr<AudioClipEncoder> audio_;
  size_t audio_next_ = 0;
  size_t next_still_ = 0;
  long slots_ = 0, slot_ = 0;
  FramePtr held_;
};

// Rotation and pixel aspect ratio of the source's video stream, for the normaliser.
struct SourceGeometry {
  int rotation = 0, sar_num = 1, sar_den = 1;
};

// One pass over `reader` feeding every target. Returns an error only when the source itself
// fails (every unfinished target then fails with it).
Status RunPass(FrameReader* reader, const SourceGeometry& geometry,
               const std::vector<TranscodeTarget>& targets, const EncodeSettings& settings,
               std::vector<std::unique_ptr<TargetWriter>>* writers,
               const std::atomic<bool>* cancel) {
  ResizeSpec spec{settings.short_side, settings.box_width, settings.box_height, settings.pad};
  FrameNormalizer normalizer(spec, geometry.rotation, geometry.sar_num, geometry.sar_den);
  long last_needed = 0;
  for (const TranscodeTarget& t : targets) last_needed = std::max(last_needed, t.last_frame);
  // A picture is handed over once the next one is decoded: then its end is known.
  FramePtr held;
  long held_index = -1;
  double held_time = 0;
  long frames = 0;
  auto deliver = [&](double end) {
    for (auto& w : *writers) {
      if (w->wants(held_index)) {
        w->Add(held.get(), held_index, held_time, end, reader->origin_seconds(), reader->fps());
      }
    }
    held.reset();
  };
  SourceFrame f;
  while (true) {
    if (cancel != nullptr && cancel->load()) return Status::Error("cancelled");
    auto got = reader->Next(&f);
    if (!got.ok()) return got.status();
    if (!got.value()) break;
    frames = f.index + 1;
    if (held) deliver(f.time);
    if (f.index > last_needed) break;
    bool needed = false;
    for (auto& w : *writers) needed = needed || w->wants(f.index);
    if (!needed) continue;
    auto picture = normalizer.Convert(f.frame);
    if (!picture.ok()) {
      for (auto& w : *writers) {
        if (w->wants(f.index)) w->Fail(picture.status());
      }
      continue;
    }
    held = std::move(picture.value());
    held_index = f.index;
    held_time = f.time;
  }
  if (held) deliver(reader->end_time());
  for (auto& w : *writers) w->SourceEnded(frames);
  return Status::Ok();
}

}  // namespace

int DefaultCrf(const std::string& codec) {
  if (codec == "hevc") return 20;
  if (codec == "av1") return 30;
  return 18;
}

Status CheckEncoder(const std::string& codec) {
  const char* name = EncoderName(codec);
  if (name == nullptr) {
    return Status::Error("unknown codec '" + codec + "' (h264, hevc or av1)");
  }
  if (avcodec_find_encoder_by_name(name) == nullptr) {
    if (codec == "h264" && avcodec_find_encoder(AV_CODEC_ID_MPEG4) != nullptr) {
      return Status::Ok();  // falls back to MPEG-4 part 2
    }
    return Status::Error(codec + " needs the " + name + " encoder, which this FFmpeg lacks");
  }
  return Status::Ok();
}

std::vector<TranscodeOutcome> TranscodeClips(const fs::path& source,
                                             const std::vector<TranscodeTarget>& targets,
                                             const EncodeSettings& settings,
                                             const TranscodeOptions& options) {
  std::vector<TranscodeOutcome> outcomes(targets.size());
  auto fail_all = [&](const Status& s) {
    for (TranscodeOutcome& o : outcomes) o.status = s;
    return outcomes;
  };
  if (targets.empty()) return outcomes;
  if (Status s = CheckEncoder(settings.codec); !s.ok()) return fail_all(s);
  for (size_t i = 0; i < targets.size(); ++i) {
    const TranscodeTarget& t = targets[i];
    if (t.first_frame < 0 || t.last_frame < t.first_frame) {
      return fail_all(Status::Error("empty or invalid clip frame range"));
    }
    if (Status s = CheckNotSource(source, t.video_path); !t.video_path.empty() && !s.ok()) {
      return fail_all(s);
    }
  }
  // Targets in start order; outcomes keep the caller's order.
  std::vector<size_t> order(targets.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return targets[a].first_frame < targets[b].first_frame;
  });
  std::vector<TranscodeTarget> sorted;
  for (size_t i : order) sorted.push_back(targets[i]);

  auto sequential = SequentialReader::Open(source, options.decode_threads);
  if (!sequential.ok()) return fail_all(sequential.status());
  const ProbeInfo& info = (*sequential)->info();
  SourceGeometry geometry{info.rotation, info.sar_num, info.sar_den};

  std::vector<TranscodeOutcome> sorted_outcomes(sorted.size());
  auto make_writers = [&]() {
    std::vector<std::unique_ptr<TargetWriter>> writers;
    sorted_outcomes.assign(sorted.size(), TranscodeOutcome{});
    for (size_t i = 0; i < sorted.size(); ++i) {
      writers.push_back(
          std::make_unique<TargetWriter>(source, sorted[i], settings, &sorted_outcomes[i]));
    }
    return writers;
  };
  Status pass_error;
  bool done = false;
  if (options.allow_seek && !info.is_image && sorted[0].start_time > kSeekWorthSeconds) {
    auto seeking = SeekingReader::Open(source, options.decode_threads);
    if (seeking.ok()) {
      auto aligned = (*seeking)->Align(sorted[0].start_time, sorted[0].first_frame);
      if (aligned.ok() && aligned.value()) {
        auto writers = make_writers();
        pass_error = RunPass(seeking->get(), geometry, sorted, settings, &writers, options.cancel);
        for (auto& w : writers) {
          if (!pass_error.ok()) w->Fail(pass_error);
        }
        done = true;
      }
    }
  }
  if (!done) {
    auto writers = make_writers();
    pass_error = RunPass(sequential->get(), geometry, sorted, settings, &writers, options.cancel);
    for (auto& w : writers) {
      if (!pass_error.ok()) w->Fail(pass_error);
    }
  }
  for (size_t i = 0; i < order.size(); ++i) outcomes[order[i]] = std::move(sorted_outcomes[i]);
  return outcomes;
}

}  // namespace clipdex

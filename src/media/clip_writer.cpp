#include "media/clip_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "media/decoder.h"
#include "media/ffmpeg_raii.h"
#include "media/open_input.h"

extern "C" {
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
}

namespace clipdex {

namespace {

namespace fs = std::filesystem;

std::string LibavReason(int code) {
  std::string why = TakeLastLibavError();
  return why.empty() ? AvErrorString(code) : why;
}

// Source failures keep OpenInput's reason but say it is about the source, so a caller that
// prints "clip 3: <reason>" is unambiguous about which file is at fault.
Status SourceError(const fs::path& source, const Status& status) {
  const std::string& msg = status.message();
  if (msg.rfind("no video stream", 0) == 0) {
    return Status::Error("source has no video stream" + msg.substr(15));
  }
  return Status::Error("cannot read source " + source.string() + ": " + msg);
}

struct OutputContextFreer {
  void operator()(AVFormatContext* ctx) const {
    if (ctx->pb != nullptr && !(ctx->oformat->flags & AVFMT_NOFILE)) avio_closep(&ctx->pb);
    avformat_free_context(ctx);
  }
};
using OutputContextPtr = std::unique_ptr<AVFormatContext, OutputContextFreer>;

// The output file being written. Unless Finish() succeeds, the destructor closes it and deletes
// what was written, so a failed export never leaves a truncated clip that looks valid.
class ClipOutput {
 public:
  explicit ClipOutput(fs::path path) : path_(std::move(path)) {}
  ClipOutput(const ClipOutput&) = delete;
  ClipOutput& operator=(const ClipOutput&) = delete;

  ~ClipOutput() {
    if (finished_) return;
    ctx_.reset();  // close before deleting
    if (file_created_) {
      std::error_code ec;
      fs::remove(path_, ec);
    }
  }

  // Picks the container from the extension and creates the file (without writing to it yet),
  // so an unwritable destination fails before any slow decoding starts.
  Status Create() {
    TakeLastLibavError();
    AVFormatContext* raw = nullptr;
    int rc = avformat_alloc_output_context2(&raw, nullptr, nullptr, path_.c_str());
    if (rc < 0 || raw == nullptr) {
      return Fail("no container format for extension '" + path_.extension().string() + "'");
    }
    ctx_.reset(raw);
    if (!(raw->oformat->flags & AVFMT_NOFILE)) {
      // "file:" keeps libavformat from reading a colon in the name as a protocol prefix.
      const std::string url = "file:" + path_.string();
      rc = avio_open(&raw->pb, url.c_str(), AVIO_FLAG_WRITE);
      if (rc < 0) return Fail(LibavReason(rc));
      file_created_ = true;
    }
    return Status::Ok();
  }

  AVFormatContext* ctx() { return ctx_.get(); }

  // Each libav call below first clears the last logged error, so that a failure reports its
  // own reason and not a stale decoder complaint.
  Status WriteHeader() {
    TakeLastLibavError();
    int rc = avformat_write_header(ctx_.get(), nullptr);
    if (rc < 0) return Fail(LibavReason(rc));
    return Status::Ok();
  }

  // Takes over the packet's data (av_interleaved_write_frame leaves `packet` blank).
  Status Write(AVPacket* packet) {
    TakeLastLibavError();
    int rc = av_interleaved_write_frame(ctx_.get(), packet);
    if (rc < 0) {
      return Status::Error("cannot write output " + path_.string() + ": " + LibavReason(rc));
    }
    return Status::Ok();
  }

  Status Finish() {
    TakeLastLibavError();
    int rc = av_write_trailer(ctx_.get());
    if (rc >= 0 && ctx_->pb != nullptr && !(ctx_->oformat->flags & AVFMT_NOFILE)) {
      rc = avio_closep(&ctx_->pb);  // reports a failed final flush (e.g. disk full)
    }
    if (rc < 0) {
      return Status::Error("cannot write output " + path_.string() + ": " + LibavReason(rc));
    }
    finished_ = true;
    ctx_.reset();
    return Status::Ok();
  }

 private:
  Status Fail(const std::string& why) const {
    return Status::Error("cannot create output " + path_.string() + ": " + why);
  }

  fs::path path_;
  OutputContextPtr ctx_;
  bool file_created_ = false;
  bool finished_ = false;
};

Status CheckNotSource(const fs::path& source, const fs::path& out_path) {
  std::error_code ec;
  if (fs::equivalent(source, out_path, ec)) {
    return Status::Error("cannot create output " + out_path.string() + ": it is the source file");
  }
  return Status::Ok();
}

int64_t SecondsToTicks(double seconds, AVRational time_base) {
  return std::llround(seconds * time_base.den / time_base.num);
}

// `seconds` from the video stream's first presentation timestamp, in the stream's time base.
int64_t StreamTicks(const AVFormatContext* fmt, int stream_index, double seconds) {
  const AVStream* st = fmt->streams[stream_index];
  int64_t base = 0;
  if (st->start_time != AV_NOPTS_VALUE) {
    base = st->start_time;
  } else if (fmt->start_time != AV_NOPTS_VALUE) {
    base = av_rescale_q(fmt->start_time, AV_TIME_BASE_Q, st->time_base);
  }
  return base + SecondsToTicks(seconds, st->time_base);
}

int64_t PacketTime(const AVPacket* packet) {
  return packet->pts != AV_NOPTS_VALUE ? packet->pts : packet->dts;
}

// ---------------------------------------------------------------------------------------------
// Stream copy.

class StreamCopier {
 public:
  StreamCopier(fs::path source, InputFile input, int audio_index, ClipOutput* out)
      : source_(std::move(source)),
        input_(std::move(input)),
        vi_(input_.stream_index),
        ai_(audio_index),
        out_(out) {}

  Status AddStreams() {
    for (int index : {vi_, ai_}) {
      if (index < 0) continue;
      const AVStream* in_st = in()->streams[index];
      AVStream* st = avformat_new_stream(out_->ctx(), nullptr);
      if (st == nullptr) return Status::Error("out of memory");
      if (avcodec_parameters_copy(st->codecpar, in_st->codecpar) < 0) {
        return Status::Error("out of memory");
      }
      // The source container's fourcc may mean nothing (or something else) in the output
      // container; 0 lets the muxer pick its own tag for the codec.
      st->codecpar->codec_tag = 0;
      st->time_base = in_st->time_base;
      st->avg_frame_rate = in_st->avg_frame_rate;
      st->r_frame_rate = in_st->r_frame_rate;
      st->sample_aspect_ratio = in_st->sample_aspect_ratio;
      st->disposition = in_st->disposition;
      av_dict_copy(&st->metadata, in_st->metadata, 0);
      // Side data carries the display matrix: without it a phone video comes out sideways.
      for (int i = 0; i < in_st->nb_side_data; ++i) {
        const AVPacketSideData& sd = in_st->side_data[i];
        uint8_t* data = av_stream_new_side_data(st, sd.type, sd.size);
        if (data == nullptr) return Status::Error("out of memory");
        std::copy(sd.data, sd.data + sd.size, data);
      }
      (index == vi_ ? out_vi_ : out_ai_) = st->index;
    }
    return Status::Ok();
  }

  Status Run(double start_time, double end_time) {
    vtb_ = in()->streams[vi_]->time_base;
    stream_start_ = StreamTicks(in(), vi_, 0);
    target_ = StreamTicks(in(), vi_, start_time);
    end_ = StreamTicks(in(), vi_, end_time);
    DiscardUnusedStreams();
    if (target_ > stream_start_) {
      // BACKWARD lands on the last keyframe at or before the target in indexed containers; an
      // imprecise seek is fine, the read loop still finds the right keyframe (see SeekEarlier).
      if (av_seek_frame(in(), vi_, target_, AVSEEK_FLAG_BACKWARD) >= 0) {
        from_start_ = false;
      } else {
        Status s = Reopen();
        if (!s.ok()) return s;
      }
    }
    bool reached_eof = false;
    while (!(video_done_ && (ai_ < 0 || audio_done_))) {
      if (seek_earlier_) {
        Status s = SeekEarlier();
        if (!s.ok()) return s;
      }
      PacketPtr packet(av_packet_alloc());
      if (!packet) return Status::Error("out of memory");
      int rc = av_read_frame(in(), packet.get());
      if (rc < 0) {
        if (rc != AVERROR_EOF && !video_done_) {
          return Status::Error("cannot read source: " + LibavReason(rc));
        }
        if (!committed_ && kf_pts_ == AV_NOPTS_VALUE && !from_start_) {
          seek_earlier_ = true;  // the seek landed after the last keyframe
          continue;
        }
        reached_eof = true;
        break;
      }
      if (packet->stream_index != vi_ && packet->stream_index != ai_) continue;
      Status s =
          packet->stream_index == vi_ ? OnVideo(std::move(packet)) : OnAudio(std::move(packet));
      if (!s.ok()) return s;
    }
    if (reached_eof && !committed_ && kf_pts_ != AV_NOPTS_VALUE) {
      Status s = Commit();
      if (!s.ok()) return s;
    }
    if (!wrote_in_range_) {
      char buf[160];
      std::snprintf(buf, sizeof(buf), "no video frames between %.3f s and %.3f s in the source",
                    start_time, end_time);
      return Status::Error(buf);
    }
    return Status::Ok();
  }

 private:
  Status OnVideo(PacketPtr packet) {
    if (committed_) return AfterStart(std::move(packet));
    const int64_t t = PacketTime(packet.get());
    const bool key = (packet->flags & AV_PKT_FLAG_KEY) != 0;
    if (key && t != AV_NOPTS_VALUE && t <= target_) {
      // A (later) keyframe at or before the target: the best start seen so far.
      kf_pts_ = t;
      DropPrerollBefore(t);
      preroll_.push_back(std::move(packet));
      return Status::Ok();
    }
    if (kf_pts_ == AV_NOPTS_VALUE) {
      // Non-key packets before the first keyframe cannot decode.
      if (!key || t == AV_NOPTS_VALUE) return Status::Ok();
      if (!from_start_) {
        // Containers without an index (MPEG-TS) seek by bisecting on timestamps and may land
        // after the keyframe we need.
        seek_earlier_ = true;
        return Status::Ok();
      }
      // The video's first keyframe comes after the target: the range starts before the video.
      kf_pts_ = t;
      preroll_.push_back(std::move(packet));
      return Commit();
    }
    // Decode timestamps only grow, and a keyframe's pts is at least its dts: once a packet's
    // dts passes the target (or a keyframe after it shows up), no better start can follow.
    const bool past = (key && t != AV_NOPTS_VALUE && t > target_) ||
                      (packet->dts != AV_NOPTS_VALUE && packet->dts > target_);
    preroll_.push_back(std::move(packet));
    return past ? Commit() : Status::Ok();
  }

  // Seeks further back each time (1 s, 2 s, 4 s, ... before the target) until a keyframe at or
  // before the target is read, or the seek reaches the start of the stream.
  Status SeekEarlier() {
    seek_earlier_ = false;
    preroll_.clear();
    kf_pts_ = AV_NOPTS_VALUE;
    backoff_seconds_ *= 2;
    const int64_t ts = target_ - SecondsToTicks(backoff_seconds_, vtb_);
    // Bisecting seeks do not reliably land on the very first packet; reading from a freshly
    // opened file does.
    if (ts <= stream_start_) return Reopen();
    int rc = av_seek_frame(in(), vi_, ts, AVSEEK_FLAG_BACKWARD);
    if (rc < 0) return Reopen();
    return Status::Ok();
  }

  // Starts over at the beginning of the file. Also the answer to a failed seek, which can leave
  // the demuxer at the end of the file (Matroska without cues does).
  Status Reopen() {
    auto input = OpenInput(source_, 0);
    if (!input.ok()) return SourceError(source_, input.status());
    if (input->stream_index != vi_ || input->format->nb_streams != in()->nb_streams) {
      return Status::Error("source changed while it was being read");
    }
    input_ = std::move(input.value());
    DiscardUnusedStreams();
    from_start_ = true;
    return Status::Ok();
  }

  void DiscardUnusedStreams() {
    for (unsigned i = 0; i < in()->nb_streams; ++i) {
      if (static_cast<int>(i) != vi_ && static_cast<int>(i) != ai_) {
        in()->streams[i]->discard = AVDISCARD_ALL;
      }
    }
  }

  AVFormatContext* in() { return input_.format.get(); }

  // A new start keyframe makes the video packets buffered before it useless, and the audio
  // packets that play before it. Later audio must stay: containers interleave in chunks, so
  // audio for the clip can be read before the keyframe it goes with.
  void DropPrerollBefore(int64_t kf_pts) {
    const int64_t audio_zero =
        ai_ >= 0 ? av_rescale_q(kf_pts, vtb_, in()->streams[ai_]->time_base) : 0;
    std::erase_if(preroll_, [&](const PacketPtr& p) {
      if (p->stream_index == vi_) return true;
      const int64_t t = PacketTime(p.get());
      return t == AV_NOPTS_VALUE || t < audio_zero;
    });
  }

  Status OnAudio(PacketPtr packet) {
    if (!committed_) {
      preroll_.push_back(std::move(packet));
      return Status::Ok();
    }
    return AfterStart(std::move(packet));
  }

  // The start keyframe is final: rebase everything relative to it and write the buffered
  // packets in their original (decode/interleave) order.
  Status Commit() {
    committed_ = true;
    if (ai_ >= 0) {
      atb_ = in()->streams[ai_]->time_base;
      audio_zero_ = av_rescale_q(kf_pts_, vtb_, atb_);
      audio_end_ = av_rescale_q(end_, vtb_, atb_);
    }
    Status s = out_->WriteHeader();
    if (!s.ok()) return s;
    std::vector<PacketPtr> buffered = std::move(preroll_);
    preroll_.clear();
    for (PacketPtr& packet : buffered) {
      s = AfterStart(std::move(packet));
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Status AfterStart(PacketPtr packet) {
    if (packet->stream_index == vi_) {
      if (video_done_) return Status::Ok();
      const int64_t t = PacketTime(packet.get());
      if (packet->dts != AV_NOPTS_VALUE && packet->dts >= end_) {
        // Every frame shown before end_time has dts < end_time, so nothing later is needed.
        video_done_ = true;
        held_.clear();
        return Status::Ok();
      }
      // Leading pictures of an open GOP reference the previous GOP and cannot decode.
      if (t != AV_NOPTS_VALUE && t < kf_pts_) return Status::Ok();
      if (t != AV_NOPTS_VALUE && t >= end_) {
        // Shown after the range, but a B-frame inside the range may still reference it; it is
        // written only if such a frame follows in decode order.
        held_.push_back(std::move(packet));
        return Status::Ok();
      }
      for (PacketPtr& held : held_) {
        Status s = Emit(held.get(), kf_pts_, vtb_, out_vi_);
        if (!s.ok()) return s;
      }
      held_.clear();
      if (t == AV_NOPTS_VALUE || t >= target_) wrote_in_range_ = true;
      return Emit(packet.get(), kf_pts_, vtb_, out_vi_);
    }
    if (audio_done_) return Status::Ok();
    const int64_t t = PacketTime(packet.get());
    if (t == AV_NOPTS_VALUE) return Status::Ok();
    // Audio packets starting before the first picture are dropped rather than given negative
    // timestamps, which some muxers would "fix" by shifting the video off zero.
    if (t < audio_zero_) return Status::Ok();
    if (t >= audio_end_) {
      audio_done_ = true;
      return Status::Ok();
    }
    return Emit(packet.get(), audio_zero_, atb_, out_ai_);
  }

  Status Emit(AVPacket* packet, int64_t zero, AVRational in_tb, int out_index) {
    // Some files restart their timestamps mid-stream. Muxers reject that, and a copy cannot
    // repair it; the decoder (accurate mode) smooths such timelines over.
    int64_t& last_dts = out_index == out_vi_ ? last_video_dts_ : last_audio_dts_;
    if (packet->dts != AV_NOPTS_VALUE) {
      if (last_dts != AV_NOPTS_VALUE && packet->dts <= last_dts) {
        if (out_index != out_vi_) return Status::Ok();  // a lost audio packet is inaudible
        return Status::Error(
            "source video timestamps jump backwards; stream copy cannot cut it, use accurate "
            "mode");
      }
      last_dts = packet->dts;
    }
    if (packet->pts != AV_NOPTS_VALUE) packet->pts -= zero;
    if (packet->dts != AV_NOPTS_VALUE) packet->dts -= zero;
    packet->stream_index = out_index;
    packet->pos = -1;
    av_packet_rescale_ts(packet, in_tb, out_->ctx()->streams[out_index]->time_base);
    return out_->Write(packet);
  }

  fs::path source_;
  InputFile input_;
  int vi_, ai_;
  ClipOutput* out_;
  int out_vi_ = -1, out_ai_ = -1;
  AVRational vtb_{1, 1}, atb_{1, 1};
  int64_t stream_start_ = 0, target_ = 0, end_ = 0;
  bool from_start_ = true;  // reading from the beginning of the file, not from a seek
  bool seek_earlier_ = false;
  double backoff_seconds_ = 0.5;
  int64_t kf_pts_ = AV_NOPTS_VALUE;
  int64_t audio_zero_ = 0, audio_end_ = 0;
  int64_t last_video_dts_ = AV_NOPTS_VALUE, last_audio_dts_ = AV_NOPTS_VALUE;  // as read
  bool committed_ = false, video_done_ = false, audio_done_ = false, wrote_in_range_ = false;
  std::vector<PacketPtr> preroll_;  // packets from the candidate start keyframe on
  std::vector<PacketPtr> held_;     // video packets shown after end_time, kept as references
};

Status CopyClip(const fs::path& source, const ClipCut& cut, const fs::path& out_path) {
  if (!(cut.start_time >= 0) || !(cut.end_time > cut.start_time) || !std::isfinite(cut.end_time)) {
    return Status::Error("empty or invalid clip time range");
  }
  auto input = OpenInput(source, 0);
  if (!input.ok()) return SourceError(source, input.status());
  AVFormatContext* in = input->format.get();

  ClipOutput out(out_path);
  Status s = out.Create();
  if (!s.ok()) return s;
  // The first audio stream goes along if the output container can hold it; a clip without
  // sound beats no clip (e.g. PCM from an AVI does not fit in MP4).
  int audio_index = -1;
  for (unsigned i = 0; i < in->nb_streams; ++i) {
    const AVCodecParameters* par = in->streams[i]->codecpar;
    if (par->codec_type != AVMEDIA_TYPE_AUDIO) continue;
    if (avformat_query_codec(out.ctx()->oformat, par->codec_id, FF_COMPLIANCE_NORMAL) != 0) {
      audio_index = static_cast<int>(i);
    }
    break;
  }
  StreamCopier copier(source, std::move(input.value()), audio_index, &out);
  s = copier.AddStreams();
  if (!s.ok()) return s;
  s = copier.Run(cut.start_time, cut.end_time);
  if (!s.ok()) return s;
  return out.Finish();
}

// ---------------------------------------------------------------------------------------------
// Accurate (re-encode).

class ClipEncoder {
 public:
  explicit ClipEncoder(ClipOutput* out) : out_(out) {}

  // Set up from the first frame of the clip, whose size and format the encoder must match.
  Status Open(const AVFrame* first, const ProbeInfo& info) {
    const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
    const bool x264 = codec != nullptr;
    if (codec == nullptr) codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    if (codec == nullptr) return Status::Error("no video encoder available (libx264 or mpeg4)");
    // 4:2:0 needs even dimensions; an odd last row/column is scaled away.
    width_ = first->width & ~1;
    height_ = first->height & ~1;
    if (width_ <= 0 || height_ <= 0) return Status::Error("picture too small to encode");

    enc_.reset(avcodec_alloc_context3(codec));
    frame_.reset(av_frame_alloc());
    packet_.reset(av_packet_alloc());
    if (!enc_ || !frame_ || !packet_) return Status::Error("out of memory");
    AVCodecContext* ctx = enc_.get();
    ctx->width = width_;
    ctx->height = height_;
    ctx->pix_fmt = AV_PIX_FMT_YUV420P;
    int fps_num = info.fps_num > 0 && info.fps_den > 0 ? info.fps_num : 25;
    int fps_den = info.fps_num > 0 && info.fps_den > 0 ? info.fps_den : 1;
    // One tick per frame; MPEG-4 part 2 cannot express time bases above 65535.
    av_reduce(&ctx->time_base.num, &ctx->time_base.den, fps_den, fps_num, 65535);
    ctx->framerate = AVRational{ctx->time_base.den, ctx->time_base.num};
    ctx->sample_aspect_ratio = first->sample_aspect_ratio.num > 0
                                   ? first->sample_aspect_ratio
                                   : AVRational{info.sar_num, info.sar_den};
    const bool needs_convert =
        first->format != AV_PIX_FMT_YUV420P || first->width != width_ || first->height != height_;
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(first->format));
    const bool source_rgb = desc != nullptr && (desc->flags & AV_PIX_FMT_FLAG_RGB);
    // swscale outputs limited-range YUV; an unconverted frame keeps its own range.
    ctx->color_range = needs_convert ? AVCOL_RANGE_MPEG : first->color_range;
    if (!source_rgb) {
      ctx->color_primaries = first->color_primaries;
      ctx->color_trc = first->color_trc;
      ctx->colorspace = first->colorspace;
    }
    ctx->thread_count = 0;
    if (out_->ctx()->oformat->flags & AVFMT_GLOBALHEADER) {
      ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    }
    if (x264) {
      av_opt_set(ctx->priv_data, "crf", "18", 0);
      av_opt_set(ctx->priv_data, "preset", "veryfast", 0);
    } else {
      // Fixed quantiser: visually close to the source, like crf 18 is for x264.
      ctx->flags |= AV_CODEC_FLAG_QSCALE;
      ctx->global_quality = FF_QP2LAMBDA * 3;
    }
    TakeLastLibavError();
    int rc = avcodec_open2(ctx, codec, nullptr);
    if (rc < 0) {
      return Status::Error(std::string("cannot open ") + codec->name +
                           " encoder: " + LibavReason(rc));
    }

    AVStream* st = avformat_new_stream(out_->ctx(), nullptr);
    if (st == nullptr) return Status::Error("out of memory");
    if (avcodec_parameters_from_context(st->codecpar, ctx) < 0) {
      return Status::Error("out of memory");
    }
    st->time_base = ctx->time_base;
    st->avg_frame_rate = ctx->framerate;
    st->sample_aspect_ratio = ctx->sample_aspect_ratio;
    if (info.rotation != 0) {
      // Frames are encoded as stored; the display matrix tells players to turn them, as the
      // source did. av_display_rotation_set takes clockwise degrees (av_display_rotation_get
      // returns counter-clockwise ones, hence the sign flip in probe.cpp).
      auto* matrix = reinterpret_cast<int32_t*>(
          av_stream_new_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, sizeof(int32_t) * 9));
      if (matrix == nullptr) return Status::Error("out of memory");
      av_display_rotation_set(matrix, info.rotation);
    }
    stream_index_ = st->index;
    return out_->WriteHeader();
  }

  Status Encode(const AVFrame* source) {
    av_frame_unref(frame_.get());
    if (source->format == AV_PIX_FMT_YUV420P && source->width == width_ &&
        source->height == height_) {
      if (av_frame_ref(frame_.get(), source) < 0) return Status::Error("out of memory");
    } else {
      Status s = Convert(source);
      if (!s.ok()) return s;
    }
    // The decoder's picture type would force the encoder's frame types; let it choose.
    frame_->pict_type = AV_PICTURE_TYPE_NONE;
    frame_->pts = next_pts_++;
    frame_->quality = enc_->global_quality;  // read per frame by the qscale (mpeg4) path
    int rc = avcodec_send_frame(enc_.get(), frame_.get());
    av_frame_unref(frame_.get());
    if (rc < 0) return Status::Error("encoding failed: " + LibavReason(rc));
    return Drain();
  }

  Status Flush() {
    int rc = avcodec_send_frame(enc_.get(), nullptr);
    if (rc < 0) return Status::Error("encoding failed: " + LibavReason(rc));
    return Drain();
  }

 private:
  Status Convert(const AVFrame* source) {
    sws_.reset(sws_getCachedContext(sws_.release(), source->width, source->height,
                                    static_cast<AVPixelFormat>(source->format), width_, height_,
                                    AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr));
    if (!sws_) return Status::Error("cannot convert the picture format for encoding");
    frame_->format = AV_PIX_FMT_YUV420P;
    frame_->width = width_;
    frame_->height = height_;
    if (av_frame_get_buffer(frame_.get(), 0) < 0) return Status::Error("out of memory");
    sws_scale(sws_.get(), source->data, source->linesize, 0, source->height, frame_->data,
              frame_->linesize);
    frame_->sample_aspect_ratio = source->sample_aspect_ratio;
    return Status::Ok();
  }

  Status Drain() {
    const AVRational stream_tb = out_->ctx()->streams[stream_index_]->time_base;
    while (true) {
      int rc = avcodec_receive_packet(enc_.get(), packet_.get());
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return Status::Ok();
      if (rc < 0) return Status::Error("encoding failed: " + LibavReason(rc));
      av_packet_rescale_ts(packet_.get(), enc_->time_base, stream_tb);
      packet_->stream_index = stream_index_;
      Status s = out_->Write(packet_.get());
      av_packet_unref(packet_.get());
      if (!s.ok()) return s;
    }
  }

  ClipOutput* out_;
  CodecContextPtr enc_;
  FramePtr frame_;
  PacketPtr packet_;
  SwsContextPtr sws_;
  int width_ = 0, height_ = 0;
  int stream_index_ = -1;
  int64_t next_pts_ = 0;
};

Status EncodeClip(const fs::path& source, const ClipCut& cut, const fs::path& out_path) {
  if (cut.first_frame < 0 || cut.last_frame < cut.first_frame) {
    return Status::Error("empty or invalid clip frame range");
  }
  DecodeOptions options;
  options.fast = false;  // exported pictures must be exactly what a player shows
  auto decoder = VideoDecoder::Open(source, options);
  if (!decoder.ok()) return SourceError(source, decoder.status());
  ClipOutput out(out_path);
  Status s = out.Create();
  if (!s.ok()) return s;
  ClipEncoder encoder(&out);
  // Frame indices count decoded frames from the start of the stream, so the only exact way to
  // reach first_frame is to decode from the beginning; seeking would lose the count.
  DecodedFrame frame;
  while (true) {
    auto got = (*decoder)->Next(&frame);
    if (!got.ok()) return SourceError(source, got.status());
    if (!got.value()) break;
    if (frame.index < cut.first_frame) continue;
    if (frame.index == cut.first_frame) {
      s = encoder.Open(frame.frame, (*decoder)->info());
      if (!s.ok()) return s;
    }
    s = encoder.Encode(frame.frame);
    if (!s.ok()) return s;
    if (frame.index == cut.last_frame) {
      s = encoder.Flush();
      if (!s.ok()) return s;
      return out.Finish();
    }
  }
  return Status::Error("source has only " + std::to_string((*decoder)->frames_decoded()) +
                       " frames; the clip needs frames " + std::to_string(cut.first_frame) + ".." +
                       std::to_string(cut.last_frame));
}

}  // namespace

Status WriteClip(const std::filesystem::path& source, const ClipCut& cut,
                 const std::filesystem::path& out_path, bool accurate) {
  Status s = CheckNotSource(source, out_path);
  if (!s.ok()) return s;
  return accurate ? EncodeClip(source, cut, out_path) : CopyClip(source, cut, out_path);
}

}  // namespace clipdex

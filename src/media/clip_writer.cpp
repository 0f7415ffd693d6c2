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

#include "media/clip_output.h"
#include "media/clip_transcoder.h"
#include "media/ffmpeg_raii.h"
#include "media/open_input.h"

namespace clipdex {

namespace {

namespace fs = std::filesystem;

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
  StreamCopier(fs::path source, InputFile input, int audio_index, double max_start_offset,
               ClipOutput* out)
      : source_(std::move(source)),
        input_(std::move(input)),
        vi_(input_.stream_index),
        ai_(audio_index),
        max_start_offset_(max_start_offset),
        out_(out) {}

  // Seconds the copy starts before the requested start (negative: after it).
  double start_offset() const { return start_offset_; }
  // Seconds of video written: first picture to the end of the last one.
  double duration() const {
    return video_end_ > video_begin_ ? (video_end_ - video_begin_) * av_q2d(vtb_) : 0.0;
  }
  long video_packets() const { return video_packets_; }

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
    start_offset_ = (target_ - kf_pts_) * av_q2d(vtb_);
    // Exact enough? The frames between the keyframe and the start belong to the previous shot
    // (or the clip loses its first frames when the keyframe comes after the start).
    // Half a frame on top: timestamps round, and the clip's first frame is what counts.
    const AVRational rate = in()->streams[vi_]->avg_frame_rate;
    const double half_frame = rate.num > 0 && rate.den > 0 ? 0.5 / av_q2d(rate) : 0.02;
    if (max_start_offset_ >= 0 && std::fabs(start_offset_) > max_start_offset_ + half_frame) {
      char buf[160];
      std::snprintf(buf, sizeof(buf), "no keyframe near the clip start (nearest %.2f s %s it)",
                    std::fabs(start_offset_), start_offset_ > 0 ? "before" : "after");
      return Status::Error(buf);
    }
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
    if (out_index == out_vi_) {
      ++video_packets_;
      const int64_t t = PacketTime(packet);
      if (t != AV_NOPTS_VALUE) {
        const AVRational rate = in()->streams[vi_]->avg_frame_rate;
        const int64_t nominal = rate.num > 0 ? av_rescale_q(1, av_inv_q(rate), in_tb) : 1;
        const int64_t end = t + (packet->duration > 0 ? packet->duration : nominal);
        if (video_begin_ == AV_NOPTS_VALUE || t < video_begin_) video_begin_ = t;
        if (video_end_ == AV_NOPTS_VALUE || end > video_end_) video_end_ = end;
      }
    }
    packet->stream_index = out_index;
    packet->pos = -1;
    av_packet_rescale_ts(packet, in_tb, out_->ctx()->streams[out_index]->time_base);
    return out_->Write(packet);
  }

  fs::path source_;
  InputFile input_;
  int vi_, ai_;
  double max_start_offset_;
  ClipOutput* out_;
  double start_offset_ = 0;
  long video_packets_ = 0;
  int64_t video_begin_ = AV_NOPTS_VALUE, video_end_ = AV_NOPTS_VALUE;  // rebased, input ticks
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

}  // namespace

Result<CopyInfo> CopyClip(const fs::path& source, const ClipCut& cut, const fs::path& out_path,
                          const CopyOptions& options) {
  if (!(cut.start_time >= 0) || !(cut.end_time > cut.start_time) || !std::isfinite(cut.end_time)) {
    return Status::Error("empty or invalid clip time range");
  }
  if (Status s = CheckNotSource(source, out_path); !s.ok()) return s;
  auto input = OpenInput(source, 0);
  if (!input.ok()) return SourceError(source, input.status());
  AVFormatContext* in = input->format.get();

  ClipOutput out(out_path);
  Status s = out.Create();
  if (!s.ok()) return s;
  CopyInfo info;
  const AVCodecParameters* vpar = in->streams[input->stream_index]->codecpar;
  const AVCodecDescriptor* desc = avcodec_descriptor_get(vpar->codec_id);
  info.codec = desc != nullptr ? desc->name : "unknown";
  info.width = vpar->width;
  info.height = vpar->height;
  // Checked before reading anything: the muxer would only refuse at its header.
  if (avformat_query_codec(out.ctx()->oformat, vpar->codec_id, FF_COMPLIANCE_NORMAL) != 1) {
    return Status::Error("codec " + info.codec + " cannot be stream-copied into " +
                         out_path.extension().string().substr(1));
  }
  // The first audio stream goes along. When the output container cannot hold it (e.g. PCM from
  // an AVI or a camera's MOV in MP4) the copy is refused rather than made silent: the caller
  // re-encodes the clip, sound included (AAC), and says why.
  int audio_index = -1;
  for (unsigned i = 0; options.audio && i < in->nb_streams; ++i) {
    const AVCodecParameters* par = in->streams[i]->codecpar;
    if (par->codec_type != AVMEDIA_TYPE_AUDIO) continue;
    if (avformat_query_codec(out.ctx()->oformat, par->codec_id, FF_COMPLIANCE_NORMAL) != 1) {
      const AVCodecDescriptor* adesc = avcodec_descriptor_get(par->codec_id);
      return Status::Error("audio " + std::string(adesc != nullptr ? adesc->name : "unknown") +
                           " cannot be stream-copied into " +
                           out_path.extension().string().substr(1));
    }
    audio_index = static_cast<int>(i);
    break;
  }
  StreamCopier copier(source, std::move(input.value()), audio_index, options.max_start_offset,
                      &out);
  s = copier.AddStreams();
  if (!s.ok()) return s;
  s = copier.Run(cut.start_time, cut.end_time);
  if (!s.ok()) return s;
  s = out.Finish();
  if (!s.ok()) return s;
  info.start_offset = copier.start_offset();
  info.duration = copier.duration();
  info.frames = copier.video_packets();
  info.audio = audio_index >= 0;
  return info;
}

Status WriteClip(const std::filesystem::path& source, const ClipCut& cut,
                 const std::filesystem::path& out_path, bool accurate) {
  if (accurate) {
    TranscodeTarget target;
    target.first_frame = cut.first_frame;
    target.last_frame = cut.last_frame;
    target.start_time = cut.start_time;
    target.end_time = cut.end_time;
    target.video_path = out_path;
    EncodeSettings settings;
    settings.audio = false;
    auto outcomes = TranscodeClips(source, {target}, settings, TranscodeOptions{});
    return outcomes[0].status;
  }
  auto copied = CopyClip(source, cut, out_path, CopyOptions{});
  return copied.ok() ? Status::Ok() : copied.status();
}

}  // namespace clipdex

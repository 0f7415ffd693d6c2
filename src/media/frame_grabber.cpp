#include "media/frame_grabber.h"

#include <cstdio>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include "media/ffmpeg_raii.h"
#include "media/frame_convert.h"
#include "media/open_input.h"

namespace clipdex {

namespace {

// Forward decoding from the previous picture is cheaper than a seek when the next wanted time is
// this close (a typical GOP is 2-10 s; decoding 1 s of 1080p costs about one seek plus a GOP).
constexpr double kContinueSeconds = 1.0;

// The demuxer and decoder of one file, positioned at its start.
struct Reader {
  InputFile input;
  CodecContextPtr ctx;
};

Result<Reader> OpenReader(const std::filesystem::path& path, double deadline_seconds) {
  Reader r;
  auto input = OpenInput(path, deadline_seconds);
  if (!input.ok()) return Status::Error("open: " + input.status().message());
  r.input = std::move(input.value());
  AVFormatContext* fmt = r.input.format.get();
  const int si = r.input.stream_index;
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    if (static_cast<int>(i) != si) fmt->streams[i]->discard = AVDISCARD_ALL;
  }
  AVStream* st = fmt->streams[si];
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (codec == nullptr) return Status::Error("no decoder");
  r.ctx.reset(avcodec_alloc_context3(codec));
  if (!r.ctx || avcodec_parameters_to_context(r.ctx.get(), st->codecpar) < 0) {
    return Status::Error("bad codec parameters");
  }
  r.ctx->pkt_timebase = st->time_base;
  r.ctx->thread_count = 2;
  if (avcodec_open2(r.ctx.get(), codec, nullptr) < 0) return Status::Error("cannot open decoder");
  return r;
}

}  // namespace

Result<GrabbedFrames> GrabFrames(const std::filesystem::path& path, const ProbeInfo& probe,
                                 const std::vector<double>& times, int long_side,
                                 double deadline_seconds) {
  GrabbedFrames out;
  if (times.empty()) return out;
  auto reader = OpenReader(path, deadline_seconds);
  if (!reader.ok()) return reader.status();
  InputFile* input = &reader->input;
  AVFormatContext* fmt = input->format.get();
  AVCodecContext* ctx_ptr = reader->ctx.get();
  const int si = input->stream_index;
  AVStream* st = fmt->streams[si];
  PacketPtr packet(av_packet_alloc());
  FramePtr frame(av_frame_alloc());
  if (!packet || !frame) return Status::Error("out of memory");
  ImageConverter convert(probe.rotation, probe.sar_num, probe.sar_den, probe.mirror);
  const double tb = av_q2d(st->time_base);
  const double start = st->start_time != AV_NOPTS_VALUE ? st->start_time * tb : 0.0;
  // The answer for time t is the first picture stamped at or after t (as `ffmpeg -ss t` picks
  // it); a millisecond of slack absorbs timestamp rounding.
  const double fps = probe.fps() > 0 ? probe.fps() : 25.0;
  const double slack = 0.001;

  FramePtr held(av_frame_alloc());  // the latest decoded picture
  if (!held) return Status::Error("out of memory");
  bool have_held = false;
  double held_t = -1;  // its time on the catalog's clock
  bool eof = false;
  bool seekable = true;
  for (double want : times) {
    if (input->deadline->Expired()) return Status::Error("timed out");
    bool seek = !have_held || want < held_t - slack || want > held_t + kContinueSeconds;
    // Without an index, only going back needs a restart; ahead, decoding forward is the way.
    if (!seekable && have_held && want >= held_t - slack) seek = false;
    if (seek && !probe.is_image) {
      const int64_t ts = static_cast<int64_t>((want + start) / tb);
      // Some files have no usable index (a Matroska file without cues, a raw stream): the seek
      // fails and may leave the reader at the end. Then a fresh reader decodes forward from the
      // start: slower, still exact.
      if (av_seek_frame(fmt, si, ts, AVSEEK_FLAG_BACKWARD) < 0) {
        seekable = false;
        auto fresh = OpenReader(path, deadline_seconds);
        if (!fresh.ok()) return fresh.status();
        reader = std::move(fresh);
        input = &reader->input;
        fmt = input->format.get();
        ctx_ptr = reader->ctx.get();
      } else {
        avcodec_flush_buffers(ctx_ptr);
      }
      eof = false;
      av_frame_unref(held.get());
      have_held = false;
      held_t = -1;
    }
    // Decode until the picture on screen at `want` is the latest one decoded (or the file ends:
    // a time past the end gets the last picture).
    while (!(have_held && held_t + slack >= want) && !eof) {
      if (input->deadline->Expired()) return Status::Error("timed out");
      int rc = avcodec_receive_frame(ctx_ptr, frame.get());
      if (rc == 0) {
        ++out.decoded;
        const int64_t pts = frame->best_effort_timestamp;
        held_t = pts == AV_NOPTS_VALUE ? held_t + 1 / fps : pts * tb - start;
        av_frame_unref(held.get());
        av_frame_move_ref(held.get(), frame.get());
        have_held = true;
        continue;
      }
      if (rc == AVERROR_EOF) {
        eof = true;
        break;
      }
      rc = av_read_frame(fmt, packet.get());
      if (rc < 0) {
        avcodec_send_packet(ctx_ptr, nullptr);
      } else {
        if (packet->stream_index == si) avcodec_send_packet(ctx_ptr, packet.get());
        av_packet_unref(packet.get());
      }
    }
    if (!have_held) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "no picture at %.2f s", want);
      return Status::Error(buf);
    }
    cv::Mat picture = convert.ToBgr(held.get(), long_side);
    if (picture.empty()) return Status::Error("cannot convert the picture");
    out.pictures.push_back(picture.clone());
  }
  return out;
}

}  // namespace clipdex

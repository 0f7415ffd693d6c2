#include "media/decoder.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace clipdex {

VideoDecoder::~VideoDecoder() = default;

Result<std::unique_ptr<VideoDecoder>> VideoDecoder::Open(const std::filesystem::path& path,
                                                         const DecodeOptions& options) {
  auto input = OpenInput(path, options.time_limit_seconds);
  if (!input.ok()) return input.status();
  std::unique_ptr<VideoDecoder> dec(new VideoDecoder());  // private constructor
  dec->input_ = std::move(input.value());
  AVFormatContext* fmt = dec->input_.format.get();
  const int si = dec->input_.stream_index;
  Status s = FillProbeInfo(fmt, si, path, &dec->info_);
  if (!s.ok()) return s;
  // Only the chosen video stream is demuxed into packets we look at; the rest are discarded early.
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    if (static_cast<int>(i) != si) fmt->streams[i]->discard = AVDISCARD_ALL;
  }
  AVStream* st = fmt->streams[si];
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  dec->codec_.reset(avcodec_alloc_context3(codec));
  if (!dec->codec_) return Status::Error("out of memory");
  AVCodecContext* ctx = dec->codec_.get();
  if (avcodec_parameters_to_context(ctx, st->codecpar) < 0) {
    return Status::Error("bad codec parameters");
  }
  ctx->pkt_timebase = st->time_base;
  int threads = options.threads > 0
                    ? options.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  ctx->thread_count = threads;
  ctx->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  if (options.fast) {
    ctx->skip_loop_filter = AVDISCARD_ALL;
    ctx->flags2 |= AV_CODEC_FLAG2_FAST;
  }
  int rc = avcodec_open2(ctx, codec, nullptr);
  if (rc < 0) {
    std::string why = TakeLastLibavError();
    return Status::Error("cannot open " + dec->info_.codec +
                         " decoder: " + (why.empty() ? AvErrorString(rc) : why));
  }
  dec->time_base_ = av_q2d(st->time_base);
  dec->packet_.reset(av_packet_alloc());
  dec->frame_.reset(av_frame_alloc());
  if (!dec->packet_ || !dec->frame_) return Status::Error("out of memory");
  return dec;
}

Result<bool> VideoDecoder::ReceiveOne(DecodedFrame* out) {
  AVCodecContext* ctx = codec_.get();
  av_frame_unref(frame_.get());
  int rc = avcodec_receive_frame(ctx, frame_.get());
  if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return false;
  if (rc < 0) {
    ++decode_errors_;
    return false;
  }
  const double nominal = info_.fps() > 0 ? 1.0 / info_.fps() : 1.0 / 25.0;
  int64_t pts = frame_->best_effort_timestamp;
  double time;
  if (pts == AV_NOPTS_VALUE) {
    time = last_time_ < 0 ? 0.0 : last_time_ + nominal;
  } else {
    if (first_pts_ == AV_NOPTS_VALUE) first_pts_ = pts;
    time = (pts - first_pts_) * time_base_;
  }
  // Broken streams can repeat or reorder timestamps; keep time strictly increasing so clips
  // and segments never run backwards, and remember the stream was irregular.
  if (last_time_ >= 0 && time <= last_time_) {
    time = last_time_ + nominal * 0.5;
    vfr_ = true;
  }
  if (last_time_ >= 0) {
    double step = time - last_time_;
    min_step_ = std::min(min_step_, step);
    max_step_ = std::max(max_step_, step);
    if (frames_ > 2 && max_step_ > 1.5 * min_step_ + 1e-4) vfr_ = true;
    last_duration_ = step;
  } else {
    last_duration_ = frame_->pkt_duration > 0 ? frame_->pkt_duration * time_base_ : nominal;
  }
  out->frame = frame_.get();
  out->index = frames_++;
  out->time = time;
  out->duration = last_duration_;
  last_time_ = time;
  return true;
}

Status VideoDecoder::CheckEndOfStream() {
  if (frames_ == 0) {
    std::string why = read_error_;
    if (why.empty()) why = TakeLastLibavError();
    if (decode_errors_ > 0) {
      return Status::Error("undecodable: " + std::to_string(decode_errors_) +
                           " decode errors and no picture" + (why.empty() ? "" : " (" + why + ")"));
    }
    return Status::Error("no decodable video frames" + (why.empty() ? "" : ": " + why));
  }
  // A stream that stops well short of the duration its own header promises was cut off
  // (truncated download or copy). The margin is wide because some containers (Ogg, ASF)
  // estimate durations loosely; short streams are not judged since their durations are rounded.
  if (info_.duration > 1.0 && decoded_duration() < 0.75 * info_.duration) {
    if (read_error_.empty()) read_error_ = "end of file";
    char buf[160];
    std::snprintf(buf, sizeof(buf), "truncated: data ends at %.2f s of %.2f s (%s)",
                  decoded_duration(), info_.duration, read_error_.c_str());
    return Status::Error(buf);
  }
  return Status::Ok();
}

Result<bool> VideoDecoder::Next(DecodedFrame* out) {
  if (finished_) return false;
  AVFormatContext* fmt = input_.format.get();
  AVCodecContext* ctx = codec_.get();
  while (true) {
    if (input_.deadline->Expired()) {
      char buf[96];
      std::snprintf(buf, sizeof(buf), "timed out after %.0f s (per-file decode limit)",
                    input_.deadline->seconds());
      return Status::Error(buf);
    }
    auto got = ReceiveOne(out);
    if (!got.ok()) return got.status();
    if (got.value()) return true;
    if (draining_) {
      // receive_frame returned EOF (or an error) while draining: done.
      finished_ = true;
      Status s = CheckEndOfStream();
      if (!s.ok()) return s;
      return false;
    }
    int rc = av_read_frame(fmt, packet_.get());
    if (rc < 0) {
      if (rc != AVERROR_EOF) {
        std::string why = TakeLastLibavError();
        read_error_ = why.empty() ? AvErrorString(rc) : why;
        if (input_.deadline->Expired()) continue;  // reported at the top of the loop
      } else if (fmt->pb != nullptr && fmt->pb->error < 0) {
        read_error_ = AvErrorString(fmt->pb->error);
      }
      draining_ = true;
      avcodec_send_packet(ctx, nullptr);
      continue;
    }
    if (packet_->stream_index == input_.stream_index) {
      rc = avcodec_send_packet(ctx, packet_.get());
      if (rc < 0 && rc != AVERROR(EAGAIN)) ++decode_errors_;
    }
    av_packet_unref(packet_.get());
  }
}

}  // namespace clipdex

#include "media/decoder.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace clipdex {

namespace {
// The per-file limit (--timeout) is a base that grows with the input's length, so a 3-hour file
// is not failed for taking longer than a 3-minute one: this many wall seconds per media second,
// about 4x the slowest default ingest measured (0.5 s per media second, 1080p on 2 loaded cores).
constexpr double kWallSecondsPerMediaSecond = 2.0;
// A hostile header can claim any duration; a file cannot carry a second of video in under this
// many bytes (1 kB/s is below any real stream), so the time it may add is bounded by its size.
constexpr double kMinBytesPerMediaSecond = 1000.0;

// A reference frame this many times the median recent reference frame is taken for a scene
// change (intra-coded after a cut). Lower decodes more B-frames; misses are caught downstream.
constexpr double kSceneChangeSizeRatio = 2.5;
}  // namespace

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
  std::error_code size_error;
  const double bytes = static_cast<double>(std::filesystem::file_size(path, size_error));
  if (!size_error && dec->info_.duration > 0) {
    const double media_seconds = std::min(dec->info_.duration, bytes / kMinBytesPerMediaSecond);
    dec->input_.deadline->ExtendBy(kWallSecondsPerMediaSecond * media_seconds);
  }
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
  // Two frame threads more than cores: while the ingest thread analyses a frame, the threads
  // that finished theirs (a skipped B-frame finishes at once) would otherwise wait idle for
  // the next packet. Measured on 2 cores, sparse shots-only: 4 threads 0.75x the ffmpeg
  // decode wall, 2 threads 0.84x; +18 MB peak RSS at 1080p.
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int threads = options.threads > 0 ? options.threads : std::min(cores + 2, 16);
  ctx->thread_count = threads;
  ctx->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  if (options.fast) {
    ctx->skip_loop_filter = AVDISCARD_ALL;
    ctx->flags2 |= AV_CODEC_FLAG2_FAST;
  }
  // Sparse decoding needs codecs whose decoder honours skip_frame for non-reference pictures,
  // B-frames (else nothing is skippable) and a container that stamps every packet, so skipped
  // frames still get their exact index and time.
  const std::string container = fmt->iformat != nullptr ? fmt->iformat->name : "";
  const bool stamped =
      container.find("mp4") != std::string::npos || container.find("matroska") != std::string::npos;
  dec->sparse_ = options.fast && options.sparse && stamped && st->codecpar->video_delay > 0 &&
                 (codec->id == AV_CODEC_ID_H264 || codec->id == AV_CODEC_ID_HEVC);
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
  const int64_t pts = frame_->best_effort_timestamp;
  out->skipped.clear();
  if (sparse_) {
    // Packets stamped before the first picture shown (edit-list trims, undecodable leading
    // frames) are not frames of the video, exactly as in dense decoding.
    if (last_output_pts_ == AV_NOPTS_VALUE && pts != AV_NOPTS_VALUE) {
      while (!pending_pts_.empty() && *pending_pts_.begin() < pts) {
        pending_pts_.erase(pending_pts_.begin());
      }
    }
    TakeSkippedBefore(pts, false, out);
    if (pts != AV_NOPTS_VALUE) {
      auto it = pending_pts_.find(pts);
      if (it != pending_pts_.end()) pending_pts_.erase(it);
      last_output_pts_ = pts;
    }
  }
  long index = 0;
  double time = 0;
  Stamp(pts, frame_->pkt_duration, &index, &time);
  if (!out->skipped.empty()) out->skipped.back().duration = time - out->skipped.back().time;
  out->frame = frame_.get();
  out->index = index;
  out->time = time;
  out->duration = last_duration_;
  return true;
}

void VideoDecoder::Stamp(int64_t pts, int64_t pkt_duration, long* index, double* time_out) {
  const double nominal = info_.fps() > 0 ? 1.0 / info_.fps() : 1.0 / 25.0;
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
    last_duration_ = pkt_duration > 0 ? pkt_duration * time_base_ : nominal;
  }
  *index = frames_++;
  *time_out = time;
  last_time_ = time;
}

void VideoDecoder::TakeSkippedBefore(int64_t pts, bool all, DecodedFrame* out) {
  out->skipped.clear();
  while (!pending_pts_.empty() && (all || (pts != AV_NOPTS_VALUE && *pending_pts_.begin() < pts))) {
    SkippedFrame s;
    s.pts = *pending_pts_.begin();
    pending_pts_.erase(pending_pts_.begin());
    Stamp(s.pts, 0, &s.index, &s.time);
    if (!out->skipped.empty()) out->skipped.back().duration = s.time - out->skipped.back().time;
    out->skipped.push_back(s);
    ++skipped_total_;
  }
  if (!out->skipped.empty()) out->skipped.back().duration = last_duration_;
}

void VideoDecoder::RequestDense(double seconds) {
  if (!sparse_ || last_output_pts_ == AV_NOPTS_VALUE || time_base_ <= 0) return;
  const int64_t until = last_output_pts_ + static_cast<int64_t>(seconds / time_base_);
  if (dense_until_pts_ == AV_NOPTS_VALUE || until > dense_until_pts_) dense_until_pts_ = until;
}

bool VideoDecoder::ShouldDecodeAll(const AVPacket* pkt) const {
  if (pkt->pts == AV_NOPTS_VALUE) return true;
  if (dense_until_pts_ != AV_NOPTS_VALUE && pkt->pts <= dense_until_pts_) return true;
  // The frame shown right after this one is the nearest later-stamped packet already sent (a
  // reference frame is sent before the B-frames it closes). A scene change there makes it a
  // keyframe or much larger than the recent reference frames (intra-coded): then decode the
  // frames before it, so a cut among them is found on the exact frame.
  const SentPacket* next = nullptr;
  std::vector<int> sizes;
  for (const SentPacket& p : recent_) {
    if (p.pts > pkt->pts && (next == nullptr || p.pts < next->pts)) next = &p;
    if (p.forward && !p.key) sizes.push_back(p.size);
  }
  if (next == nullptr) return true;  // a reference frame itself (or no reordering here)
  if (next->key || sizes.size() < 3) return true;
  std::nth_element(sizes.begin(), sizes.begin() + sizes.size() / 2, sizes.end());
  return next->size >= kSceneChangeSizeRatio * sizes[sizes.size() / 2];
}

void VideoDecoder::NoteSentPacket(const AVPacket* pkt) {
  if (pkt->pts == AV_NOPTS_VALUE || (pkt->flags & AV_PKT_FLAG_DISCARD) != 0) return;
  SentPacket p;
  p.pts = pkt->pts;
  p.size = pkt->size;
  p.key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
  p.forward = max_sent_pts_ == AV_NOPTS_VALUE || pkt->pts > max_sent_pts_;
  if (p.forward) max_sent_pts_ = pkt->pts;
  recent_.push_back(p);
  if (recent_.size() > 24) recent_.pop_front();
  pending_pts_.insert(pkt->pts);
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
  // The decodable part is kept: the caller records the truncation and goes on.
  // MP4/MOV give the video stream's exact length (its sample table), so there a missing tail
  // of more than a second or 5 % already counts (a download that lost its last fifth).
  const bool exact_length = info_.container.rfind("mov,mp4", 0) == 0;
  const double promised = info_.duration;
  const double missing = promised - decoded_duration();
  const bool cut_off = exact_length ? missing > std::max(1.0, 0.05 * promised)
                                    : decoded_duration() < 0.75 * promised;
  if (promised > 1.0 && cut_off) {
    if (read_error_.empty()) read_error_ = "end of file";
    char buf[160];
    std::snprintf(buf, sizeof(buf), "data ends at %.2f s of %.2f s (%s)", decoded_duration(),
                  info_.duration, read_error_.c_str());
    truncation_ = buf;
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
      // receive_frame returned EOF (or an error) while draining: done. Sparse mode may still
      // hold skipped frames after the last decoded one; they come in one record without a frame.
      // Nothing ever decoded: the pending packets were not frames anyone could show.
      if (last_output_pts_ == AV_NOPTS_VALUE) pending_pts_.clear();
      if (sparse_ && !pending_pts_.empty()) {
        TakeSkippedBefore(AV_NOPTS_VALUE, true, out);
        out->frame = nullptr;
        out->index = frames_;
        out->time = last_time_;
        out->duration = 0;
        return true;
      }
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
      if (sparse_) {
        // Per packet: frame threading copies skip_frame into the worker that decodes it.
        ctx->skip_frame = ShouldDecodeAll(packet_.get()) ? AVDISCARD_DEFAULT : AVDISCARD_NONREF;
        NoteSentPacket(packet_.get());
      }
      rc = avcodec_send_packet(ctx, packet_.get());
      if (rc < 0 && rc != AVERROR(EAGAIN)) ++decode_errors_;
    }
    av_packet_unref(packet_.get());
  }
}

}  // namespace clipdex

#include "media/frame_fetcher.h"

#include <algorithm>

namespace clipdex {

namespace {
// A gap is a few frames after at most one GOP of reference frames; anything longer means the
// seek landed somewhere unexpected, and the caller falls back to interpolation.
constexpr int kMaxPacketsPerFetch = 4000;
constexpr size_t kMaxCachedFrames = 4;
// Frames decoded past the last wanted one before a fetch stops (they go to the cache).
constexpr int kFramesBeyond = 3;
}  // namespace

Status FrameFetcher::Open() {
  // The main decoder probed this file already; MP4 and Matroska headers carry the codec setup.
  auto input = OpenInput(path_, time_limit_seconds_, /*read_stream_info=*/false);
  if (!input.ok()) return input.status();
  input_ = std::move(input.value());
  AVFormatContext* fmt = input_.format.get();
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    if (static_cast<int>(i) != input_.stream_index) fmt->streams[i]->discard = AVDISCARD_ALL;
  }
  AVStream* st = fmt->streams[input_.stream_index];
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (codec == nullptr) return Status::Error("no decoder");
  codec_.reset(avcodec_alloc_context3(codec));
  if (!codec_ || avcodec_parameters_to_context(codec_.get(), st->codecpar) < 0) {
    return Status::Error("bad codec parameters");
  }
  AVCodecContext* ctx = codec_.get();
  ctx->pkt_timebase = st->time_base;
  // One thread: skip_frame then applies to exactly the packet it was set for, and a fetch is a
  // handful of frames, where frame threading's start-up latency would only add work.
  ctx->thread_count = 1;
  if (fast_) {
    ctx->skip_loop_filter = AVDISCARD_ALL;
    ctx->flags2 |= AV_CODEC_FLAG2_FAST;
  }
  if (avcodec_open2(ctx, codec, nullptr) < 0) return Status::Error("cannot open decoder");
  packet_.reset(av_packet_alloc());
  frame_.reset(av_frame_alloc());
  if (!packet_ || !frame_) return Status::Error("out of memory");
  return Status::Ok();
}

Status FrameFetcher::Fetch(const std::vector<int64_t>& pts, std::vector<FramePtr>* out) {
  out->clear();
  if (pts.empty()) return Status::Ok();
  if (!codec_) {
    Status s = Open();
    if (!s.ok()) {
      codec_.reset();
      return s;
    }
  }
  ++fetches_;
  std::vector<FramePtr> found(pts.size());
  size_t missing = pts.size();
  for (size_t i = 0; i < pts.size(); ++i) {
    auto it = cache_.find(pts[i]);
    if (it == cache_.end()) continue;
    found[i] = std::move(it->second);
    cache_.erase(it);
    --missing;
  }
  if (missing == 0) {
    *out = std::move(found);
    return Status::Ok();
  }
  AVFormatContext* fmt = input_.format.get();
  AVCodecContext* ctx = codec_.get();
  const int si = input_.stream_index;
  // Gaps needing a look often come in runs (fast motion, a transition): continue forward from
  // where the last fetch stopped when none of the wanted packets was read yet and no keyframe
  // lies in between (from a keyframe, seeking is cheaper than decoding up to the target).
  bool seek = !positioned_ || pts.front() <= max_read_pts_;
  if (!seek) {
    AVStream* st = fmt->streams[si];
    const int k = av_index_search_timestamp(st, pts.front(), AVSEEK_FLAG_BACKWARD);
    const AVIndexEntry* e = k >= 0 ? avformat_index_get_entry(st, k) : nullptr;
    seek = e != nullptr && e->timestamp > max_read_dts_;
  }
  if (seek) {
    if (av_seek_frame(fmt, si, pts.front(), AVSEEK_FLAG_BACKWARD) < 0) {
      positioned_ = false;
      return Status::Error("seek failed");
    }
    avcodec_flush_buffers(ctx);
    max_read_pts_ = max_read_dts_ = INT64_MIN;
    cache_.clear();
    ++seeks_;
  }
  positioned_ = true;
  bool past_end = false;
  int beyond = 0;
  auto collect = [&]() {
    while (avcodec_receive_frame(ctx, frame_.get()) == 0) {
      const int64_t t = frame_->best_effort_timestamp;
      auto it = std::lower_bound(pts.begin(), pts.end(), t);
      if (it != pts.end() && *it == t && !found[it - pts.begin()]) {
        found[it - pts.begin()].reset(av_frame_clone(frame_.get()));
        --missing;
      } else if (t != AV_NOPTS_VALUE && t > pts.back()) {
        // Decoded anyway on the way out of the reorder buffer; the next gap often wants it.
        cache_[t].reset(av_frame_clone(frame_.get()));
        if (cache_.size() > kMaxCachedFrames) cache_.erase(cache_.begin());
      }
      if (t != AV_NOPTS_VALUE && t > pts.back() && ++beyond >= kFramesBeyond) past_end = true;
      av_frame_unref(frame_.get());
    }
  };
  int packets = 0;
  bool eof = false;
  while (!past_end && !eof && packets < kMaxPacketsPerFetch) {
    if (input_.deadline->Expired()) return Status::Error("timed out");
    int rc = av_read_frame(fmt, packet_.get());
    if (rc < 0) {
      eof = true;
      avcodec_send_packet(ctx, nullptr);
      collect();
      break;
    }
    if (packet_->stream_index == si) {
      ++packets;
      if (packet_->pts != AV_NOPTS_VALUE) max_read_pts_ = std::max(max_read_pts_, packet_->pts);
      if (packet_->dts != AV_NOPTS_VALUE) max_read_dts_ = std::max(max_read_dts_, packet_->dts);
      // Reference frames are needed to rebuild the requested ones; other non-reference
      // frames are skipped, as in the main decoder.
      // From the gap on, every frame is decoded: the frames read while the wanted ones leave
      // the reorder buffer are kept for the next fetch, which usually follows closely.
      const bool wanted = packet_->pts != AV_NOPTS_VALUE && packet_->pts >= pts.front();
      ctx->skip_frame = wanted ? AVDISCARD_DEFAULT : AVDISCARD_NONREF;
      avcodec_send_packet(ctx, packet_.get());
      collect();
    }
    av_packet_unref(packet_.get());
  }
  if (eof || missing > 0) {
    // Drained (or lost): the decoder must start over from a seek next time.
    if (!eof) {
      avcodec_send_packet(ctx, nullptr);
      collect();
    }
    avcodec_flush_buffers(ctx);
    positioned_ = false;
    max_read_pts_ = max_read_dts_ = INT64_MIN;
  }
  if (missing > 0) return Status::Error("frames not found after seek");
  *out = std::move(found);
  return Status::Ok();
}

}  // namespace clipdex

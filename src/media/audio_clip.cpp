#include "media/audio_clip.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "media/clip_output.h"
#include "media/open_input.h"

extern "C" {
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>
}

namespace clipdex {

namespace {

bool AacRate(int rate) {
  for (int r :
       {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}) {
    if (r == rate) return true;
  }
  return false;
}

}  // namespace

void AudioClipEncoder::SwrFreer::operator()(SwrContext* s) const { swr_free(&s); }
void AudioClipEncoder::FifoFreer::operator()(AVAudioFifo* f) const { av_audio_fifo_free(f); }

AudioClipEncoder::~AudioClipEncoder() = default;

Result<std::unique_ptr<AudioClipEncoder>> AudioClipEncoder::Open(
    const std::filesystem::path& source) {
  auto input = OpenInput(source, 0);
  if (!input.ok()) return SourceError(source, input.status());
  AVFormatContext* fmt = input->format.get();
  const AVCodec* decoder = nullptr;
  const int index = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0);
  if (index < 0 || decoder == nullptr) return std::unique_ptr<AudioClipEncoder>();
  std::unique_ptr<AudioClipEncoder> a(new AudioClipEncoder());
  a->input_ = std::move(input.value());
  a->audio_index_ = index;
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    if (static_cast<int>(i) != index) fmt->streams[i]->discard = AVDISCARD_ALL;
  }
  const AVCodecParameters* par = fmt->streams[index]->codecpar;
  a->dec_.reset(avcodec_alloc_context3(decoder));
  if (!a->dec_ || avcodec_parameters_to_context(a->dec_.get(), par) < 0) {
    return Status::Error("out of memory");
  }
  a->dec_->pkt_timebase = fmt->streams[index]->time_base;
  a->dec_->thread_count = 1;
  // A source whose sound cannot be decoded still gives a clip, without sound.
  if (avcodec_open2(a->dec_.get(), decoder, nullptr) < 0)
    return std::unique_ptr<AudioClipEncoder>();
  a->out_rate_ = AacRate(par->sample_rate) ? par->sample_rate : 48000;
  a->out_channels_ = std::clamp(par->ch_layout.nb_channels, 1, 2);
  return a;
}

Status AudioClipEncoder::Encode(double start, double end, bool global_header) {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
  if (codec == nullptr) return Status::Error("no AAC encoder in this FFmpeg");
  enc_.reset(avcodec_alloc_context3(codec));
  if (!enc_) return Status::Error("out of memory");
  AVCodecContext* e = enc_.get();
  e->sample_fmt = AV_SAMPLE_FMT_FLTP;
  e->sample_rate = out_rate_;
  av_channel_layout_default(&e->ch_layout, out_channels_);
  e->bit_rate = 64000L * out_channels_;
  e->time_base = AVRational{1, out_rate_};
  e->flags |= AV_CODEC_FLAG_BITEXACT;
  if (global_header) e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  TakeLastLibavError();
  if (int rc = avcodec_open2(e, codec, nullptr); rc < 0) {
    return Status::Error("cannot open the AAC encoder: " + LibavReason(rc));
  }
  fifo_.reset(av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, out_channels_, 4096));
  if (!fifo_) return Status::Error("out of memory");
  total_ = std::lround((end - start) * out_rate_);
  if (total_ <= 0) return Status::Ok();

  AVFormatContext* fmt = input_.format.get();
  const AVStream* st = fmt->streams[audio_index_];
  if (start > 0.5) {
    // A little early: the frame holding the first sample must be decoded whole.
    const int64_t ts = std::llround((start - 0.5) / av_q2d(st->time_base));
    if (av_seek_frame(fmt, audio_index_, ts, AVSEEK_FLAG_BACKWARD) >= 0) {
      avcodec_flush_buffers(dec_.get());
    }
  }
  PacketPtr packet(av_packet_alloc());
  FramePtr frame(av_frame_alloc());
  if (!packet || !frame) return Status::Error("out of memory");
  bool eof = false;
  while (written_ < total_) {
    int rc = eof ? AVERROR_EOF : av_read_frame(fmt, packet.get());
    if (rc >= 0) {
      if (packet->stream_index == audio_index_) avcodec_send_packet(dec_.get(), packet.get());
      av_packet_unref(packet.get());
    } else if (!eof) {
      eof = true;
      avcodec_send_packet(dec_.get(), nullptr);
    }
    bool drained = false;
    while (written_ < total_) {
      rc = avcodec_receive_frame(dec_.get(), frame.get());
      if (rc == AVERROR_EOF) {
        drained = true;
        break;
      }
      if (rc < 0) break;  // EAGAIN, or a damaged packet: read on
      Status s = Push(frame.get(), start);
      av_frame_unref(frame.get());
      if (!s.ok()) return s;
    }
    if (eof && (drained || written_ >= total_)) break;
    if (eof && !drained) {
      // Decoder errors while draining: nothing more will come.
      if (rc != AVERROR(EAGAIN)) break;
    }
  }
  return EncodeFifo(/*final=*/true);
}

Status AudioClipEncoder::Push(const AVFrame* frame, double start) {
  if (frame->nb_samples <= 0) return Status::Ok();
  if (!swr_) {
    AVChannelLayout in_layout{};
    if (frame->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || frame->ch_layout.nb_channels == 0) {
      av_channel_layout_default(
          &in_layout, std::max(1, frame->ch_layout.nb_channels > 0 ? frame->ch_layout.nb_channels
                                                                   : dec_->ch_layout.nb_channels));
    } else {
      av_channel_layout_copy(&in_layout, &frame->ch_layout);
    }
    SwrContext* raw = nullptr;
    int rc = swr_alloc_set_opts2(&raw, &enc_->ch_layout, AV_SAMPLE_FMT_FLTP, out_rate_, &in_layout,
                                 static_cast<AVSampleFormat>(frame->format), frame->sample_rate, 0,
                                 nullptr);
    av_channel_layout_uninit(&in_layout);
    swr_.reset(raw);
    if (rc < 0 || swr_init(raw) < 0) return Status::Error("cannot convert the audio samples");
  }
  const int capacity = swr_get_out_samples(swr_.get(), frame->nb_samples) + 32;
  FramePtr converted(av_frame_alloc());
  if (!converted) return Status::Error("out of memory");
  converted->format = AV_SAMPLE_FMT_FLTP;
  converted->nb_samples = capacity;
  converted->sample_rate = out_rate_;
  if (av_channel_layout_copy(&converted->ch_layout, &enc_->ch_layout) < 0 ||
      av_frame_get_buffer(converted.get(), 0) < 0) {
    return Status::Error("out of memory");
  }
  const int n = swr_convert(swr_.get(), converted->extended_data, capacity,
                            const_cast<const uint8_t**>(frame->extended_data), frame->nb_samples);
  if (n <= 0) return Status::Ok();

  // Where this frame's first sample falls on the output timeline.
  long pos = written_;
  if (frame->best_effort_timestamp != AV_NOPTS_VALUE) {
    const double t =
        frame->best_effort_timestamp * av_q2d(input_.format->streams[audio_index_]->time_base);
    pos = std::lround((t - start) * out_rate_);
  }
  long drop = 0, pad = 0;
  const long tolerance = out_rate_ / 50;  // 20 ms: rounding jitter is not a gap
  if (!aligned_) {
    if (pos < 0) {
      drop = -pos;
      if (drop >= n) return Status::Ok();  // entirely before the start
    } else {
      pad = pos;
    }
    aligned_ = true;
  } else if (pos - written_ > tolerance) {
    pad = pos - written_;
  } else if (written_ - pos > tolerance) {
    drop = std::min<long>(written_ - pos, n);
  }
  pad = std::min(pad, total_ - written_);
  if (pad > 0) {
    std::vector<float> silence(static_cast<size_t>(std::min<long>(pad, 4096)), 0.0f);
    std::vector<void*> planes(out_channels_, silence.data());
    for (long left = pad; left > 0;) {
      const int chunk = static_cast<int>(std::min<long>(left, 4096));
      if (av_audio_fifo_write(fifo_.get(), planes.data(), chunk) < chunk) {
        return Status::Error("out of memory");
      }
      left -= chunk;
    }
    written_ += pad;
  }
  const long count = std::min<long>(n - drop, total_ - written_);
  if (count > 0) {
    std::vector<void*> planes(out_channels_);
    for (int c = 0; c < out_channels_; ++c) {
      planes[c] = converted->extended_data[c] + drop * static_cast<long>(sizeof(float));
    }
    if (av_audio_fifo_write(fifo_.get(), planes.data(), static_cast<int>(count)) < count) {
      return Status::Error("out of memory");
    }
    written_ += count;
  }
  return EncodeFifo(/*final=*/false);
}

Status AudioClipEncoder::EncodeFifo(bool final) {
  AVCodecContext* e = enc_.get();
  const int frame_size = e->frame_size > 0 ? e->frame_size : 1024;
  auto drain = [&]() -> Status {
    while (true) {
      PacketPtr p(av_packet_alloc());
      if (!p) return Status::Error("out of memory");
      int rc = avcodec_receive_packet(e, p.get());
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return Status::Ok();
      if (rc < 0) return Status::Error("audio encoding failed: " + LibavReason(rc));
      packets_.push_back(std::move(p));
    }
  };
  while (av_audio_fifo_size(fifo_.get()) >= frame_size ||
         (final && av_audio_fifo_size(fifo_.get()) > 0)) {
    const int n = std::min(frame_size, av_audio_fifo_size(fifo_.get()));
    FramePtr f(av_frame_alloc());
    if (!f) return Status::Error("out of memory");
    f->format = AV_SAMPLE_FMT_FLTP;
    f->nb_samples = n;
    f->sample_rate = out_rate_;
    if (av_channel_layout_copy(&f->ch_layout, &e->ch_layout) < 0 ||
        av_frame_get_buffer(f.get(), 0) < 0) {
      return Status::Error("out of memory");
    }
    if (av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(f->extended_data), n) < n) {
      return Status::Error("audio buffer underrun");
    }
    f->pts = encoded_;
    encoded_ += n;
    if (int rc = avcodec_send_frame(e, f.get()); rc < 0) {
      return Status::Error("audio encoding failed: " + LibavReason(rc));
    }
    if (Status s = drain(); !s.ok()) return s;
  }
  if (final) {
    if (encoded_ == 0) return Status::Ok();  // nothing was ever sent: no packets at all
    avcodec_send_frame(e, nullptr);
    return drain();
  }
  return Status::Ok();
}

Status AudioClipEncoder::AddStream(AVFormatContext* out) {
  AVStream* st = avformat_new_stream(out, nullptr);
  if (st == nullptr) return Status::Error("out of memory");
  if (avcodec_parameters_from_context(st->codecpar, enc_.get()) < 0) {
    return Status::Error("out of memory");
  }
  st->time_base = enc_->time_base;
  stream_index_ = st->index;
  return Status::Ok();
}

}  // namespace clipdex

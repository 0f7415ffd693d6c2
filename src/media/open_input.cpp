#include "media/open_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

#include "media/exif_orientation.h"
#include "media/probe.h"

extern "C" {
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
}

namespace clipdex {

namespace {

thread_local std::string g_last_error;

void LogCallback(void* avcl, int level, const char* fmt, va_list args) {
  if (level > AV_LOG_ERROR) return;
  char line[512];
  int print_prefix = 0;
  va_list copy;
  va_copy(copy, args);
  av_log_format_line2(avcl, level, fmt, copy, line, sizeof(line), &print_prefix);
  va_end(copy);
  std::string msg(line);
  // Keep only the message itself: drop the "[mov,mp4 @ 0x...] " prefix and the newline.
  if (auto pos = msg.find("] "); msg.rfind('[', 0) == 0 && pos != std::string::npos) {
    msg = msg.substr(pos + 2);
  }
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (!msg.empty()) g_last_error = msg;
}

int InterruptCallback(void* opaque) {
  return static_cast<const Deadline*>(opaque)->Expired() ? 1 : 0;
}

std::string WithLibavReason(const std::string& what, int code) {
  std::string detail = TakeLastLibavError();
  if (detail.empty()) detail = AvErrorString(code);
  return what + ": " + detail;
}

int RotationOf(const AVStream* stream) {
  const uint8_t* matrix = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, nullptr);
  if (matrix == nullptr) return 0;
  // av_display_rotation_get gives the counter-clockwise angle; we store clockwise display turn.
  double ccw = av_display_rotation_get(reinterpret_cast<const int32_t*>(matrix));
  if (std::isnan(ccw)) return 0;
  int cw = static_cast<int>(std::lround(-ccw)) % 360;
  if (cw < 0) cw += 360;
  return (cw + 45) / 90 * 90 % 360;
}

}  // namespace

void QuietFfmpegLogs() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_callback(LogCallback); });
}

std::string TakeLastLibavError() {
  std::string out;
  out.swap(g_last_error);
  return out;
}

Deadline::Deadline(double seconds)
    : seconds_(seconds),
      end_(std::chrono::steady_clock::now() +
           std::chrono::microseconds(static_cast<long long>(seconds * 1e6))) {}

bool Deadline::Expired() const { return seconds_ > 0 && std::chrono::steady_clock::now() > end_; }

void Deadline::ExtendBy(double seconds) {
  if (seconds_ <= 0 || seconds <= 0) return;
  seconds_ += seconds;
  end_ += std::chrono::microseconds(static_cast<long long>(seconds * 1e6));
}

Result<InputFile> OpenInput(const std::filesystem::path& path, double deadline_seconds,
                            bool read_stream_info) {
  QuietFfmpegLogs();
  TakeLastLibavError();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == EACCES) return Status::Error("permission denied");
    if (errno == ENOENT) return Status::Error("no such file");
    return Status::Error(std::string("cannot stat: ") + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return Status::Error("is a directory");
  if (!S_ISREG(st.st_mode)) return Status::Error("not a regular file");
  if (st.st_size == 0) return Status::Error("empty file (0 bytes)");
  if (::access(path.c_str(), R_OK) != 0) return Status::Error("permission denied");

  InputFile input;
  input.deadline = std::make_unique<Deadline>(deadline_seconds);
  AVFormatContext* raw = avformat_alloc_context();
  if (raw == nullptr) return Status::Error("out of memory");
  raw->interrupt_callback.callback = InterruptCallback;
  raw->interrupt_callback.opaque = input.deadline.get();
  int rc = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (rc < 0) {  // avformat_open_input frees `raw` on failure
    if (input.deadline->Expired()) return Status::Error("timed out while opening");
    if (rc == AVERROR_INVALIDDATA)
      return Status::Error(WithLibavReason("not a media file or corrupt header", rc));
    return Status::Error(WithLibavReason("cannot open", rc));
  }
  input.format.reset(raw);
  if (read_stream_info) {
    rc = avformat_find_stream_info(raw, nullptr);
    if (rc < 0) return Status::Error(WithLibavReason("cannot read stream info", rc));
  }

  int best = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  // Cover art (an attached picture next to audio) is not a video.
  if (best >= 0 && (raw->streams[best]->disposition & AV_DISPOSITION_ATTACHED_PIC)) best = -1;
  if (best < 0) {
    bool has_audio = av_find_best_stream(raw, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0) >= 0;
    return Status::Error(has_audio ? "no video stream (audio only)" : "no video stream");
  }
  const AVCodecParameters* par = raw->streams[best]->codecpar;
  if (avcodec_find_decoder(par->codec_id) == nullptr) {
    const AVCodecDescriptor* desc = avcodec_descriptor_get(par->codec_id);
    return Status::Error(std::string("unsupported codec ") + (desc ? desc->name : "(unknown)"));
  }
  input.stream_index = best;
  return input;
}

Status FillProbeInfo(AVFormatContext* fmt, int stream_index, const std::filesystem::path& path,
                     ProbeInfo* info) {
  const AVStream* st = fmt->streams[stream_index];
  const AVCodecParameters* par = st->codecpar;
  info->container = fmt->iformat ? fmt->iformat->name : "";
  const AVCodecDescriptor* desc = avcodec_descriptor_get(par->codec_id);
  info->codec = desc ? desc->name : "unknown";
  info->stream_index = stream_index;
  info->width = par->width;
  info->height = par->height;
  AVRational sar = av_guess_sample_aspect_ratio(fmt, const_cast<AVStream*>(st), nullptr);
  if (sar.num > 0 && sar.den > 0) {
    info->sar_num = sar.num;
    info->sar_den = sar.den;
  }
  info->rotation = RotationOf(st);
  // Image demuxers (jpeg_pipe, png_pipe, webp_pipe, image2 ...): a still has no camera movement
  // at all, which is different from a static shot.
  info->is_image = IsImageContainer(info->container);
  AVRational rate = st->avg_frame_rate.num > 0 ? st->avg_frame_rate : st->r_frame_rate;
  if (rate.num > 0 && rate.den > 0) {
    info->fps_num = rate.num;
    info->fps_den = rate.den;
  }
  // A stream whose average rate differs from its base rate by more than 1% is variable-rate;
  // the decoder refines this from the actual timestamps.
  if (st->avg_frame_rate.num > 0 && st->r_frame_rate.num > 0) {
    double avg = av_q2d(st->avg_frame_rate), base = av_q2d(st->r_frame_rate);
    info->is_vfr = std::fabs(avg - base) > 0.01 * base;
  }
  if (st->duration != AV_NOPTS_VALUE && st->duration > 0) {
    info->duration = st->duration * av_q2d(st->time_base);
  } else if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0) {
    info->duration = fmt->duration / double(AV_TIME_BASE);
  }
  if (st->start_time != AV_NOPTS_VALUE) info->start_time = st->start_time * av_q2d(st->time_base);
  const AVPixFmtDescriptor* pix = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(par->format));
  if (pix != nullptr) {
    info->pix_fmt = pix->name;
    info->bit_depth = pix->comp[0].depth;
    info->has_alpha = (pix->flags & AV_PIX_FMT_FLAG_ALPHA) != 0;
  }
  info->interlaced =
      par->field_order != AV_FIELD_PROGRESSIVE && par->field_order != AV_FIELD_UNKNOWN;
  info->frame_count_hint = st->nb_frames > 0 ? static_cast<long>(st->nb_frames) : 0;
  if (info->width <= 0 || info->height <= 0)
    return Status::Error("video stream has no picture size (header only?)");
  if (info->is_image && info->rotation == 0) {
    // A picture whose EXIF says it is stored sideways but cannot be read would land in the
    // dataset the wrong way up, so a malformed EXIF block fails the file with its reason.
    auto orientation = ReadExifOrientation(path);
    if (!orientation.ok()) return orientation.status();
    info->exif_orientation = orientation.value();
    const DisplayTransform t = TransformForExifOrientation(info->exif_orientation);
    info->rotation = t.rotation;
    info->mirror = t.mirror;
  }
  return Status::Ok();
}

}  // namespace clipdex

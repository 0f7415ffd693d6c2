#include "media/probe.h"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>

#include "media/exif_orientation.h"
#include "media/ffmpeg_raii.h"
#include "media/open_input.h"

extern "C" {
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
}

namespace clipdex {

namespace {

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

bool IsImageContainer(const std::string& container) {
  return container.find("_pipe") != std::string::npos || container.rfind("image2", 0) == 0;
}

int ProbeInfo::display_width() const {
  double w = width;
  if (sar_num > 0 && sar_den > 0 && sar_num != sar_den) w = width * double(sar_num) / sar_den;
  int dw = static_cast<int>(std::lround(w));
  return (rotation == 90 || rotation == 270) ? height : dw;
}

int ProbeInfo::display_height() const {
  double w = width;
  if (sar_num > 0 && sar_den > 0 && sar_num != sar_den) w = width * double(sar_num) / sar_den;
  return (rotation == 90 || rotation == 270) ? static_cast<int>(std::lround(w)) : height;
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

Result<ProbeInfo> Probe(const std::filesystem::path& path) {
  auto input = OpenInput(path, /*deadline_seconds=*/30.0);
  if (!input.ok()) return input.status();
  ProbeInfo info;
  Status s = FillProbeInfo(input->format.get(), input->stream_index, path, &info);
  if (!s.ok()) return s;
  return info;
}

}  // namespace clipdex

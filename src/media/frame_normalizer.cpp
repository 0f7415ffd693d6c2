#include "media/frame_normalizer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <opencv2/imgproc.hpp>

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace clipdex {

namespace {

// Nearest even number, at least 2 (4:2:0 needs even sizes).
int Even(double v) { return std::max(2, 2 * static_cast<int>(std::lround(v / 2))); }

struct Layout {
  int out_w = 0, out_h = 0;          // final, upright
  int content_w = 0, content_h = 0;  // scaled picture, upright
  cv::Rect keep;                     // part of the content kept (upright coordinates)
  cv::Point place;                   // its position in the final picture
};

Layout MakeLayout(int width, int height, int sar_num, int sar_den, int rotation,
                  const ResizeSpec& spec) {
  const double sar = sar_num > 0 && sar_den > 0 ? double(sar_num) / sar_den : 1.0;
  const double dw = width * sar, dh = height;
  const bool swap = rotation == 90 || rotation == 270;
  const double uw = swap ? dh : dw, uh = swap ? dw : dh;
  Layout l;
  if (spec.box_width > 0 && spec.box_height > 0) {
    l.out_w = Even(spec.box_width);
    l.out_h = Even(spec.box_height);
    if (spec.pad) {
      const double k = std::min(l.out_w / uw, l.out_h / uh);
      l.content_w = std::min(l.out_w, Even(uw * k));
      l.content_h = std::min(l.out_h, Even(uh * k));
      l.keep = cv::Rect(0, 0, l.content_w, l.content_h);
      l.place = cv::Point(((l.out_w - l.content_w) / 2) & ~1, ((l.out_h - l.content_h) / 2) & ~1);
    } else {
      const double k = std::max(l.out_w / uw, l.out_h / uh);
      l.content_w = std::max(l.out_w, Even(uw * k));
      l.content_h = std::max(l.out_h, Even(uh * k));
      l.keep = cv::Rect(((l.content_w - l.out_w) / 2) & ~1, ((l.content_h - l.out_h) / 2) & ~1,
                        l.out_w, l.out_h);
    }
    return l;
  }
  if (spec.short_side > 0) {
    const int s = Even(spec.short_side);
    const double k = s / std::min(uw, uh);
    l.content_w = uw <= uh ? s : Even(uw * k);
    l.content_h = uw <= uh ? Even(uh * k) : s;
  } else {
    l.content_w = Even(uw);
    l.content_h = Even(uh);
  }
  l.out_w = l.content_w;
  l.out_h = l.content_h;
  l.keep = cv::Rect(0, 0, l.content_w, l.content_h);
  return l;
}

bool FullRange(const AVFrame* f) {
  switch (f->format) {
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUVJ444P:
    case AV_PIX_FMT_YUVJ440P:
    case AV_PIX_FMT_YUVJ411P:
      return true;
    default:
      return f->color_range == AVCOL_RANGE_JPEG;
  }
}

}  // namespace

cv::Size NormalizedSize(int width, int height, int sar_num, int sar_den, int rotation,
                        const ResizeSpec& spec) {
  Layout l = MakeLayout(width, height, sar_num, sar_den, rotation, spec);
  return {l.out_w, l.out_h};
}

Status FrameNormalizer::Plan(const AVFrame* source) {
  int sar_num = sar_num_, sar_den = sar_den_;
  if (source->sample_aspect_ratio.num > 0 && source->sample_aspect_ratio.den > 0) {
    sar_num = source->sample_aspect_ratio.num;
    sar_den = source->sample_aspect_ratio.den;
  }
  if (source->width <= 0 || source->height <= 0) return Status::Error("picture has no size");
  const Layout l = MakeLayout(source->width, source->height, sar_num, sar_den, rotation_, spec_);
  out_w_ = l.out_w;
  out_h_ = l.out_h;
  const bool swap = rotation_ == 90 || rotation_ == 270;
  pre_w_ = swap ? l.content_h : l.content_w;
  pre_h_ = swap ? l.content_w : l.content_h;
  // The kept part in pre-rotation coordinates: it is centred, so turning it only swaps sides.
  keep_ = swap ? cv::Rect(l.keep.y, l.keep.x, l.keep.height, l.keep.width) : l.keep;
  place_ = l.place;
  direct_ = rotation_ == 0 && keep_.x == 0 && keep_.y == 0 && keep_.width == out_w_ &&
            keep_.height == out_h_ && place_ == cv::Point(0, 0);
  planned_ = true;
  return Status::Ok();
}

Result<FramePtr> FrameNormalizer::Convert(const AVFrame* source) {
  if (!planned_) {
    if (Status s = Plan(source); !s.ok()) return s;
  }
  const int range = FullRange(source) ? 1 : 0;
  if (!sws_ || sws_w_ != source->width || sws_h_ != source->height || sws_fmt_ != source->format ||
      sws_range_ != range) {
    // Bit-exact: the same pictures on any CPU, so shards do not depend on the machine.
    sws_.reset(sws_getContext(source->width, source->height,
                              static_cast<AVPixelFormat>(source->format), pre_w_, pre_h_,
                              AV_PIX_FMT_YUV420P, SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT,
                              nullptr, nullptr, nullptr));
    if (!sws_) return Status::Error("cannot convert the picture format for encoding");
    if (range == 1) {  // full-range source into limited-range output (the default is limited)
      const int* coefficients = sws_getCoefficients(SWS_CS_DEFAULT);
      sws_setColorspaceDetails(sws_.get(), coefficients, 1, coefficients, 0, 0, 1 << 16, 1 << 16);
    }
    sws_w_ = source->width;
    sws_h_ = source->height;
    sws_fmt_ = source->format;
    sws_range_ = range;
  }
  FramePtr out(av_frame_alloc());
  if (!out) return Status::Error("out of memory");
  out->format = AV_PIX_FMT_YUV420P;
  out->width = out_w_;
  out->height = out_h_;
  if (av_frame_get_buffer(out.get(), 0) < 0) return Status::Error("out of memory");
  if (direct_) {
    sws_scale(sws_.get(), source->data, source->linesize, 0, source->height, out->data,
              out->linesize);
  } else {
    FramePtr scaled(av_frame_alloc());
    if (!scaled) return Status::Error("out of memory");
    scaled->format = AV_PIX_FMT_YUV420P;
    scaled->width = pre_w_;
    scaled->height = pre_h_;
    if (av_frame_get_buffer(scaled.get(), 0) < 0) return Status::Error("out of memory");
    sws_scale(sws_.get(), source->data, source->linesize, 0, source->height, scaled->data,
              scaled->linesize);
    const bool padded = keep_.width * keep_.height < out_w_ * out_h_;
    for (int p = 0; p < 3; ++p) {
      const int s = p == 0 ? 0 : 1;
      cv::Mat dst((out_h_ >> s), (out_w_ >> s), CV_8UC1, out->data[p], out->linesize[p]);
      if (padded) dst.setTo(p == 0 ? 16 : 128);  // black, limited range
      cv::Mat src((pre_h_ >> s), (pre_w_ >> s), CV_8UC1, scaled->data[p], scaled->linesize[p]);
      const cv::Rect from(keep_.x >> s, keep_.y >> s, keep_.width >> s, keep_.height >> s);
      const bool swap = rotation_ == 90 || rotation_ == 270;
      const cv::Rect to(place_.x >> s, place_.y >> s, swap ? from.height : from.width,
                        swap ? from.width : from.height);
      cv::Mat target = dst(to);
      if (rotation_ == 0) {
        src(from).copyTo(target);
      } else {
        cv::rotate(src(from), target,
                   rotation_ == 90    ? cv::ROTATE_90_CLOCKWISE
                   : rotation_ == 180 ? cv::ROTATE_180
                                      : cv::ROTATE_90_COUNTERCLOCKWISE);
      }
      if (target.data != dst(to).data) return Status::Error("picture rotation failed");
    }
  }
  out->sample_aspect_ratio = AVRational{1, 1};
  out->color_range = AVCOL_RANGE_MPEG;
  const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(source->format));
  if (desc != nullptr && !(desc->flags & AV_PIX_FMT_FLAG_RGB)) {
    out->color_primaries = source->color_primaries;
    out->color_trc = source->color_trc;
    out->colorspace = source->colorspace;
  }
  return out;
}

cv::Mat Yuv420ToBgr(const AVFrame* frame) {
  const int w = frame->width, h = frame->height;
  cv::Mat i420(h * 3 / 2, w, CV_8UC1);
  for (int y = 0; y < h; ++y) {
    std::memcpy(i420.ptr(y), frame->data[0] + y * frame->linesize[0], w);
  }
  uint8_t* u = i420.ptr(h);
  uint8_t* v = u + (w / 2) * (h / 2);
  for (int y = 0; y < h / 2; ++y) {
    std::memcpy(u + y * (w / 2), frame->data[1] + y * frame->linesize[1], w / 2);
    std::memcpy(v + y * (w / 2), frame->data[2] + y * frame->linesize[2], w / 2);
  }
  cv::Mat bgr;
  cv::cvtColor(i420, bgr, cv::COLOR_YUV2BGR_I420);
  return bgr;
}

}  // namespace clipdex

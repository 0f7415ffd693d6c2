#include "media/frame_convert.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace clipdex {

namespace {

bool IsPlanar8BitYuv(int fmt) {
  switch (fmt) {
    case AV_PIX_FMT_YUV420P:
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUV422P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUV444P:
    case AV_PIX_FMT_YUVJ444P:
    case AV_PIX_FMT_YUVA420P:
    case AV_PIX_FMT_YUV411P:
    case AV_PIX_FMT_YUV440P:
    case AV_PIX_FMT_YUVJ440P:
    case AV_PIX_FMT_YUV410P:
      return true;
    default:
      return false;
  }
}

// Block mean of a plane into out (ow x oh). Samples about 3 rows per block and, in wide
// blocks, every other column: 60+ samples per output pixel are plenty for a 64x36 picture, and
// reading less of the decoder's (cache-cold) frame is what keeps this off the profile.
void BlockMean(const uint8_t* src, int stride, int sw, int sh, uint8_t* out, int ow, int oh) {
  std::vector<uint32_t> col_sum(ow);
  std::vector<uint32_t> col_n(ow);
  std::vector<int> x_edges(ow + 1);
  for (int i = 0; i <= ow; ++i) x_edges[i] = static_cast<int>(int64_t(i) * sw / ow);
  const int xstep = sw / ow >= 8 ? 2 : 1;
  for (int oy = 0; oy < oh; ++oy) {
    int y0 = static_cast<int>(int64_t(oy) * sh / oh);
    int y1 = std::max(y0 + 1, static_cast<int>(int64_t(oy + 1) * sh / oh));
    int ystep = std::max(1, (y1 - y0) / 3);
    std::fill(col_sum.begin(), col_sum.end(), 0);
    std::fill(col_n.begin(), col_n.end(), 0);
    for (int y = y0 + ystep / 2; y < y1; y += ystep) {
      const uint8_t* row = src + int64_t(y) * stride;
      for (int ox = 0; ox < ow; ++ox) {
        uint32_t s = 0, n = 0;
        for (int x = x_edges[ox]; x < x_edges[ox + 1]; x += xstep, ++n) s += row[x];
        if (n == 0 && x_edges[ox] < sw) {  // upscaling: more outputs than inputs
          s = row[x_edges[ox]];
          n = 1;
        }
        col_sum[ox] += s;
        col_n[ox] += n;
      }
    }
    for (int ox = 0; ox < ow; ++ox) {
      uint32_t n = std::max<uint32_t>(1, col_n[ox]);
      out[oy * ow + ox] = static_cast<uint8_t>((col_sum[ox] + n / 2) / n);
    }
  }
}

// A plane (wrapped without a copy) at `size`. At 4x or more: pick every other sample of a
// 2x-oversized grid (reads only the rows it needs of the decoder's cache-cold frame, and the
// pick keeps >= 2 source pixels per step), then area-average down; much cheaper than a full
// area pass, and the area step removes most aliasing. Below 4x the pick would be uneven (1.5
// at 1080p -> 640), so luma is area-averaged directly (analyzers measure its detail); chroma
// (smooth, and only colour) is interpolated, since OpenCV's area resampling is slow at
// non-integer ratios.
cv::Mat DownscalePlane(const cv::Mat& plane, cv::Size size, bool luma) {
  cv::Mat out;
  if (plane.cols >= 4 * size.width && plane.rows >= 4 * size.height) {
    cv::Mat half;
    cv::resize(plane, half, size * 2, 0, 0, cv::INTER_NEAREST);
    cv::resize(half, out, size, 0, 0, cv::INTER_AREA);
  } else if (luma && plane.cols >= size.width && plane.rows >= size.height) {
    cv::resize(plane, out, size, 0, 0, cv::INTER_AREA);
  } else {
    cv::resize(plane, out, size, 0, 0, cv::INTER_LINEAR);
  }
  return out;
}

// Mirrors (when asked) and then turns a picture clockwise by `rotation` degrees (0/90/180/270)
// for display.
cv::Mat RotateForDisplay(cv::Mat img, int rotation, bool mirror) {
  if (mirror) cv::flip(img, img, 1);
  switch (rotation) {
    case 90:
      cv::rotate(img, img, cv::ROTATE_90_CLOCKWISE);
      break;
    case 180:
      cv::rotate(img, img, cv::ROTATE_180);
      break;
    case 270:
      cv::rotate(img, img, cv::ROTATE_90_COUNTERCLOCKWISE);
      break;
    default:
      break;
  }
  return img;
}

}  // namespace

void TinyYuvMaker::Make(const AVFrame* frame, TinyYuv* out) {
  const int cw = width_ / 2, ch = height_ / 2;
  out->width = width_;
  out->height = height_;
  out->y.resize(size_t(width_) * height_);
  out->u.resize(size_t(cw) * ch);
  out->v.resize(size_t(cw) * ch);
  const AVFrame* src = frame;
  if (!IsPlanar8BitYuv(frame->format)) {
    // Odd formats (10-bit, RGB, packed, NV12 …): convert to 8-bit 4:2:0 at 4x the tiny size,
    // then average. Cheap, and keeps a single code path for the statistics below.
    const int sw = width_ * 4, sh = height_ * 4;
    if (!sws_ || sws_w_ != frame->width || sws_h_ != frame->height || sws_fmt_ != frame->format) {
      sws_.reset(sws_getContext(frame->width, frame->height,
                                static_cast<AVPixelFormat>(frame->format), sw, sh,
                                AV_PIX_FMT_YUV420P, SWS_FAST_BILINEAR, nullptr, nullptr, nullptr));
      sws_w_ = frame->width;
      sws_h_ = frame->height;
      sws_fmt_ = frame->format;
      scratch_.reset(av_frame_alloc());
      scratch_->format = AV_PIX_FMT_YUV420P;
      scratch_->width = sw;
      scratch_->height = sh;
      av_frame_get_buffer(scratch_.get(), 32);
    }
    if (!sws_ || !scratch_ || scratch_->data[0] == nullptr) {
      std::fill(out->y.begin(), out->y.end(), 0);
      std::fill(out->u.begin(), out->u.end(), 128);
      std::fill(out->v.begin(), out->v.end(), 128);
      return;
    }
    sws_scale(sws_.get(), frame->data, frame->linesize, 0, frame->height, scratch_->data,
              scratch_->linesize);
    src = scratch_.get();
  }
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(src->format));
  const int cwsrc = AV_CEIL_RSHIFT(src->width, d->log2_chroma_w);
  const int chsrc = AV_CEIL_RSHIFT(src->height, d->log2_chroma_h);
  BlockMean(src->data[0], src->linesize[0], src->width, src->height, out->y.data(), width_,
            height_);
  BlockMean(src->data[1], src->linesize[1], cwsrc, chsrc, out->u.data(), cw, ch);
  BlockMean(src->data[2], src->linesize[2], cwsrc, chsrc, out->v.data(), cw, ch);
}

cv::Mat ImageConverter::Convert(const AVFrame* frame, int long_side, AVPixelFormat dst,
                                int cv_type) {
  const cv::Size size = DisplaySize(frame, long_side, /*even=*/true);
  const int ow = size.width, oh = size.height;
  if (!sws_ || key_w_ != frame->width || key_h_ != frame->height || key_fmt_ != frame->format ||
      key_dw_ != ow || key_dh_ != oh || key_dst_ != dst) {
    sws_.reset(sws_getContext(frame->width, frame->height,
                              static_cast<AVPixelFormat>(frame->format), ow, oh, dst, SWS_BILINEAR,
                              nullptr, nullptr, nullptr));
    key_w_ = frame->width;
    key_h_ = frame->height;
    key_fmt_ = frame->format;
    key_dw_ = ow;
    key_dh_ = oh;
    key_dst_ = dst;
  }
  // swscale's SIMD paths may write past the end of a row or the last line for small or odd
  // widths, so it writes into a padded, 64-byte-aligned buffer that we then crop.
  const int channels = CV_MAT_CN(cv_type);
  const int stride = ((ow * channels + 63) & ~63) + 64;
  cv::Mat padded(oh + 4, stride, CV_8UC1);
  if (!sws_) return cv::Mat();
  uint8_t* dst_data[4] = {padded.data, nullptr, nullptr, nullptr};
  int dst_stride[4] = {stride, 0, 0, 0};
  sws_scale(sws_.get(), frame->data, frame->linesize, 0, frame->height, dst_data, dst_stride);
  cv::Mat out = cv::Mat(oh, ow, cv_type, padded.data, stride).clone();
  return RotateForDisplay(std::move(out), rotation_, mirror_);
}

cv::Mat ImageConverter::ToBgr(const AVFrame* frame, int long_side) {
  if (!IsPlanar8BitYuv(frame->format)) return Convert(frame, long_side, AV_PIX_FMT_BGR24, CV_8UC3);
  // Scale the three planes down first, then convert colour at the small size: swscale does the
  // colour conversion on the way and costs ~1 ms per 1080p frame, this ~0.3 ms (the analysis
  // sizes are a tenth of the pixels or less). Same size and BT.601 matrix as the swscale path.
  const cv::Size size = DisplaySize(frame, long_side, /*even=*/true);
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(frame->format));
  const int cw = AV_CEIL_RSHIFT(frame->width, d->log2_chroma_w);
  const int ch = AV_CEIL_RSHIFT(frame->height, d->log2_chroma_h);
  cv::Mat planes[3] = {
      DownscalePlane(
          cv::Mat(frame->height, frame->width, CV_8UC1, frame->data[0], frame->linesize[0]), size,
          true),
      DownscalePlane(cv::Mat(ch, cw, CV_8UC1, frame->data[1], frame->linesize[1]), size, false),
      DownscalePlane(cv::Mat(ch, cw, CV_8UC1, frame->data[2], frame->linesize[2]), size, false)};
  cv::Mat yuv, bgr;
  cv::merge(planes, 3, yuv);
  // Rows B, G, R of [Y U V 1]. Full range for JPEG-range sources, else studio range (16-235).
  const bool full = frame->color_range == AVCOL_RANGE_JPEG ||
                    frame->format == AV_PIX_FMT_YUVJ420P || frame->format == AV_PIX_FMT_YUVJ422P ||
                    frame->format == AV_PIX_FMT_YUVJ444P || frame->format == AV_PIX_FMT_YUVJ440P;
  const double ys = full ? 1.0 : 255.0 / 219.0, cs = full ? 1.0 : 255.0 / 224.0;
  const double yo = full ? 0.0 : -16.0 * ys;
  const double bu = 1.772 * cs, gu = -0.344136 * cs, gv = -0.714136 * cs, rv = 1.402 * cs;
  const cv::Matx34d m(ys, bu, 0, yo - 128 * bu,          //
                      ys, gu, gv, yo - 128 * (gu + gv),  //
                      ys, 0, rv, yo - 128 * rv);
  cv::transform(yuv, bgr, m);
  return RotateForDisplay(std::move(bgr), rotation_, mirror_);
}

cv::Size ImageConverter::DisplaySize(const AVFrame* frame, int long_side, bool even) const {
  // Display size before rotation: width corrected by the sample aspect ratio.
  double dw = frame->width, dh = frame->height;
  if (sar_num_ > 0 && sar_den_ > 0 && sar_num_ != sar_den_) dw = dw * sar_num_ / sar_den_;
  const double scale = std::min(1.0, long_side / std::max(dw, dh));
  const int mask = even ? ~1 : ~0;
  return {std::max(2, static_cast<int>(std::lround(dw * scale)) & mask),
          std::max(2, static_cast<int>(std::lround(dh * scale)) & mask)};
}

cv::Mat ImageConverter::ToGray(const AVFrame* frame, int long_side) {
  if (!IsPlanar8BitYuv(frame->format)) return Convert(frame, long_side, AV_PIX_FMT_GRAY8, CV_8UC1);
  // Grey from 8-bit YUV is the luma plane.
  cv::Mat luma(frame->height, frame->width, CV_8UC1, frame->data[0], frame->linesize[0]);
  return RotateForDisplay(DownscalePlane(luma, DisplaySize(frame, long_side, /*even=*/false), true),
                          rotation_, mirror_);
}

}  // namespace clipdex

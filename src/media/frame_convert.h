// Frame conversion, done once per distinct need (see docs/design.md).
//  - TinyYuv: block-averaged luma and chroma planes at a tiny size, read straight from the
//    decoder's planes (no RGB conversion, no full-size copy) for shot detection.
//  - ImageConverter: BGR or grey cv::Mat at an analysis size, display-oriented (rotation and
//    pixel aspect applied). 8-bit planar YUV is scaled plane by plane and converted at the
//    small size; other formats go through a cached SwsContext.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <vector>

#include "media/ffmpeg_raii.h"

namespace clipdex {

struct TinyYuv {
  int width = 0, height = 0;  // luma size; chroma planes are (width/2) x (height/2)
  std::vector<uint8_t> y, u, v;
};

class TinyYuvMaker {
 public:
  TinyYuvMaker(int width, int height) : width_(width), height_(height) {}
  // Fills `out` from `frame`. 8-bit planar YUV is averaged in place; other formats go through
  // a small swscale step first.
  void Make(const AVFrame* frame, TinyYuv* out);

 private:
  int width_, height_;
  SwsContextPtr sws_;
  int sws_w_ = 0, sws_h_ = 0, sws_fmt_ = -1;
  FramePtr scratch_;
};

class ImageConverter {
 public:
  // `rotation` clockwise degrees, sar = sample aspect ratio of the source, `mirror` flips
  // left-right before the turn (EXIF orientations 2, 4, 5, 7).
  ImageConverter(int rotation, int sar_num, int sar_den, bool mirror = false)
      : rotation_(rotation), sar_num_(sar_num), sar_den_(sar_den), mirror_(mirror) {}
  // Display-oriented picture whose longer side is `long_side` pixels (never upscaled).
  cv::Mat ToBgr(const AVFrame* frame, int long_side);
  cv::Mat ToGray(const AVFrame* frame, int long_side);

 private:
  cv::Mat Convert(const AVFrame* frame, int long_side, AVPixelFormat dst, int cv_type);
  // Display size (pixel aspect applied, before rotation) whose longer side is `long_side`.
  cv::Size DisplaySize(const AVFrame* frame, int long_side, bool even) const;
  int rotation_, sar_num_, sar_den_;
  bool mirror_;
  SwsContextPtr sws_;
  int key_w_ = 0, key_h_ = 0, key_fmt_ = -1, key_dw_ = 0, key_dh_ = 0, key_dst_ = -1;
};

}  // namespace clipdex

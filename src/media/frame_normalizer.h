// FrameNormalizer: decoded pictures into what a training loader should read as-is: 8-bit
// yuv420p (limited range), upright (the display rotation applied to the pixels), square pixels
// (the sample aspect ratio applied), even dimensions, optionally resized to a shorter side or to
// an exact box (centre crop or pad). The plan is made from the first picture; later pictures of
// another size are scaled to the same output.
#pragma once

#include <opencv2/core.hpp>

#include "media/ffmpeg_raii.h"
#include "util/status.h"

namespace clipdex {

struct ResizeSpec {
  int short_side = 0;                 // > 0: the shorter side becomes this (rounded to even)
  int box_width = 0, box_height = 0;  // > 0: exactly this size (even), crop or pad
  bool pad = false;
};

// Output size (upright) of a picture width x height (coded) with sample aspect ratio
// sar_num:sar_den, turned clockwise by `rotation` degrees, under `spec`.
cv::Size NormalizedSize(int width, int height, int sar_num, int sar_den, int rotation,
                        const ResizeSpec& spec);

class FrameNormalizer {
 public:
  // `rotation`: clockwise degrees (0/90/180/270); `sar_*`: the stream's sample aspect ratio,
  // used when a frame does not carry its own.
  FrameNormalizer(const ResizeSpec& spec, int rotation, int sar_num, int sar_den)
      : spec_(spec), rotation_(rotation), sar_num_(sar_num), sar_den_(sar_den) {}

  // A new frame (owned by the caller) in the normalised format.
  Result<FramePtr> Convert(const AVFrame* source);
  int width() const { return out_w_; }
  int height() const { return out_h_; }

 private:
  Status Plan(const AVFrame* source);

  ResizeSpec spec_;
  int rotation_, sar_num_, sar_den_;
  bool planned_ = false;
  int out_w_ = 0, out_h_ = 0;  // final, upright
  int pre_w_ = 0, pre_h_ = 0;  // scaled picture before rotation (and before crop)
  cv::Rect keep_;              // part of the scaled picture kept (pre-rotation coordinates)
  cv::Point place_;            // where it goes in the final picture (upright coordinates)
  bool direct_ = false;        // scale straight into the final picture
  SwsContextPtr sws_;
  int sws_w_ = 0, sws_h_ = 0, sws_fmt_ = -1, sws_range_ = -1;
};

// The normalised (yuv420p, limited range) picture as 8-bit BGR, for JPEG stills.
cv::Mat Yuv420ToBgr(const AVFrame* frame);

}  // namespace clipdex

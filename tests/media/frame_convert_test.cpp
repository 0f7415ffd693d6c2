// ImageConverter's plane-wise BGR path against known colours and against swscale's conversion.
#include "media/frame_convert.h"

#include <gtest/gtest.h>

#include <cstring>
#include <opencv2/imgproc.hpp>

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace clipdex {
namespace {

FramePtr MakeFrame(AVPixelFormat fmt, int w, int h) {
  FramePtr f(av_frame_alloc());
  f->format = fmt;
  f->width = w;
  f->height = h;
  EXPECT_GE(av_frame_get_buffer(f.get(), 32), 0);
  return f;
}

// Fills a 4:2:0 frame: luma and chroma from functions of the (luma-grid) position.
template <typename Fy, typename Fu, typename Fv>
void Fill420(AVFrame* f, Fy fy, Fu fu, Fv fv) {
  for (int y = 0; y < f->height; ++y) {
    for (int x = 0; x < f->width; ++x) f->data[0][y * f->linesize[0] + x] = fy(x, y);
  }
  for (int y = 0; y < (f->height + 1) / 2; ++y) {
    for (int x = 0; x < (f->width + 1) / 2; ++x) {
      f->data[1][y * f->linesize[1] + x] = fu(2 * x, 2 * y);
      f->data[2][y * f->linesize[2] + x] = fv(2 * x, 2 * y);
    }
  }
}

cv::Vec3b Centre(const cv::Mat& bgr) { return bgr.at<cv::Vec3b>(bgr.rows / 2, bgr.cols / 2); }

void ExpectNear(cv::Vec3b got, cv::Vec3b want, int tol) {
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(got[c], want[c], tol) << "channel " << c;
}

TEST(FrameConvert, KnownColoursInStudioAndFullRange) {
  ImageConverter conv(0, 1, 1);
  // BT.601 studio range: red is (Y 81, U 90, V 240), blue (41, 240, 110), mid grey (126, 128, 128).
  FramePtr f = MakeFrame(AV_PIX_FMT_YUV420P, 640, 360);
  Fill420(
      f.get(), [](int x, int) { return x < 320 ? 81 : 41; },
      [](int x, int) { return x < 320 ? 90 : 240; },
      [](int x, int) { return x < 320 ? 240 : 110; });
  cv::Mat bgr = conv.ToBgr(f.get(), 320);
  ASSERT_EQ(bgr.size(), cv::Size(320, 180));
  ExpectNear(bgr.at<cv::Vec3b>(90, 40), {0, 0, 255}, 3);
  ExpectNear(bgr.at<cv::Vec3b>(90, 280), {255, 0, 0}, 3);
  // Full (JPEG) range: red is (76, 85, 255).
  FramePtr j = MakeFrame(AV_PIX_FMT_YUVJ420P, 64, 64);
  Fill420(
      j.get(), [](int, int) { return 76; }, [](int, int) { return 85; },
      [](int, int) { return 255; });
  ExpectNear(Centre(conv.ToBgr(j.get(), 64)), {0, 0, 254}, 3);
  // A studio-range format flagged full range is read as full range.
  Fill420(
      f.get(), [](int, int) { return 76; }, [](int, int) { return 85; },
      [](int, int) { return 255; });
  f->color_range = AVCOL_RANGE_JPEG;
  ExpectNear(Centre(conv.ToBgr(f.get(), 320)), {0, 0, 254}, 3);
}

TEST(FrameConvert, MatchesSwscaleOnATexturedFrame) {
  // 1080p with texture at several scales in luma and smooth chroma, as in real video.
  FramePtr f = MakeFrame(AV_PIX_FMT_YUV420P, 1920, 1080);
  Fill420(
      f.get(),
      [](int x, int y) {
        return static_cast<int>(126 + 60 * std::sin(x * 0.01) * std::cos(y * 0.013) +
                                20 * std::sin(x * 0.2 + y * 0.05));
      },
      [](int x, int y) { return 128 + (x - y) / 40; }, [](int, int y) { return 100 + y / 20; });
  ImageConverter conv(0, 1, 1);
  for (int long_side : {320, 640}) {
    cv::Mat fast = conv.ToBgr(f.get(), long_side);
    ASSERT_EQ(fast.size(), cv::Size(long_side, long_side * 9 / 16));
    SwsContextPtr sws(sws_getContext(
        1920, 1080, AV_PIX_FMT_YUV420P, fast.cols, fast.rows, AV_PIX_FMT_BGR24,
        SWS_AREA | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, nullptr, nullptr, nullptr));
    ASSERT_TRUE(sws);
    cv::Mat ref(fast.rows, fast.cols, CV_8UC3);
    uint8_t* dst[4] = {ref.data, nullptr, nullptr, nullptr};
    int stride[4] = {static_cast<int>(ref.step[0]), 0, 0, 0};
    sws_scale(sws.get(), f->data, f->linesize, 0, f->height, dst, stride);
    // The fast path's sampling grid sits a source pixel off swscale's (a sixth of an output
    // pixel at 320), so fine texture differs a little; a wrong matrix, range or chroma plane
    // shows as a bias of the channel means.
    EXPECT_LT(cv::norm(fast, ref, cv::NORM_L1) / fast.total() / 3, 4.0) << long_side;
    const cv::Scalar bias = cv::mean(fast) - cv::mean(ref);
    for (int c = 0; c < 3; ++c) EXPECT_LT(std::abs(bias[c]), 0.5) << long_side << " channel " << c;
    // The grey path is the luma of the same picture.
    cv::Mat gray = conv.ToGray(f.get(), long_side), from_bgr;
    cv::cvtColor(fast, from_bgr, cv::COLOR_BGR2GRAY);
    EXPECT_LT(cv::norm(gray, from_bgr, cv::NORM_L1) / gray.total(), 25.0);
  }
}

TEST(FrameConvert, RotationAndPixelAspect) {
  FramePtr f = MakeFrame(AV_PIX_FMT_YUV420P, 720, 576);
  // Left half dark, right half bright.
  Fill420(
      f.get(), [](int x, int) { return x < 360 ? 30 : 220; }, [](int, int) { return 128; },
      [](int, int) { return 128; });
  // 16:11 pixels (PAL widescreen): displayed 1047 x 576, long side 320 -> 320 x 176.
  ImageConverter wide(0, 16, 11);
  cv::Mat w = wide.ToBgr(f.get(), 320);
  EXPECT_EQ(w.size(), cv::Size(320, 176));
  // Turned 90 degrees clockwise: the left half ends up on top.
  ImageConverter turned(90, 1, 1);
  cv::Mat t = turned.ToBgr(f.get(), 320);
  ASSERT_EQ(t.size(), cv::Size(256, 320));
  EXPECT_LT(t.at<cv::Vec3b>(20, 128)[0], 60);
  EXPECT_GT(t.at<cv::Vec3b>(300, 128)[0], 190);
  cv::Mat g = turned.ToGray(f.get(), 320);
  EXPECT_EQ(g.size(), t.size());
}

// Every planar 8-bit layout and awkward sizes (odd, tiny, smaller than the asked size): the
// right size, no out-of-bounds access (the ASan preset runs this), and the right grey level.
TEST(FrameConvert, OddSizesAndChromaLayouts) {
  for (AVPixelFormat fmt :
       {AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV410P,
        AV_PIX_FMT_YUV411P, AV_PIX_FMT_YUV440P, AV_PIX_FMT_YUVJ420P}) {
    for (cv::Size size :
         {cv::Size(33, 17), cv::Size(2, 2), cv::Size(1921, 1081), cv::Size(7, 300)}) {
      FramePtr f = MakeFrame(fmt, size.width, size.height);
      const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(fmt);
      const int cw = AV_CEIL_RSHIFT(size.width, d->log2_chroma_w);
      const int ch = AV_CEIL_RSHIFT(size.height, d->log2_chroma_h);
      for (int y = 0; y < size.height; ++y)
        memset(f->data[0] + y * f->linesize[0], 126, size.width);
      for (int p = 1; p <= 2; ++p) {
        for (int y = 0; y < ch; ++y) memset(f->data[p] + y * f->linesize[p], 128, cw);
      }
      ImageConverter conv(0, 1, 1);
      for (int long_side : {320, 4000}) {
        cv::Mat bgr = conv.ToBgr(f.get(), long_side);
        cv::Mat grey = conv.ToGray(f.get(), long_side);
        ASSERT_FALSE(bgr.empty()) << av_get_pix_fmt_name(fmt) << " " << size;
        EXPECT_LE(std::max(bgr.cols, bgr.rows),
                  std::max(long_side, std::max(size.width, size.height)));
        EXPECT_LE(std::abs(bgr.cols - grey.cols), 1) << av_get_pix_fmt_name(fmt) << " " << size;
        // Mid grey: studio 126 -> ~128 BGR, full range 126 -> 126.
        const cv::Scalar m = cv::mean(bgr);
        for (int c = 0; c < 3; ++c)
          EXPECT_NEAR(m[c], 127, 3) << av_get_pix_fmt_name(fmt) << " " << size;
        EXPECT_NEAR(cv::mean(grey)[0], 126, 1);
      }
    }
  }
}

}  // namespace
}  // namespace clipdex

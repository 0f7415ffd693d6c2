// Stills: EXIF orientations 1-8 all come out upright, malformed EXIF blocks fail with a reason
// and hostile ones cannot make the parser read out of bounds or loop.
#include "media/exif_orientation.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <sstream>
#include <vector>

#include "../analyze/sample_frames.h"
#include "../support/test_env.h"

namespace clipdex {
namespace {

// A minimal JPEG head: SOI, APP1 "Exif\0\0" + a little-endian TIFF with one IFD0 entry.
std::vector<uint8_t> JpegWithOrientation(uint16_t type, uint32_t count, uint16_t value,
                                         uint16_t entries = 1) {
  std::vector<uint8_t> tiff = {'I', 'I', 42, 0, 8, 0, 0, 0};
  tiff.push_back(entries & 0xFF);
  tiff.push_back(entries >> 8);
  const uint8_t entry[12] = {0x12,
                             0x01,
                             uint8_t(type),
                             uint8_t(type >> 8),
                             uint8_t(count),
                             uint8_t(count >> 8),
                             uint8_t(count >> 16),
                             uint8_t(count >> 24),
                             uint8_t(value),
                             uint8_t(value >> 8),
                             0,
                             0};
  tiff.insert(tiff.end(), entry, entry + 12);
  tiff.insert(tiff.end(), {0, 0, 0, 0});  // no next IFD
  std::vector<uint8_t> jpeg = {0xFF, 0xD8, 0xFF, 0xE1};
  const size_t length = 2 + 6 + tiff.size();
  jpeg.push_back(uint8_t(length >> 8));
  jpeg.push_back(uint8_t(length));
  jpeg.insert(jpeg.end(), {'E', 'x', 'i', 'f', 0, 0});
  jpeg.insert(jpeg.end(), tiff.begin(), tiff.end());
  jpeg.insert(jpeg.end(), {0xFF, 0xDA});
  return jpeg;
}

TEST(ExifOrientation, ParsesTheTagAndRejectsMalformedBlocks) {
  for (uint16_t o = 1; o <= 8; ++o) {
    auto bytes = JpegWithOrientation(3, 1, o);
    auto r = ParseJpegExifOrientation(bytes.data(), bytes.size());
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r.value(), o);
  }
  auto nine = JpegWithOrientation(3, 1, 9);
  EXPECT_FALSE(ParseJpegExifOrientation(nine.data(), nine.size()).ok());
  auto wrong_type = JpegWithOrientation(4, 1, 6);
  EXPECT_FALSE(ParseJpegExifOrientation(wrong_type.data(), wrong_type.size()).ok());
  auto too_many = JpegWithOrientation(3, 1, 6, /*entries=*/60000);
  auto r = ParseJpegExifOrientation(too_many.data(), too_many.size());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("malformed EXIF"), std::string::npos);
  // Every truncation of a valid head is handled (error or "no tag"), never read past the end.
  auto good = JpegWithOrientation(3, 1, 6);
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + long(n));
    (void)ParseJpegExifOrientation(cut.data(), cut.size());
  }
  const uint8_t png[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  EXPECT_EQ(ParseJpegExifOrientation(png, sizeof png).value(), 1);
}

TEST(ExifOrientation, TransformsMatchTheExifDefinitions) {
  EXPECT_EQ(TransformForExifOrientation(1), (DisplayTransform{false, 0}));
  EXPECT_EQ(TransformForExifOrientation(2), (DisplayTransform{true, 0}));
  EXPECT_EQ(TransformForExifOrientation(3), (DisplayTransform{false, 180}));
  EXPECT_EQ(TransformForExifOrientation(4), (DisplayTransform{true, 180}));
  EXPECT_EQ(TransformForExifOrientation(5), (DisplayTransform{true, 270}));
  EXPECT_EQ(TransformForExifOrientation(6), (DisplayTransform{false, 90}));
  EXPECT_EQ(TransformForExifOrientation(7), (DisplayTransform{true, 90}));
  EXPECT_EQ(TransformForExifOrientation(8), (DisplayTransform{false, 270}));
}

// The eight files show the same upright "F" once their orientation is applied: decoded through
// the engine's own decoder and converter, each must match orientation 1 pixel for pixel (up to
// JPEG noise) and must not match it under any other of the eight transforms.
TEST(ExifOrientation, AllEightOrientationsDecodeUpright) {
  const auto dir = Media("photos/exif_orientation");
  CLIPDEX_REQUIRE_FILE(dir / "f1-exif.jpg");
  FrameNeed need;
  need.gray = true;
  need.long_side = 80;
  auto reference = testing::SampleFile(dir / "f1-exif.jpg", need);
  ASSERT_TRUE(reference.ok()) << reference.status().message();
  ASSERT_EQ(reference->frames.size(), 1u);
  const cv::Mat upright = reference->frames[0].image;
  for (int o = 1; o <= 8; ++o) {
    char name[32];
    std::snprintf(name, sizeof name, "f%d-exif.jpg", o);
    const auto file = dir / name;
    auto sampled = testing::SampleFile(file, need);
    ASSERT_TRUE(sampled.ok()) << file << ": " << sampled.status().message();
    ASSERT_EQ(sampled->frames.size(), 1u);
    const cv::Mat img = sampled->frames[0].image;
    ASSERT_EQ(img.size(), upright.size()) << file;
    const double diff = cv::norm(img, upright, cv::NORM_L1) / double(img.total());
    EXPECT_LT(diff, 8.0) << file << " is not upright";
    // The picture is not symmetric: a flipped copy differs clearly, so the check can fail.
    cv::Mat flipped;
    cv::flip(img, flipped, 1);
    EXPECT_GT(cv::norm(flipped, upright, cv::NORM_L1) / double(img.total()), 3 * diff + 10) << file;
  }
}

TEST(ExifOrientation, CorruptStillsFailWithAReasonAndTheBatchGoesOn) {
  CLIPDEX_REQUIRE_FILE(Media("corrupt/deb_skimage_truncated.jpg"));
  testing::TempDir tmp;
  auto run = testing::RunClipdex(
      "ingest -q " + testing::ShellQuote(Media("corrupt/deb_skimage_truncated.jpg")) + " " +
      testing::ShellQuote(Media("corrupt/deb_goexif_huge_tag_exif.jpg")) + " " +
      testing::ShellQuote(Media("corrupt/deb_goexif_infinite_loop_exif.jpg")) + " " +
      testing::ShellQuote(Media("photos/exif_orientation")) + " -o " +
      testing::ShellQuote((tmp / "ds").string()));
  EXPECT_EQ(run.exit_code, 3) << run.output;  // some inputs failed
  const std::string truncated = Media("corrupt/deb_skimage_truncated.jpg").string();
  const std::string huge_tag = Media("corrupt/deb_goexif_huge_tag_exif.jpg").string();
  EXPECT_NE(run.output.find(truncated + ": undecodable"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(huge_tag + ": "), std::string::npos) << run.output;
  // The directory walk takes stills by extension: 8 orientations + the 8x8 goexif picture.
  EXPECT_NE(run.output.find("done: 9 ingested"), std::string::npos) << run.output;
}

// Every still format the README lists ingests as one `image` item with its faces and quality.
TEST(Stills, PngWebpBmpTiffIngestAsImages) {
  const auto photo = Media("photos/faceapi/sample1.jpg");  // 3 people
  CLIPDEX_REQUIRE_FILE(photo);
  testing::TempDir tmp;
  std::string inputs;
  for (const char* ext : {"png", "webp", "bmp", "tiff"}) {
    std::string name = "still.";
    name.append(ext);
    const auto out = tmp / name;
    auto made = testing::RunShell("ffmpeg -nostdin -v error -y -i " + testing::ShellQuote(photo) +
                                  " -vf scale=480:-2 " + testing::ShellQuote(out.string()));
    ASSERT_EQ(made.exit_code, 0) << made.output;
    inputs.append(" ").append(testing::ShellQuote(out.string()));
  }
  const std::string ds = testing::ShellQuote((tmp / "ds").string());
  std::string args = "ingest -q";
  args.append(inputs).append(" -o ").append(ds);
  auto run = testing::RunClipdex(args);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto exported = testing::RunClipdex("export " + ds + " 2>/dev/null");
  ASSERT_EQ(exported.exit_code, 0);
  std::istringstream lines(exported.output);
  int items = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line);
    ++items;
    EXPECT_EQ(j["media"], "image") << line;
    EXPECT_EQ(j["width"], 480) << line;
    EXPECT_EQ(j["height"], 320) << line;
    EXPECT_EQ(j["framing.faces"], 3) << line;
    EXPECT_GT(j["quality.score"].get<double>(), 0) << line;
    EXPECT_FALSE(j.contains("camera.movement")) << "a still has no camera movement: " << line;
  }
  EXPECT_EQ(items, 4);
}

}  // namespace
}  // namespace clipdex

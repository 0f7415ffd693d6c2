// Glossary: loading (with reference images through FFmpeg), evidence-based matching in OCR text,
// path words and thumbnails, and clear errors.
#include "caption/glossary.h"

#include <gtest/gtest.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "../support/test_env.h"

namespace clipdex {
namespace {

cv::Mat Pattern(int seed) {
  cv::Mat m(240, 320, CV_8UC3, cv::Scalar(30, 30, 30));
  cv::RNG rng(seed);
  for (int i = 0; i < 12; ++i) {
    cv::rectangle(m, cv::Rect(rng.uniform(0, 280), rng.uniform(0, 200), 40, 40),
                  cv::Scalar(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)),
                  cv::FILLED);
  }
  return m;
}

TEST(Glossary, MatchesOnlyWithEvidence) {
  TempDir dir;
  ASSERT_TRUE(cv::imwrite((dir / "logo.png").string(), Pattern(1)));
  std::ofstream(dir / "g.yaml") << "terms:\n"
                                   "  - term: NEWS24\n"
                                   "    aliases: [News 24, 新闻24]\n"
                                   "    description: a 24-hour news channel\n"
                                   "  - term: Kestrel\n"
                                   "    description: the studio's drone\n"
                                   "  - term: Pattern One\n"
                                   "    images: [logo.png]\n";
  auto g = Glossary::Load(dir / "g.yaml");
  ASSERT_TRUE(g.ok()) << g.status().message();
  ASSERT_EQ(g->size(), 3u);
  auto m = g->Match("BREAKING | news 24 live", "/footage/misc/a.mp4", std::nullopt);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].term->term, "NEWS24");
  EXPECT_EQ(m[0].evidence, "ocr");
  m = g->Match("", "/footage/kestrel_flights/take-3.mp4", std::nullopt);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].term->term, "Kestrel");
  EXPECT_EQ(m[0].evidence, "path");
  EXPECT_TRUE(g->Match("restart kestrels", "/x/y.mp4", std::nullopt).empty());
  // A user's tag is evidence too (and preferred over the path); a tag naming nothing is not.
  m = g->Match("", "/footage/kestrel_flights/a.mp4", std::nullopt, {"sunset", "Kestrel"});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].term->term, "Kestrel");
  EXPECT_EQ(m[0].evidence, "tag");
  m = g->Match("", "/x/y.mp4", std::nullopt, {"studio 新闻24 feed"});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].term->term, "NEWS24");
  EXPECT_EQ(m[0].evidence, "tag");
  EXPECT_TRUE(g->Match("", "/x/y.mp4", std::nullopt, {"sunset", "kest"}).empty());
  EXPECT_EQ(g->Match("今日新闻24小时", "", std::nullopt).size(), 1u);
  // A thumbnail like the reference image matches; an unrelated one does not.
  cv::Mat thumb;
  cv::resize(Pattern(1), thumb, cv::Size(160, 120), 0, 0, cv::INTER_AREA);
  m = g->Match("", "", PictureHash(thumb));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].evidence, "image");
  EXPECT_TRUE(g->Match("", "", PictureHash(Pattern(7))).empty());
}

TEST(Glossary, ErrorsNameTheFileAndEntry) {
  TempDir dir;
  std::ofstream(dir / "a.yaml") << "terms:\n  - aliases: [x]\n";
  auto a = Glossary::Load(dir / "a.yaml");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("terms[0] has no 'term'"), std::string::npos);
  std::ofstream(dir / "b.yaml") << "terms:\n  - term: X\n    images: [missing.png]\n";
  auto b = Glossary::Load(dir / "b.yaml");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("missing.png"), std::string::npos) << b.status().message();
  std::ofstream(dir / "c.yaml") << "terms:\n  - term: X\n    descripton: typo\n";
  EXPECT_NE(Glossary::Load(dir / "c.yaml").status().message().find("unknown key 'descripton'"),
            std::string::npos);
}

// fuzz/glossary_fuzz.cpp, crash-271f8abaa1900952a1b0f7b3931b1e179ac36479: a file whose top level
// is a scalar (or a list) made yaml-cpp throw out of Load (BadSubscript on root["terms"]), which
// ended `clipdex caption --glossary` with std::terminate. Now it is the usual one-line error.
TEST(Glossary, TopLevelThatIsNoMappingIsAnErrorNotACrash) {
  TempDir dir;
  for (const char* text : {"\nissing - te.png]\n", "- term: A\n", "just words", ""}) {
    std::ofstream(dir / "g.yaml", std::ios::trunc) << text;
    auto g = Glossary::Load(dir / "g.yaml");
    ASSERT_FALSE(g.ok()) << text;
    EXPECT_EQ(g.status().message(),
              "glossary " + (dir / "g.yaml").string() + ": expected a list 'terms'")
        << text;
  }
}

}  // namespace
}  // namespace clipdex

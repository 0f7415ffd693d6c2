// The export library on a hand-made catalog: JSONL/CSV rows, selection limits, and internal
// attributes (dedup.signature) left out unless all attributes are asked for.
#include "catalog/clip_export.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "catalog/clip_json.h"

namespace clipdex {
namespace {

namespace fs = std::filesystem;

class ClipExport : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("clipdex_clip_export_" + std::to_string(getpid()) + "_" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    auto cat = Catalog::Open(root_ / "ds", /*create=*/true);
    ASSERT_TRUE(cat.ok()) << cat.status().message();
    catalog_ = std::move(cat.value());
    VideoResult r;
    r.video.fingerprint = "0123456789abcdef";
    r.video.path = "/media/a,b.mp4";
    r.video.status = "ok";
    r.video.probe.width = 640;
    r.video.probe.height = 360;
    r.video.probe.fps_num = 25;
    r.video.probe.fps_den = 1;
    for (int i = 0; i < 3; ++i) {
      ClipRecord c;
      c.index = i;
      c.first_frame = 10 * i;
      c.last_frame = 10 * i + 9;
      c.start_time = 0.4 * i;
      c.end_time = 0.4 * (i + 1);
      c.attributes.push_back(Attribute::Num("quality.score", 50 + i));
      c.attributes.push_back(Attribute::Text("dedup.signature", "00ff/00ff/00ff/00ff/00ff"));
      c.attributes.push_back(Attribute::Text("camera.movement", "static"));
      r.clips.push_back(c);
    }
    ASSERT_TRUE(catalog_->CommitVideo(r, 0).ok());
  }
  void TearDown() override {
    catalog_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  // Rows of ExportRows as text.
  std::vector<std::string> Rows(const ExportSelection& selection, RowFormat format, bool all) {
    char* buffer = nullptr;
    size_t size = 0;
    std::FILE* out = open_memstream(&buffer, &size);
    EXPECT_TRUE(ExportRows(*catalog_, selection, format, all, out).ok());
    std::fclose(out);
    std::vector<std::string> lines;
    std::istringstream in(std::string(buffer, size));
    std::free(buffer);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  fs::path root_;
  std::unique_ptr<Catalog> catalog_;
};

TEST(ClipExportNames, InternalAttributesAreListedOnce) {
  EXPECT_TRUE(IsInternalAttribute("dedup.signature"));
  EXPECT_FALSE(IsInternalAttribute("dedup.group"));
  EXPECT_FALSE(IsInternalAttribute("camera.movement"));
}

TEST(ClipExportNames, SampleKeyAndFileName) {
  VideoRecord v;
  v.fingerprint = "0123456789abcdef";
  v.path = "/x/my.video.mp4";
  ClipRecord c;
  c.index = 42;
  EXPECT_EQ(SampleKey(v, c), "0123456789abcdef_c00042");
  EXPECT_EQ(ClipFileName(v, c), "my.video_89abcdef_clip42.mp4");
}

TEST_F(ClipExport, JsonlLeavesInternalAttributesOutByDefault) {
  auto rows = Rows({}, RowFormat::kJsonl, false);
  ASSERT_EQ(rows.size(), 3u);
  for (size_t i = 0; i < rows.size(); ++i) {
    auto j = nlohmann::json::parse(rows[i]);
    EXPECT_EQ(j["clip"].get<int>(), static_cast<int>(i));
    EXPECT_EQ(j["quality.score"].get<double>(), 50.0 + i);
    EXPECT_EQ(j["camera.movement"], "static");
    EXPECT_FALSE(j.contains("dedup.signature")) << rows[i];
  }
  auto all = Rows({}, RowFormat::kJsonl, true);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(all[0])["dedup.signature"], "00ff/00ff/00ff/00ff/00ff");
}

TEST_F(ClipExport, CsvHeaderFollowsTheAttributes) {
  auto rows = Rows({}, RowFormat::kCsv, false);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].rfind("video,fingerprint,media,clip,", 0), 0u) << rows[0];
  EXPECT_EQ(rows[0].find("dedup.signature"), std::string::npos);
  EXPECT_EQ(rows[1].rfind("\"/media/a,b.mp4\",0123456789abcdef,", 0), 0u) << rows[1];
  auto all = Rows({}, RowFormat::kCsv, true);
  EXPECT_NE(all[0].find("dedup.signature"), std::string::npos);
}

TEST_F(ClipExport, LimitStopsTheWalk) {
  ExportSelection selection;
  selection.limit = 2;
  EXPECT_EQ(Rows(selection, RowFormat::kJsonl, false).size(), 2u);
  selection.limit = 0;
  EXPECT_TRUE(Rows(selection, RowFormat::kJsonl, false).empty());
}

}  // namespace
}  // namespace clipdex

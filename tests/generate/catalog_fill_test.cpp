// rewrite --catalog: the camera slots a prompt leaves out come from the clips the dataset's search
// finds for its words (here: path words of two real ingested clips with known camera labels).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../support/test_env.h"

namespace clipdex {
namespace {

using nlohmann::json;

class CatalogFill : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    const auto pan = testing::Media("synthetic/syn_pan_left.mp4");
    const auto zoom = testing::Media("synthetic/syn_zoom_in.mp4");
    if (!std::filesystem::exists(pan) || !std::filesystem::exists(zoom)) {
      skip_ = "missing shared media";
      return;
    }
    std::filesystem::copy_file(pan, *dir_ / "harbor_boats.mp4");
    std::filesystem::copy_file(zoom, *dir_ / "city_tower.mp4");
    ds_ = ShellQuote((*dir_ / "ds").string());
    auto run =
        RunClipdex("ingest -q --no-text " + ShellQuote((*dir_ / "harbor_boats.mp4").string()) +
                   " " + ShellQuote((*dir_ / "city_tower.mp4").string()) + " -o " + ds_);
    if (run.exit_code != 0) skip_ = "ingest failed: " + run.output;
  }
  static void TearDownTestSuite() { dir_.reset(); }
  void SetUp() override {
    if (skip_.starts_with("missing")) GTEST_SKIP() << skip_;
    ASSERT_EQ(skip_, "");
  }
  static json Rewrite(const std::string& prompt) {
    auto run = RunClipdex("rewrite " + ShellQuote(prompt) + " --json --catalog " + ds_);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return json::parse(testing::Lines(run.output).back());
  }
  static std::unique_ptr<TempDir> dir_;
  static std::string ds_, skip_;
};
std::unique_ptr<TempDir> CatalogFill::dir_;
std::string CatalogFill::ds_, CatalogFill::skip_;

TEST_F(CatalogFill, UnsaidCameraSlotsComeFromTheClipsTheWordsFind) {
  const json boats = Rewrite("boats in the harbor");
  EXPECT_EQ(boats["slots"]["movement"], "pan_left") << boats.dump();
  EXPECT_NE(boats["slots"]["shot_scale"], nullptr) << boats.dump();
  EXPECT_EQ(boats["filled"], json::array({"movement", "shot_scale"})) << boats.dump();
  const json tower = Rewrite("a tower in the city");
  EXPECT_EQ(tower["slots"]["movement"], "zoom_in") << tower.dump();
  // What the prompt says wins; what it rules out is never filled in.
  const json pan = Rewrite("a tower in the city, the camera pans right");
  EXPECT_EQ(pan["slots"]["movement"], "pan_right") << pan.dump();
  const json no_zoom = Rewrite("a tower in the city, no zoom");
  EXPECT_NE(no_zoom["slots"]["movement"], "zoom_in") << no_zoom.dump();
  // Words the catalog does not know fill nothing.
  const json penguins = Rewrite("penguins");
  EXPECT_EQ(penguins["slots"]["movement"], nullptr) << penguins.dump();
  EXPECT_TRUE(penguins["filled"].empty()) << penguins.dump();
}

}  // namespace
}  // namespace clipdex

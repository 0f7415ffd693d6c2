// The web UI in a real headless Chromium (tests/browser/serve_ui.mjs, puppeteer-core): search,
// open a clip and watch it play, set a tier with a reason and see it after a reload, export the
// results. What the browser did is then checked against the catalog.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "serve_fixture.h"

namespace clipdex::testing {
namespace {

TEST(ServeBrowser, SearchPlayTierReloadExport) {
  SERVE_DATASET_OR_SKIP(ds);
  const std::filesystem::path root = CLIPDEX_SOURCE_DIR;
  if (RunShell("command -v node").exit_code != 0) {
    GTEST_SKIP() << "skipping: node not installed";
  }
  if (!std::filesystem::exists(root / "tests/browser/node_modules/puppeteer-core")) {
    GTEST_SKIP() << "skipping: puppeteer-core not installed (bash scripts/setup.sh deps)";
  }
  if (!std::filesystem::exists("/usr/bin/chromium")) {
    GTEST_SKIP() << "skipping: /usr/bin/chromium not installed";
  }
  ServeProcess server(ds.dir.string(), {});
  ASSERT_TRUE(server.ok()) << server.output();
  TempDir downloads;
  auto run =
      RunShell("timeout 300 node " + ShellQuote((root / "tests/browser/serve_ui.mjs").string()) +
               " " + ShellQuote(server.url()) + " " + ShellQuote(downloads.path().string()) +
               " zebracorn " + std::to_string(ds.captioned) + " flamingo");
  const auto lines = Lines(run.output);
  ASSERT_FALSE(lines.empty()) << run.output;
  auto seen = nlohmann::json::parse(lines.back(), nullptr, false);
  ASSERT_TRUE(seen.is_object()) << run.output;
  ASSERT_EQ(run.exit_code, 0) << run.output;
  ASSERT_TRUE(seen["ok"].get<bool>()) << run.output;

  // The results are the hostile-named video's clips.
  std::set<int64_t> results;
  for (const auto& id : seen["results"]) results.insert(id.get<int64_t>());
  EXPECT_EQ(results, std::set<int64_t>(ds.hostile_clips.begin(), ds.hostile_clips.end()));
  // The title shows the hostile name as text.
  EXPECT_NE(seen["title"].get<std::string>().find(kHostileName), std::string::npos)
      << seen["title"];
  // Hover previewed the first result from the media route.
  EXPECT_NE(seen["preview_src"].get<std::string>().find(
                "/api/v1/media/" + std::to_string(seen["results"][0].get<int64_t>()) + "#t="),
            std::string::npos)
      << seen["preview_src"];
  // The video played past the clip's start.
  EXPECT_GT(seen["current_time"].get<double>(), seen["clip_start"].get<double>());
  // The tier set in the browser is in the catalog.
  const int64_t clip = seen["clip_id"].get<int64_t>();
  auto catalog = Catalog::Open(ds.dir, false);
  ASSERT_TRUE(catalog.ok());
  auto manual = catalog.value()->ManualTierOf(clip);
  ASSERT_TRUE(manual.ok() && manual.value());
  EXPECT_EQ(manual.value()->tier, "gold");
  EXPECT_EQ(manual.value()->reason, "browser <b>test</b> \"quoted\"");
  EXPECT_EQ(manual.value()->who, "web");
  // The download holds the result set.
  std::set<int64_t> exported;
  for (const auto& id : seen["export_ids"]) exported.insert(id.get<int64_t>());
  EXPECT_EQ(exported, results);
  // The hostile caption showed as text; a caption search marked the word.
  EXPECT_TRUE(seen["hostile_caption_shown"].get<bool>());
  ASSERT_EQ(seen["caption_hits"].size(), 1u) << seen;
  EXPECT_EQ(seen["caption_hits"][0].get<int64_t>(), ds.captioned);
  bool marked = false;
  for (const auto& m : seen["marks"]) marked = marked || m.get<std::string>() == "flamingo";
  EXPECT_TRUE(marked) << seen["marks"];
  ASSERT_TRUE(catalog.value()->ClearManualTier(clip, "test").ok());
  EXPECT_EQ(server.Stop(), 0) << server.output();
}

}  // namespace
}  // namespace clipdex::testing

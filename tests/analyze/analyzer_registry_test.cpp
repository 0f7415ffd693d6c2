// The analyzer registry is the one list of analyzers: flags, options JSON, recipe validation and
// the attribute names tier rules accept all derive from it.
#include "analyze/analyzer_registry.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "../support/test_env.h"
#include "curate/catalog_pass.h"
#include "curate/recipe.h"
#include "curate/tier_rules.h"
#include "models/model_manifest.h"
#include "pipeline/analyzer_set.h"

namespace clipdex {
namespace {

TEST(AnalyzerRegistry, EveryAnalyzerIsFullyDescribed) {
  const std::set<std::string> expected = {
      "camera",         "framing", "quality",   "borders",
      "native_quality", "text",    "aesthetic", "artifact_classifier",
      "dedup_signature"};
  std::set<std::string> names;
  for (const AnalyzerDescriptor& a : AnalyzerRegistry()) {
    EXPECT_TRUE(names.insert(a.name).second) << "twice: " << a.name;
    EXPECT_FALSE(a.flag_help.empty()) << a.name;
    EXPECT_FALSE(a.attributes.empty()) << a.name;
    EXPECT_TRUE(a.setup) << a.name;
    for (const AttributeDecl& d : a.attributes) {
      EXPECT_FALSE(d.type.empty()) << d.name;
      EXPECT_FALSE(d.unit.empty()) << d.name;
    }
    for (const std::string& slot : a.model_slots) {
      EXPECT_NE(FindModelSlot(slot), nullptr) << a.name << " names unknown slot " << slot;
    }
    // Every declared default must pass its own option table.
    EXPECT_TRUE(ResolveAnalyzerOptions(a, {}).ok()) << a.name;
    EXPECT_EQ(FindAnalyzer(a.name), &a);
  }
  EXPECT_EQ(names, expected);
  EXPECT_EQ(FindAnalyzer("camra"), nullptr);
  EXPECT_EQ(AnalyzerOffFlag(*FindAnalyzer("native_quality")), "--no-native-quality");
  EXPECT_EQ(AnalyzerOffFlag(*FindAnalyzer("aesthetic")), "--no-aesthetic");
}

TEST(AnalyzerRegistry, TierRulesAcceptEveryDeclaredAttribute) {
  const auto& known = DocumentedAttributeNames();
  for (const AnalyzerDescriptor& a : AnalyzerRegistry()) {
    for (const AttributeDecl& d : a.attributes) {
      EXPECT_EQ(known.count(d.name), 1u) << d.name;
      EXPECT_TRUE(CompileRule("t", d.name + " IS NOT NULL", known).ok()) << d.name;
    }
  }
  // Written by catalog passes, not analyzers.
  for (const char* name :
       {"dedup.group", "dedup.dup_of", "caption.text", "caption.check", "source.generated",
        "generation.prompt", "generation.model", "input.truncated", "input.truncation"}) {
    EXPECT_EQ(known.count(name), 1u) << name;
  }
  // The 50 the hand-written list held before the registry (nothing lost), plus the caption
  // pass's 19, ingest's 3 provenance attributes, rank's 5, the suspect pass's 2, framing's 11
  // shot-scale evidence measures (face903 took framing.* from 7 to 18) and ingest's 2
  // truncation marks (input.truncated, input.truncation).
  EXPECT_EQ(known.size(), 50u + 19u + 3u + 5u + 2u + 11u + 2u);
}

TEST(AnalyzerRegistry, EveryAnalyzerHasANoFlag) {
  auto help = RunClipdex("ingest --help");
  ASSERT_EQ(help.exit_code, 0) << help.output;
  for (const AnalyzerDescriptor& a : AnalyzerRegistry()) {
    EXPECT_NE(help.output.find(AnalyzerOffFlag(a) + " "), std::string::npos) << AnalyzerOffFlag(a);
  }
}

TEST(AnalyzerRegistry, OptionsJsonNamesEveryAnalyzer) {
  AnalyzerConfig config;
  config.set_enabled("text", false);
  const nlohmann::json j = AnalyzerOptionsJson(config);
  for (const AnalyzerDescriptor& a : AnalyzerRegistry()) {
    ASSERT_TRUE(j.contains(a.name)) << a.name;
    EXPECT_EQ(j[a.name].get<bool>(), a.name != "text") << a.name;
  }
  EXPECT_EQ(j["analyzer_options"]["camera"]["sample_fps"].get<double>(), 3.0);
}

Recipe WithAnalyzers(const std::string& yaml) {
  auto r = ParseRecipe(yaml, "t.yaml", DefaultRecipe());
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : Recipe{};
}

TEST(AnalyzerRegistry, RecipeOptionsAreCheckedAgainstTheDescriptor) {
  AnalyzerConfig config;
  struct Case {
    std::string yaml, message;
  } bad[] = {
      {"analyzers: {camera: {sample_fsp: 6}}\n",
       "recipe 'default': analyzer 'camera' has no parameter 'sample_fsp' (parameters: "
       "sample_fps)"},
      {"analyzers: {borders: {level: 3}}\n",
       "recipe 'default': analyzer 'borders' has no parameter 'level' (it takes none)"},
      {"analyzers: {camera: {sample_fps: fast}}\n",
       "recipe 'default': analyzer 'camera': parameter 'sample_fps' must be a number"},
      {"analyzers: {camera: {sample_fps: 0}}\n",
       "recipe 'default': analyzer 'camera': parameter 'sample_fps' must be in [0.1, 30], got '0'"},
  };
  for (const Case& c : bad) {
    Status s = ApplyRecipeAnalyzers(WithAnalyzers(c.yaml), &config);
    ASSERT_FALSE(s.ok()) << c.yaml;
    EXPECT_EQ(s.message().rfind(c.message, 0), 0u) << s.message();
    EXPECT_TRUE(config.enabled("framing")) << "a failed apply changes nothing";
  }
}

TEST(AnalyzerRegistry, KnownOptionChangesTheAnalyzer) {
  AnalyzerConfig config;
  ASSERT_TRUE(ApplyRecipeAnalyzers(
                  WithAnalyzers("analyzers: {camera: {sample_fps: 6}, borders: true}\n"), &config)
                  .ok());
  EXPECT_TRUE(config.enabled("camera"));
  EXPECT_TRUE(config.enabled("borders"));
  EXPECT_FALSE(config.enabled("framing"));
  IngestOptions options;
  std::vector<std::string> notes;
  AddAnalyzers(config, &options, &notes);
  ASSERT_EQ(options.analyzers.size(), 2u);
  auto camera = options.analyzers[0]();
  EXPECT_EQ(camera->name(), "camera_motion");
  EXPECT_EQ(camera->need().sample_fps, 6.0);
  EXPECT_EQ(AnalyzerOptionsJson(config)["analyzer_options"]["camera"]["sample_fps"], 6.0);

  // The default is today's constant.
  AnalyzerConfig defaults;
  IngestOptions default_options;
  AddAnalyzers(defaults, &default_options, &notes);
  EXPECT_EQ(default_options.analyzers[0]()->need().sample_fps, 3.0);
}

TEST(AnalyzerRegistry, RecipeOptionChangesTheIngest) {
  // sample_fps 1 measures a third of the pairs: camera.segments get coarser (and the run records
  // the option), against the default of 3.
  const auto clip = Media("synthetic/syn_pan_left.mp4");
  CLIPDEX_REQUIRE_FILE(clip);
  TempDir tmp;
  std::ofstream(tmp / "r.yaml") << "analyzers: {camera: {sample_fps: 1}}\n";
  const std::string ds = (tmp / "ds").string();
  auto run = RunClipdex("ingest -q --no-thumbs " + ShellQuote(clip.string()) + " -o " +
                        ShellQuote(ds) + " --recipe " + ShellQuote((tmp / "r.yaml").string()));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((ds + "/catalog.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT options FROM runs", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  const auto options =
      nlohmann::json::parse(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  EXPECT_EQ(options["analyzer_options"]["camera"]["sample_fps"].get<double>(), 1.0);
  EXPECT_FALSE(options["framing"].get<bool>());
  EXPECT_TRUE(options.contains("aesthetic"));
  EXPECT_TRUE(options.contains("artifact_classifier"));
}

TEST(CatalogPasses, DedupAndTierAreRegistered) {
  ASSERT_NE(FindCatalogPass("dedup"), nullptr);
  ASSERT_NE(FindCatalogPass("tier"), nullptr);
  auto passes = RecipePasses(DefaultRecipe());
  ASSERT_EQ(passes.size(), 2u);
  EXPECT_EQ(passes[0].first->name, "dedup");
  EXPECT_EQ(passes[0].second.at("hamming"), "4");
  EXPECT_EQ(passes[1].first->name, "tier");
  TempDir tmp;
  PassRun run = RunCatalogPass(*FindCatalogPass("tier"), tmp / "missing", DefaultRecipe());
  EXPECT_EQ(run.failure, PassFailure::kNotADataset);
  run = RunCatalogPass(*FindCatalogPass("dedup"), tmp.path(), DefaultRecipe(), {{"hamming", "99"}});
  EXPECT_EQ(run.failure, PassFailure::kFailed);
  EXPECT_NE(run.message.find("pass 'dedup': parameter 'hamming' must be in"), std::string::npos)
      << run.message;
}

}  // namespace
}  // namespace clipdex

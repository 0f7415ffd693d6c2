#include "curate/tier_rules.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "../support/catalog_peek.h"
#include "../support/test_env.h"
#include "catalog/catalog.h"
#include "curate/recipe.h"

namespace clipdex {
namespace {

struct ClipSpec {
  double duration;
  std::vector<Attribute> attrs;
  bool too_short = false;
};

VideoResult MakeVideo(const std::string& fp, const std::vector<ClipSpec>& clips) {
  VideoResult r;
  r.video.fingerprint = fp;
  r.video.path = "/videos/" + fp + ".mp4";
  r.video.status = "ok";
  r.video.probe.width = 1920;
  r.video.probe.height = 1080;
  r.video.probe.fps_num = 25;
  r.video.probe.fps_den = 1;
  double t = 0;
  long frame = 0;
  for (size_t i = 0; i < clips.size(); ++i) {
    ClipRecord c;
    c.index = static_cast<int>(i);
    c.start_time = t;
    c.end_time = t + clips[i].duration;
    c.first_frame = frame;
    frame += static_cast<long>(clips[i].duration * 25);
    c.last_frame = frame - 1;
    c.too_short = clips[i].too_short;
    c.attributes = clips[i].attrs;
    t = c.end_time;
    r.clips.push_back(c);
  }
  return r;
}

std::vector<Attribute> Cam(const std::string& movement, double confidence) {
  return {Attribute::Text("camera.movement", movement),
          Attribute::Num("camera.confidence", confidence)};
}

class TierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cat = Catalog::Open(dir_.path() / "ds", /*create=*/true);
    ASSERT_TRUE(cat.ok()) << cat.status().message();
    catalog_ = std::move(cat.value());
    // clip 0: gold; 1: handheld -> silver; 2: short, unknown -> bronze; 3: tiny -> reject;
    // 4: low confidence, static -> silver; 5: too_short flag, otherwise gold -> silver.
    ASSERT_TRUE(catalog_
                    ->CommitVideo(MakeVideo("v1", {{3.0, Cam("static", 0.9)},
                                                   {3.0, Cam("handheld", 0.9)},
                                                   {0.8, Cam("unknown", 0.2)},
                                                   {0.2, {}},
                                                   {2.5, Cam("static", 0.42)},
                                                   {2.5, Cam("pan", 0.9), true}}),
                                  0)
                    .ok());
  }

  std::string TierOf(int idx) {
    auto e = ExplainClip(*catalog_, "v1#" + std::to_string(idx));
    EXPECT_TRUE(e.ok()) << e.status().message();
    return e.ok() ? e->tier : "";
  }
  long Count(const std::string& sql) {
    return static_cast<long>(testing::CatalogPeek(dir_.path() / "ds").Count(sql));
  }

  testing::TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
};

TEST(RecipeTest, DefaultMatchesShippedFile) {
  std::ifstream in(std::filesystem::path(CLIPDEX_SOURCE_DIR) / "recipes" / "default.yaml");
  ASSERT_TRUE(in);
  std::stringstream buf;
  buf << in.rdbuf();
  EXPECT_EQ(buf.str(), std::string(kDefaultRecipeYaml));
  const Recipe& r = DefaultRecipe();
  EXPECT_EQ(r.name, "default");
  ASSERT_EQ(r.tiers.size(), 4u);
  EXPECT_EQ(r.tiers[0].name, "gold");
  EXPECT_EQ(r.tiers[3].name, "synthetic");  // generated material, kept out of the real tiers
  EXPECT_EQ(r.default_tier, "reject");
  EXPECT_DOUBLE_EQ(r.clip_min_seconds, 1.0);
  EXPECT_DOUBLE_EQ(r.clip_max_seconds, 30.0);
  EXPECT_TRUE(r.analyzers.at("camera").enabled);
  EXPECT_TRUE(r.dedup_enabled);
  EXPECT_EQ(r.dedup_hamming, 4);
}

TEST(RecipeTest, OverridesAndRoundTrip) {
  auto r = ParseRecipe(
      "name: mine\ntiers: [{name: a, when: 'duration > 1'}]\n"
      "analyzers: {camera: {enabled: false, step: 2}}\n",
      "mine.yaml", DefaultRecipe());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->name, "mine");
  ASSERT_EQ(r->tiers.size(), 1u);
  EXPECT_EQ(r->default_tier, "reject");  // inherited
  EXPECT_FALSE(r->analyzers.at("camera").enabled);
  EXPECT_EQ(r->analyzers.at("camera").params.at("step"), "2");
  auto back = ParseRecipe(RecipeToYaml(r.value()), "roundtrip", Recipe{});
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(RecipeToYaml(back.value()), RecipeToYaml(r.value()));
  auto def = ParseRecipe(RecipeToYaml(DefaultRecipe()), "roundtrip", Recipe{});
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->tiers[0].when, DefaultRecipe().tiers[0].when);
}

// The default recipe keeps pictures too small or too slow for training out of gold and silver
// (a 48x80 picture used to land in gold): gold needs the shorter side >= 480 px and >= 23 fps,
// silver >= 240 px and >= 15 fps (docs/recipes.md).
TEST(RecipeTest, DefaultGoldAndSilverNeedTrainingSizeAndRate) {
  testing::TempDir dir;
  auto cat = Catalog::Open(dir.path() / "ds", /*create=*/true);
  ASSERT_TRUE(cat.ok()) << cat.status().message();
  struct Case {
    const char* name;
    int width, height, fps_num, fps_den;
    bool image;
    const char* tier;
  };
  const Case cases[] = {
      {"hd", 1920, 1080, 25, 1, false, "gold"},
      {"film", 1920, 800, 24000, 1001, false, "gold"},
      {"portrait", 720, 1280, 30, 1, false, "gold"},
      {"vga_slow", 640, 480, 20, 1, false, "silver"},    // sharp enough, too slow for gold
      {"qvga", 320, 240, 25, 1, false, "silver"},        // too small for gold
      {"qcif", 176, 144, 30, 1, false, "bronze"},        // too small for silver
      {"slideshow", 1920, 1080, 8, 1, false, "bronze"},  // too slow for silver
      {"photo", 1920, 1280, 25, 1, true, "gold"},
      {"icon", 48, 80, 25, 1, true, "bronze"},
  };
  for (const Case& c : cases) {
    VideoResult r = MakeVideo(c.name, {{c.image ? 0.04 : 3.0, Cam("static", 0.9)}});
    r.video.probe.width = c.width;
    r.video.probe.height = c.height;
    r.video.probe.fps_num = c.fps_num;
    r.video.probe.fps_den = c.fps_den;
    if (c.image) r.video.probe.container = "jpeg_pipe";
    r.clips[0].attributes.push_back(Attribute::Num("quality.score", 60));
    r.clips[0].attributes.push_back(Attribute::Num("quality.black_frames", 0));
    ASSERT_TRUE(cat.value()->CommitVideo(r, 0).ok());
  }
  auto res = AssignTiers(*cat.value(), DefaultRecipe());
  ASSERT_TRUE(res.ok()) << res.status().message();
  for (const Case& c : cases) {
    auto e = ExplainClip(*cat.value(), std::string(c.name) + "#0");
    ASSERT_TRUE(e.ok()) << e.status().message();
    EXPECT_EQ(e->tier, c.tier) << c.name;
  }
}

TEST(RecipeTest, Errors) {
  auto r = ParseRecipe("teirs: []\n", "x.yaml", DefaultRecipe());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("recipe x.yaml: unknown key 'teirs'"), std::string::npos)
      << r.status().message();
  r = ParseRecipe("tiers: [{name: a}]\n", "x.yaml", DefaultRecipe());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("tier 1 has no 'when'"), std::string::npos);
  r = ParseRecipe("tiers: [{name: a, when: x}, {name: a, when: y}]\n", "x.yaml", DefaultRecipe());
  EXPECT_FALSE(r.ok());
  r = ParseRecipe("clip: {min_seconds: [1}\n", "x.yaml", DefaultRecipe());
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(LoadRecipe("/nonexistent/recipe.yaml").ok());
}

// The machinery tests below use a fixed recipe over camera attributes (the rules the default
// shipped with first), so they do not change when the shipped default's rules are tuned.
const Recipe& CameraRecipe() {
  static const Recipe recipe = [] {
    auto r = ParseRecipe(
        "name: camera-test\n"
        "tiers:\n"
        "  - name: gold\n"
        "    when: \"duration >= 2 AND camera.confidence >= 0.6 AND camera.movement NOT IN "
        "('handheld','unknown','mixed') AND NOT too_short\"\n"
        "  - name: silver\n"
        "    when: \"duration >= 1 AND camera.movement != 'unknown'\"\n"
        "  - name: bronze\n"
        "    when: \"duration >= 0.5\"\n",
        "camera-test", DefaultRecipe());
    return r.ok() ? r.value() : Recipe{};
  }();
  return recipe;
}

TEST(TierRulesTest, CompileSplitsConjunctsAndValidates) {
  const auto& known = DocumentedAttributeNames();
  auto r = CompileRule("gold", CameraRecipe().tiers[0].when, known);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->conjuncts.size(), 4u);
  EXPECT_EQ(r->conjuncts[1].text, "camera.confidence >= 0.6");
  EXPECT_EQ(r->conjuncts[3].text, "NOT too_short");
  EXPECT_EQ(r->attributes, (std::set<std::string>{"camera.confidence", "camera.movement"}));

  auto bad = CompileRule(
      "gold", "duration >= 2 AND camera.confidence >= 0.6 AND camera.movment = 'pan'", known);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "tier 'gold': unknown attribute 'camera.movment' at 48 (did you mean "
            "'camera.movement'?)");
  for (const char* malformed :
       {"duration >=", "duration >= 2 AND", "(duration > 1", "duration > 1)", "duration 2",
        "camera.movement IN 'pan'", "duration > 'abc", "duration > \"x\"", "duration > 1 < 2"}) {
    auto m = CompileRule("silver", malformed, known);
    ASSERT_FALSE(m.ok()) << malformed;
    EXPECT_EQ(m.status().message().rfind("tier 'silver': ", 0), 0u) << m.status().message();
    EXPECT_NE(m.status().message().find(" at "), std::string::npos) << m.status().message();
  }
  auto ok = CompileRule("x",
                        "(duration > 1 OR fps >= 24) AND camera.movement IS NOT NULL AND "
                        "transition_in in ('cut', '') and width >= -1 AND too_short = FALSE",
                        known);
  EXPECT_TRUE(ok.ok()) << ok.status().message();
}

TEST(TierRulesTest, ParenthesisedConjunctionsSplitIntoIndexDrivenConjuncts) {
  // Search wraps a user's --where in parentheses before adding conditions of its own; the
  // conditions inside must stay conjuncts of their own, each with its index form.
  const auto& known = DocumentedAttributeNames();
  auto r = CompileRule("",
                       "((camera.confidence >= 0.6 AND (camera.movement = 'pan_left'))) AND "
                       "framing.shot_scale IN ('close_up')",
                       known);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->conjuncts.size(), 3u);
  EXPECT_EQ(r->conjuncts[0].text, "camera.confidence >= 0.6");
  EXPECT_EQ(r->conjuncts[1].text, "camera.movement = 'pan_left'");
  for (const RuleConjunct& c : r->conjuncts) {
    EXPECT_FALSE(c.index_select.empty()) << c.text;
    EXPECT_EQ(c.index_sql, "w.clip_id IN (" + c.index_select + ")") << c.text;
  }
  // An OR inside, a NOT outside, or a parenthesised condition compared again stays whole.
  for (const char* whole : {"(camera.confidence >= 0.6 OR camera.movement = 'pan_left')",
                            "NOT (camera.confidence >= 0.6 AND camera.movement = 'pan_left')",
                            "(camera.confidence >= 0.6) = 0"}) {
    auto w = CompileRule("", whole, known);
    ASSERT_TRUE(w.ok()) << whole << ": " << w.status().message();
    ASSERT_EQ(w->conjuncts.size(), 1u) << whole;
    EXPECT_TRUE(w->conjuncts[0].index_select.empty()) << whole;
  }
}

TEST_F(TierTest, AssignsFirstMatchAndDefault) {
  auto res = AssignTiers(*catalog_, CameraRecipe());
  ASSERT_TRUE(res.ok()) << res.status().message();
  EXPECT_EQ(TierOf(0), "gold");
  EXPECT_EQ(TierOf(1), "silver");
  EXPECT_EQ(TierOf(2), "bronze");
  EXPECT_EQ(TierOf(3), "reject");
  EXPECT_EQ(TierOf(4), "silver");
  EXPECT_EQ(TierOf(5), "silver");
  ASSERT_EQ(res->counts.size(), 4u);
  EXPECT_EQ(res->counts[0].tier, "gold");
  EXPECT_EQ(res->counts[0].clips, 1);
  EXPECT_EQ(res->counts[1].clips, 3);
  EXPECT_EQ(res->counts[2].clips, 1);
  EXPECT_EQ(res->counts[3].tier, "reject");
  EXPECT_EQ(res->counts[3].clips, 1);
  EXPECT_EQ(res->clips, 6);
  EXPECT_NEAR(res->counts[1].hours, 8.0 / 3600, 1e-9);

  // First match wins: a catch-all first tier takes everything.
  Recipe all = CameraRecipe();
  all.tiers.insert(all.tiers.begin(), {"everything", "duration > 0"});
  ASSERT_TRUE(AssignTiers(*catalog_, all).ok());
  for (int i = 0; i < 6; ++i) EXPECT_EQ(TierOf(i), "everything");
}

TEST_F(TierTest, ExplainListsFailedConditionsWithValues) {
  ASSERT_TRUE(AssignTiers(*catalog_, CameraRecipe()).ok());
  auto e = ExplainClip(*catalog_, "/videos/v1.mp4#4");
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->tier, "silver");
  EXPECT_EQ(e->rule, CameraRecipe().tiers[1].when);
  EXPECT_EQ(e->recipe, "camera-test");
  ASSERT_EQ(e->missed.size(), 1u);
  EXPECT_EQ(e->missed[0].first, "gold");
  EXPECT_EQ(e->missed[0].second, std::vector<std::string>{"camera.confidence 0.42 < 0.6"});

  auto h = ExplainClip(*catalog_, "v1#1");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(
      h->missed[0].second,
      std::vector<std::string>{"camera.movement 'handheld' IN ('handheld','unknown','mixed')"});

  auto r = ExplainClip(*catalog_, "v1#3");  // no attributes at all, 0.2 s
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tier, "reject");
  EXPECT_EQ(r->rule, "");
  ASSERT_EQ(r->missed.size(), 3u);
  EXPECT_EQ(r->missed[0].second,
            (std::vector<std::string>{
                "duration 0.2 < 2", "camera.confidence is missing (rule: camera.confidence >= 0.6)",
                "camera.movement is missing (rule: camera.movement NOT IN "
                "('handheld','unknown','mixed'))"}));
  EXPECT_EQ(r->missed[2].first, "bronze");
  EXPECT_EQ(r->missed[2].second, std::vector<std::string>{"duration 0.2 < 0.5"});

  auto s = ExplainClip(*catalog_, "v1#5");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->missed[0].second,
            std::vector<std::string>{"NOT too_short is not true (too_short=1)"});

  std::string text = FormatExplanation(e.value());
  EXPECT_NE(text.find("tier        silver"), std::string::npos) << text;
  EXPECT_NE(text.find("camera.confidence 0.42 < 0.6"), std::string::npos) << text;
  EXPECT_NE(text.find("camera.movement    static"), std::string::npos) << text;
  std::printf("%s", text.c_str());

  // By clip id too; unknown clips are errors.
  EXPECT_TRUE(ExplainClip(*catalog_, std::to_string(e->clip_id)).ok());
  EXPECT_FALSE(ExplainClip(*catalog_, "v1#99").ok());
  EXPECT_FALSE(ExplainClip(*catalog_, "v1").ok());
}

TEST_F(TierTest, RuleErrorsChangeNothing) {
  ASSERT_TRUE(AssignTiers(*catalog_, CameraRecipe()).ok());
  Recipe bad = CameraRecipe();
  bad.tiers[1].when = "duration >= 1 AND camera.movment != 'unknown'";
  auto res = AssignTiers(*catalog_, bad);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().message(),
            "tier 'silver': unknown attribute 'camera.movment' at 19 (did you mean "
            "'camera.movement'?)");
  EXPECT_EQ(TierOf(0), "gold");
  EXPECT_EQ(TierOf(1), "silver");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM clip_tiers"), 6);

  bad.tiers[1].when = "duration >= AND 1";
  res = AssignTiers(*catalog_, bad);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().message(), "tier 'silver': expected a value after '>=' at 13");
  EXPECT_EQ(TierOf(1), "silver");
}

TEST_F(TierTest, RulesCannotWrite) {
  Recipe evil = CameraRecipe();
  for (const char* rule :
       {"duration > 0); DELETE FROM clips; --", "duration > 0 -- comment",
        "duration IN (SELECT clip_id FROM clip_attributes)", "(DELETE FROM clips RETURNING 1) > 0",
        "duration > 0; PRAGMA foreign_keys=OFF"}) {
    evil.tiers[0].when = rule;
    auto res = AssignTiers(*catalog_, evil);
    EXPECT_FALSE(res.ok()) << rule;
    if (!res.ok()) {
      EXPECT_EQ(res.status().message().rfind("tier 'gold': ", 0), 0u);
    }
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM clips"), 6);
  // The authorizer itself, beneath the grammar: only reads are allowed.
  EXPECT_TRUE(catalog_->CheckReadOnly("SELECT duration FROM clips WHERE duration > 0").ok());
  EXPECT_FALSE(catalog_->CheckReadOnly("DELETE FROM clips").ok());
  EXPECT_FALSE(catalog_->CheckReadOnly("UPDATE clips SET too_short = 1").ok());
  EXPECT_FALSE(catalog_->CheckReadOnly("PRAGMA foreign_keys=OFF").ok());
  EXPECT_FALSE(catalog_->CheckReadOnly("ATTACH ':memory:' AS x").ok());
  EXPECT_FALSE(
      catalog_->CheckReadOnly("SELECT 1 FROM clips WHERE duration > 0); DELETE FROM clips; --")
          .ok());
  EXPECT_FALSE(catalog_->CheckReadOnly("SELECT 1; DELETE FROM clips").ok());
  EXPECT_FALSE(
      catalog_->CheckReadOnly("INSERT INTO clip_tiers(clip_id, tier) VALUES (1, 'x')").ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM clips"), 6);
  // The authorizer is removed afterwards: the catalog can still write.
  EXPECT_TRUE(catalog_->ReplaceAttributes({}, {{1, "note", std::nullopt, "x"}}).ok());
}

// Benchmark-style sanity check: 100k generated clips re-tier in seconds. The bound is loose on
// purpose (shared CI machines); bench/retier_100k.sh reports the real number.
TEST_F(TierTest, Retier100kClips) {
  const char* gen = R"sql(
BEGIN;
INSERT INTO videos (fingerprint, path, status, width, height, fps_num, fps_den)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
  SELECT 'gen' || i, '/gen/' || i || '.mp4', 'ok', 1920, 1080, 25, 1 FROM n;
INSERT INTO clips (video_id, idx, first_frame, last_frame, start_time, end_time, too_short)
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99)
  SELECT v.id, n.i, n.i * 100, n.i * 100 + 99, n.i * 4.0,
         n.i * 4.0 + ((v.id * 7 + n.i * 13) % 50) / 10.0,
         ((v.id + n.i) % 17) = 0
  FROM videos v, n WHERE v.fingerprint LIKE 'gen%';
INSERT INTO clip_attributes (clip_id, name, num, text)
  SELECT id, 'camera.movement', NULL,
         CASE id % 6 WHEN 0 THEN 'static' WHEN 1 THEN 'pan' WHEN 2 THEN 'handheld'
                     WHEN 3 THEN 'unknown' WHEN 4 THEN 'tilt' ELSE 'mixed' END
  FROM clips WHERE id > 6;
INSERT INTO clip_attributes (clip_id, name, num, text)
  SELECT id, 'camera.confidence', ((id * 37) % 100) / 100.0, NULL FROM clips WHERE id > 6;
INSERT INTO clip_attributes (clip_id, name, num, text)
  SELECT id, 'framing.faces', id % 3, NULL FROM clips WHERE id > 6;
COMMIT;
)sql";
  ASSERT_TRUE(testing::CatalogPeek(dir_.path() / "ds").Exec(gen));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM clips"), 100006);
  auto res = AssignTiers(*catalog_, CameraRecipe());
  ASSERT_TRUE(res.ok()) << res.status().message();
  EXPECT_EQ(res->clips, 100006);
  std::printf("re-tier of %ld clips: %.3f s\n", res->clips, res->seconds);
  for (const auto& c : res->counts) std::printf("  %-8s %7ld\n", c.tier.c_str(), c.clips);
  EXPECT_LT(res->seconds, 30.0);
  // Spot check the set-based result against the rule evaluated directly.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM clip_tiers t JOIN clips c ON c.id = t.clip_id "
                  "WHERE t.tier = 'bronze' AND c.duration < 0.5"),
            0);
}

}  // namespace
}  // namespace clipdex

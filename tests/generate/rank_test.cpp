// `clipdex rank` on candidate sets built from ../shared/media, each with known defects: the
// kept K must be the defect-free candidates, and each rejected one must say why. Real ingest,
// real dedup, real ffmpeg for the variants (blur, burned-in text, a mirrored real pan).
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "../support/onnx_writer.h"
#include "../support/random_models.h"
#include "../support/test_env.h"
#include "analyze/clip_embedding.h"
#include "catalog/catalog.h"
#include "catalog/records.h"
#include "curate/recipe.h"
#include "generate/candidate_rank.h"
#include "models/clip_text_encoder.h"
#include "models/onnx_session.h"

namespace clipdex {
namespace {

using nlohmann::json;

struct RankRun {
  std::vector<json> lines;  // best first
  std::string output;
};

std::string Base(const std::string& path) { return std::filesystem::path(path).filename(); }

RankRun Rank(const std::vector<std::string>& files, const std::string& prompt, int keep,
             const std::string& dataset = "") {
  std::string cmd = dataset.empty() ? "rank -j 2" : "rank -j 2 --dataset " + ShellQuote(dataset);
  cmd += " --keep ";
  cmd += std::to_string(keep);
  cmd += " --prompt ";
  cmd += ShellQuote(prompt);
  for (const std::string& f : files) {
    cmd += ' ';
    cmd += ShellQuote(f);
  }
  auto run = RunClipdex(cmd);
  RankRun out;
  out.output = run.output;
  EXPECT_EQ(run.exit_code, 0) << run.output;
  // Candidates are JSON lines on stdout; the summary line comes on stderr.
  for (const std::string& line : testing::Lines(run.output)) {
    if (line.starts_with("{")) out.lines.push_back(json::parse(line));
  }
  return out;
}

std::set<std::string> Kept(const RankRun& r) {
  std::set<std::string> kept;
  for (const json& j : r.lines) {
    if (j["kept"].get<bool>()) kept.insert(Base(j["file"]));
  }
  return kept;
}

std::string ReasonsOf(const RankRun& r, const std::string& base) {
  for (const json& j : r.lines) {
    if (Base(j["file"]) == base) return j["reasons"].dump();
  }
  return "(not ranked)";
}

// Runs ffmpeg; fails the test with its output when it fails.
void Ffmpeg(const std::string& args) {
  auto r = RunShell("ffmpeg -v error -y " + args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
}

TEST(RankCandidates, CompressionBlurNoiseAndAStaticCameraLoseToTheReference) {
  const std::vector<std::string> names = {"q0_ref",  "q1_crf35", "q2_crf45", "q3_crf51",
                                          "q_blur3", "q_blur8",  "q_down4",  "q_noise25"};
  std::vector<std::string> files;
  for (const std::string& n : names) {
    const auto f = testing::Media("synthetic/syn_quality_" + n + ".mp4");
    CLIPDEX_REQUIRE_FILE(f);
    files.push_back(f.string());
  }
  const RankRun r = Rank(files, "a slow zoom in on a landscape", 1);
  ASSERT_EQ(r.lines.size(), names.size()) << r.output;
  EXPECT_EQ(Kept(r), std::set<std::string>{"syn_quality_q0_ref.mp4"}) << r.output;
  EXPECT_EQ(Base(r.lines[0]["file"]), "syn_quality_q0_ref.mp4");
  for (int i = 1; i < static_cast<int>(r.lines.size()); ++i) {
    EXPECT_FALSE(r.lines[i]["reasons"].empty()) << r.lines[i].dump();  // every loser says why
    EXPECT_GE(r.lines[i - 1]["total"].get<double>(), r.lines[i]["total"].get<double>());
  }
  // The heavy defects read as what they are.
  EXPECT_NE(ReasonsOf(r, "syn_quality_q2_crf45.mp4").find("low technical quality"),
            std::string::npos);
  EXPECT_NE(ReasonsOf(r, "syn_quality_q_down4.mp4").find("low technical quality"),
            std::string::npos);
}

TEST(RankCandidates, WrongDirectionWrongMovementBurnedInTextAndBlurLoseToTwoCleanPans) {
  const auto pan_left = testing::Media("synthetic/syn_pan_left.mp4");
  const auto pan_right = testing::Media("synthetic/syn_pan_right.mp4");
  const auto tilt_up = testing::Media("synthetic/syn_tilt_up.mp4");
  const auto real_pan = testing::Media("synthetic/syn_pan_right_real_vtest.mp4");
  for (const auto& f : {pan_left, pan_right, tilt_up, real_pan}) CLIPDEX_REQUIRE_FILE(f);
  const char* font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  CLIPDEX_REQUIRE_FILE(std::filesystem::path(font));
  TempDir dir;
  // A real pan to the right, mirrored: a clean pan to the left of other content.
  const std::string mirrored = (dir / "real_pan_mirrored.mp4").string();
  Ffmpeg("-i " + ShellQuote(real_pan.string()) + " -vf hflip -c:v libx264 -crf 18 " +
         ShellQuote(mirrored));
  const std::string texted = (dir / "pan_left_text.mp4").string();
  Ffmpeg("-i " + ShellQuote(pan_left.string()) + " -vf \"drawtext=fontfile=" + font +
         ":text='SALE TODAY ONLY':fontsize=h/8:fontcolor=white:box=1:boxcolor=black:x=(w-tw)/2:"
         "y=h-2*th\" -c:v libx264 -crf 18 " +
         ShellQuote(texted));
  const std::string blurred = (dir / "pan_left_blur.mp4").string();
  Ffmpeg("-i " + ShellQuote(pan_left.string()) + " -vf gblur=sigma=6 -c:v libx264 -crf 18 " +
         ShellQuote(blurred));
  const RankRun r =
      Rank({pan_left.string(), pan_right.string(), tilt_up.string(), mirrored, texted, blurred},
           "the camera pans left across the scene", 2);
  ASSERT_EQ(r.lines.size(), 6u) << r.output;
  EXPECT_EQ(Kept(r), (std::set<std::string>{"syn_pan_left.mp4", "real_pan_mirrored.mp4"}))
      << r.output;
  EXPECT_NE(ReasonsOf(r, "syn_pan_right.mp4").find("asked for pan_left, measured pan_right"),
            std::string::npos)
      << r.output;
  EXPECT_NE(ReasonsOf(r, "syn_tilt_up.mp4").find("measured tilt_up"), std::string::npos)
      << r.output;
  EXPECT_NE(ReasonsOf(r, "pan_left_text.mp4").find("burned-in text"), std::string::npos)
      << r.output;
}

TEST(RankCandidates, TheAskedShotScaleWinsOverSharperWrongScales) {
  const auto xcu = testing::Media("synthetic/syn_scale_extreme_closeup.mp4");
  const auto mcu = testing::Media("synthetic/syn_scale_medium_closeup.mp4");
  const auto ls = testing::Media("synthetic/syn_scale_long.mp4");
  for (const auto& f : {xcu, mcu, ls}) CLIPDEX_REQUIRE_FILE(f);
  const RankRun r = Rank({xcu.string(), mcu.string(), ls.string()}, "大特写，纹理细节", /*keep=*/1);
  ASSERT_EQ(r.lines.size(), 3u) << r.output;
  EXPECT_EQ(Kept(r), std::set<std::string>{"syn_scale_extreme_closeup.mp4"}) << r.output;
  // Its sidecar says "long / full shot": either measured scale is the truth.
  const std::string long_reasons = ReasonsOf(r, "syn_scale_long.mp4");
  EXPECT_TRUE(long_reasons.find("measured long") != std::string::npos ||
              long_reasons.find("measured full") != std::string::npos)
      << r.output;
}

// The scoring alone: penalties and their words, ties by name, duplicates and errors.
TEST(RankCandidates, ScoringIsDeterministicAndExplained) {
  const PromptRequest req = ParsePromptRequest("two people, close-up, slow push in, no text");
  EXPECT_EQ(req.movements, std::vector<std::string>{"zoom_in"});
  EXPECT_EQ(req.scales, std::vector<std::string>{"close_up"});
  EXPECT_EQ(req.people, 2);
  EXPECT_FALSE(req.wants_text);
  EXPECT_TRUE(ParsePromptRequest("a sign that says \"OPEN\"").wants_text);
  EXPECT_EQ(ParsePromptRequest("a calm lake, no zoom").excluded_movements,
            std::vector<std::string>{"zoom"});
  auto facts = [](const std::string& file, const std::string& movement, const std::string& scale,
                  int faces, double quality, double aesthetic) {
    CandidateFacts c;
    c.file = file;
    c.movement = movement;
    c.shot_scale = scale;
    c.faces = faces;
    c.quality = quality;
    c.aesthetic_simple = aesthetic;
    return c;
  };
  CandidateFacts good = facts("b.mp4", "zoom_in", "close_up", 2, 60, 7);
  CandidateFacts twin = good;
  twin.file = "a.mp4";  // same score: the name breaks the tie
  CandidateFacts dup = good;
  dup.file = "c.mp4";
  dup.quality = 50;
  dup.dup_group = 7;
  good.dup_group = 7;
  CandidateFacts wrong = facts("d.mp4", "pan_left", "long", 1, 90, 9);
  wrong.text_area = 0.05;
  CandidateFacts broken;
  broken.file = "e.mp4";
  broken.error = "truncated";
  const auto ranked = RankCandidates({good, twin, dup, wrong, broken}, req, 3);
  ASSERT_EQ(ranked.size(), 5u);
  EXPECT_EQ(ranked[0].file, "a.mp4");
  EXPECT_EQ(ranked[1].file, "b.mp4");
  EXPECT_EQ(ranked[2].file, "c.mp4");
  EXPECT_FALSE(ranked[2].kept);  // b.mp4's near-duplicate
  EXPECT_NE(ranked[2].reasons.back().find("near-duplicate of b.mp4"), std::string::npos);
  EXPECT_EQ(ranked[3].file, "d.mp4");
  EXPECT_TRUE(ranked[3].kept);  // third place, though every request is contradicted
  EXPECT_EQ(ranked[3].reasons.size(), 4u) << ::testing::PrintToString(ranked[3].reasons);
  EXPECT_EQ(ranked[4].file, "e.mp4");
  EXPECT_FALSE(ranked[4].kept);
  EXPECT_EQ(ranked[4].reasons[0], "not analysable: truncated");

  // A recipe's rank: section sets the weights: quality alone puts the sharper, wrong candidate
  // first once its prompt penalties weigh nothing.
  auto recipe = ParseRecipe(
      "rank: {quality: 1, aesthetic: 0, movement: 0, scale_step: 0, people: 0, text: 0}\n",
      "w.yaml", DefaultRecipe());
  ASSERT_TRUE(recipe.ok()) << recipe.status().message();
  RankWeights w;
  ASSERT_TRUE(ApplyRankWeights(recipe->rank_weights, &w).ok());
  EXPECT_EQ(w.quality, 1);
  EXPECT_EQ(w.aesthetic, 0);
  EXPECT_EQ(RankCandidates({good, wrong}, req, 1, w)[0].file, "d.mp4");
  auto back = ParseRecipe(RecipeToYaml(*recipe), "roundtrip", Recipe{});
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->rank_weights, recipe->rank_weights);
  const Status typo = ApplyRankWeights({{"qualty", 1}}, &w);
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.message().find("unknown weight 'qualty'"), std::string::npos) << typo.message();
  EXPECT_FALSE(ParseRecipe("rank: {quality: -1}\n", "neg.yaml", DefaultRecipe()).ok());
}

}  // namespace
}  // namespace clipdex

namespace clipdex {
namespace {

TEST(RankCandidates, PromptSimilarityRaisesTheBetterMatchAndExplainsAWeakOne) {
  CandidateFacts a;
  a.file = "a.mp4";
  a.quality = 60;
  a.aesthetic_simple = 6;
  CandidateFacts b = a;
  b.file = "b.mp4";
  a.text_similarity = 0.05;  // CLIPScore 0.125: unrelated
  b.text_similarity = 0.32;  // 0.8: a good match
  const auto ranked = RankCandidates({a, b}, ParsePromptRequest("a red cup"), 1);
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0].file, "b.mp4");
  ASSERT_TRUE(ranked[0].similarity.has_value());
  EXPECT_DOUBLE_EQ(*ranked[0].similarity, 0.8);
  EXPECT_NEAR(ranked[0].total - ranked[1].total, 0.4 * (0.8 - 0.125), 1e-9);
  EXPECT_NE(::testing::PrintToString(ranked[1].reasons).find("match the prompt's words weakly"),
            std::string::npos);
  // Not measured: no similarity, no reason, no change to the total.
  CandidateFacts c = a;
  c.text_similarity.reset();
  const auto plain = RankCandidates({c}, ParsePromptRequest("a red cup"), 1);
  EXPECT_FALSE(plain[0].similarity.has_value());
  EXPECT_NEAR(plain[0].total, 0.6 * 0.6 + 0.4 * 0.6, 1e-9);
}

// With user-supplied CLIP models (random-weight stand-ins: mechanics only, the similarities mean
// nothing), rank adds each candidate's CLIPScore: the value it prints is the one computed here
// from the stored embedding.clip and the text encoder run on the prompt.
TEST(RankCandidates, UsesUserSuppliedClipModelsForPromptSimilarity) {
  const std::filesystem::path merges = std::filesystem::path(CLIPDEX_SOURCE_DIR) /
                                       "third_party/models/clip/bpe_simple_vocab_16e6.txt";
  if (!std::filesystem::exists(merges)) GTEST_SKIP() << "skipping: " << merges << " not found";
  if (!OrtAvailable()) GTEST_SKIP() << "skipping: " << OrtUnavailableReason();
  const auto p1 = Media("photos/lomiri/Bridge_by_Sander_Klootwijk.jpg");
  const auto p2 = Media("photos/lomiri/Dragonfly_by_Bolly.jpg");
  CLIPDEX_REQUIRE_FILE(p1);
  CLIPDEX_REQUIRE_FILE(p2);
  TempDir tmp;
  std::filesystem::create_directories(tmp / "models/clip");
  testing::WriteOnnxModel(testing::RandomClipGraph(16), tmp / "models/clip/clip_image.onnx");
  testing::WriteOnnxModel(testing::RandomClipTextGraph(16), tmp / "models/clip/clip_text.onnx");
  const std::string prompt = "a bridge over a river at dusk, long shot";
  auto run = RunShell("CLIPDEX_MODELS=" + ShellQuote((tmp / "models").string()) + " " +
                      ShellQuote(CLIPDEX_BINARY) + " rank --keep 1 --dataset " +
                      ShellQuote((tmp / "ds").string()) + " --prompt " + ShellQuote(prompt) + " " +
                      ShellQuote(p1.string()) + " " + ShellQuote(p2.string()));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("prompt similarity: CLIPScore on 2 of 2 candidates"), std::string::npos)
      << run.output;

  auto encoder = ClipTextEncoder::LoadFiles(tmp / "models/clip/clip_text.onnx", merges);
  ASSERT_TRUE(encoder.ok()) << encoder.status().message();
  auto text = (*encoder)->Embed(prompt);
  ASSERT_TRUE(text.ok()) << text.status().message();
  auto catalog = Catalog::Open(tmp / "ds", /*create=*/false);
  ASSERT_TRUE(catalog.ok()) << catalog.status().message();
  std::map<std::string, double> expected;  // file name -> CLIPScore
  ASSERT_TRUE((*catalog)
                  ->ForEachClip([&](const VideoRecord& v, const ClipRecord& c) {
                    const Attribute* e = FindAttribute(c, "embedding.clip");
                    if (e != nullptr) {
                      auto image = DecodeClipEmbedding(e->text);
                      if (image.ok()) expected[Base(v.path)] = ClipScore(Dot(*text, *image));
                    }
                    return true;
                  })
                  .ok());
  ASSERT_EQ(expected.size(), 2u);
  int checked = 0;
  for (const std::string& line : Lines(run.output)) {
    if (!line.starts_with("{")) continue;
    const json j = json::parse(line);
    ASSERT_TRUE(j["scores"]["similarity"].is_number()) << line;
    EXPECT_NEAR(j["scores"]["similarity"].get<double>(), expected[Base(j["file"])], 1e-4) << line;
    ++checked;
  }
  EXPECT_EQ(checked, 2);

  // Without clip_text the similarity is off, and the run says why.
  std::filesystem::remove(tmp / "models/clip/clip_text.onnx");
  auto off = RunShell("CLIPDEX_MODELS=" + ShellQuote((tmp / "models").string()) + " " +
                      ShellQuote(CLIPDEX_BINARY) + " rank --keep 1 --prompt " + ShellQuote(prompt) +
                      " " + ShellQuote(p1.string()));
  ASSERT_EQ(off.exit_code, 0) << off.output;
  EXPECT_NE(off.output.find("prompt similarity: off (clip_text: not configured"), std::string::npos)
      << off.output;
  EXPECT_NE(off.output.find("\"similarity\":null"), std::string::npos) << off.output;
}

}  // namespace
}  // namespace clipdex

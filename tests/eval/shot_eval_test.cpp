#include "eval/shot_eval.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace clipdex {
namespace {

namespace fs = std::filesystem;

Transition Cut(long frame) { return Transition::CutAt(frame); }
Transition Gradual(TransitionType type, long first, long last) {
  return Transition::Span(type, first, last);
}

Transition Dissolve(long first, long last) {
  return Gradual(TransitionType::kDissolve, first, last);
}

void ExpectPRF(const PRF& prf, int tp, int fp, int fn) {
  EXPECT_EQ(prf.tp, tp);
  EXPECT_EQ(prf.fp, fp);
  EXPECT_EQ(prf.fn, fn);
}

std::string SharedDir() { return std::string(CLIPDEX_SOURCE_DIR) + "/../shared"; }

int CountCuts(const GroundTruthVideo& video) {
  int n = 0;
  for (const Transition& t : video.boundaries) n += t.type == TransitionType::kCut;
  return n;
}

int CountGradual(const GroundTruthVideo& video) {
  return static_cast<int>(video.boundaries.size()) - CountCuts(video);
}

const GroundTruthVideo* FindKey(const std::vector<GroundTruthVideo>& videos,
                                const std::string& key) {
  for (const GroundTruthVideo& v : videos) {
    if (v.key == key) return &v;
  }
  return nullptr;
}

// Writes `text` to a fresh temporary file named `name` and returns its path.
fs::path WriteTemp(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / "clipdex_shot_eval_test";
  fs::create_directories(dir);
  const fs::path path = dir / name;
  std::ofstream(path) << text;
  return path;
}

// Loads a file from /work/shared; skips the test when the shared media is not present.
#define LOAD_SHARED_OR_SKIP(var, relative)                                     \
  const std::string var##_path = SharedDir() + "/" + (relative);               \
  if (!fs::exists(var##_path)) {                                               \
    std::printf("skipping: %s not found\n", var##_path.c_str());               \
    GTEST_SKIP() << var##_path << " not found";                                \
  }                                                                            \
  Result<std::vector<GroundTruthVideo>> var = LoadShotGroundTruth(var##_path); \
  ASSERT_TRUE(var.ok()) << var.status().message()

TEST(ShotEvalPRF, ZeroDenominatorConventions) {
  PRF empty;
  EXPECT_DOUBLE_EQ(empty.precision(), 1.0);
  EXPECT_DOUBLE_EQ(empty.recall(), 1.0);
  EXPECT_DOUBLE_EQ(empty.f1(), 1.0);

  PRF only_fp{0, 1, 0};
  EXPECT_DOUBLE_EQ(only_fp.precision(), 0.0);
  EXPECT_DOUBLE_EQ(only_fp.recall(), 1.0);
  EXPECT_DOUBLE_EQ(only_fp.f1(), 0.0);

  PRF only_fn{0, 0, 2};
  EXPECT_DOUBLE_EQ(only_fn.precision(), 1.0);
  EXPECT_DOUBLE_EQ(only_fn.recall(), 0.0);
  EXPECT_DOUBLE_EQ(only_fn.f1(), 0.0);

  PRF mixed{3, 1, 2};
  EXPECT_DOUBLE_EQ(mixed.precision(), 0.75);
  EXPECT_DOUBLE_EQ(mixed.recall(), 0.6);
  EXPECT_DOUBLE_EQ(mixed.f1(), 2 * 0.75 * 0.6 / 1.35);
}

TEST(ShotEvalMatch, ExactMatch) {
  const std::vector<Transition> gt = {Cut(30), Cut(180), Dissolve(529, 558)};
  ShotEvalResult r = EvaluateVideo("v", gt, gt, 2);
  EXPECT_EQ(r.video, "v");
  ExpectPRF(r.cuts, 2, 0, 0);
  ExpectPRF(r.gradual, 1, 0, 0);
  ExpectPRF(r.total, 3, 0, 0);
  EXPECT_TRUE(r.notes.empty());
  EXPECT_DOUBLE_EQ(r.total.f1(), 1.0);
}

TEST(ShotEvalMatch, CutOffByTolIsMatchedOffByMoreIsNot) {
  ShotEvalResult within = EvaluateVideo("v", {Cut(100)}, {Cut(102)}, 2);
  ExpectPRF(within.cuts, 1, 0, 0);
  within = EvaluateVideo("v", {Cut(100)}, {Cut(98)}, 2);
  ExpectPRF(within.cuts, 1, 0, 0);

  ShotEvalResult outside = EvaluateVideo("v", {Cut(100)}, {Cut(103)}, 2);
  ExpectPRF(outside.cuts, 0, 1, 1);
  ExpectPRF(outside.total, 0, 1, 1);
  ASSERT_EQ(outside.notes.size(), 2u);
  EXPECT_EQ(outside.notes[0], "missed cut at 100");
  EXPECT_EQ(outside.notes[1], "false cut at 103");
}

TEST(ShotEvalMatch, OnePredictionCannotMatchTwoGroundTruthCuts) {
  ShotEvalResult r = EvaluateVideo("v", {Cut(10), Cut(12)}, {Cut(11)}, 2);
  ExpectPRF(r.cuts, 1, 0, 1);
  // And one ground-truth cut cannot absorb two predictions.
  r = EvaluateVideo("v", {Cut(11)}, {Cut(10), Cut(12)}, 2);
  ExpectPRF(r.cuts, 1, 1, 0);
}

TEST(ShotEvalMatch, ClosestPairsAreMatchedFirst) {
  // Both predictions are within tol of the cut at 10; the closer one (11) takes it.
  ShotEvalResult r = EvaluateVideo("v", {Cut(10)}, {Cut(12), Cut(11)}, 2);
  ExpectPRF(r.cuts, 1, 1, 0);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0], "false cut at 12");
  // 9 pairs with 10 and 12 with 13, although 12 is also within tol of 10.
  r = EvaluateVideo("v", {Cut(10), Cut(13)}, {Cut(12), Cut(9)}, 2);
  ExpectPRF(r.cuts, 2, 0, 0);
}

TEST(ShotEvalMatch, GradualOverlapMatches) {
  // Partial overlap is enough.
  ShotEvalResult r = EvaluateVideo("v", {Dissolve(75, 99)}, {Dissolve(90, 110)}, 2);
  ExpectPRF(r.gradual, 1, 0, 0);
  // No overlap, but within tol of the ground truth: widened GT [73, 101] touches 101.
  r = EvaluateVideo("v", {Dissolve(75, 99)}, {Dissolve(101, 120)}, 2);
  ExpectPRF(r.gradual, 1, 0, 0);
  // Just outside the widened ground truth.
  r = EvaluateVideo("v", {Dissolve(75, 99)}, {Dissolve(102, 120)}, 2);
  ExpectPRF(r.gradual, 0, 1, 1);
  // Gradual types are one class: a fade prediction may match a dissolve.
  r = EvaluateVideo("v", {Dissolve(75, 99)}, {Gradual(TransitionType::kFadeOut, 80, 95)}, 2);
  ExpectPRF(r.gradual, 1, 0, 0);
}

TEST(ShotEvalMatch, LargestOverlapFirst) {
  // Prediction [60, 100] overlaps GT A = [50, 70] by 11 and GT B = [80, 120] by 21: it takes B,
  // and the second prediction [40, 55] then matches A.
  ShotEvalResult r = EvaluateVideo("v", {Dissolve(50, 70), Dissolve(80, 120)},
                                   {Dissolve(60, 100), Dissolve(40, 55)}, 0);
  ExpectPRF(r.gradual, 2, 0, 0);
}

TEST(ShotEvalMatch, CrossClassCountsInTotalOnly) {
  // A predicted dissolve around a ground-truth cut, and a predicted cut inside a ground-truth
  // fade: right place, wrong kind.
  const std::vector<Transition> gt = {Cut(30), Gradual(TransitionType::kFadeIn, 211, 240)};
  const std::vector<Transition> predicted = {Dissolve(28, 33), Cut(225)};
  ShotEvalResult r = EvaluateVideo("v", gt, predicted, 2);
  ExpectPRF(r.cuts, 0, 1, 1);
  ExpectPRF(r.gradual, 0, 1, 1);
  ExpectPRF(r.total, 2, 0, 0);
  ASSERT_EQ(r.notes.size(), 2u);
  EXPECT_EQ(r.notes[0], "cut at 30 found as dissolve 28-33 (total only)");
  EXPECT_EQ(r.notes[1], "fade_in 211-240 found as cut at 225 (total only)");
}

TEST(ShotEvalMatch, CrossClassNeverDisplacesSameClassMatch) {
  // The predicted cut at 31 matches the GT cut; the predicted dissolve spanning it is then a false
  // positive even though it also covers the cut.
  ShotEvalResult r = EvaluateVideo("v", {Cut(30)}, {Cut(31), Dissolve(28, 33)}, 2);
  ExpectPRF(r.cuts, 1, 0, 0);
  ExpectPRF(r.gradual, 0, 1, 0);
  ExpectPRF(r.total, 1, 1, 0);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0], "false dissolve 28-33");
}

TEST(ShotEvalMatch, ZeroGroundTruthWithFalsePositive) {
  ShotEvalResult r = EvaluateVideo("counter", {}, {Cut(77)}, 2);
  ExpectPRF(r.total, 0, 1, 0);
  EXPECT_DOUBLE_EQ(r.total.precision(), 0.0);
  EXPECT_DOUBLE_EQ(r.total.recall(), 1.0);
  EXPECT_DOUBLE_EQ(r.total.f1(), 0.0);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0], "false cut at 77");

  ShotEvalResult clean = EvaluateVideo("counter", {}, {}, 2);
  EXPECT_DOUBLE_EQ(clean.total.f1(), 1.0);
}

TEST(ShotEvalMatch, NotesAreInFrameOrder) {
  ShotEvalResult r = EvaluateVideo("v", {Cut(500), Dissolve(529, 558)}, {Cut(77), Cut(500)}, 2);
  ASSERT_EQ(r.notes.size(), 2u);
  EXPECT_EQ(r.notes[0], "false cut at 77");
  EXPECT_EQ(r.notes[1], "missed dissolve 529-558");
}

TEST(ShotEvalMatch, InputOrderDoesNotMatter) {
  ShotEvalResult a = EvaluateVideo("v", {Cut(10), Cut(50)}, {Cut(51), Cut(9)}, 2);
  ShotEvalResult b = EvaluateVideo("v", {Cut(50), Cut(10)}, {Cut(9), Cut(51)}, 2);
  ExpectPRF(a.cuts, 2, 0, 0);
  ExpectPRF(b.cuts, 2, 0, 0);
}

TEST(ShotEvalSum, SumsCountsAndFormatsTable) {
  std::vector<ShotEvalResult> rows = {
      EvaluateVideo("video/a.mp4", {Cut(10), Dissolve(50, 60)}, {Cut(10)}, 2),
      EvaluateVideo("video/b.mp4", {}, {Cut(5)}, 2)};
  ShotEvalResult sum = SumResults(rows);
  EXPECT_EQ(sum.video, "TOTAL");
  ExpectPRF(sum.cuts, 1, 1, 0);
  ExpectPRF(sum.gradual, 0, 0, 1);
  ExpectPRF(sum.total, 1, 1, 1);

  const std::string table =
      FormatShotEvalTable(rows, {"video/gh_psd_fades.mp4: labels in a foreign format: x"});
  EXPECT_NE(table.find("video/a.mp4"), std::string::npos) << table;
  EXPECT_NE(table.find("video/b.mp4"), std::string::npos) << table;
  EXPECT_NE(table.find("TOTAL"), std::string::npos) << table;
  EXPECT_NE(table.find("0.500"), std::string::npos) << table;  // TOTAL total P = R = F1 = 0.5
  EXPECT_NE(table.find("skipped (1):"), std::string::npos) << table;
  EXPECT_NE(table.find("labels in a foreign format: x"), std::string::npos) << table;

  const std::string empty = FormatShotEvalTable({}, {});
  EXPECT_NE(empty.find("no videos scored"), std::string::npos) << empty;
}

TEST(ShotEvalMatchGroundTruth, SuffixOnPathBoundaryLongestWins) {
  std::vector<GroundTruthVideo> gt(3);
  gt[0].key = "a.mp4";
  gt[1].key = "video/a.mp4";
  gt[2].key = "syn_transitions.mp4";
  EXPECT_EQ(MatchGroundTruth(gt, "/media/video/a.mp4"), &gt[1]);
  EXPECT_EQ(MatchGroundTruth(gt, "video/a.mp4"), &gt[1]);
  EXPECT_EQ(MatchGroundTruth(gt, "/media/other/a.mp4"), &gt[0]);
  EXPECT_EQ(MatchGroundTruth(gt, "a.mp4"), &gt[0]);
  EXPECT_EQ(MatchGroundTruth(gt, "/m/synthetic/syn_transitions.mp4"), &gt[2]);
  // A suffix that does not start at a path component is not a match.
  EXPECT_EQ(MatchGroundTruth(gt, "/media/xa.mp4"), nullptr);
  EXPECT_EQ(MatchGroundTruth(gt, "/media/b.mp4"), nullptr);
}

TEST(ShotEvalLoad, LabelMapWithCommentsZeroAndForeignEntries) {
  const fs::path path = WriteTemp("labels.json", R"({
    "_format": "comment",
    "v/one.mp4": {"fps": 25, "frames": 100, "cuts": [40, 10], "dissolve": [[50, 60]],
                  "_note": "ignored"},
    "v/none.mp4": {"fps": 25, "frames": 30, "content": "static"},
    "v/other.mp4": {"frames": 30, "motion": "pan", "shot_scale": "long"},
    "v/bare.mp4": {"note": "no frame count"}
  })");
  Result<std::vector<GroundTruthVideo>> gt = LoadShotGroundTruth(path);
  ASSERT_TRUE(gt.ok()) << gt.status().message();
  ASSERT_EQ(gt->size(), 4u);
  const GroundTruthVideo& one = (*gt)[0];
  EXPECT_EQ(one.key, "v/one.mp4");
  EXPECT_TRUE(one.skip_reason.empty());
  ASSERT_EQ(one.boundaries.size(), 3u);
  EXPECT_EQ(one.boundaries[0].first_frame, 10);  // sorted
  EXPECT_EQ(one.boundaries[2].type, TransitionType::kDissolve);
  EXPECT_EQ(one.boundaries[2].first_frame, 50);
  EXPECT_EQ(one.boundaries[2].last_frame, 59);  // [50, 60) -> 50..59
  EXPECT_TRUE((*gt)[1].skip_reason.empty());
  EXPECT_TRUE((*gt)[1].boundaries.empty());
  EXPECT_EQ((*gt)[2].skip_reason, "labels in a foreign format: motion, shot_scale");
  EXPECT_FALSE((*gt)[3].skip_reason.empty());
}

TEST(ShotEvalLoad, Errors) {
  EXPECT_FALSE(LoadShotGroundTruth("/nonexistent/clipdex/gt.json").ok());

  Result<std::vector<GroundTruthVideo>> bad = LoadShotGroundTruth(WriteTemp("bad.json", "{"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("invalid JSON"), std::string::npos);

  bad = LoadShotGroundTruth(WriteTemp("range.mp4.gt.json", R"({"dissolve": [[60, 50]]})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("range.mp4: dissolve[0]"), std::string::npos)
      << bad.status().message();

  bad = LoadShotGroundTruth(WriteTemp(
      "type.mp4.gt.json", R"({"transitions": [{"type": "morph", "start": 1, "end": 5}]})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown transition type \"morph\""), std::string::npos)
      << bad.status().message();

  bad = LoadShotGroundTruth(WriteTemp("notobj.json", R"({"v/a.mp4": [1, 2]})"));
  EXPECT_FALSE(bad.ok());
}

TEST(ShotEvalLoad, RealLabelFile) {
  LOAD_SHARED_OR_SKIP(gt, "media/labels/shot_boundaries_real.json");

  const GroundTruthVideo* testvideo = FindKey(*gt, "video/gh_psd_testvideo.mp4");
  ASSERT_NE(testvideo, nullptr);
  EXPECT_TRUE(testvideo->skip_reason.empty());
  EXPECT_EQ(CountCuts(*testvideo), 2);
  EXPECT_EQ(CountGradual(*testvideo), 5);
  // The dissolve [529, 559) blends frames 529..558.
  bool found_dissolve = false;
  for (const Transition& t : testvideo->boundaries) {
    if (t.type == TransitionType::kDissolve) {
      found_dissolve = true;
      EXPECT_EQ(t.first_frame, 529);
      EXPECT_EQ(t.last_frame, 558);
    }
  }
  EXPECT_TRUE(found_dissolve);

  const GroundTruthVideo* goldeneye = FindKey(*gt, "video/gh_psd_goldeneye-vfr-drop3.mp4");
  ASSERT_NE(goldeneye, nullptr);
  EXPECT_TRUE(goldeneye->skip_reason.empty());
  EXPECT_EQ(CountCuts(*goldeneye), 2);
  EXPECT_EQ(CountGradual(*goldeneye), 0);

  const GroundTruthVideo* counter = FindKey(*gt, "video/gh_psd_counter_10fps.mp4");
  ASSERT_NE(counter, nullptr);
  EXPECT_TRUE(counter->skip_reason.empty()) << counter->skip_reason;
  EXPECT_TRUE(counter->boundaries.empty());

  const GroundTruthVideo* fades = FindKey(*gt, "video/gh_psd_fades.mp4");
  ASSERT_NE(fades, nullptr);
  EXPECT_EQ(fades->skip_reason, "labels in a foreign format: upstream_threshold_detector");

  EXPECT_EQ(FindKey(*gt, "_format"), nullptr);

  // A catalog path under the media root finds its entry.
  EXPECT_EQ(MatchGroundTruth(*gt, "/work/shared/media/video/gh_psd_testvideo.mp4"), testvideo);
}

TEST(ShotEvalLoad, TransitionsSidecar) {
  LOAD_SHARED_OR_SKIP(gt, "media/synthetic/syn_transitions.mp4.gt.json");
  ASSERT_EQ(gt->size(), 1u);
  const GroundTruthVideo& v = (*gt)[0];
  EXPECT_EQ(v.key, "syn_transitions.mp4");
  EXPECT_TRUE(v.skip_reason.empty());
  ASSERT_EQ(v.boundaries.size(), 4u);
  EXPECT_EQ(v.boundaries[0].type, TransitionType::kDissolve);
  EXPECT_EQ(v.boundaries[0].first_frame, 75);
  EXPECT_EQ(v.boundaries[0].last_frame, 99);
  EXPECT_EQ(v.boundaries[1].type, TransitionType::kFadeThroughBlack);
  EXPECT_EQ(v.boundaries[2].type, TransitionType::kWipe);
  EXPECT_EQ(v.boundaries[2].first_frame, 225);
  EXPECT_EQ(v.boundaries[2].last_frame, 249);
  EXPECT_EQ(v.boundaries[3].type, TransitionType::kCut);
  EXPECT_EQ(v.boundaries[3].first_frame, 325);
  EXPECT_EQ(CountCuts(v), 1);
  EXPECT_EQ(CountGradual(v), 3);
}

TEST(ShotEvalLoad, CutsSidecar) {
  LOAD_SHARED_OR_SKIP(gt, "media/synthetic/syn_cuts_4shots.mp4.gt.json");
  ASSERT_EQ(gt->size(), 1u);
  const GroundTruthVideo& v = (*gt)[0];
  EXPECT_EQ(v.key, "syn_cuts_4shots.mp4");
  EXPECT_TRUE(v.skip_reason.empty());
  ASSERT_EQ(CountCuts(v), 3);
  EXPECT_EQ(CountGradual(v), 0);
  EXPECT_EQ(v.boundaries[0].first_frame, 75);
  EXPECT_EQ(v.boundaries[1].first_frame, 125);
  EXPECT_EQ(v.boundaries[2].first_frame, 185);
}

TEST(ShotEvalLoad, CameraMotionSidecarIsSkipped) {
  LOAD_SHARED_OR_SKIP(gt, "media/synthetic/syn_pan_left.mp4.gt.json");
  ASSERT_EQ(gt->size(), 1u);
  EXPECT_EQ((*gt)[0].key, "syn_pan_left.mp4");
  EXPECT_NE((*gt)[0].skip_reason.find("labels in a foreign format: motion"), std::string::npos)
      << (*gt)[0].skip_reason;
}

TEST(ShotEvalLoad, EverySharedSidecarLoads) {
  // No sidecar in the shared media may be an error: non-boundary ones must come back skipped.
  const fs::path dir = SharedDir() + "/media/synthetic";
  if (!fs::exists(dir)) {
    std::printf("skipping: %s not found\n", dir.c_str());
    GTEST_SKIP() << dir << " not found";
  }
  int loaded = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 8 || name.substr(name.size() - 8) != ".gt.json") continue;
    Result<std::vector<GroundTruthVideo>> gt = LoadShotGroundTruth(entry.path());
    ASSERT_TRUE(gt.ok()) << name << ": " << gt.status().message();
    ASSERT_EQ(gt->size(), 1u) << name;
    ++loaded;
  }
  EXPECT_GT(loaded, 0);
}

TEST(ShotEvalLoad, RealTestvideoScoresItselfPerfectly) {
  LOAD_SHARED_OR_SKIP(gt, "media/labels/shot_boundaries_real.json");
  const GroundTruthVideo* v = FindKey(*gt, "video/gh_psd_testvideo.mp4");
  ASSERT_NE(v, nullptr);
  ShotEvalResult r = EvaluateVideo(v->key, v->boundaries, v->boundaries, 2);
  ExpectPRF(r.cuts, 2, 0, 0);
  ExpectPRF(r.gradual, 5, 0, 0);
  ExpectPRF(r.total, 7, 0, 0);
}

}  // namespace
}  // namespace clipdex

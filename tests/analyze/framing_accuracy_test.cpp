// Shot-scale accuracy against the labels by eye in tests/analyze/framing_labels.json (guide:
// docs/attributes.md): the constructed crops are cut from the shared photos, every labelled
// source goes through the real ingest (framing only), and each time point is scored on the clip
// that contains it, as `clipdex eval framing` does. Thresholds were chosen on the tune split.
// The floors below are the measured held-out figures less a label's worth (docs/attributes.md:
// held-out 53/87 = 0.61; the target of 0.85 with every rung >= 60 % is NOT met), so a
// regression of the decision fails here.
//
// CLIPDEX_FRAMING_DUMP=file.csv writes the scored clip's evidence per label (for tuning).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <set>

#include "../support/test_env.h"
#include "analyze/framing.h"
#include "catalog/catalog.h"
#include "eval/label_eval.h"
#include "pipeline/batch.h"

namespace clipdex {
namespace {

using testing::Media;
using testing::TempDir;

std::filesystem::path LabelFile() {
  return std::filesystem::path(CLIPDEX_SOURCE_DIR) / "tests" / "analyze" / "framing_labels.json";
}

std::filesystem::path Yunet() {
  return testing::SharedDir() / "models" / "yunet" / "yunet_final_320_320_simplify.onnx";
}

// Cuts a constructed crop out of its photo; false when the photo cannot be read.
bool WriteCrop(const FramingTruth& t, const std::filesystem::path& to) {
  const cv::Mat photo = cv::imread(Media(t.crop_from).string());
  if (photo.empty()) return false;
  const cv::Rect r(cvRound(t.crop[0] * photo.cols), cvRound(t.crop[1] * photo.rows),
                   cvRound(t.crop[2] * photo.cols), cvRound(t.crop[3] * photo.rows));
  std::filesystem::create_directories(to.parent_path());
  return cv::imwrite(to.string(), photo(r & cv::Rect(0, 0, photo.cols, photo.rows)));
}

struct ScoredClip {
  double start = 0, end = 0;
  std::vector<Attribute> attributes;
};

std::string Attr(const std::vector<Attribute>& attrs, const std::string& name) {
  for (const Attribute& a : attrs) {
    if (a.name == name) return a.number ? std::to_string(*a.number) : a.text;
  }
  return "";
}

TEST(FramingAccuracy, HeldOutLabelsMeetTargets) {
  CLIPDEX_REQUIRE_FILE(Yunet());
  CLIPDEX_REQUIRE_FILE(Media("photos/faceapi/sample1.jpg"));
  auto labels = LoadFramingGroundTruth(LabelFile());
  ASSERT_TRUE(labels.ok()) << labels.status().message();
  ASSERT_GE(labels->size(), 150u);

  TempDir tmp;
  std::set<std::string> inputs;
  for (const FramingTruth& t : labels.value()) {
    if (t.crop_from.empty()) {
      inputs.insert(Media(t.key).string());
    } else {
      const std::filesystem::path crop = tmp / t.key;
      ASSERT_TRUE(WriteCrop(t, crop)) << t.crop_from;
      inputs.insert(crop.string());
    }
  }
  BatchOptions options;
  options.quiet = true;
  options.jobs = 2;
  options.ingest.thumbnails = false;
  const std::string model = Yunet().string();
  options.ingest.analyzers.push_back([model] { return std::make_unique<FramingAnalyzer>(model); });
  auto summary = RunIngestBatch({inputs.begin(), inputs.end()}, tmp / "ds", options);
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(summary->failed, 0);

  auto catalog = Catalog::Open(tmp / "ds", false);
  ASSERT_TRUE(catalog.ok());
  std::map<std::string, std::vector<ScoredClip>> clips;  // by video path
  ASSERT_TRUE(catalog.value()
                  ->ForEachClip([&](const VideoRecord& v, const ClipRecord& c) {
                    clips[v.path].push_back({c.start_time, c.end_time, c.attributes});
                    return true;
                  })
                  .ok());

  std::map<std::string, std::vector<FramingEvalRow>> rows;  // by split
  std::ofstream dump;
  if (const char* path = std::getenv("CLIPDEX_FRAMING_DUMP")) {
    dump.open(path);
    dump << "key,time,split,accept,predicted,evidence,confidence,face_fraction,face_ratio,faces,"
            "person_height,upper_body_height,subject_height,subject_width,subject_area,"
            "sharp_fraction,sharp_spread,detail_scale,detail_scale_coarse,edge_density,defocus_"
            "fraction\n";
  }
  for (const FramingTruth& t : labels.value()) {
    const std::vector<ScoredClip>* video = nullptr;
    for (const auto& [path, list] : clips) {
      if (KeyMatchesPath(t.key, path)) video = &list;
    }
    ASSERT_NE(video, nullptr) << t.key << " not in the catalog";
    std::vector<ClipLabel> spans;
    for (const ScoredClip& c : *video) {
      spans.push_back({c.start, c.end, Attr(c.attributes, "framing.shot_scale")});
    }
    const std::string predicted = LabelAtTime(spans, t.time);
    char name[32];
    std::snprintf(name, sizeof name, " @%.2fs", t.time);
    rows[t.split].push_back({t.key + name, t.acceptable, predicted});
    if (dump.is_open()) {
      const ScoredClip* clip = &video->front();
      for (const ScoredClip& c : *video) {
        if (t.time >= c.start && t.time < c.end) clip = &c;
      }
      std::string accept;
      for (const auto& a : t.acceptable) accept += (accept.empty() ? "" : "|") + a;
      dump << t.key << ',' << t.time << ',' << t.split << ',' << accept << ',' << predicted;
      for (const char* a : {"evidence", "confidence", "face_fraction", "face_ratio", "faces",
                            "person_height", "upper_body_height", "subject_height", "subject_width",
                            "subject_area", "sharp_fraction", "sharp_spread", "detail_scale",
                            "detail_scale_coarse", "edge_density", "defocus_fraction"}) {
        dump << ',' << Attr(clip->attributes, std::string("framing.") + a);
      }
      dump << '\n';
    }
  }
  for (const auto& [split, list] : rows) {
    std::printf("=== split %s ===\n%s\n", split.c_str(), FormatFramingEvalReport(list, {}).c_str());
  }
  auto accuracy_of = [](const std::vector<FramingEvalRow>& list) {
    int correct = 0;
    for (const FramingEvalRow& r : list) correct += r.correct();
    return list.empty() ? 0.0 : double(correct) / list.size();
  };
  EXPECT_GE(accuracy_of(rows["tune"]), 0.87);  // measured 75/84 = 0.893
  const std::vector<FramingEvalRow>& held = rows["held_out"];
  ASSERT_GE(held.size(), 60u);
  std::map<std::string, std::pair<int, int>> recall;  // first accepted label -> (right, all)
  for (const FramingEvalRow& r : held) {
    auto& [right, all] = recall[r.acceptable.front()];
    right += r.correct();
    ++all;
  }
  const double accuracy = accuracy_of(held);
  std::printf("held-out accuracy %.3f (%zu labels)\n", accuracy, held.size());
  EXPECT_GE(accuracy, 0.59);  // measured 0.609
  // Measured held-out recall per rung: extreme_close_up 7/15, close_up 14/27, medium_close_up
  // 11/16, medium 8/10, medium_long 3/4, full 1/3, long 9/12. Floors a label below those.
  const std::map<std::string, double> floors = {{"extreme_close_up", 0.40},
                                                {"close_up", 0.48},
                                                {"medium_close_up", 0.62},
                                                {"medium", 0.70},
                                                {"medium_long", 0.5},
                                                {"full", 0.33},
                                                {"long", 0.66}};
  for (const auto& [label, counts] : recall) {
    const double r = double(counts.first) / counts.second;
    std::printf("  recall %-16s %d/%d\n", label.c_str(), counts.first, counts.second);
    auto floor = floors.find(label);
    if (floor != floors.end()) {
      EXPECT_GE(r, floor->second) << label;
    }
  }
}

}  // namespace
}  // namespace clipdex

// `eval camera` and `eval framing`: score the camera.movement / framing.shot_scale attributes of
// a dataset against ground truth (see eval/label_eval.h for formats and scores).
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "cli/verbs.h"
#include "eval/label_eval.h"

namespace clipdex::cli {

namespace {

struct LabelEvalArgs {
  std::string dataset;
  std::vector<std::string> gt_files;
  std::string split;  // framing time points: score only this split
};

// What the catalog says about one video: the attributes of its longest clip (the video-level
// prediction; usually the only clip) and the camera segments of all its clips (video times).
struct VideoPrediction {
  double longest = -1;
  std::string movement;
  std::string shot_scale;
  std::vector<LabelSegment> segments;
  std::vector<ClipLabel> scales;  // every clip's framing.shot_scale, for time-point labels
  std::string segment_error;      // first unparsable camera.segments, reported as a note
};

// Loads every ground-truth file with `load`; prints the error and returns false on failure.
template <typename T, typename LoadFn>
bool LoadAll(const std::vector<std::string>& files, LoadFn load, std::vector<T>* out) {
  for (const auto& file : files) {
    auto loaded = load(file);
    if (!loaded.ok()) {
      std::fprintf(stderr, "clipdex: %s: %s\n", file.c_str(), loaded.status().message().c_str());
      return false;
    }
    for (auto& t : loaded.value()) out->push_back(std::move(t));
  }
  return true;
}

// Opens the dataset and collects the predictions. Returns the exit code on failure (2: not a
// dataset, 1: catalog error), 0 on success.
int CollectPredictions(const std::string& dataset, std::unique_ptr<Catalog>* catalog,
                       std::vector<VideoRecord>* videos,
                       std::map<int64_t, VideoPrediction>* predictions) {
  if (ExitStatus e = OpenDatasetForRead(dataset, catalog); e != kExitOk) return e;
  auto listed = (*catalog)->Videos();
  if (!listed.ok()) {
    PrintError(listed.status());
    return kExitInternal;
  }
  *videos = std::move(listed.value());
  Status st = (*catalog)->ForEachClip([predictions](const VideoRecord& v, const ClipRecord& c) {
    VideoPrediction& p = (*predictions)[v.id];
    const double length = c.end_time - c.start_time;
    const bool longest = length > p.longest;
    if (longest) p.longest = length;
    for (const Attribute& a : c.attributes) {
      if (a.name == "camera.movement" && longest) p.movement = a.text;
      if (a.name == "framing.shot_scale") {
        if (longest) p.shot_scale = a.text;
        p.scales.push_back({c.start_time, c.end_time, a.text});
      }
      if (a.name == "camera.segments") {
        auto segs = ParseCameraSegments(a.text);
        if (segs.ok()) {
          p.segments.insert(p.segments.end(), segs->begin(), segs->end());
        } else if (p.segment_error.empty()) {
          p.segment_error = segs.status().message();
        }
      }
    }
    return true;
  });
  if (!st.ok()) {
    PrintError(st);
    return kExitInternal;
  }
  return kExitOk;
}

// Walks the catalog videos that have ground truth: entries that cannot be scored and videos
// that failed ingest are listed in `skipped` with the reason; the rest go to `score`.
template <typename Truth, typename Score>
void ForEachScoredVideo(const std::vector<Truth>& gt, const std::vector<VideoRecord>& videos,
                        std::map<int64_t, VideoPrediction>& predictions,
                        std::vector<std::string>* skipped, Score score) {
  for (const VideoRecord& v : videos) {
    const Truth* truth = MatchLabelTruth(gt, v.path);
    if (truth == nullptr) continue;
    if (!truth->skip_reason.empty()) {
      skipped->push_back(truth->key + ": " + truth->skip_reason);
    } else if (v.status != "ok") {
      skipped->push_back(truth->key + ": not ingested (" + v.error + ")");
    } else {
      score(*truth, predictions[v.id]);
    }
  }
}

int RunEvalCamera(const LabelEvalArgs& args) {
  std::vector<CameraTruth> gt;
  if (!LoadAll(args.gt_files, LoadCameraGroundTruth, &gt)) return kExitUsage;
  std::unique_ptr<Catalog> catalog;
  std::vector<VideoRecord> videos;
  std::map<int64_t, VideoPrediction> predictions;
  if (int rc = CollectPredictions(args.dataset, &catalog, &videos, &predictions); rc != 0) {
    return rc;
  }
  std::vector<CameraEvalRow> rows;
  std::vector<std::string> skipped;
  ForEachScoredVideo(
      gt, videos, predictions, &skipped, [&](const CameraTruth& truth, const VideoPrediction& p) {
        // A missing attribute means the analyzer did not run (--no-camera, still image), which says
        // nothing about its accuracy.
        if (p.movement.empty()) {
          skipped.push_back(truth.key +
                            ": no camera.movement attribute (ingested with --no-camera?)");
          return;
        }
        if (!truth.segments.empty() && !p.segment_error.empty()) {
          skipped.push_back(truth.key + ": segments not scored: " + p.segment_error);
        }
        rows.push_back(EvaluateCamera(truth, p.movement, p.segments));
      });
  if (rows.empty()) {
    for (const auto& s : skipped) std::fprintf(stderr, "  skipped %s\n", s.c_str());
    std::fprintf(stderr, "clipdex: no video of the dataset matches the camera ground truth\n");
    return kExitUsage;
  }
  std::printf("%s", FormatCameraEvalReport(rows, skipped).c_str());
  return kExitOk;
}

int RunEvalFraming(const LabelEvalArgs& args) {
  std::vector<FramingTruth> gt;
  if (!LoadAll(args.gt_files, LoadFramingGroundTruth, &gt)) return kExitUsage;
  std::unique_ptr<Catalog> catalog;
  std::vector<VideoRecord> videos;
  std::map<int64_t, VideoPrediction> predictions;
  if (int rc = CollectPredictions(args.dataset, &catalog, &videos, &predictions); rc != 0) {
    return rc;
  }
  std::vector<FramingEvalRow> rows;
  std::vector<std::string> skipped;
  // Time points: several per video, each scored on the clip containing its time.
  std::vector<FramingTruth> whole;
  for (const FramingTruth& t : gt) {
    if (t.time < 0) {
      whole.push_back(t);
      continue;
    }
    if (!args.split.empty() && t.split != args.split) continue;
    char at[32];
    std::snprintf(at, sizeof at, " @%.2fs", t.time);
    const std::string name = t.key + at;
    const VideoRecord* video = nullptr;
    for (const VideoRecord& v : videos) {
      if (KeyMatchesPath(t.key, v.path)) video = &v;
    }
    if (video == nullptr) continue;
    if (video->status != "ok") {
      skipped.push_back(name + ": not ingested (" + video->error + ")");
      continue;
    }
    const std::string label = LabelAtTime(predictions[video->id].scales, t.time);
    if (label.empty()) {
      skipped.push_back(name + ": no framing.shot_scale attribute (ingested with --no-framing?)");
      continue;
    }
    rows.push_back({name, t.acceptable, label});
  }
  ForEachScoredVideo(
      whole, videos, predictions, &skipped,
      [&](const FramingTruth& truth, const VideoPrediction& p) {
        if (p.shot_scale.empty()) {
          skipped.push_back(truth.key +
                            ": no framing.shot_scale attribute (ingested with --no-framing?)");
          return;
        }
        rows.push_back({truth.key, truth.acceptable, p.shot_scale});
      });
  if (rows.empty()) {
    for (const auto& s : skipped) std::fprintf(stderr, "  skipped %s\n", s.c_str());
    std::fprintf(stderr, "clipdex: no video of the dataset matches the framing ground truth\n");
    return kExitUsage;
  }
  std::printf("%s", FormatFramingEvalReport(rows, skipped).c_str());
  return kExitOk;
}

}  // namespace

void AddLabelEvalVerbs(CLI::App* eval, int* exit_code) {
  auto camera_args = std::make_shared<LabelEvalArgs>();
  CLI::App* camera = eval->add_subcommand(
      "camera", "camera.movement: accuracy, confusion matrix, segment IoU and boundary error");
  AddDatasetArgument(camera, &camera_args->dataset);
  camera
      ->add_option("--gt", camera_args->gt_files,
                   "Ground truth: *.gt.json sidecar(s) or a label map with \"camera_motion\"")
      ->required();
  camera->callback([camera_args, exit_code]() { *exit_code = RunEvalCamera(*camera_args); });

  auto framing_args = std::make_shared<LabelEvalArgs>();
  CLI::App* framing = eval->add_subcommand(
      "framing", "framing.shot_scale: accuracy and confusion matrix (set-valued ground truth)");
  AddDatasetArgument(framing, &framing_args->dataset);
  framing
      ->add_option("--gt", framing_args->gt_files,
                   "Ground truth: *.gt.json sidecar(s), a label map with \"shot_scale\", or "
                   "time-point labels {\"points\": [{video, time, accept}]}")
      ->required();
  framing->add_option("--split", framing_args->split,
                      "Time-point labels: score only the points of this split (tune, held_out)");
  framing->callback([framing_args, exit_code]() { *exit_code = RunEvalFraming(*framing_args); });
}

}  // namespace clipdex::cli

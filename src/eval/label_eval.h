// Evaluation of the per-clip labels (camera.movement with its camera.segments, framing.shot_scale)
// against ground truth: loading the label files, matching them to catalog videos, and scoring
// (accuracy, confusion matrix, segment IoU, boundary error). Pure logic, no catalog access, so
// it can be tested on hand-built predictions; the `eval camera` / `eval framing` verbs feed it.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "caption/film_vocabulary.h"
#include "util/status.h"

namespace clipdex {

// The labels framing.shot_scale can take (caption/film_vocabulary.h ShotScaleLabels), closest
// first, plus "extreme_long", which ground truth may use and the analyzer never writes.
const std::vector<std::string>& EvalShotScaleLabels();

// A labelled time span, seconds from the stream start.
struct LabelSegment {
  std::string label;
  double start = 0;
  double end = 0;
};

// The camera ground truth of one video.
struct CameraTruth {
  // A video path relative to the media root ("video/deb_pd_diver.mov") or a file name
  // ("syn_pan_left.mp4") for a sidecar.
  std::string key;
  // The expected camera.movement of the whole video; "mixed" for multi-segment ground truth.
  std::string label;
  std::vector<LabelSegment> segments;  // multi-segment ground truth only, in time order
  // Non-empty: the entry cannot be scored ("label 'zoom' names no direction").
  std::string skip_reason;
};

// The shot-scale ground truth of one video, or of one moment of it.
struct FramingTruth {
  std::string key;
  // Labels that count as correct; the first is the "truth" row of the confusion matrix. Human
  // annotators often hedge between neighbouring scales ("long / full shot"), hence a set.
  std::vector<std::string> acceptable;
  std::string skip_reason;
  // A time-point label (seconds from the stream start; a still is time 0): the clip containing
  // it is scored. Negative: a whole-video label, scored on the video's longest clip.
  double time = -1;
  // The label file's "split" ("tune", "held_out", ...); empty when it has none.
  std::string split;
  // A constructed crop: the photo it is cut from (relative to the media root) and the rectangle
  // [x, y, w, h] as fractions of the photo; `key` is the name the crop is saved under.
  std::string crop_from;
  std::vector<double> crop;
};

// One clip's label and span, for scoring time points.
struct ClipLabel {
  double start = 0;
  double end = 0;
  std::string label;
};

// The label of the clip whose [start, end) contains `time`; a time between clips (a gradual
// transition, a dropped too-short shot) goes to the nearest clip. Empty when `clips` is empty.
std::string LabelAtTime(const std::vector<ClipLabel>& clips, double time);

// Loads camera ground truth from either supported format:
//  * a sidecar "<video>.gt.json" keyed by the file name minus ".gt.json" (or by each name of its
//    "files" array), with "motion": "<label>", or "segments": [[start_frame, end_frame, label,
//    (px/frame)]...] plus "fps" (frames become seconds; the expected whole-video label is
//    "mixed");
//  * a label map with "camera_motion": {label: ["video/x.mp4 (free-text note)", ...]}; the
//    " (note)" is stripped and keys starting with "_" are comments.
// Labels that name no camera.movement value ("zoom", "slow_pan_or_drift") and sidecars without
// camera labels come back with a skip_reason, so a directory of sidecars can be loaded wholesale.
// Errors: unreadable file, invalid JSON, malformed segments.
Result<std::vector<CameraTruth>> LoadCameraGroundTruth(const std::filesystem::path& file);

// Loads shot-scale ground truth: a sidecar with "shot_scale": "<free text>" (see
// ParseShotScaleText), a label map with "shot_scale": {label: ["video/x.mp4 (note)", ...]}
// whose labels are parsed the same way ("long_full" -> {long, full}), or time-point labels
// {"points": [{"video", "time", "accept": [labels], "split"?, "from"?, "crop"?, "note"?}]}
// (tests/analyze/framing_labels.json). Entries without a recognisable scale come back with a
// skip_reason. Errors as for LoadCameraGroundTruth, plus a malformed point (its index named).
Result<std::vector<FramingTruth>> LoadFramingGroundTruth(const std::filesystem::path& file);

// The canonical camera.movement label for a ground-truth label ("Pan-Left" -> "pan_left"), or ""
// when it names none of CameraMovementLabels().
std::string NormalizeCameraLabel(std::string_view label);

// The shot-scale labels named in free text, in order, without duplicates:
// "extreme close-up / close-up (face fills frame)" -> {extreme_close_up, close_up},
// "long / full shot" -> {long, full}, "medium_closeup_head_and_shoulders" -> {medium_close_up}.
// Parenthesised remarks are ignored; empty when nothing is recognised.
std::vector<std::string> ParseShotScaleText(std::string_view text);

// Parses a camera.segments attribute (JSON [{"label","start","end",...}]). Error on bad JSON.
Result<std::vector<LabelSegment>> ParseCameraSegments(const std::string& json);

// True when a catalog video path belongs to a ground-truth key: equal, or ends with "/" + key.
bool KeyMatchesPath(const std::string& key, const std::string& video_path);

// The ground-truth entry for a catalog video path (T has a `key`): the longest matching key
// wins, ties go to the earliest entry. Skipped entries are returned too, so the caller can say
// why the video is not scored. nullptr when nothing matches.
template <typename T>
const T* MatchLabelTruth(const std::vector<T>& gt, const std::string& video_path) {
  const T* best = nullptr;
  for (const T& t : gt) {
    if (!KeyMatchesPath(t.key, video_path)) continue;
    if (best == nullptr || t.key.size() > best->key.size()) best = &t;
  }
  return best;
}

// Counts of (truth, predicted) pairs. Correctness is passed in rather than derived from
// truth == predicted, because shot scale accepts any label of a set.
class ConfusionMatrix {
 public:
  // `label_order`: how rows and columns are ordered; labels not in it follow, sorted.
  explicit ConfusionMatrix(std::vector<std::string> label_order);
  void Add(const std::string& truth, const std::string& predicted, bool correct);
  int Count(const std::string& truth, const std::string& predicted) const;
  int total() const { return total_; }
  int correct() const { return correct_; }
  double accuracy() const;  // 0 when empty
  // Labels that occur as truth or prediction, in display order.
  std::vector<std::string> Labels() const;
  // A fixed-width table: rows truth, columns predicted; only labels that occur are shown.
  std::string Format() const;

 private:
  std::vector<std::string> order_;
  std::map<std::pair<std::string, std::string>, int> counts_;
  int total_ = 0;
  int correct_ = 0;
};

// Temporal IoU of one ground-truth segment against the predicted segments with its label that
// overlap it (taken as their union, so a run split by a short blip still counts as one):
// |gt ∩ P| / |gt ∪ P|. 0 when none overlaps.
double SegmentIoU(const LabelSegment& gt, const std::vector<LabelSegment>& predicted);

struct SegmentScore {
  int gt_segments = 0;
  double mean_iou = 0;  // SegmentIoU averaged over the ground-truth segments
  // Times where the ground-truth label changes (between consecutive segments).
  std::vector<double> gt_boundaries;
  // Per ground-truth boundary, |boundary - nearest predicted label change| in seconds; empty
  // when the prediction has no label change at all (every boundary missed).
  std::vector<double> boundary_errors;
  double mean_boundary_error() const;  // 0 when boundary_errors is empty
  double max_boundary_error() const;
};

// Scores predicted segments (any order; the label changes are taken after sorting by start)
// against ground-truth segments.
SegmentScore ScoreSegments(const std::vector<LabelSegment>& gt,
                           const std::vector<LabelSegment>& predicted);

struct CameraEvalRow {
  std::string video;  // the ground-truth key
  std::string expected;
  std::string predicted;
  bool has_segments = false;  // multi-segment ground truth: `segments` is meaningful
  SegmentScore segments;
};

struct FramingEvalRow {
  std::string video;
  std::vector<std::string> acceptable;
  std::string predicted;
  bool correct() const;
};

// Builds the scored row for one video; `predicted_segments` may be empty.
CameraEvalRow EvaluateCamera(const CameraTruth& truth, const std::string& predicted,
                             const std::vector<LabelSegment>& predicted_segments);

// Reports: a per-video table, accuracy, the confusion matrix (rows truth, columns predicted),
// segment scores (camera), then `skipped` lines under a "skipped" heading.
std::string FormatCameraEvalReport(const std::vector<CameraEvalRow>& rows,
                                   const std::vector<std::string>& skipped);
std::string FormatFramingEvalReport(const std::vector<FramingEvalRow>& rows,
                                    const std::vector<std::string>& skipped);

}  // namespace clipdex

// TRECVID-style shot-boundary evaluation: loads ground truth, matches predicted transitions
// against it one-to-one, and reports precision / recall / F1 for cuts, gradual transitions and
// all boundaries together.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "shots/transition.h"
#include "util/status.h"

namespace clipdex {

// The ground truth of one video. Gradual labels given as [start, end) ranges are stored as
// Transition{first_frame = start, last_frame = end - 1}, i.e. the blended frames inclusive.
struct GroundTruthVideo {
  // A video path relative to the media root ("video/gh_psd_testvideo.mp4"), or a file name
  // ("syn_transitions.mp4") for a sidecar.
  std::string key;
  std::vector<Transition> boundaries;  // sorted by first_frame
  // Non-empty: the entry cannot be scored (e.g. "labels in a foreign format: motion"). An entry
  // that declares "frames" but labels no boundary at all is NOT skipped: it is scored as a video
  // with zero expected boundaries, so false positives on it count.
  std::string skip_reason;
};

// Loads a ground-truth file in either supported format; a file may yield several videos:
//  * a label map: a JSON object keyed by relative video path, each value an object with any of
//    "cuts" [frame...], "fade_in" / "fade_out" / "dissolve" / "wipe" [[start, end)...] and
//    "transitions" (see below); keys starting with "_" are comments;
//  * a sidecar "<video>.gt.json" describing one video, keyed by the file name minus ".gt.json",
//    with "cuts" and/or "transitions": [{"type": "dissolve", "start": 75, "end": 100},
//    {"type": "cut", "frame": 325}, ...].
// Entries whose labels are all of other kinds (camera motion, shot scale, ...) come back with a
// skip_reason rather than an error, so one directory of sidecars can be loaded wholesale.
// Errors: unreadable file, invalid JSON, malformed boundary labels.
Result<std::vector<GroundTruthVideo>> LoadShotGroundTruth(const std::filesystem::path& file);

// Picks the ground-truth entry for a catalog video path: a key matches when the path equals it
// or ends with "/" + key; the longest matching key wins (ties: the earliest entry). Skipped
// entries are returned too, so the caller can report why the video is not scored. nullptr when
// nothing matches.
const GroundTruthVideo* MatchGroundTruth(const std::vector<GroundTruthVideo>& gt,
                                         const std::string& video_path);

// Detection counts. The 0/0 conventions make an empty-vs-empty comparison perfect and keep
// each number meaningful on its own: precision is 1 when nothing was predicted (tp + fp == 0),
// recall is 1 when nothing was expected (tp + fn == 0), and F1 is the harmonic mean of the two,
// 0 when both are 0. So a video with zero expected boundaries and one false positive scores
// P = 0, R = 1, F1 = 0.
struct PRF {
  int tp = 0;
  int fp = 0;
  int fn = 0;
  double precision() const;
  double recall() const;
  double f1() const;
  PRF& operator+=(const PRF& other);
};

struct ShotEvalResult {
  std::string video;
  PRF cuts;     // predicted cuts vs ground-truth cuts
  PRF gradual;  // predicted gradual transitions vs ground-truth gradual ones (any gradual type)
  PRF total;    // every predicted boundary vs every ground-truth boundary
  // Human-readable errors in frame order: "missed dissolve 529-558", "false cut at 77",
  // "cut at 30 found as dissolve 28-33 (total only)".
  std::vector<std::string> notes;
};

// Greedy one-to-one matching of `predicted` against `gt` (frame indices; order irrelevant):
//  * cuts: a predicted cut matches a ground-truth cut within +-tol frames, closest pairs first;
//  * gradual: a predicted gradual transition matches a ground-truth gradual one when their
//    frame intervals overlap once the ground truth is widened by +-tol, largest overlap first;
//    the gradual types are not distinguished (a dissolve may match a fade);
//  * cross-class, `total` only: after the two passes, a leftover predicted gradual transition
//    whose interval, widened by +-tol, contains a leftover ground-truth cut, and a leftover
//    predicted cut inside a leftover ground-truth gradual interval widened by +-tol, are
//    matches in `total` (TRECVID's overall score counts any boundary found at the right place)
//    but stay a false positive plus a miss in the per-class numbers.
// A negative tol is treated as 0.
ShotEvalResult EvaluateVideo(const std::string& video, const std::vector<Transition>& gt,
                             const std::vector<Transition>& predicted, int tol);

// Sums the counts of `rows` into one result named "TOTAL" (micro-average: every boundary of every
// video weighs the same). Notes are not carried over.
ShotEvalResult SumResults(const std::vector<ShotEvalResult>& rows);

// A fixed-width text table: one row per video, a TOTAL row, then `skipped_lines` (e.g.
// "video/gh_psd_fades.mp4: labels in a foreign format: ...") under a "skipped" heading.
std::string FormatShotEvalTable(const std::vector<ShotEvalResult>& rows,
                                const std::vector<std::string>& skipped_lines);

}  // namespace clipdex

// CameraMotionAnalyzer: how the camera moves within a clip (pan, tilt, zoom, roll, handheld,
// static), with time segments, a speed, and how much the subject moves on its own.
//
// Method: for each sampled pair of consecutive frames (grey, 320 px long side; the pipeline
// passes over repeated frames) track corners (goodFeaturesToTrack + pyramidal Lucas-Kanade with
// a forward-backward check) and fit a similarity transform (estimateAffinePartial2D, RANSAC).
// The fit is the camera; what the fit does not explain is the subject. Two guards: when the
// strict fit fails on a fast, blurred, low-texture pair, a coarse translation fit with looser
// tolerances may still measure a large move the whole frame agrees on; and when a subject wins
// the fit while the frame border did not move, the camera counts as still. Rates are normalised
// by frame size and per second so the same camera move gives the same numbers at any resolution
// or frame rate.
//
// Direction convention (labels name what the CAMERA does, not what the content does):
//   pan_left   camera turns left   -> content moves RIGHT on screen (flow tx > 0)
//   pan_right  camera turns right  -> content moves LEFT            (flow tx < 0)
//   tilt_up    camera tilts up     -> content moves DOWN            (flow ty > 0, y grows down)
//   tilt_down  camera tilts down   -> content moves UP              (flow ty < 0)
//   zoom_in    content grows       (scale > 1)
//   zoom_out   content shrinks     (scale < 1)
//   roll_cw    camera rolls clockwise -> content turns counter-clockwise on screen
//   roll_ccw   camera rolls counter-clockwise -> content turns clockwise on screen
// Trucking/dolly moves are indistinguishable from pan/zoom with this 2-D model and get those
// labels. See docs/attributes.md for every attribute, unit and measured accuracy.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "analyze/analyzer.h"

namespace clipdex {

// Global motion between one pair of frames. Rates are per second of video.
struct PairMotion {
  double time = 0;          // time of the first frame of the pair
  bool valid = false;       // false: too little texture / no consistent fit ("unknown", not static)
  bool duplicate = false;   // the two frames are identical: no evidence either way
  int tracked = 0;          // points that passed the forward-backward check
  double inliers = 0;       // RANSAC inlier fraction of `tracked`
  double pan = 0;           // content translation at the frame centre, x: frame widths / s
  double tilt = 0;          // same, y: frame heights / s (positive = content moves down)
  double zoom = 0;          // log(scale) / s (positive = content grows)
  double roll = 0;          // content rotation, radians / s (positive = clockwise on screen)
  double camera = 0;        // mean |global displacement| of the tracked points, diagonals / s
  double subject = 0;       // median |residual after removing the global fit|, diagonals / s
  double overall = 0;       // mean |raw displacement| of the tracked points, diagonals / s
  double px_per_frame = 0;  // mean |global displacement|, pixels per frame at this pair's size
  bool coarse = false;      // from the low-texture fallback (looser tracks and tolerance)
  bool careful = false;     // the fast pass found no fit: tracked again forward-backward
  // The fit followed a subject: the frame border did not move, so the camera counts as still.
  bool still_background = false;
};

struct CameraMotionOptions {
  double sample_fps = 3.0;  // pairs per second: 0.33 s segment resolution
  int long_side = 320;
  int max_corners = 200;
  // Two passes. The fast one tracks forward only with an 11-pixel Lucas-Kanade window and keeps
  // tracks whose patches match (mean absolute difference <= fast_max_patch_error grey levels):
  // a third of the CPU of forward-backward tracking with a 21-pixel window (0.86 vs 2.5 ms per
  // pair on the 1080p bench file's pairs). Pairs whose strict fit fails on those tracks (weak
  // texture, blur, noise, large moves, lighting changes) get the careful pass: forward-backward
  // with the wide window, then the low-texture fallback; they are read as before the fast pass.
  int lk_window = 11;
  double fast_max_patch_error = 3.0;
  int wide_lk_window = 21;
  // Relative to the strongest corner; low, because soft footage (wallpaper-smooth photos,
  // underwater) has one strong corner and many usable weak ones.
  double corner_quality = 0.001;
  int min_tracked = 20;  // fewer tracked points -> unknown
  double min_inlier_fraction = 0.35;
  double fb_max_error_px = 0.7;  // forward-backward disagreement allowed, analysis pixels
  double ransac_px = 0.8;
  // A zoom/roll fit is kept only if its inlier residual (RMS) is below this fraction of a
  // pure shift's; else the pair is a shift (noise on smooth gradients fits spurious zooms).
  double min_similarity_gain = 0.8;
  // Fallback when the strict fit fails: looser forward-backward check and RANSAC tolerance
  // (blurred, low-texture fast motion; the tolerance is the larger of coarse_ransac_px and
  // coarse_ransac_fraction of the median track length), accepted only for a move of at least
  // coarse_min_px whose inliers reach at least coarse_min_spread of the grid cells that hold
  // tracked points.
  double coarse_fb_px = 2.0;
  double coarse_ransac_px = 2.5;
  double coarse_ransac_fraction = 0.25;
  double coarse_min_px = 2.5;
  double coarse_min_spread = 0.5;
  // Still-camera check: when at least this fraction of the tracked points did not move but the
  // fit says they did (or the fit's inliers stay off the frame border), the 12 segments of the
  // frame border vote; "still" needs this many segments and twice those that side with the fit.
  double still_outlier_fraction = 0.2;
  int min_still_border_cells = 3;
  // A component counts as movement above these rates (all in "diagonals per second" after the
  // conversion in the .cpp: a 1 px/frame pan of a 1280x720 frame at 25 fps is 0.017).
  double move_threshold = 0.0085;
  // ... and only when the displacement per frame is above the tracker's noise floor.
  double min_px_per_frame = 0.06;
  double handheld_jitter = 0.02;  // typical sample-to-sample velocity change, diagonals / s
  // Shake: the jitter exceeds this fraction of the window's mean velocity (a steady pan with a
  // little shake has a mean well above its jitter).
  double handheld_ratio = 0.6;
  double min_segment_seconds = 0.4;
  double dominant_fraction = 0.6;  // below this coverage the clip is "mixed"
};

// Estimates global motion from `a` to `b` (same size, 8-bit grey), `dt` seconds apart.
PairMotion EstimatePairMotion(const cv::Mat& a, const cv::Mat& b, double dt,
                              const CameraMotionOptions& options = {});

// camera.speed of a movement label at a rate in frame diagonals / s: none (static, unknown),
// slow, medium or fast. Captions word each segment's speed with the same thresholds.
std::string CameraSpeedLabel(const std::string& movement, double diagonals_per_second);

struct MotionSegment {
  std::string label;
  double start = 0, end = 0;     // seconds
  double rate = 0;               // mean global motion magnitude, diagonals / s
  double px_per_frame_720p = 0;  // the same, as pixels per frame of a 1280x720 frame at clip fps
};

class CameraMotionAnalyzer : public ClipAnalyzer {
 public:
  explicit CameraMotionAnalyzer(CameraMotionOptions options = {}) : options_(options) {}
  std::string name() const override { return "camera_motion"; }
  FrameNeed need() const override;
  // Emits camera.movement, camera.confidence, camera.speed, camera.speed_value,
  // camera.segments, motion.camera, motion.subject, motion.overall. Nothing for still images.
  void Analyze(const ClipSpan& clip, const std::vector<AnalysisFrame>& frames,
               std::vector<Attribute>* out) override;

  // Explainability (PySceneDetect-style stats): the per-pair estimates, per-sample labels and
  // segments of the last Analyze() call.
  const std::vector<PairMotion>& last_pairs() const { return pairs_; }
  const std::vector<std::string>& last_labels() const { return labels_; }
  const std::vector<MotionSegment>& last_segments() const { return segments_; }

 private:
  CameraMotionOptions options_;
  std::vector<PairMotion> pairs_;
  std::vector<std::string> labels_;
  std::vector<MotionSegment> segments_;
};

}  // namespace clipdex

// Tuned thresholds of the shot detector, shared by its cut half (shot_detector.cpp) and its
// gradual-transition half (gradual_transitions.cpp). Private to src/shots/; docs/shots.md says
// what each rule does and on which half of the evaluation corpus each value was chosen.
#pragma once

namespace clipdex::shot_tuning {

inline constexpr double kStaticDiff = 0.6;  // tiny-frame difference below which a frame is "still"
// A frame whose difference to its predecessor is below this repeats it (animation on twos,
// telecine, 24-in-25 film transfers, duplicated frames of a frame-rate conversion): the encoder
// reproduces a repeated picture almost exactly, while even static live footage has sensor noise.
inline constexpr double kRepeatDiff = 0.25;
// A window's in-between frame counts as a wipe when this fraction of its changing pixels sits at
// one of the ends; VerifyAndClassify classifies the half-way frame with it too. Tiny frames
// blur a wipe's edge (random-block wipes have many edges), hence well under 1.
inline constexpr double kWipeAtEndFraction = 0.7;
// Stricter for the windows than for the classification: without the blend fit, content moving
// inside one shot would otherwise pass as a wipe.
inline constexpr double kWipeWindowAtEndFraction = 0.75;
// A window (or a region's half-way frame) is a slide when a slide composite of its ends explains
// its in-between frames to within kSlideMaxResidual of the nearer end picture's difference
// (shots/slide_fit.h), the composite's seam stands out from the picture's own line-to-line steps
// by kSlideMinSeam, and no single shifted end explains the half-way frame as well (a pan).
// Tuning half: residual 0.2-0.5 all find the same two slides more and no false boundary (0.45
// did add a false wipe before the seam and pan guards); 0.35 sits in the middle. The seam
// changed nothing on the 18-negative tuning half from 0 to 1.3; on the 100-negative one a whip
// pan read as a slide at 1.15-1.31, while the tuning half's true slides read >= 1.65 at every
// quarter, so 1.5 (the flickering pan of the unit tests reads 0.7). Slides still missed run into
// content that changes every frame (cellular automata, 24-in-25 film): residual 0.49-0.6.
inline constexpr double kSlideMaxResidual = 0.35;
inline constexpr double kSlideMinSeam = 1.5;
// Luma standard deviation under which a tiny frame counts as uniform (black, white, one colour).
inline constexpr double kTexturedStd = 8.0;
// A cut candidate whose colour histograms differ less than this is one shot (see
// CandidateIsCut); chosen on the tuning half of the evaluation corpus.
inline constexpr double kCutMinHistogram = 0.06;
// A cut candidate whose motion-compensated residual is below this fraction of the plain
// difference is motion (tuning half: camera/subject motion <= 0.40, cuts >= 0.57).
inline constexpr double kCutMinMotionResidual = 0.45;

// A gradual region splits where fewer than this fraction of the passing windows cover a frame
// than cover the peaks on both sides (two adjacent transitions), and each piece is trimmed to
// the frames covered by at least kRegionTrimCover of its peak. Tuning half: 0.7 / 0.5 (0.85
// splits single dissolves over moving content; trimming at 0.2-0.35 keeps less of the recall).
inline constexpr double kRegionSplitDip = 0.7;
inline constexpr double kRegionTrimCover = 0.5;
// A wipe or dissolve whose start picture returns (or whose end picture was already there)
// within this many seconds, closer than this fraction of the transition's own difference, is
// an object passing through one shot. Tuning half: 0.5 / 1.0 s (0.6-0.7 lose dissolves that
// return to a similar shot; 0.5 s misses slow sweeps).
inline constexpr double kRevertFraction = 0.5;
inline constexpr double kRevertSeconds = 1.0;

// A wipe or dissolve advances its blend weight steadily (see BlendProgress). Rejected when over
// some stretch of a fifth of its interior the weight advances at under kMinProgressRate of its
// mean rate, or when two consecutive steps carry more than kMaxTwoStepProgress of it. Tuning
// half (60 hard-negative videos per half): true dissolves and wipes >= 0.39 and <= 0.45, the
// false dissolves of handheld footage 12 of 19 <= 0.29 (plateaus, drifting back), one Ken Burns
// jump 0.85.
inline constexpr double kMinProgressRate = 0.3;
inline constexpr double kMaxTwoStepProgress = 0.6;

// A cut candidate is an object passing through one shot (a dark shape sweeping past the lens)
// when, within kCutRevertSeconds after it, some frame is closer than kCutRevertFraction of the
// candidate's own difference to one of the kCutRevertBefore frames before it (see
// CutRevertsLater). Tuning half: true cuts score >= 0.35 on this ratio over 8 frames before and
// 1 s after; passing objects and flicker <= 0.16.
inline constexpr double kCutRevertSeconds = 1.0;
inline constexpr long kCutRevertBefore = 6;
inline constexpr double kCutRevertFraction = 0.25;
// A cut candidate whose luma is the previous frame's with a gain in [kRelitMinGain,
// kRelitMaxGain] plus an offset, up to a residual under kRelitMaxResidual of the plain
// difference, is a brightness change (flicker, exposure) inside one shot (see Relit). Tuning
// half: flicker 0.08-0.11; true cuts between textured frames either fit no plausible gain (the
// best gain of unrelated pictures is ~0; the two of 43 with a gain >= 0.5 leave >= 0.89).
inline constexpr double kRelitMinGain = 0.5;
inline constexpr double kRelitMaxGain = 2.0;
inline constexpr double kRelitMaxResidual = 0.3;

}  // namespace clipdex::shot_tuning

// The cut rules of docs/shots.md on hand-made tiny frames: repeated frames, motion, flashes,
// black and two-frame inserts, the file's first frame, and the hard negatives of the evaluation
// corpus (flicker, a dark object sweeping past the lens, a bright object leaving the frame).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "shots/motion_residual.h"
#include "shots/shot_detector.h"

namespace clipdex {
namespace {

constexpr int kW = 64, kH = 36;

// A wide smooth random texture (random values on a 4-pixel grid, bilinearly interpolated, like
// a real scene at 64x36) with its own colour; frames are 64x36 windows of it, so a pan is an
// exact shift and a small pan a small difference.
struct Texture {
  int width;
  std::vector<uint8_t> y;
  uint8_t u, v;
};

// Different shots get different luma ranges: random textures of one range all look alike to a
// block search, real scenes do not.
Texture MakeTexture(unsigned seed, int width = 160, int lo = 30, int hi = 220) {
  constexpr int kCell = 4;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> luma(lo, hi);
  const int gw = width / kCell + 2, gh = kH / kCell + 2;
  std::vector<int> grid(size_t(gw) * gh);
  for (int& g : grid) g = luma(rng);
  Texture t{width, std::vector<uint8_t>(size_t(width) * kH), 0, 0};
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < width; ++x) {
      const int gx = x / kCell, gy = y / kCell;
      const double fx = double(x % kCell) / kCell, fy = double(y % kCell) / kCell;
      const double top = (1 - fx) * grid[gy * gw + gx] + fx * grid[gy * gw + gx + 1];
      const double bottom = (1 - fx) * grid[(gy + 1) * gw + gx] + fx * grid[(gy + 1) * gw + gx + 1];
      t.y[size_t(y) * width + x] = static_cast<uint8_t>((1 - fy) * top + fy * bottom);
    }
  }
  t.u = static_cast<uint8_t>(60 + seed * 37 % 140);
  t.v = static_cast<uint8_t>(200 - seed * 53 % 140);
  return t;
}

TinyYuv Window(const Texture& t, int offset) {
  TinyYuv f;
  f.width = kW;
  f.height = kH;
  f.y.resize(size_t(kW) * kH);
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) f.y[size_t(y) * kW + x] = t.y[size_t(y) * t.width + x + offset];
  }
  f.u.assign(size_t(kW / 2) * (kH / 2), t.u);
  f.v.assign(size_t(kW / 2) * (kH / 2), t.v);
  return f;
}

TinyYuv Uniform(uint8_t luma) {
  TinyYuv f;
  f.width = kW;
  f.height = kH;
  f.y.assign(size_t(kW) * kH, luma);
  f.u.assign(size_t(kW / 2) * (kH / 2), 128);
  f.v.assign(size_t(kW / 2) * (kH / 2), 128);
  return f;
}

std::vector<Transition> Detect(const std::vector<TinyYuv>& frames, double fps = 25) {
  ShotDetector detector(ShotDetectorOptions{}, fps);
  std::vector<Transition> out;
  for (size_t i = 0; i < frames.size(); ++i) {
    detector.Push(static_cast<long>(i), i / fps, frames[i]);
    for (const Transition& t : detector.TakeConfirmed()) out.push_back(t);
  }
  detector.Finish();
  for (const Transition& t : detector.TakeConfirmed()) out.push_back(t);
  return out;
}

std::vector<long> CutFrames(const std::vector<Transition>& ts) {
  std::vector<long> cuts;
  for (const Transition& t : ts) {
    if (t.type == TransitionType::kCut) cuts.push_back(t.first_frame);
  }
  return cuts;
}

TEST(ShotDetectorRules, MotionResidualSeparatesMotionFromNewContent) {
  const Texture a = MakeTexture(1, 160, 20, 140), b = MakeTexture(2, 160, 110, 230);
  // A pan of 5 pixels: every block finds itself again (the right edge has nothing to match).
  const MotionResidual pan = TinyMotionResidual(Window(a, 10), Window(a, 15));
  EXPECT_GT(pan.raw, 20);
  EXPECT_LT(pan.ratio(), 0.2);
  // Different content: no shift explains it.
  const MotionResidual cut = TinyMotionResidual(Window(a, 10), Window(b, 10));
  EXPECT_GT(cut.ratio(), 0.6);
  // Identical frames: nothing to explain.
  EXPECT_EQ(TinyMotionResidual(Window(a, 0), Window(a, 0)).raw, 0);
}

TEST(ShotDetectorRules, SuddenCameraJumpIsNotACut) {
  // Still, then the camera jerks 4 pixels once and holds: a single large difference with the
  // same content, explained by a shift.
  const Texture a = MakeTexture(3);
  std::vector<TinyYuv> frames;
  for (int i = 0; i < 20; ++i) frames.push_back(Window(a, 20));
  for (int i = 0; i < 20; ++i) frames.push_back(Window(a, 24));
  EXPECT_TRUE(Detect(frames).empty());
}

TEST(ShotDetectorRules, RepeatedFramesDoNotTurnMotionIntoCuts) {
  // Animation on twos: every picture is shown twice, the pan accelerates (1 -> 5 px per
  // picture). Differences alternate 0 / large; the cut at frame 40 into another texture (also
  // on twos) is found, the motion is not.
  const Texture a = MakeTexture(4, 200, 20, 140), b = MakeTexture(5, 200, 110, 230);
  std::vector<TinyYuv> frames;
  int offset = 0;
  for (int pic = 0; pic < 20; ++pic) {
    offset += 1 + pic / 5;
    frames.push_back(Window(a, offset));
    frames.push_back(Window(a, offset));
  }
  for (int pic = 0; pic < 20; ++pic) {
    frames.push_back(Window(b, 2 * pic));
    frames.push_back(Window(b, 2 * pic));
  }
  EXPECT_EQ(CutFrames(Detect(frames)), std::vector<long>{40});
}

TEST(ShotDetectorRules, CutThroughTwoBlackFramesIsOneCut) {
  const Texture a = MakeTexture(6, 160, 20, 140), b = MakeTexture(7, 160, 110, 230);
  std::vector<TinyYuv> frames;
  for (int i = 0; i < 20; ++i) frames.push_back(Window(a, i));
  frames.push_back(Uniform(16));
  frames.push_back(Uniform(16));
  for (int i = 0; i < 20; ++i) frames.push_back(Window(b, i));
  EXPECT_EQ(CutFrames(Detect(frames)), std::vector<long>{20});
}

TEST(ShotDetectorRules, TwoFrameInsertIsTwoCuts) {
  const Texture a = MakeTexture(8, 160, 20, 140), x = MakeTexture(9, 160, 110, 230),
                b = MakeTexture(10, 160, 20, 140);
  std::vector<TinyYuv> frames;
  for (int i = 0; i < 20; ++i) frames.push_back(Window(a, i));
  frames.push_back(Window(x, 0));
  frames.push_back(Window(x, 1));
  for (int i = 0; i < 20; ++i) frames.push_back(Window(b, i));
  EXPECT_EQ(CutFrames(Detect(frames)), (std::vector<long>{20, 22}));
}

TEST(ShotDetectorRules, WhiteFramesInsideAShotAreAFlash) {
  // Two white frames, then the same shot: neither the jump into the flash nor the one out of it
  // is a cut.
  const Texture a = MakeTexture(11);
  std::vector<TinyYuv> frames;
  for (int i = 0; i < 20; ++i) frames.push_back(Window(a, i));
  frames.push_back(Uniform(235));
  frames.push_back(Uniform(235));
  for (int i = 22; i < 40; ++i) frames.push_back(Window(a, i));
  EXPECT_TRUE(Detect(frames).empty());
}

TEST(ShotDetectorRules, BlackRunInsideAPanIsAFlash) {
  // Two black frames inside a pan of 2 px per frame: the picture after the run has moved 6 px
  // from the one before it, too far for the plain "same picture again" comparison (before the
  // motion-compensated one, the end of the run was a false cut).
  const Texture a = MakeTexture(17, 300);
  std::vector<TinyYuv> frames;
  for (int i = 0; i < 50; ++i)
    frames.push_back(i == 20 || i == 21 ? Uniform(16) : Window(a, 2 * i));
  EXPECT_TRUE(Detect(frames).empty());
  // The same run between two different panning shots stays one cut.
  const Texture b = MakeTexture(18, 300, 110, 230);
  for (int i = 22; i < 50; ++i) frames[i] = Window(b, 2 * i);
  EXPECT_EQ(CutFrames(Detect(frames)), std::vector<long>{20});
}

// Frame k of a `len`-frame slide from `a` to `b` (ffmpeg xfade slideleft): `a` pushed out to the
// left by k/len of the width, `b` entering from the right.
TinyYuv SlideLeft(const TinyYuv& a, const TinyYuv& b, int k, int len) {
  TinyYuv f = a;
  const int o = k * kW / len;
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) {
      f.y[size_t(y) * kW + x] =
          x < kW - o ? a.y[size_t(y) * kW + x + o] : b.y[size_t(y) * kW + x - (kW - o)];
    }
  }
  for (size_t i = 0; i < f.u.size(); ++i) {
    const bool from_b = int(i % (kW / 2)) >= (kW - o) / 2;
    f.u[i] = from_b ? b.u[i] : a.u[i];
    f.v[i] = from_b ? b.v[i] : a.v[i];
  }
  return f;
}

TEST(ShotDetectorRules, SlideIsOneWipe) {
  // Two panning shots joined by a 10-frame slide (frames 40-50): every step of a slide moves the
  // whole picture and no in-between frame lies between the ends, so the blend and wipe tests
  // reject it and the cut test sees motion (before FitSlide: no boundary at all).
  const Texture a = MakeTexture(21, 300, 30, 120), b = MakeTexture(22, 300, 140, 230);
  std::vector<TinyYuv> frames;
  for (int i = 0; i < 90; ++i) {
    if (i <= 40) {
      frames.push_back(Window(a, i));
    } else if (i < 50) {
      frames.push_back(SlideLeft(Window(a, i), Window(b, i), i - 40, 10));
    } else {
      frames.push_back(Window(b, i));
    }
  }
  const std::vector<Transition> found = Detect(frames);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].type, TransitionType::kWipe);
  // Covers the slide and not much more (the windows reaching into the panning shot after it
  // widen the region by a few frames, as for a dissolve).
  EXPECT_NEAR(found[0].first_frame, 40, 2);
  EXPECT_GE(found[0].last_frame, 49);
  EXPECT_LE(found[0].last_frame, 54);
}

TEST(ShotDetectorRules, FastPanIsNoSlide) {
  // A whip pan of 6 px per frame over one wide scene: every frame is a shift of the last, and
  // the content entering the frame continues the scene rather than starting a new picture.
  const Texture a = MakeTexture(23, 640);
  std::vector<TinyYuv> frames;
  for (int i = 0; i < 90; ++i) frames.push_back(Window(a, 6 * i));
  EXPECT_TRUE(Detect(frames).empty());
}

TEST(ShotDetectorRules, FirstFrameGlitchIsNoCut) {
  // Decoder start-up: a grey first frame, then the shot.
  const Texture a = MakeTexture(12);
  std::vector<TinyYuv> frames = {Uniform(128)};
  for (int i = 0; i < 30; ++i) frames.push_back(Window(a, i));
  EXPECT_TRUE(CutFrames(Detect(frames)).empty());
}

// The luma of every pixel shifted by `offset` (clipped), chroma unchanged: eq=brightness.
TinyYuv Brighter(TinyYuv f, int offset) {
  for (uint8_t& v : f.y) v = static_cast<uint8_t>(std::clamp(int(v) + offset, 0, 255));
  return f;
}

// `f` with the columns [x0, x0 + width) (clipped to the frame) of rows [y0, y0 + height) set
// to `luma` and neutral chroma: an object in front of the scene.
TinyYuv WithBox(TinyYuv f, int x0, int width, int y0, int height, uint8_t luma) {
  for (int y = std::max(0, y0); y < std::min(kH, y0 + height); ++y) {
    for (int x = std::max(0, x0); x < std::min(kW, x0 + width); ++x) {
      f.y[size_t(y) * kW + x] = luma;
      f.u[size_t(y / 2) * (kW / 2) + x / 2] = 128;
      f.v[size_t(y / 2) * (kW / 2) + x / 2] = 128;
    }
  }
  return f;
}

TEST(ShotDetectorRules, FlickerIsNoBoundary) {
  // 60 fps, 1.2 s of the corpus's flicker (eq brightness 0.18 sin(2.3 n) + 0.08 sin(5.1 n))
  // over a pan of a pixel per frame: single brightness steps stand out like cuts (before the
  // brightness-change rule, both starts drew false cuts).
  const Texture a = MakeTexture(13, 400);
  for (int start : {40, 87}) {
    std::vector<TinyYuv> frames;
    for (int i = 0; i < 200; ++i) {
      TinyYuv f = Window(a, i);
      if (i >= start && i <= start + 72) {
        f = Brighter(f, static_cast<int>(std::lround(
                            255 * (0.18 * std::sin(i * 2.3) + 0.08 * std::sin(i * 5.1)))));
      }
      frames.push_back(f);
    }
    EXPECT_TRUE(Detect(frames, 60).empty()) << "flicker from frame " << start;
  }
}

TEST(ShotDetectorRules, DarkObjectSweepingPastTheLensIsNoBoundary) {
  // A near-black full-height box, 51 of 64 columns wide, crosses a still picture in 5 frames
  // (before the revert rule: a false cut).
  const Texture a = MakeTexture(14, 300);
  std::vector<TinyYuv> frames;
  constexpr int kBox = 51, kSteps = 5;
  for (int i = 0; i < 75; ++i) {
    TinyYuv f = Window(a, 0);
    if (i >= 30 && i < 30 + kSteps) {
      const int x0 = -kBox + (i - 30 + 1) * (kW + kBox) / (kSteps + 1);
      f = WithBox(f, x0, kBox, 0, kH, 10);
    }
    frames.push_back(f);
  }
  EXPECT_TRUE(Detect(frames).empty());
}

TEST(ShotDetectorRules, CutStandsWhenTheNextShotDoesNotReturn) {
  // The revert test must not eat a cut into a shot that holds: A pans, then B pans.
  const Texture a = MakeTexture(15, 200, 20, 140), b = MakeTexture(16, 200, 110, 230);
  std::vector<TinyYuv> frames;
  for (int i = 0; i < 40; ++i) frames.push_back(Window(a, i));
  for (int i = 0; i < 40; ++i) frames.push_back(Window(b, i));
  EXPECT_EQ(CutFrames(Detect(frames)), std::vector<long>{40});
}

}  // namespace
}  // namespace clipdex

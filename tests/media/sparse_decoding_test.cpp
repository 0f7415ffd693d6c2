// Sparse decoding against dense decoding of the same real H.264 files (B-frames): every frame
// keeps its index and time, skipped frames are reported where they belong, and the exact
// re-decoder returns the very pictures dense decoding shows.
#include <gtest/gtest.h>

#include <map>

#include "../support/test_env.h"
#include "media/decoder.h"
#include "media/frame_fetcher.h"

namespace clipdex {
namespace {

struct Timeline {
  std::vector<double> times;              // by index, every frame
  std::map<long, uint64_t> picture_sums;  // by index, decoded frames only: luma checksum
  std::map<long, int64_t> skipped_pts;    // by index, skipped frames
  long skipped = 0;
};

uint64_t LumaSum(const AVFrame* f) {
  uint64_t sum = 0;
  for (int y = 0; y < f->height; ++y) {
    const uint8_t* row = f->data[0] + int64_t(y) * f->linesize[0];
    for (int x = 0; x < f->width; ++x) sum = sum * 31 + row[x];
  }
  return sum;
}

Timeline DecodeAll(const std::filesystem::path& file, bool sparse, bool* was_sparse) {
  DecodeOptions options;
  options.sparse = sparse;
  auto dec = VideoDecoder::Open(file, options);
  EXPECT_TRUE(dec.ok()) << dec.status().message();
  Timeline t;
  if (!dec.ok()) return t;
  DecodedFrame f;
  while (true) {
    auto got = dec.value()->Next(&f);
    EXPECT_TRUE(got.ok()) << got.status().message();
    if (!got.ok() || !got.value()) break;
    for (const SkippedFrame& s : f.skipped) {
      EXPECT_EQ(s.index, static_cast<long>(t.times.size()));
      t.times.push_back(s.time);
      t.skipped_pts[s.index] = s.pts;
      ++t.skipped;
    }
    if (f.frame == nullptr) continue;
    EXPECT_EQ(f.index, static_cast<long>(t.times.size()));
    t.times.push_back(f.time);
    t.picture_sums[f.index] = LumaSum(f.frame);
  }
  EXPECT_EQ(dec.value()->frames_decoded(), static_cast<long>(t.times.size()));
  if (was_sparse != nullptr) *was_sparse = dec.value()->sparse();
  return t;
}

class SparseDecoding : public ::testing::TestWithParam<const char*> {};

TEST_P(SparseDecoding, KeepsEveryFramesIndexTimeAndPicture) {
  const std::filesystem::path file = Media(GetParam());
  CLIPDEX_REQUIRE_FILE(file);
  bool sparse = false;
  Timeline dense = DecodeAll(file, false, nullptr);
  Timeline thin = DecodeAll(file, true, &sparse);
  ASSERT_TRUE(sparse) << "expected an H.264 MP4 with B-frames";
  EXPECT_EQ(dense.skipped, 0);
  EXPECT_GT(thin.skipped, static_cast<long>(dense.times.size()) / 10) << "nothing was skipped";
  ASSERT_EQ(thin.times.size(), dense.times.size());
  for (size_t i = 0; i < dense.times.size(); ++i) {
    EXPECT_NEAR(thin.times[i], dense.times[i], 1e-6) << "frame " << i;
  }
  // The pictures sparse decoding does decode are bit-identical to dense decoding's.
  for (const auto& [index, sum] : thin.picture_sums) {
    EXPECT_EQ(sum, dense.picture_sums[index]) << "frame " << index;
  }
  // The exact re-decoder returns the skipped frames' real pictures, in runs and out of order
  // (a backward request seeks again).
  FrameFetcher fetcher(file, /*fast=*/true, 0);
  std::vector<std::pair<long, int64_t>> skipped(thin.skipped_pts.begin(), thin.skipped_pts.end());
  std::vector<size_t> picks = {skipped.size() / 2, skipped.size() / 2 + 1, skipped.size() - 1, 0};
  for (size_t k : picks) {
    if (k >= skipped.size()) continue;
    std::vector<FramePtr> frames;
    Status s = fetcher.Fetch({skipped[k].second}, &frames);
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(LumaSum(frames[0].get()), dense.picture_sums[skipped[k].first])
        << "skipped frame " << skipped[k].first;
  }
  EXPECT_GE(fetcher.seeks(), 2);
}

INSTANTIATE_TEST_SUITE_P(RealH264, SparseDecoding,
                         ::testing::Values("video/gh_psd_testvideo.mp4",
                                           "synthetic/syn_transitions.mp4"));

}  // namespace
}  // namespace clipdex

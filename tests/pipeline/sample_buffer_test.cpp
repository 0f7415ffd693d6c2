// SampleBuffer pairing: a sample's pair frame passes over repeats of the sample (frame-rate
// conversion) so motion analyzers measure motion, but not forever (a still stays a still).
#include "pipeline/sample_buffer.h"

#include <gtest/gtest.h>

namespace clipdex {
namespace {

AnalysisFrame Sample(long index, double time, const cv::Mat& image) {
  AnalysisFrame f;
  f.index = index;
  f.time = time;
  f.image = image;
  return f;
}

TEST(SampleBuffer, PairPassesOverRepeatedFrames) {
  const FrameNeed need{4.0, /*pairs=*/true, 320, /*gray=*/true};
  SampleBuffer buffer(need, 16);
  cv::Mat still(18, 32, CV_8UC1);
  cv::randu(still, 0, 255);
  cv::Mat moved;
  cv::flip(still, moved, 1);

  buffer.Add(Sample(0, 0.0, still));
  ASSERT_TRUE(buffer.WantsPair());
  buffer.SetPair(still.clone(), 0.04, 1);  // a repeat: passed over
  EXPECT_TRUE(buffer.WantsPair());
  buffer.SetPair(moved, 0.08, 2);  // the next distinct picture becomes the pair
  EXPECT_FALSE(buffer.WantsPair());
  const std::vector<AnalysisFrame> got = buffer.Range(0, 0);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_DOUBLE_EQ(got[0].next_time, 0.08);
  EXPECT_EQ(got[0].next_index, 2);  // the camera divides per-frame moves by the 2 steps
  EXPECT_FALSE(SamePicture(got[0].image, got[0].next_image));
}

TEST(SampleBuffer, StillGetsRepeatedPairAfterMaxRepeats) {
  const FrameNeed need{4.0, /*pairs=*/true, 320, /*gray=*/true};
  SampleBuffer buffer(need, 16);
  cv::Mat still(18, 32, CV_8UC1, cv::Scalar(7));
  buffer.Add(Sample(0, 0.0, still));
  for (int k = 1; k <= kMaxRepeatedPairFrames; ++k) {
    buffer.SetPair(still.clone(), 0.04 * k, k);
    EXPECT_TRUE(buffer.WantsPair()) << k;
  }
  buffer.SetPair(still.clone(), 0.04 * (kMaxRepeatedPairFrames + 1), kMaxRepeatedPairFrames + 1);
  EXPECT_FALSE(buffer.WantsPair());
  EXPECT_DOUBLE_EQ(buffer.Range(0, 0)[0].next_time, 0.04 * (kMaxRepeatedPairFrames + 1));
  // The count starts again for the next sample.
  buffer.Add(Sample(10, 0.4, still));
  buffer.SetPair(still.clone(), 0.44, 11);
  EXPECT_TRUE(buffer.WantsPair());
}

TEST(SampleBuffer, NoPairsNoPairing) {
  SampleBuffer buffer(FrameNeed{2.0, /*pairs=*/false, 320, true}, 16);
  buffer.Add(Sample(0, 0.0, cv::Mat(18, 32, CV_8UC1, cv::Scalar(1))));
  EXPECT_FALSE(buffer.WantsPair());
}

}  // namespace
}  // namespace clipdex

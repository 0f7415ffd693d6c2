#include "analyze/aesthetic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "../support/npy_reader.h"
#include "../support/onnx_writer.h"
#include "../support/random_models.h"
#include "../support/test_env.h"
#include "models/model_manifest.h"
#include "sample_frames.h"

namespace clipdex {
namespace {

const std::filesystem::path kLaion = testing::SharedDir() / "models" / "laion-aesthetic";

// Real weights, real reference embeddings (one per human rating bucket, shipped with the
// predictor): the head must rank them in rating order.
TEST(AestheticHead, ScoresTheReferenceEmbeddingsStrictlyIncreasing) {
  for (auto [model, dims] : {std::pair{"b_32", 512}, std::pair{"l_14", 768}}) {
    const auto head_file = kLaion / (std::string("laion_aesthetic_vit_") + model + "_linear.f32");
    CLIPDEX_REQUIRE_FILE(head_file);
    auto head = AestheticHead::Load(head_file, dims);
    ASSERT_TRUE(head.ok()) << head.status().message();
    std::vector<double> scores;
    for (int rating = 0; rating <= 9; ++rating) {
      auto npy = testing::ReadNpyFloat32(
          kLaion / "embeddings" /
          ("vit_" + std::string(model) + "_embeddings_rating" + std::to_string(rating) + ".npy"));
      ASSERT_TRUE(npy.ok()) << npy.status().message();
      ASSERT_EQ(npy->data.size(), static_cast<size_t>(dims));
      scores.push_back(head->Score(npy->data));
    }
    std::printf("vit_%s scores by rating 0..9:", model);
    for (double s : scores) std::printf(" %.2f", s);
    std::printf("\n");
    for (int k = 1; k < 10; ++k) EXPECT_GT(scores[k], scores[k - 1]) << model << " rating " << k;
  }
  EXPECT_FALSE(AestheticHead::Load(kLaion / "laion_aesthetic_vit_b_32_linear.f32", 768).ok());
}

using testing::RandomClipGraph;  // random weights: plumbing only (support/random_models.h)

TEST(ClipImageSlot, RandomWeightModelMeetsTheSlotContract) {
  if (!OrtAvailable()) GTEST_SKIP() << "skipping: " << OrtUnavailableReason();
  testing::TempDir tmp;
  testing::WriteOnnxModel(RandomClipGraph(512), tmp / "clip_image.onnx");
  auto session = OnnxSession::Load(tmp / "clip_image.onnx");
  ASSERT_TRUE(session.ok()) << session.status().message();
  const ModelSlot& slot = *FindModelSlot("clip_image");
  EXPECT_TRUE(CheckInputContract(slot, **session).ok());

  cv::Mat picture(360, 640, CV_8UC3);
  cv::randu(picture, 0, 255);
  const FloatTensor input = ClipImageTensor(picture);
  EXPECT_EQ(ShapeString(input.shape), "[1,3,224,224]");
  std::vector<double> ms;
  for (int k = 0; k < 5; ++k) {
    auto t0 = std::chrono::steady_clock::now();
    auto out = (*session)->Run({input});
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    ASSERT_TRUE(out.ok()) << out.status().message();
    ASSERT_EQ(out->size(), 1u);
    EXPECT_EQ(ShapeString((*out)[0].shape), "[1,512]");  // float32: Run() refuses anything else
  }
  std::sort(ms.begin(), ms.end());
  std::printf("random-weight clip_image stand-in: median %.2f ms per run\n", ms[2]);
  EXPECT_LT(ms[2], 200.0);

  // A model with another input size breaks the contract, and says how.
  testing::WriteOnnxModel(RandomClipGraph(512, 448), tmp / "wrong.onnx");
  auto wrong = OnnxSession::Load(tmp / "wrong.onnx");
  ASSERT_TRUE(wrong.ok()) << wrong.status().message();
  Status st = CheckInputContract(slot, **wrong);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("[1,3,448,448], contract wants"), std::string::npos) << st.message();
}

TEST(ClipImageSlot, AestheticScoreOnlyWithAClipModel) {
  if (!OrtAvailable()) GTEST_SKIP() << "skipping: " << OrtUnavailableReason();
  const auto video = testing::Media("synthetic/syn_static_photo.mp4");
  CLIPDEX_REQUIRE_FILE(video);
  CLIPDEX_REQUIRE_FILE(kLaion / "laion_aesthetic_vit_b_32_linear.f32");
  testing::TempDir tmp;
  const std::string common = " --no-camera --no-framing --no-text --no-thumbs ";
  auto without = testing::RunClipdex("ingest " + testing::ShellQuote(video.string()) + " -o " +
                                     testing::ShellQuote((tmp / "a").string()) + common +
                                     "--models " + testing::ShellQuote((tmp / "none").string()));
  EXPECT_EQ(without.exit_code, 0) << without.output;
  EXPECT_NE(without.output.find("aesthetic: disabled"), std::string::npos) << without.output;
  EXPECT_NE(without.output.find("clip_image not configured"), std::string::npos);

  std::filesystem::create_directories(tmp / "models" / "clip");
  testing::WriteOnnxModel(RandomClipGraph(512), tmp / "models" / "clip" / "clip_image.onnx");
  auto with = testing::RunClipdex("ingest " + testing::ShellQuote(video.string()) + " -o " +
                                  testing::ShellQuote((tmp / "b").string()) + common + "--models " +
                                  testing::ShellQuote((tmp / "models").string()));
  EXPECT_EQ(with.exit_code, 0) << with.output;
  EXPECT_NE(with.output.find("aesthetic: CLIP image encoder"), std::string::npos) << with.output;
  auto count = [&](const std::string& dataset) {
    return testing::RunShell("sqlite3 " + testing::ShellQuote(dataset + "/catalog.sqlite") +
                             " \"select count(*) from clip_attributes where name = "
                             "'aesthetic.score'\"")
        .output;
  };
  EXPECT_EQ(count((tmp / "a").string()), "0\n");
  EXPECT_NE(count((tmp / "b").string()), "0\n");
}

}  // namespace
}  // namespace clipdex

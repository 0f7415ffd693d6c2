#include "models/onnx_session.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "../support/onnx_writer.h"
#include "../support/test_env.h"

namespace clipdex {
namespace {

using testing::OnnxGraph;

#define CLIPDEX_REQUIRE_ORT()                                                    \
  do {                                                                           \
    if (!OrtAvailable()) GTEST_SKIP() << "skipping: " << OrtUnavailableReason(); \
  } while (0)

// y = x * W + b with x [2,3], W [3,4], b [4]: small enough to check every value by hand.
OnnxGraph AffineGraph(const std::vector<float>& w, const std::vector<float>& b) {
  OnnxGraph g;
  g.inputs = {{"x", {2, 3}}};
  g.outputs = {{"y", {2, 4}}};
  g.initializers = {{"W", {3, 4}, w}, {"b", {4}, b}};
  g.nodes = {{"MatMul", {"x", "W"}, {"xw"}, {}}, {"Add", {"xw", "b"}, {"y"}, {}}};
  return g;
}

TEST(OnnxSession, RunsAHandWrittenModelAndMatchesTheArithmetic) {
  CLIPDEX_REQUIRE_ORT();
  testing::TempDir tmp;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> w(12), b(4), x(6);
  for (float& v : w) v = u(rng);
  for (float& v : b) v = u(rng);
  for (float& v : x) v = u(rng);
  testing::WriteOnnxModel(AffineGraph(w, b), tmp / "affine.onnx");

  auto session = OnnxSession::Load(tmp / "affine.onnx");
  ASSERT_TRUE(session.ok()) << session.status().message();
  ASSERT_EQ((*session)->inputs().size(), 1u);
  EXPECT_EQ((*session)->inputs()[0].name, "x");
  EXPECT_EQ((*session)->inputs()[0].dtype, "float32");
  EXPECT_EQ(ShapeString((*session)->inputs()[0].shape), "[2,3]");
  EXPECT_EQ(ShapeString((*session)->outputs()[0].shape), "[2,4]");

  auto out = (*session)->Run({FloatTensor{{2, 3}, x}});
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 1u);
  ASSERT_EQ(ShapeString((*out)[0].shape), "[2,4]");
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 4; ++c) {
      float want = b[c];
      for (int k = 0; k < 3; ++k) want += x[r * 3 + k] * w[k * 4 + c];
      EXPECT_NEAR((*out)[0].data[r * 4 + c], want, 1e-5);
    }
  }
}

TEST(OnnxSession, ErrorsAreValuesNamingTheFile) {
  CLIPDEX_REQUIRE_ORT();
  testing::TempDir tmp;
  auto missing = OnnxSession::Load(tmp / "nope.onnx");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope.onnx: model file not found"), std::string::npos);

  std::ofstream(tmp / "garbage.onnx") << "this is not a protobuf";
  auto garbage = OnnxSession::Load(tmp / "garbage.onnx");
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find("garbage.onnx"), std::string::npos);

  testing::WriteOnnxModel(AffineGraph(std::vector<float>(12, 1), std::vector<float>(4, 0)),
                          tmp / "affine.onnx");
  auto session = OnnxSession::Load(tmp / "affine.onnx");
  ASSERT_TRUE(session.ok()) << session.status().message();
  auto wrong_shape = (*session)->Run({FloatTensor{{3, 2}, std::vector<float>(6)}});
  ASSERT_FALSE(wrong_shape.ok());
  EXPECT_NE(wrong_shape.status().message().find("input 'x' wants float32 [2,3]"), std::string::npos)
      << wrong_shape.status().message();
  auto wrong_count = (*session)->Run({});
  EXPECT_FALSE(wrong_count.ok());
}

TEST(OnnxSession, LoadsYuNetFromSharedModels) {
  CLIPDEX_REQUIRE_ORT();
  const auto model = testing::SharedDir() / "models/yunet/yunet_final_320_320_simplify.onnx";
  CLIPDEX_REQUIRE_FILE(model);
  auto session = OnnxSession::Load(model);
  ASSERT_TRUE(session.ok()) << session.status().message();
  ASSERT_EQ((*session)->inputs().size(), 1u);
  EXPECT_EQ(ShapeString((*session)->inputs()[0].shape), "[1,3,320,320]");
  std::vector<std::string> names;
  for (const auto& o : (*session)->outputs()) names.push_back(o.name);
  EXPECT_EQ(names, (std::vector<std::string>{"loc", "conf", "iou"}));
  auto out = (*session)->Run({FloatTensor{{1, 3, 320, 320}, std::vector<float>(3 * 320 * 320)}});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ((*out)[0].shape.back(), 14);  // 4 box + 10 landmark values per prior
}

}  // namespace
}  // namespace clipdex

// LlamaBackend (llama.cpp in process) on the random-weight tiny VLM: loading, image encoding,
// schema-constrained output and error paths. The model's words are gibberish by design; the
// structure (JSON shape, token counts) is what is checked.
#include "caption/llama_backend.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <thread>

#include "../support/chat_probe.h"
#include "../support/test_env.h"
#include "media/jpeg.h"

namespace clipdex {
namespace {

using Json = nlohmann::json;

std::vector<unsigned char> Card(int seed) {
  cv::Mat img(224, 224, CV_8UC3);
  for (int y = 0; y < img.rows; ++y) {
    for (int x = 0; x < img.cols; ++x) {
      img.at<cv::Vec3b>(y, x) = cv::Vec3b((x + seed * 50) % 256, (y * 3) % 256, (x ^ y) % 256);
    }
  }
  auto bytes = EncodeJpeg(img, 90);
  return bytes.ok() ? std::vector<unsigned char>(bytes->begin(), bytes->end())
                    : std::vector<unsigned char>{};
}

class LlamaBackendTiny : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto dir = testing::SharedDir() / "models/tiny-vlm-random";
    if (!LlamaBackendAvailable()) {
      reason_ = "built without llama.cpp (scripts/setup.sh llama, then reconfigure)";
      return;
    }
    if (!std::filesystem::exists(dir / "tiny-llm-random.gguf")) {
      reason_ = (dir / "tiny-llm-random.gguf").string() + " not found (needs ../shared)";
      return;
    }
    LlamaBackendOptions o;
    o.model_path = (dir / "tiny-llm-random.gguf").string();
    o.mmproj_path = (dir / "tiny-mmproj-random.gguf").string();
    o.n_ctx = 2048;
    o.seed = 7;
    auto b = LlamaBackend::Open(o);
    if (!b.ok()) {
      open_error_ = b.status().message();
      return;
    }
    backend_ = std::move(b.value());
  }
  static void TearDownTestSuite() { backend_.reset(); }
  void SetUp() override {
    if (!reason_.empty()) GTEST_SKIP() << "skipping: " << reason_;
    ASSERT_TRUE(backend_) << open_error_;
  }
  static std::unique_ptr<LlamaBackend> backend_;
  static std::string reason_, open_error_;
};
std::unique_ptr<LlamaBackend> LlamaBackendTiny::backend_;
std::string LlamaBackendTiny::reason_;
std::string LlamaBackendTiny::open_error_;

constexpr const char* kSchema = R"({
  "type": "object",
  "properties": {
    "caption": {"type": "string", "maxLength": 40},
    "shot": {"type": "string", "enum": ["wide", "medium", "close"]}
  },
  "required": ["caption", "shot"],
  "additionalProperties": false
})";

TEST_F(LlamaBackendTiny, ImageAndSchemaGiveSchemaValidJson) {
  ChatRequest req;
  req.system = "You describe video frames as JSON.";
  req.user = "Describe this frame.";
  req.jpeg_images.push_back(Card(1));
  req.json_schema = kSchema;
  req.max_tokens = 256;
  auto reply = backend_->Complete(req);
  ASSERT_TRUE(reply.ok()) << reply.status().message();
  EXPECT_EQ(reply->finish_reason, "stop") << reply->content;
  Json j = Json::parse(reply->content, nullptr, false);
  ASSERT_TRUE(j.is_object()) << reply->content;
  ASSERT_TRUE(j.contains("caption") && j["caption"].is_string()) << reply->content;
  ASSERT_TRUE(j.contains("shot") && j["shot"].is_string()) << reply->content;
  const std::string shot = j["shot"];
  EXPECT_TRUE(shot == "wide" || shot == "medium" || shot == "close") << shot;
  EXPECT_EQ(j.size(), 2u);
  EXPECT_GT(reply->completion_tokens, 0);
}

TEST_F(LlamaBackendTiny, EachImageAddsTheProjectorsTokens) {
  testing::ExpectTinyVlmImageCost(testing::PromptTokensWith0To2Images(
      [&](const ChatRequest& r) { return backend_->Complete(r); }, Card));
}

TEST_F(LlamaBackendTiny, SameSeedSameReply) {
  ChatRequest req;
  req.user = "Describe.";
  req.jpeg_images.push_back(Card(2));
  req.json_schema = kSchema;
  req.max_tokens = 128;
  req.temperature = 0;  // greedy: deterministic whatever the sampler state
  auto a = backend_->Complete(req);
  auto b = backend_->Complete(req);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->content, b->content);
}

TEST_F(LlamaBackendTiny, ThreadsAreSerialisedAndAllSucceed) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      ChatRequest req;
      req.user = "Frame " + std::to_string(t);
      req.jpeg_images.push_back(Card(t));
      req.json_schema = kSchema;
      req.max_tokens = 128;
      auto r = backend_->Complete(req);
      if (r.ok() && Json::parse(r->content, nullptr, false).is_object()) ++ok;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 3);
}

TEST_F(LlamaBackendTiny, BadImageAndBadSchemaAreErrors) {
  ChatRequest req;
  req.user = "Describe.";
  req.jpeg_images.push_back({'n', 'o', 't', ' ', 'a', ' ', 'j', 'p', 'g'});
  auto r = backend_->Complete(req);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("image 0 cannot be decoded"), std::string::npos)
      << r.status().message();
  req.jpeg_images.clear();
  req.json_schema = "{nope";
  r = backend_->Complete(req);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("json_schema"), std::string::npos) << r.status().message();
}

TEST(LlamaBackendOpen, MissingModelIsAnErrorNamingTheFile) {
  if (!LlamaBackendAvailable()) GTEST_SKIP() << "skipping: built without llama.cpp";
  LlamaBackendOptions o;
  o.model_path = "/nonexistent/model.gguf";
  o.mmproj_path = "/nonexistent/mmproj.gguf";
  auto b = LlamaBackend::Open(o);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("/nonexistent/model.gguf"), std::string::npos);
}

}  // namespace
}  // namespace clipdex

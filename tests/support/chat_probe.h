// What one image costs a VLM's prompt, asked the same way of any backend with the
// ChatRequest -> ChatReply contract (OpenAIClient, LlamaBackend): prompt tokens of the same short
// request with 0, 1 and 2 images.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "caption/openai_client.h"

namespace clipdex::testing {

inline std::vector<long> PromptTokensWith0To2Images(
    const std::function<Result<ChatReply>(const ChatRequest&)>& complete,
    const std::function<std::vector<unsigned char>(int)>& image) {
  ChatRequest req;
  req.user = "Describe.";
  req.max_tokens = 1;
  std::vector<long> tokens;
  for (int images = 0; images <= 2; ++images) {
    auto reply = complete(req);
    EXPECT_TRUE(reply.ok()) << reply.status().message();
    tokens.push_back(reply.ok() ? reply->prompt_tokens : 0);
    req.jpeg_images.push_back(image(images));
  }
  return tokens;
}

// The tiny VLM's projector: (224 / 32)^2 = 49 patch embeddings an image, no delimiter tokens.
// Measured: the first image adds 50 prompt tokens, the second 49 (splitting the text around the
// first image changes its tokenization by one token).
inline void ExpectTinyVlmImageCost(const std::vector<long>& t) {
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[2] - t[1], 49);
  EXPECT_GE(t[1] - t[0], 49);
  EXPECT_LE(t[1] - t[0], 50);
}

}  // namespace clipdex::testing

// rewrite --polish: the constraint check on its own, and end to end against a real llama-server
// (the random-weight tiny model: its text keeps none of the camera facts, so the guard must keep
// the rewrite and say why) and against no server at all.
#include "generate/prompt_polish.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../support/llama_server.h"
#include "../support/test_env.h"
#include "generate/prompt_parser.h"

namespace clipdex {
namespace {

using nlohmann::json;

TEST(PromptPolish, ConstraintsHoldOrEachBreakIsNamed) {
  const PromptSlots want = ParsePrompt("slow pan left, close-up of a cat, with the text \"OPEN\"");
  ASSERT_EQ(want.movement, "pan_left");
  ASSERT_EQ(want.shot_scale, "close_up");
  ASSERT_EQ(want.speed, "slow");
  EXPECT_TRUE(PolishViolations(want,
                               "A close-up of a cat by a shop sign reading \"OPEN\" as the camera "
                               "slowly pans left.")
                  .empty())
      << ::testing::PrintToString(PolishViolations(
             want,
             "A close-up of a cat by a shop sign reading \"OPEN\" as the camera slowly "
             "pans left."));
  const auto broken = PolishViolations(want, "A wide shot of a cat; the camera zooms in fast.");
  ASSERT_EQ(broken.size(), 4u) << ::testing::PrintToString(broken);
  EXPECT_EQ(broken[0], "camera movement: asked pan_left, got zoom_in");
  EXPECT_NE(broken[1].find("shot scale: asked close_up"), std::string::npos);
  EXPECT_NE(broken[2].find("camera speed: asked slow"), std::string::npos);
  EXPECT_EQ(broken[3], "on-screen text \"OPEN\" is missing");
  // Chinese keeps its constraints the same way.
  const PromptSlots zh = ParsePrompt("推镜头，特写，一只猫");
  EXPECT_TRUE(PolishViolations(zh, "特写镜头中，镜头缓缓推近一只猫。").empty())
      << ::testing::PrintToString(PolishViolations(zh, "特写镜头中，镜头缓缓推近一只猫。"));
}

TEST(PromptPolish, ARandomModelsTextIsRejectedAndTheRewriteKept) {
  LlamaServer server("LLAMA_CTX=8192");
  if (server.url().empty()) GTEST_SKIP() << "skipping: " << server.reason();
  const std::string prompt = "slow pan left, close-up of a cat on a roof at night";
  auto plain = RunClipdex("rewrite " + ShellQuote(prompt) + " --json 2>/dev/null");
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  const json expected = json::parse(testing::Lines(plain.output).back());
  auto run = RunClipdex("rewrite " + ShellQuote(prompt) + " --json --polish --endpoint " +
                        server.url() + "/v1 --max-tokens 256 --timeout 120");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const json got = json::parse(testing::Lines(run.output).back());
  EXPECT_FALSE(got["polished"].get<bool>()) << got.dump();
  EXPECT_NE(got["polish_error"].get<std::string>().find("polished text rejected"),
            std::string::npos)
      << got.dump();
  EXPECT_EQ(got["text"], expected["text"]);  // the rewrite is kept
  EXPECT_NE(run.output.find("(kept the rewrite)"), std::string::npos) << run.output;
}

TEST(PromptPolish, NoServerKeepsTheRewriteAndSaysSo) {
  auto run = RunClipdex(
      "rewrite 'a dog runs, tracking shot' --json --polish --endpoint http://127.0.0.1:9/v1 "
      "--timeout 5");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const json got = json::parse(testing::Lines(run.output).back());
  EXPECT_FALSE(got["polished"].get<bool>());
  EXPECT_NE(got["polish_error"].get<std::string>().find("polish request failed"), std::string::npos)
      << got.dump();
  EXPECT_FALSE(got["text"].get<std::string>().empty());
}

}  // namespace
}  // namespace clipdex

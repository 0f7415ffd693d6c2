// Single behaviours of the prompt parser: negation, speed proximity, vocabulary extensions,
// duration and people forms, on-screen text.
#include <gtest/gtest.h>

#include "generate/prompt_parser.h"

namespace clipdex {
namespace {

TEST(PromptParseTest, NegatedCameraWordsAreExcludedNotSet) {
  const PromptSlots s = ParsePrompt("a quiet lake, no zoom, slow pan left");
  EXPECT_EQ(s.movement, "pan_left");
  EXPECT_EQ(s.speed, "slow");
  EXPECT_EQ(s.excluded, (std::vector<std::string>{"zoom"}));
  const PromptSlots zh = ParsePrompt("镜头不要推进，不要晃动，固定镜头");
  EXPECT_EQ(zh.movement, "static");
  EXPECT_EQ(zh.excluded, (std::vector<std::string>{"zoom", "handheld"}));
  // 无人机 and 不断 only look like negations.
  EXPECT_EQ(ParsePrompt("无人机航拍，镜头不断推进").movement, "zoom_in");
}

TEST(PromptParseTest, SpeedBelongsToANearbyDirectedMovement) {
  EXPECT_EQ(ParsePrompt("a fast car on a highway, the camera pans left").speed, "");
  EXPECT_EQ(ParsePrompt("the camera pans left quickly, a car on a highway").speed, "fast");
  EXPECT_EQ(ParsePrompt("slow motion, a dancer, zoom in").speed, "");
  EXPECT_EQ(ParsePrompt("slow static shot").speed, "");  // a static camera has no speed
}

TEST(PromptParseTest, ExtensionWordsMapOntoCatalogLabels) {
  EXPECT_EQ(ParsePrompt("dolly forward toward the door").movement, "zoom_in");
  EXPECT_EQ(ParsePrompt("truck left along the shelves").movement, "pan_left");
  EXPECT_EQ(ParsePrompt("crane up over the crowd").camera_term, "crane up");
  EXPECT_EQ(ParsePrompt("跟拍一个跑步的人").movement, "mixed");
  EXPECT_EQ(ParsePrompt("大全景，草原").shot_scale, "long");
  EXPECT_EQ(ParsePrompt("全景，草原").shot_scale, "full");
}

TEST(PromptParseTest, DurationAndPeopleForms) {
  EXPECT_EQ(ParsePrompt("a 10-second clip of rain").duration, 10.0);
  EXPECT_EQ(ParsePrompt("雨中的街道，十五秒").duration, 15.0);
  EXPECT_EQ(ParsePrompt("half a minute of waves").duration, 30.0);
  EXPECT_FALSE(ParsePrompt("a 1980s car in the 80s").duration.has_value());
  EXPECT_EQ(ParsePrompt("a man and a woman dance").people, 2);
  EXPECT_EQ(ParsePrompt("两个女孩和一位老人在公园").people, 3);
  EXPECT_EQ(ParsePrompt("an empty street, no people").people, 0);
}

TEST(PromptParseTest, OnScreenText) {
  const PromptSlots s = ParsePrompt("a shop sign that says \"OPEN 24h\", close-up");
  EXPECT_EQ(s.text_lines, (std::vector<std::string>{"OPEN 24h"}));
  EXPECT_EQ(s.shot_scale, "close_up");
  EXPECT_EQ(ParsePrompt("横幅写着欢迎光临，中景").text_lines,
            (std::vector<std::string>{"欢迎光临"}));
  EXPECT_TRUE(ParsePrompt("一段视频，带字幕").subtitles);
  // Scare quotes are not text.
  EXPECT_TRUE(ParsePrompt("a \"vintage\" car drives by").text_lines.empty());
}

TEST(PromptParseTest, SubjectActionScene) {
  const PromptSlots s =
      ParsePrompt("The camera pushes in on a woman in a red coat walking through snow");
  EXPECT_EQ(s.subject, "a woman in a red coat");
  EXPECT_EQ(s.action, "walking");
  EXPECT_EQ(s.scene, "through snow");
  const PromptSlots zh = ParsePrompt("特写，一只猫坐在屋顶上");
  EXPECT_EQ(zh.subject, "一只猫");
  EXPECT_EQ(zh.action, "坐");
  EXPECT_EQ(zh.scene, "屋顶上");
  EXPECT_EQ(DetectLanguage("推镜头 close-up"), "zh");
  EXPECT_EQ(DetectLanguage("推镜头 a cat"), "mixed");
}

}  // namespace
}  // namespace clipdex

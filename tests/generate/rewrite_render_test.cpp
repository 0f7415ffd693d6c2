// Rendering: the rewritten prompt, in either language and every length, parses back to the same
// camera labels (movement, scale, speed) for every prompt of the set; and a few exact texts,
// which must read like the captioner's own sentences.
#include <gtest/gtest.h>

#include "generate/prompt_parser.h"
#include "generate/prompt_render.h"
#include "generate/rewrite.h"
#include "prompt_set.h"

namespace clipdex {
namespace {

TEST(RewriteRenderTest, RoundTripKeepsCameraLabelsForEveryPrompt) {
  int checked = 0;
  for (const nlohmann::json& e : testing::LoadPromptSet()) {
    const PromptSlots slots = ParsePrompt(e["prompt"].get<std::string>());
    for (PromptLanguage lang : {PromptLanguage::kEnglish, PromptLanguage::kChinese}) {
      for (PromptLength length :
           {PromptLength::kShort, PromptLength::kMedium, PromptLength::kLong}) {
        const std::string text = RenderPrompt(slots, length, lang);
        const PromptSlots again = ParsePrompt(text);
        const std::string where = e["prompt"].get<std::string>() + " -> " + text;
        EXPECT_EQ(again.movement, slots.movement) << where;
        EXPECT_EQ(again.shot_scale, slots.shot_scale) << where;
        EXPECT_EQ(again.speed, slots.speed) << where;
        if (length != PromptLength::kShort) {
          EXPECT_EQ(again.movements, slots.movements) << where;
          EXPECT_EQ(again.angle, slots.angle) << where;
          EXPECT_EQ(again.lighting, slots.lighting) << where;
          EXPECT_EQ(again.style, slots.style) << where;
        }
        if (length == PromptLength::kLong) {
          EXPECT_EQ(again.duration, slots.duration) << where;
          EXPECT_EQ(again.people, slots.people) << where;
          EXPECT_EQ(again.excluded, slots.excluded) << where;
        }
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 60 * 6);
}

TEST(RewriteRenderTest, CaptionerWordsInBothLanguages) {
  const PromptSlots s = ParsePrompt("a cat walks on a roof at night, close-up, slow push in, 5s");
  EXPECT_EQ(RenderPrompt(s, PromptLength::kShort, PromptLanguage::kEnglish),
            "Close-up, camera zooms in (push-in) slowly: A cat walks on a roof at night.");
  EXPECT_EQ(RenderPrompt(s, PromptLength::kLong, PromptLanguage::kEnglish),
            "A cat walks on a roof at night. A close-up, the camera zooms in (push-in) slowly. "
            "Duration 5.0 s.");
  const PromptSlots zh = ParsePrompt("一只猫在屋顶上走，夜晚，特写，镜头缓慢推进，5秒");
  EXPECT_EQ(RenderPrompt(zh, PromptLength::kLong, PromptLanguage::kChinese),
            "夜晚，一只猫在屋顶上走。特写，缓慢推镜头。时长5.0秒。");
}

TEST(RewriteRenderTest, FillMarksDefaultsAndKeepsWhatWasSaid) {
  RewriteOptions options;
  options.fill = true;
  auto r = RewritePrompt("a dog runs on the beach, pan left", options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->slots.movement, "pan_left");
  EXPECT_EQ(r->slots.shot_scale, "medium");
  EXPECT_EQ(r->filled, (std::vector<std::string>{"shot_scale", "angle", "style"}));
  options.fill = false;
  auto plain = RewritePrompt("a dog runs on the beach, pan left", options);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->filled.empty());
  EXPECT_TRUE(plain->slots.shot_scale.empty());
}

TEST(RewriteRenderTest, SameInputSameOutput) {
  RewriteOptions options;
  options.length = PromptLength::kLong;
  auto a = RewritePrompt("推镜头，特写，一只猫 with the text \"Hi\"", options);
  auto b = RewritePrompt("推镜头，特写，一只猫 with the text \"Hi\"", options);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(RewriteJson(*a).dump(), RewriteJson(*b).dump());
}

TEST(RewriteRenderTest, Errors) {
  EXPECT_EQ(RewritePrompt("  ", {}).status().message(), "empty prompt");
  EXPECT_FALSE(RewritePrompt("\xff\xfe", {}).ok());
  EXPECT_FALSE(RewritePrompt(std::string(kMaxPromptBytes + 1, 'a'), {}).ok());
  EXPECT_EQ(ParsePromptLength("huge").status().message(),
            "unknown --style 'huge' (short, medium, long)");
  EXPECT_EQ(ParsePromptLanguage("fr").status().message(), "unknown --lang 'fr' (en, zh)");
}

}  // namespace
}  // namespace clipdex

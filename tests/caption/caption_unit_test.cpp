// Captions without a catalog: the schema validator, the film vocabulary in both languages, the
// rendering of a structured caption, the check against measurements and the keyframe plan.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "caption/caption_check.h"
#include "caption/caption_dpo.h"
#include "caption/caption_record.h"
#include "caption/caption_render.h"
#include "caption/caption_schema.h"
#include "caption/film_vocabulary.h"
#include "caption/keyframes.h"
#include "util/json_schema.h"

namespace clipdex {
namespace {

using nlohmann::json;

json Measured() {
  return json::parse(R"({
    "schema": "clipdex.caption/1", "duration": 6.0,
    "camera": {"movement": "mixed", "speed": "medium", "shot_scale": "close_up",
               "segments": [{"movement": "static", "start": 0, "end": 2, "speed": "none"},
                            {"movement": "pan_left", "start": 2, "end": 6, "speed": "slow"}]},
    "on_screen_text": {"lines": ["NEWS24"], "subtitles": true, "watermark": true},
    "people": {"faces": 2},
    "quality": {"problems": ["blurry"], "score": 30},
    "picture": {"width": 1280, "height": 720, "orientation": "landscape", "media": "video"}})");
}

TEST(CaptionSchema, StoredSchemaAcceptsMeasuredAndRejectsBadShapes) {
  ASSERT_TRUE(CheckSchemaSubset(StoredCaptionSchema()).ok());
  ASSERT_TRUE(CheckSchemaSubset(VlmContentSchema()).ok());
  json c = Measured();
  EXPECT_TRUE(ValidateStoredCaption(c).ok()) << ValidateStoredCaption(c).message();
  c["camera"]["movement"] = "sideways";
  Status s = ValidateStoredCaption(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/camera/movement"), std::string::npos) << s.message();
  c = Measured();
  c["invented"] = 1;
  EXPECT_NE(ValidateStoredCaption(c).message().find("unexpected key 'invented'"),
            std::string::npos);
  c = Measured();
  c.erase("camera");
  EXPECT_NE(ValidateStoredCaption(c).message().find("missing required 'camera'"),
            std::string::npos);
  c = Measured();
  c["events"] = json::array({{{"what", "x"}, {"start", -1}}});
  EXPECT_FALSE(ValidateStoredCaption(c).ok());
  EXPECT_FALSE(CheckSchemaSubset(json{{"type", "object"}, {"pattern", "x"}}).ok());
}

TEST(CaptionRender, TemplateCaptionNamesEveryMeasuredFactInBothLanguages) {
  const CaptionTexts t = RenderCaption(Measured());
  EXPECT_EQ(t.short_en, "Close-up, moving camera.");
  EXPECT_NE(t.text_en.find("A close-up, the camera moves in several ways."), std::string::npos)
      << t.text_en;
  EXPECT_NE(t.text_en.find("\"NEWS24\""), std::string::npos);
  EXPECT_NE(t.text_en.find("Burned-in subtitles"), std::string::npos);
  EXPECT_NE(t.text_en.find("Two faces visible."), std::string::npos) << t.text_en;
  EXPECT_NE(t.long_en.find("stays still (0.0–2.0 s), then pans left slowly (2.0–6.0 s)"),
            std::string::npos)
      << t.long_en;
  EXPECT_NE(t.long_en.find("Picture: blurry."), std::string::npos);
  EXPECT_EQ(t.text_zh.rfind("特写，多种运镜。", 0), 0u) << t.text_zh;
  EXPECT_NE(t.text_zh.find("画面文字：“NEWS24”。"), std::string::npos) << t.text_zh;
  EXPECT_NE(t.text_zh.find("带硬字幕"), std::string::npos);
  EXPECT_NE(t.long_zh.find("0.0–2.0秒固定镜头，2.0–6.0秒缓慢左摇"), std::string::npos) << t.long_zh;
  // Nothing seen was invented: no subjects, events or scene without a model.
  EXPECT_EQ(t.long_en.find("Subjects"), std::string::npos);
  EXPECT_EQ(t.long_en.find("Scene"), std::string::npos);
  // Deterministic.
  EXPECT_EQ(RenderCaption(Measured()).long_zh, t.long_zh);
}

TEST(CaptionRender, EveryLabelHasWordsAndReadsBack) {
  for (const std::string& label : CameraMovementLabels()) {
    if (label == "unknown" || label == "mixed") continue;
    auto w = MovementWords(label);
    ASSERT_TRUE(w) << label;
    json c = Measured();
    c["camera"] = {{"movement", label}, {"speed", "slow"}};
    const CaptionTexts t = RenderCaption(c);
    // What the template writes, the claim finder reads back (both languages).
    EXPECT_EQ(FindCameraClaims(t.text_zh).movements, std::vector<std::string>{label})
        << label << ": " << t.text_zh;
    if (label != "static") {
      EXPECT_EQ(FindCameraClaims(t.text_en).movements, std::vector<std::string>{label})
          << label << ": " << t.text_en;
    }
  }
  for (const std::string& label : ShotScaleLabels()) {
    json c = Measured();
    c["camera"] = {{"movement", "unknown"}, {"shot_scale", label}};
    const CaptionTexts t = RenderCaption(c);
    EXPECT_EQ(FindCameraClaims(t.text_en).scales, std::vector<std::string>{label}) << t.text_en;
    EXPECT_EQ(FindCameraClaims(t.text_zh).scales, std::vector<std::string>{label}) << t.text_zh;
  }
}

TEST(CaptionClaims, FindsCameraWordsAndPeopleInFreeText) {
  auto c = FindCameraClaims("A slow push-in on two women at a table, close-up.");
  EXPECT_EQ(c.movements, std::vector<std::string>{"zoom_in"});
  EXPECT_EQ(c.scales, std::vector<std::string>{"close_up"});
  ASSERT_TRUE(c.people);
  EXPECT_EQ(*c.people, 2);
  c = FindCameraClaims("An extreme close-up of an eye.");
  EXPECT_EQ(c.scales, std::vector<std::string>{"extreme_close_up"});
  c = FindCameraClaims("推镜头，大特写，三个人在跳舞");
  EXPECT_EQ(c.movements, std::vector<std::string>{"zoom_in"});
  EXPECT_EQ(c.scales, std::vector<std::string>{"extreme_close_up"});
  EXPECT_EQ(c.people.value_or(0), 3);
  EXPECT_TRUE(FindCameraClaims("the panorama of the closeupshop").scales.empty());
}

TEST(CaptionCheck, ConflictsWithMeasurementsAreListed) {
  json measured = Measured();
  json content = {{"summary", "Two anchors read the news while the camera pans left."},
                  {"camera_movement", "pan_left"},
                  {"shot_scale", "medium_close_up"},
                  {"people_count", 2},
                  {"on_screen_text", "NEWS24"}};
  EXPECT_TRUE(CheckCaption(content, measured).empty());
  EXPECT_EQ(CheckText({}), "ok");
  content["summary"] = "A wide shot: the camera zooms in on one man.";
  content["people_count"] = 1;
  content["on_screen_text"] = "";
  const auto conflicts = CheckCaption(content, measured);
  ASSERT_EQ(conflicts.size(), 4u) << CheckText(conflicts);
  EXPECT_EQ(conflicts[0], "camera: claims zoom_in, measured mixed");
  EXPECT_EQ(conflicts[1], "shot scale: claims long, measured close_up");
  EXPECT_EQ(conflicts[2], "people: claims 1, 2 faces detected");
  EXPECT_EQ(conflicts[3], "text: misses on-screen text 'NEWS24'");
}

VideoRecord Video(int w, int h) {
  VideoRecord v;
  v.probe.width = w;
  v.probe.height = h;
  v.probe.fps_num = 25;
  v.probe.fps_den = 1;
  return v;
}

TEST(Keyframes, PlanCoversChangesSegmentsAndEndsWithinBudget) {
  EXPECT_EQ(VisualTokens(1920, 1080, 448, 28), 16 * 9);  // 448x252 -> 16 x 9 patches
  EXPECT_EQ(VisualTokens(100, 50, 448, 28), 4 * 2);      // never scaled up
  VideoRecord video = Video(1280, 720);
  ClipRecord clip;
  clip.start_time = 10;
  clip.end_time = 16;
  // 12 samples: a strong change between sample 5 and 6 (t = 3.25 s), otherwise alike.
  std::string sig;
  for (int i = 0; i < 12; ++i) {
    const std::string h = i < 6 ? "0000000000000000" : "ffffffffff000000";
    std::string token = h;
    for (int k = 1; k < 18; ++k) token += "/" + h;
    sig += (i ? " " : "") + token;
  }
  clip.attributes.push_back(Attribute::Text("dedup.signature", sig));
  json measured = Measured();
  const KeyframePlan plan = PlanKeyframes(video, clip, measured, KeyframeOptions{});
  std::vector<std::string> reasons;
  for (const Keyframe& k : plan.frames) reasons.push_back(k.reason);
  ASSERT_EQ(plan.frames.size(), 4u) << ::testing::PrintToString(reasons);
  EXPECT_NEAR(plan.frames[0].time, 0.05, 1e-9);
  EXPECT_EQ(plan.frames[1].reason, "segment");  // pan_left from 2.0 s
  EXPECT_NEAR(plan.frames[1].time, 2.5, 1e-9);
  EXPECT_EQ(plan.frames[2].reason, "change");
  EXPECT_NEAR(plan.frames[2].time, 3.25, 1e-9);
  EXPECT_EQ(plan.frames[3].reason, "last");
  EXPECT_EQ(plan.long_side, 448);
  EXPECT_EQ(plan.visual_tokens, 4 * VisualTokens(1280, 720, 448, 28));
  EXPECT_EQ(UniformBaselineTokens(video, clip, 2.0, 448, 28), 12 * 144);
  KeyframeOptions two;
  two.max_frames = 2;
  two.max_change_frames = 2;
  EXPECT_EQ(PlanKeyframes(video, clip, measured, two).frames.size(), 2u);
  two.max_change_frames = 3;  // a strong change may take the plan past max_frames
  EXPECT_EQ(PlanKeyframes(video, clip, measured, two).frames.size(), 3u);
  // A static clip whose ends look alike: one small frame.
  measured = Measured();
  measured["camera"] = {{"movement", "static"}};
  measured.erase("on_screen_text");
  std::string same;
  for (int i = 0; i < 6; ++i) {
    std::string token = "00000000000000ff";
    for (int k = 1; k < 18; ++k) token += "/00000000000000ff";
    same += (i ? " " : "") + token;
  }
  clip.attributes = {Attribute::Text("dedup.signature", same)};
  const KeyframePlan still = PlanKeyframes(video, clip, measured, KeyframeOptions{});
  ASSERT_EQ(still.frames.size(), 1u);
  EXPECT_EQ(still.frames[0].reason, "middle");
  EXPECT_EQ(still.long_side, 336);
}

// A moving camera's clip is never unseen for more than 2 s; a fixed camera's clip is not filled.
TEST(Keyframes, MovingCameraLeavesNoLongGap) {
  VideoRecord video = Video(1280, 720);
  ClipRecord clip;
  clip.start_time = 10;
  clip.end_time = 18;
  std::string sig;  // 16 samples, one strong change at t = 1.25 s
  for (int i = 0; i < 16; ++i) {
    const std::string h = i < 2 ? "0000000000000000" : "ffffffffff000000";
    std::string token = h;
    for (int k = 1; k < 18; ++k) token += "/" + h;
    sig += (i ? " " : "") + token;
  }
  auto plan_with = [&](const std::string& label) {
    clip.attributes = {
        Attribute::Text("dedup.signature", sig),
        Attribute::Text(
            "camera.segments",
            json::array({{{"label", label}, {"start", 10.0}, {"end", 18.0}, {"rate", 0.1}}})
                .dump())};
    return PlanKeyframes(video, clip, Measured(), KeyframeOptions{});
  };
  const KeyframePlan moving = plan_with("handheld");
  std::vector<double> times{0.0, 8.0};
  for (const Keyframe& k : moving.frames) times.push_back(k.time);
  std::sort(times.begin(), times.end());
  for (size_t i = 1; i < times.size(); ++i) {
    EXPECT_LE(times[i] - times[i - 1], 2.0) << ::testing::PrintToString(times);
  }
  const KeyframePlan fixed = plan_with("static");
  for (const Keyframe& k : fixed.frames) EXPECT_NE(k.reason, "coverage");
  EXPECT_LT(fixed.frames.size(), moving.frames.size());
}

TEST(CaptionRecord, WritesValidatedJsonTextsAndProvenance) {
  CaptionOutput seen;
  seen.content = {{"summary", "A presenter talks to the camera."},
                  {"summary_zh", "主持人对着镜头讲话。"},
                  {"subjects", json::array({{{"what", "presenter"}, {"count", 1}}})},
                  {"events", json::array({{{"what", "she smiles"}, {"start", 0.5}, {"end", 1.5}},
                                          {{"what", "she points left"}}})},
                  {"scene", "a studio"},
                  {"style", "live_action"},
                  {"camera_movement", "zoom_in"}};
  seen.completion_tokens = 40;
  auto attrs =
      CaptionAttributes(Measured(), seen, KeyframePlan{}, {"openai", "m", "default", 1.5, "", ""});
  ASSERT_TRUE(attrs.ok()) << attrs.status().message();
  std::map<std::string, Attribute> by_name;
  for (const Attribute& a : attrs.value()) by_name[a.name] = a;
  const json stored = json::parse(by_name.at("caption.json").text);
  EXPECT_TRUE(ValidateStoredCaption(stored).ok());
  EXPECT_FALSE(stored.contains("camera_movement")) << "claims are checked, not stored";
  EXPECT_EQ(stored["scene"], "a studio");
  EXPECT_NE(by_name.at("caption.text").text.find("She smiles (0.5–1.5 s), then she points left."),
            std::string::npos)
      << by_name.at("caption.text").text;
  EXPECT_EQ(by_name.at("caption.zh").text.rfind("主持人对着镜头讲话。", 0), 0u);
  EXPECT_EQ(by_name.at("caption.check").text, "camera: claims zoom_in, measured mixed");
  EXPECT_EQ(by_name.at("caption.tokens_out").number.value_or(0), 40);
  EXPECT_EQ(by_name.at("caption.prompt_version").text, kCaptionPromptVersion);
  EXPECT_EQ(by_name.count("caption.error"), 0u);
}

TEST(CaptionDpo, SwappedEventsPairForModelCaptions) {
  json caption = Measured();
  caption["events"] = json::array({{{"what", "a door opens"}}, {{"what", "a dog runs out"}}});
  VideoRecord video;
  video.fingerprint = "v1-x";
  video.path = "/a.mp4";
  ClipRecord clip;
  clip.attributes = {Attribute::Text("caption.json", caption.dump())};
  bool swapped = false;
  for (const auto& line : CaptionPreferencePairs(video, clip)) {
    if (line["kind"] != "swapped_events" || line["lang"] != "en") continue;
    swapped = true;
    const std::string chosen = line["chosen"], rejected = line["rejected"];
    EXPECT_LT(chosen.find("door opens"), chosen.find("dog runs out")) << chosen;
    EXPECT_LT(rejected.find("dog runs out"), rejected.find("door opens")) << rejected;
  }
  EXPECT_TRUE(swapped);
}

}  // namespace
}  // namespace clipdex

#include "generate/prompt_render.h"

#include <algorithm>
#include <array>

#include "caption/caption_render.h"
#include "caption/film_vocabulary.h"
#include "generate/phrase_match.h"
#include "generate/prompt_quantities.h"
#include "generate/prompt_vocabulary.h"

namespace clipdex {

namespace {

using nlohmann::json;

bool English(PromptLanguage l) { return l == PromptLanguage::kEnglish; }

bool HasCjk(const std::string& s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return IsCjkLead(static_cast<unsigned char>(c)); });
}

std::string Capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string LowerFirst(std::string s) {
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

// Joins non-empty parts with `sep`.
std::string Joined(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const std::string& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::string Sentence(const std::string& body, PromptLanguage l) {
  if (body.empty()) return body;
  std::string out = English(l) ? Capitalised(body) : body;
  out += English(l) ? "." : "。";
  return out;
}

// The words of a label of `kind` in the output language.
std::string Words(SlotKind kind, const std::string& label, PromptLanguage l) {
  const SlotPhrases* p = RenderWords(kind, label);
  if (p == nullptr) return "";
  return English(l) ? p->en : p->zh;
}

// Subject, action and scene as one clause in the script they were written in (Chinese puts the
// place after 在 and before the action), then the lighting in the output language.
std::string ContentSentence(const PromptSlots& s, PromptLanguage l) {
  const bool zh_words = HasCjk(s.subject + s.action + s.scene);
  std::string content;
  if (zh_words) {
    content = s.subject;
    if (!s.scene.empty()) {
      if (s.scene.compare(0, 3, "在") != 0 && HasCjk(s.scene)) content += "在";
      content += s.scene;
    }
    content += s.action;
  } else {
    content = Joined({s.subject, s.action, s.scene}, " ");
  }
  std::vector<std::string> light;
  for (const std::string& label : s.lighting) light.push_back(Words(SlotKind::kLighting, label, l));
  if (English(l)) return Sentence(Joined({content, Joined(light, " and ")}, " "), l);
  return Sentence(Joined({Joined(light, "，"), content}, "，"), l);
}

std::string StyleSentence(const PromptSlots& s, PromptLanguage l) {
  const std::string words = Words(SlotKind::kStyle, s.style, l);
  if (words.empty()) return "";
  return English(l) ? "Style: " + words + "." : "风格：" + words + "。";
}

// The captioner's texts of a caption.json holding only `caption`'s fields.
CaptionTexts Captioner(const json& caption) { return RenderCaption(caption); }

json CameraJson(const std::string& movement, const PromptSlots& s, bool with_scale) {
  json camera = json::object();
  if (!movement.empty()) camera["movement"] = movement;
  if (!s.speed.empty() && movement == s.movement) camera["speed"] = s.speed;
  if (with_scale && !s.shot_scale.empty()) camera["shot_scale"] = s.shot_scale;
  return camera;
}

// "A close-up, the camera zooms in (push-in) slowly. Then the camera tilts up."
std::string CameraSentences(const PromptSlots& s, PromptLanguage l) {
  const CaptionTexts first = Captioner({{"camera", CameraJson(s.movement, s, true)}});
  std::string out = English(l) ? first.text_en : first.text_zh;
  for (size_t i = 1; i < s.movements.size(); ++i) {
    const CaptionTexts then = Captioner({{"camera", CameraJson(s.movements[i], s, false)}});
    if (English(l) && !then.text_en.empty()) out += " Then " + LowerFirst(then.text_en);
    if (!English(l) && !then.text_zh.empty()) out += "随后" + then.text_zh;
  }
  // The camera term (a tracking shot is `mixed`) and the angle, which no label carries.
  std::string extras;
  if (!s.camera_term.empty()) {
    for (const SlotPhrases& p : PromptPhraseTable()) {
      if (p.kind == SlotKind::kMovement && p.en == s.camera_term) {
        extras = English(l) ? p.en : p.zh;
        break;
      }
    }
  }
  const std::string angle = Words(SlotKind::kAngle, s.angle, l);
  extras = Joined({extras, angle}, English(l) ? ", " : "，");
  if (!extras.empty()) {
    if (!out.empty() && English(l)) out += ' ';
    out += English(l) ? "Camera: " + extras + "." : "机位：" + extras + "。";
  }
  return out;
}

std::string TextSentences(const PromptSlots& s, PromptLanguage l) {
  if (s.text_lines.empty() && !s.subtitles) {
    if (!s.text_requested) return "";
    return English(l) ? "With on-screen text." : "画面中有文字。";
  }
  json text = json::object();
  if (!s.text_lines.empty()) text["lines"] = s.text_lines;
  if (s.subtitles) text["subtitles"] = true;
  const CaptionTexts t = Captioner({{"on_screen_text", text}});
  return English(l) ? t.text_en : t.text_zh;
}

// The count of people, unless the content already says it ("two men": no "Two people." after).
std::string PeopleSentence(const PromptSlots& s, PromptLanguage l) {
  if (!s.people || CountPeople(s.subject + ", " + s.action + ", " + s.scene) == s.people) return "";
  const int n = *s.people;
  static const std::array<const char*, 11> kEn = {"no",  "one",   "two",   "three", "four", "five",
                                                  "six", "seven", "eight", "nine",  "ten"};
  static const std::array<const char*, 11> kZh = {"零", "一", "两", "三", "四", "五",
                                                  "六", "七", "八", "九", "十"};
  const bool small = n >= 0 && n <= 10;
  if (English(l)) {
    std::string out = small ? kEn[static_cast<size_t>(n)] : std::to_string(n);
    out += n == 1 ? " person" : " people";
    return Sentence(out, l);
  }
  if (n == 0) return "画面中没有人。";
  std::string out = "画面中有";
  out += small ? kZh[static_cast<size_t>(n)] : std::to_string(n);
  out += "个人。";
  return out;
}

// "No zooming, no camera shake." / "不要变焦，不要晃动。"
std::string ExcludedSentence(const PromptSlots& s, PromptLanguage l) {
  std::vector<std::string> parts;
  for (const std::string& key : s.excluded) {
    std::string words;
    for (SlotKind kind : {SlotKind::kFamily, SlotKind::kAngle, SlotKind::kLighting,
                          SlotKind::kStyle, SlotKind::kText, SlotKind::kSubtitles}) {
      if (words.empty()) words = Words(kind, key, l);
    }
    if (auto scale = ScaleWords(key); words.empty() && scale) {
      words = English(l) ? scale->en : scale->zh;
    }
    if (!words.empty()) parts.push_back((English(l) ? "no " : "不要") + words);
  }
  return Sentence(Joined(parts, English(l) ? ", " : "，"), l);
}

std::string DurationSentence(const PromptSlots& s, PromptLanguage l) {
  if (!s.duration) return "";
  const CaptionTexts t = Captioner({{"duration", *s.duration}});
  return English(l) ? t.long_en : t.long_zh;
}

}  // namespace

std::string RenderPrompt(const PromptSlots& slots, PromptLength length, PromptLanguage language) {
  const std::string content = ContentSentence(slots, language);
  if (length == PromptLength::kShort) {
    // The captioner's short form: scale and camera, then the summary.
    json caption = {{"camera", CameraJson(slots.movement, slots, true)}};
    caption[English(language) ? "summary" : "summary_zh"] = content;
    const CaptionTexts t = Captioner(caption);
    return English(language) ? t.short_en : t.short_zh;
  }
  std::vector<std::string> parts = {content, StyleSentence(slots, language),
                                    CameraSentences(slots, language),
                                    TextSentences(slots, language)};
  if (length == PromptLength::kLong) {
    parts.push_back(PeopleSentence(slots, language));
    parts.push_back(ExcludedSentence(slots, language));
    parts.push_back(DurationSentence(slots, language));
  }
  return Joined(parts, English(language) ? " " : "");
}

}  // namespace clipdex

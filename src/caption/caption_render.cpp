#include "caption/caption_render.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

#include "caption/film_vocabulary.h"

namespace clipdex {

namespace {

using nlohmann::json;

std::string Seconds(double s) { return FormatSeconds(s); }

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

// "a close-up" / "an extreme close-up".
std::string WithArticle(const std::string& noun) {
  const bool vowel = !noun.empty() && std::string("aeiou").find(noun[0]) != std::string::npos;
  return (vowel ? "an " : "a ") + noun;
}

std::string EndSentence(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (s.empty()) return s;
  const char last = s.back();
  const bool cjk_stop = s.size() >= 3 && s.compare(s.size() - 3, 3, "。") == 0;
  if (last != '.' && last != '!' && last != '?' && !cjk_stop) {
    s += '.';
  }
  return s;
}

void Append(std::string* out, const std::string& sentence, const char* sep = " ") {
  if (sentence.empty()) return;
  if (!out->empty()) *out += sep;
  *out += sentence;
}

// English movement clause after "the camera": "pans left slowly", "stays still".
std::string MovementEn(const std::string& movement, const std::string& speed) {
  if (movement == "static") return "stays still";
  auto words = MovementWords(movement);
  if (!words) return "";
  std::string clause = words->en;
  if (auto s = SpeedWords(speed)) clause += " " + s->en;
  return clause;
}

// Chinese movement: "缓慢左摇", "固定镜头".
std::string MovementZh(const std::string& movement, const std::string& speed) {
  auto words = MovementWords(movement);
  if (!words) return "";
  if (movement == "static" || movement == "mixed") return words->zh;
  std::string out;
  if (auto s = SpeedWords(speed)) out += s->zh;
  return out + words->zh;
}

std::string Quoted(const std::vector<std::string>& lines, const char* open, const char* close,
                   const char* sep) {
  std::string out;
  for (size_t i = 0; i < lines.size() && i < 4; ++i) {
    if (i > 0) out += sep;
    out += open + lines[i] + close;
  }
  return out;
}

const std::map<std::string, std::pair<std::string, std::string>>& ProblemWords() {
  static const std::map<std::string, std::pair<std::string, std::string>> kWords = {
      {"blurry", {"blurry", "画面模糊"}},
      {"noisy", {"noisy", "噪点明显"}},
      {"blocky", {"blocky compression artifacts", "有压缩块效应"}},
      {"underexposed", {"underexposed", "曝光不足"}},
      {"overexposed", {"overexposed", "过曝"}},
      {"low_contrast", {"low contrast", "对比度低"}},
      {"frozen", {"frozen picture", "画面静止不动"}},
      {"black_frames", {"black frames", "含黑场"}},
  };
  return kWords;
}

const char* kNumbersEn[] = {"no",  "one",   "two",   "three", "four", "five",
                            "six", "seven", "eight", "nine",  "ten"};

std::string CountEn(int n, const char* one, const char* many) {
  const std::string num = n >= 0 && n <= 10 ? kNumbersEn[n] : std::to_string(n);
  return num + " " + (n == 1 ? one : many);
}

struct Parts {
  std::string scale_en, scale_zh, camera_en, camera_zh, camera_short_en;
  std::string text_en, text_zh, people_en, people_zh;
  std::string segments_en, segments_zh;
  std::string problems_en, problems_zh, picture_en, picture_zh;
};

Parts Measured(const json& c) {
  Parts p;
  const json camera = c.value("camera", json::object());
  const std::string movement = Str(camera, "movement");
  const std::string speed = Str(camera, "speed");
  if (auto s = ScaleWords(Str(camera, "shot_scale"))) {
    p.scale_en = s->en;
    p.scale_zh = s->zh;
  }
  if (movement == "mixed") {
    p.camera_en = "the camera moves in several ways";
    p.camera_short_en = "moving camera";
  } else if (movement == "handheld") {
    p.camera_en = "handheld, shaky camera";
    p.camera_short_en = "handheld camera";
  } else if (movement == "static") {
    p.camera_en = "static camera";
    p.camera_short_en = "static camera";
  } else if (auto m = MovementEn(movement, speed); !m.empty()) {
    p.camera_en = "the camera " + m;
    p.camera_short_en = "camera " + m;
  }
  p.camera_zh = MovementZh(movement, speed);

  if (auto segs = camera.find("segments"); segs != camera.end() && segs->size() > 1) {
    std::string en, zh;
    for (const json& s : *segs) {
      const std::string range = Seconds(s.value("start", 0.0)) + "–" + Seconds(s.value("end", 0.0));
      const std::string label = Str(s, "movement");
      const std::string m = MovementEn(label, Str(s, "speed"));
      const std::string mz = MovementZh(label, Str(s, "speed"));
      if (m.empty() || mz.empty()) continue;
      Append(&en, m + " (" + range + " s)", en.empty() ? "" : ", then ");
      Append(&zh, range + "秒" + mz, "，");
    }
    if (!en.empty()) p.segments_en = "The camera " + en + ".";
    if (!zh.empty()) p.segments_zh = "运镜：" + zh + "。";
  }

  if (auto t = c.find("on_screen_text"); t != c.end()) {
    std::vector<std::string> lines = t->value("lines", std::vector<std::string>());
    if (!lines.empty()) {
      p.text_en = "On-screen text: " + Quoted(lines, "\"", "\"", ", ") + ".";
      p.text_zh = "画面文字：" + Quoted(lines, "“", "”", "、") + "。";
    }
    if (t->value("subtitles", false)) {
      Append(&p.text_en, "Burned-in subtitles.");
      p.text_zh += "带硬字幕。";
    }
    if (t->value("watermark", false)) {
      Append(&p.text_en, "A watermark or logo stays on screen.");
      p.text_zh += "有水印或台标。";
    }
  }
  if (auto people = c.find("people"); people != c.end() && people->contains("faces")) {
    const int faces = (*people)["faces"].get<int>();
    if (faces > 0) {
      p.people_en = Capitalised(CountEn(faces, "face", "faces")) + " visible.";
      p.people_zh = "画面中有" + std::to_string(faces) + "张人脸。";
    }
  }
  if (auto q = c.find("quality"); q != c.end() && q->contains("problems")) {
    std::string en, zh;
    for (const json& w : (*q)["problems"]) {
      auto it = ProblemWords().find(w.get<std::string>());
      if (it == ProblemWords().end()) continue;
      Append(&en, it->second.first, ", ");
      Append(&zh, it->second.second, "，");
    }
    if (!en.empty()) p.problems_en = "Picture: " + en + ".";
    if (!zh.empty()) p.problems_zh = "画质：" + zh + "。";
  }
  if (auto pic = c.find("picture"); pic != c.end()) {
    const std::string orientation = Str(*pic, "orientation");
    static const std::map<std::string, std::string> kZh = {
        {"landscape", "横屏"}, {"portrait", "竖屏"}, {"square", "方形画面"}};
    if (!orientation.empty()) {
      p.picture_en = Capitalised(orientation) + " " + std::to_string(pic->value("width", 0)) + "x" +
                     std::to_string(pic->value("height", 0));
      p.picture_zh = kZh.at(orientation) + std::to_string(pic->value("width", 0)) + "x" +
                     std::to_string(pic->value("height", 0));
    }
    if (pic->value("letterbox", false)) {
      p.picture_en += ", letterboxed";
      p.picture_zh += "，上下黑边";
    }
    if (pic->value("pillarbox", false)) {
      p.picture_en += ", pillarboxed";
      p.picture_zh += "，左右黑边";
    }
    if (!p.picture_en.empty()) p.picture_en += ".";
    if (!p.picture_zh.empty()) p.picture_zh += "。";
  }
  return p;
}

std::string EventsEn(const json& c) {
  auto events = c.find("events");
  if (events == c.end() || events->empty()) return "";
  std::string out;
  for (size_t i = 0; i < events->size(); ++i) {
    const json& e = (*events)[i];
    std::string what = Str(e, "what");
    if (what.empty()) continue;
    if (e.contains("start") && e.contains("end")) {
      what +=
          " (" + Seconds(e["start"].get<double>()) + "–" + Seconds(e["end"].get<double>()) + " s)";
    }
    Append(&out, what, out.empty() ? "" : ", then ");
  }
  return out.empty() ? "" : EndSentence(Capitalised(out));
}

std::string SubjectsEn(const json& c) {
  auto subjects = c.find("subjects");
  if (subjects == c.end() || subjects->empty()) return "";
  std::string out;
  for (const json& s : *subjects) {
    std::string one = Str(s, "what");
    if (one.empty()) continue;
    if (s.contains("count") && s["count"].get<int>() > 1) {
      one = std::to_string(s["count"].get<int>()) + " x " + one;
    }
    if (const std::string a = Str(s, "appearance"); !a.empty()) one += " (" + a + ")";
    Append(&out, one, "; ");
  }
  return out.empty() ? "" : "Subjects: " + out + ".";
}

}  // namespace

std::string FormatSeconds(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", seconds);
  return buf;
}

CaptionTexts RenderCaption(const nlohmann::json& c) {
  const Parts p = Measured(c);
  const std::string summary = EndSentence(Capitalised(Str(c, "summary")));
  const std::string summary_zh = Str(c, "summary_zh");

  // The camera-language sentence: "A close-up, the camera pans left slowly."
  std::string framing_en;
  if (!p.scale_en.empty()) framing_en = Capitalised(WithArticle(p.scale_en));
  if (!p.camera_en.empty()) {
    framing_en = framing_en.empty() ? Capitalised(p.camera_en)
                                    : framing_en + (p.camera_en.rfind("the camera", 0) == 0
                                                        ? ", " + p.camera_en
                                                        : " with a " + p.camera_en);
  }
  framing_en = EndSentence(framing_en);
  std::string framing_zh = p.scale_zh;
  Append(&framing_zh, p.camera_zh, "，");
  if (!framing_zh.empty()) framing_zh += "。";

  CaptionTexts t;
  // Short: "Close-up, camera pans left slowly: <summary>" / "Close-up, static camera."
  std::string head = Capitalised(p.scale_en);
  Append(&head, p.camera_short_en, head.empty() ? "" : ", ");
  head = Capitalised(head);
  t.short_en =
      summary.empty() ? EndSentence(head) : (head.empty() ? summary : head + ": " + summary);
  t.short_zh = framing_zh;
  if (!summary_zh.empty()) t.short_zh = framing_zh + summary_zh;

  Append(&t.text_en, summary);
  Append(&t.text_en, framing_en);
  Append(&t.text_en, EventsEn(c));
  Append(&t.text_en, p.text_en);
  Append(&t.text_en, p.people_en);

  t.text_zh = summary_zh;
  t.text_zh += framing_zh + p.text_zh + p.people_zh;

  t.long_en = t.text_en;
  Append(&t.long_en, p.segments_en);
  Append(&t.long_en, SubjectsEn(c));
  for (const char* key : {"scene", "lighting", "colour"}) {
    if (const std::string v = Str(c, key); !v.empty()) {
      Append(&t.long_en, Capitalised(key) + std::string(": ") + EndSentence(v));
    }
  }
  if (const std::string style = Str(c, "style"); !style.empty() && style != "other") {
    std::string words = style;
    for (char& ch : words) ch = ch == '_' ? ' ' : ch;
    Append(&t.long_en, "Style: " + words + ".");
  }
  Append(&t.long_en, p.problems_en);
  Append(&t.long_en, p.picture_en);
  if (c.contains("duration")) {
    Append(&t.long_en, "Duration " + Seconds(c["duration"].get<double>()) + " s.");
  }
  t.long_zh = t.text_zh + p.segments_zh + p.problems_zh + p.picture_zh;
  if (c.contains("duration")) t.long_zh += "时长" + Seconds(c["duration"].get<double>()) + "秒。";
  return t;
}

}  // namespace clipdex

#include "caption/caption_dpo.h"

#include <algorithm>
#include <map>

#include "caption/caption_facts.h"
#include "caption/caption_render.h"
#include "caption/film_vocabulary.h"
#include "util/stable_hash.h"

namespace clipdex {

namespace {

using nlohmann::json;

// Details no analyzer measured and no model was asked about.
const std::vector<std::pair<const char*, const char*>>& Padding() {
  static const std::vector<std::pair<const char*, const char*>> kPadding = {
      {"The air smells faintly of rain.", "空气中隐约有雨的气味。"},
      {"A distant orchestra plays a slow waltz.", "远处的乐队演奏着慢华尔兹。"},
      {"Several birds circle high overhead.", "几只鸟在高空盘旋。"},
      {"The scene was filmed on a Tuesday afternoon.", "这段画面拍摄于一个星期二的下午。"},
      {"Everyone in the town knows this place.", "镇上的每个人都知道这个地方。"},
      {"The temperature is exactly 21 degrees.", "气温正好是21度。"},
  };
  return kPadding;
}

const std::map<std::string, std::string>& Opposite() {
  static const std::map<std::string, std::string> kOpposite = {
      {"static", "handheld"},    {"handheld", "static"},   {"pan_left", "pan_right"},
      {"pan_right", "pan_left"}, {"tilt_up", "tilt_down"}, {"tilt_down", "tilt_up"},
      {"zoom_in", "zoom_out"},   {"zoom_out", "zoom_in"},  {"roll_cw", "roll_ccw"},
      {"roll_ccw", "roll_cw"}};
  return kOpposite;
}

}  // namespace

std::vector<nlohmann::ordered_json> CaptionPreferencePairs(const VideoRecord& video,
                                                           const ClipRecord& clip) {
  std::vector<nlohmann::ordered_json> out;
  const Attribute* stored = FindAttribute(clip, "caption.json");
  if (stored == nullptr) return out;
  const json caption = json::parse(stored->text, nullptr, false);
  if (!caption.is_object()) return out;
  const CaptionTexts chosen = RenderCaption(caption);
  const std::string key = video.fingerprint + "_c" + std::to_string(clip.index);
  const uint64_t h = StableHash(key);

  nlohmann::ordered_json base;
  base["prompt"] = "Describe this video clip.";
  base["video"] = video.path;
  base["start"] = clip.start_time;
  base["end"] = clip.end_time;
  json keyframes = json::array();
  if (const Attribute* f = FindAttribute(clip, "caption.frames"); f != nullptr) {
    const json frames = json::parse(f->text, nullptr, false);
    if (frames.is_object() && frames.contains("frames")) {
      for (const json& k : frames["frames"]) {
        keyframes.push_back(clip.start_time + k.value("t", 0.0));
      }
    }
  }
  base["keyframes"] = keyframes;
  base["thumbnail"] = clip.thumbnail;
  base["key"] = key;

  auto add = [&](const char* kind, const CaptionTexts& rejected) {
    for (const char* lang : {"en", "zh"}) {
      const bool en = std::string(lang) == "en";
      const std::string& c = en ? chosen.text_en : chosen.text_zh;
      const std::string& r = en ? rejected.text_en : rejected.text_zh;
      if (c.empty() || r.empty() || c == r) continue;
      nlohmann::ordered_json line = base;
      line["kind"] = kind;
      line["lang"] = lang;
      line["chosen"] = c;
      line["rejected"] = r;
      out.push_back(std::move(line));
    }
  };

  // (a) events in swapped order.
  if (caption.contains("events") && caption["events"].size() >= 2) {
    json swapped = caption;
    std::swap(swapped["events"][0]["what"], swapped["events"][1]["what"]);
    add("swapped_events", RenderCaption(swapped));
  }
  // (b) padded with unmeasured details: three sentences picked by the clip's hash.
  {
    CaptionTexts padded = chosen;
    const size_t n = Padding().size();
    for (size_t i = 0; i < 3; ++i) {
      const auto& [en, zh] = Padding()[(h + i * 7) % n];
      padded.text_en += std::string(" ") + en;
      padded.text_zh += zh;
    }
    add("padded", padded);
  }
  // (c) wrong camera movement / wrong shot scale.
  const json camera = caption.value("camera", json::object());
  if (auto it = Opposite().find(camera.value("movement", std::string())); it != Opposite().end()) {
    json wrong = caption;
    wrong["camera"]["movement"] = it->second;
    wrong["camera"].erase("segments");
    if (it->second == "static") wrong["camera"]["speed"] = "none";
    if (camera.value("speed", std::string()) == "none" && it->second != "static") {
      wrong["camera"]["speed"] = "medium";
    }
    add("wrong_camera", RenderCaption(wrong));
  }
  const auto& scales = ShotScaleLabels();
  if (auto it = std::find(scales.begin(), scales.end(), camera.value("shot_scale", std::string()));
      it != scales.end()) {
    const long k = it - scales.begin();
    const long n = static_cast<long>(scales.size());
    const long wrong_k = k + 3 < n ? k + 3 : k - 3;
    json wrong = caption;
    wrong["camera"]["shot_scale"] = scales[static_cast<size_t>(std::clamp(wrong_k, 0L, n - 1))];
    add("wrong_scale", RenderCaption(wrong));
  }
  return out;
}

}  // namespace clipdex

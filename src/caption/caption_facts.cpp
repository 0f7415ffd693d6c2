#include "caption/caption_facts.h"

#include <algorithm>
#include <cmath>

#include "analyze/camera_motion.h"
#include "caption/film_vocabulary.h"

namespace clipdex {

namespace {

using nlohmann::json;

std::optional<double> Number(const ClipRecord& clip, std::string_view name) {
  const Attribute* a = FindAttribute(clip, name);
  if (a == nullptr || !a->number) return std::nullopt;
  return *a->number;
}

std::string Text(const ClipRecord& clip, std::string_view name) {
  const Attribute* a = FindAttribute(clip, name);
  return a == nullptr || a->number ? std::string() : a->text;
}

bool IsLabel(const std::vector<std::string>& labels, const std::string& s) {
  return std::find(labels.begin(), labels.end(), s) != labels.end();
}

double Round2(double v) { return std::round(v * 100) / 100; }

json Camera(const ClipRecord& clip) {
  json camera = json::object();
  const std::string movement = Text(clip, "camera.movement");
  camera["movement"] = IsLabel(CameraMovementLabels(), movement) ? movement : "unknown";
  const std::string speed = Text(clip, "camera.speed");
  if (IsLabel(CameraSpeedLabels(), speed)) camera["speed"] = speed;
  const std::string scale = Text(clip, "framing.shot_scale");
  if (IsLabel(ShotScaleLabels(), scale)) camera["shot_scale"] = scale;
  const json segments = json::parse(Text(clip, "camera.segments"), nullptr, false);
  if (segments.is_array() && !segments.empty()) {
    json out = json::array();
    const double length = clip.end_time - clip.start_time;
    for (const json& s : segments) {
      if (!s.is_object() || !s.contains("label") || !s["label"].is_string()) continue;
      const std::string label = s["label"];
      if (!IsLabel(CameraMovementLabels(), label)) continue;
      const double start = std::clamp(s.value("start", 0.0) - clip.start_time, 0.0, length);
      const double end = std::clamp(s.value("end", 0.0) - clip.start_time, 0.0, length);
      if (end <= start) continue;
      json seg = {{"movement", label}, {"start", Round2(start)}, {"end", Round2(end)}};
      seg["speed"] = CameraSpeedLabel(label, s.value("rate", 0.0));
      out.push_back(std::move(seg));
    }
    if (!out.empty()) camera["segments"] = std::move(out);
  }
  return camera;
}

// Lines of text.content ("a | b | c"), trimmed, empty ones dropped.
std::vector<std::string> TextLines(const std::string& content) {
  std::vector<std::string> lines;
  size_t begin = 0;
  while (begin <= content.size()) {
    size_t end = content.find(" | ", begin);
    if (end == std::string::npos) end = content.size();
    std::string line = content.substr(begin, end - begin);
    const auto first = line.find_first_not_of(' ');
    const auto last = line.find_last_not_of(' ');
    if (first != std::string::npos) lines.push_back(line.substr(first, last - first + 1));
    begin = end + 3;
  }
  return lines;
}

}  // namespace

nlohmann::json MeasuredCaption(const VideoRecord& video, const ClipRecord& clip,
                               const ProblemThresholds& t) {
  json caption = json::object();
  caption["schema"] = "clipdex.caption/1";
  const double duration = std::max(0.0, clip.end_time - clip.start_time);
  caption["duration"] = Round2(duration);
  caption["camera"] = Camera(clip);

  json text = json::object();
  const std::vector<std::string> lines = TextLines(Text(clip, "text.content"));
  if (!lines.empty()) text["lines"] = lines;
  if (auto s = Number(clip, "text.subtitle")) text["subtitles"] = *s > 0.5;
  if (auto w = Number(clip, "watermark.present")) text["watermark"] = *w > 0.5;
  if (!text.empty()) caption["on_screen_text"] = std::move(text);

  if (auto faces = Number(clip, "framing.faces")) {
    caption["people"] = {{"faces", static_cast<int>(std::lround(std::max(0.0, *faces)))}};
  }

  json problems = json::array();
  auto below = [&](const char* name, double limit, const char* word) {
    if (auto v = Number(clip, name); v && *v < limit) problems.push_back(word);
  };
  auto above = [&](const char* name, double limit, const char* word) {
    if (auto v = Number(clip, name); v && *v > limit) problems.push_back(word);
  };
  below("quality.sharpness", t.blurry_sharpness, "blurry");
  above("quality.noise", t.noisy_sigma, "noisy");
  above("quality.blockiness", t.blocky_ratio, "blocky");
  above("quality.exposure_under", t.underexposed, "underexposed");
  above("quality.exposure_over", t.overexposed, "overexposed");
  below("quality.contrast", t.low_contrast, "low_contrast");
  if (auto f = Number(clip, "quality.frozen_ratio");
      f && *f >= t.frozen && duration >= 2 && !video.probe.is_image) {
    problems.push_back("frozen");
  }
  if (auto b = Number(clip, "quality.black_frames"); b && *b >= t.black_frames) {
    problems.push_back("black_frames");
  }
  json quality = json::object();
  if (!problems.empty()) quality["problems"] = std::move(problems);
  if (auto s = Number(clip, "quality.score")) quality["score"] = Round2(*s);
  if (!quality.empty()) caption["quality"] = std::move(quality);

  json picture = json::object();
  const int w = video.probe.display_width(), h = video.probe.display_height();
  if (w > 0 && h > 0) {
    picture["width"] = w;
    picture["height"] = h;
    picture["orientation"] = w > h ? "landscape" : w < h ? "portrait" : "square";
  }
  if (auto l = Number(clip, "borders.letterbox")) picture["letterbox"] = *l > 0.5;
  if (auto p = Number(clip, "borders.pillarbox")) picture["pillarbox"] = *p > 0.5;
  picture["media"] = video.probe.is_image ? "image" : "video";
  caption["picture"] = std::move(picture);
  return caption;
}

}  // namespace clipdex

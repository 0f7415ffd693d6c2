#include "caption/vlm_backend.h"

#include <cstdio>

#include "caption/caption_render.h"
#include "caption/caption_schema.h"

namespace clipdex {

namespace {

using nlohmann::json;

std::string Num(double v) { return FormatSeconds(v); }

// The model's text as JSON: tolerate a Markdown code fence around it (servers without grammar
// support often add one).
Result<json> ParseContent(std::string text) {
  const size_t open = text.find('{'), close = text.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    return Status::Error("model output is not a JSON object: '" + text.substr(0, 80) + "'");
  }
  json j = json::parse(text.substr(open, close - open + 1), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Error("model output is not valid JSON: '" + text.substr(0, 80) + "'");
  }
  return j;
}

class VlmBackend : public CaptionBackend {
 public:
  VlmBackend(std::string name, std::string model, ChatFn chat, int max_tokens)
      : name_(std::move(name)),
        model_(std::move(model)),
        chat_(std::move(chat)),
        max_tokens_(max_tokens),
        schema_(VlmContentSchema().dump()) {}
  std::string name() const override { return name_; }
  std::string model() const override { return model_; }
  bool needs_frames() const override { return true; }

  Result<CaptionOutput> Describe(const CaptionRequest& request) const override {
    ChatRequest chat;
    chat.system = CaptionSystemPrompt();
    chat.user = CaptionUserPrompt(request);
    chat.jpeg_images = request.jpegs;
    chat.json_schema = schema_;
    chat.schema_name = "clipdex_caption";
    chat.max_tokens = max_tokens_;
    chat.temperature = 0.2;
    CaptionOutput out;
    std::string problem;
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto reply = chat_(chat);
      if (!reply.ok()) return reply.status();
      out.prompt_tokens += reply->prompt_tokens;
      out.completion_tokens += reply->completion_tokens;
      out.attempts += reply->attempts;
      auto content = ParseContent(reply->content);
      Status valid = content.ok() ? ValidateVlmContent(content.value()) : content.status();
      if (valid.ok() && reply->finish_reason == "length") {
        valid = Status::Error("model output cut at max_tokens");
      }
      if (valid.ok()) {
        out.content = std::move(content.value());
        return out;
      }
      problem = valid.message();
      // One repair request: the same pictures, the reason, the demand for the schema's shape.
      chat.user = CaptionUserPrompt(request) + "\n\nYour previous answer was invalid (" + problem +
                  "). Answer again with exactly one JSON object that matches the schema.";
    }
    return Status::Error(problem + " (after a repair request)");
  }

 private:
  std::string name_, model_;
  ChatFn chat_;
  int max_tokens_;
  std::string schema_;
};

}  // namespace

std::string CaptionSystemPrompt() {
  return "You caption video clips for training text-to-video models. Describe only what the "
         "frames show: the subjects, what they do in time order, the setting, the light, the "
         "colours and the style. Measured facts (camera movement, shot scale, on-screen text, "
         "faces) come from instruments: never contradict them and do not invent camera "
         "movement. Answer with one JSON object that matches the given schema; write summary in "
         "English and summary_zh in Chinese.";
}

std::string CaptionUserPrompt(const CaptionRequest& r) {
  const json& m = r.measured;
  std::string out = "Clip of " + Num(m.value("duration", 0.0)) + " s";
  if (auto pic = m.find("picture"); pic != m.end() && pic->contains("width")) {
    out += ", " + std::to_string((*pic)["width"].get<int>()) + "x" +
           std::to_string((*pic)["height"].get<int>());
  }
  out += ". The images are keyframes at";
  for (size_t i = 0; i < r.plan.frames.size(); ++i) {
    out += (i ? ", " : " ") + Num(r.plan.frames[i].time) + " s";
  }
  out += " (in order).\nMeasured facts:\n";
  const json camera = m.value("camera", json::object());
  out += "- camera movement: " + camera.value("movement", std::string("unknown"));
  if (camera.contains("speed")) out += " (" + camera["speed"].get<std::string>() + ")";
  out += "\n";
  if (auto segs = camera.find("segments"); segs != camera.end() && segs->size() > 1) {
    out += "- camera segments:";
    for (const json& s : *segs) {
      out += " " + s.value("movement", std::string()) + " " + Num(s.value("start", 0.0)) + "-" +
             Num(s.value("end", 0.0)) + " s;";
    }
    out += "\n";
  }
  if (camera.contains("shot_scale")) {
    out += "- shot scale: " + camera["shot_scale"].get<std::string>() + "\n";
  }
  if (auto t = m.find("on_screen_text"); t != m.end()) {
    if (t->contains("lines")) {
      out += "- on-screen text (OCR):";
      for (const json& l : (*t)["lines"]) out += " \"" + l.get<std::string>() + "\"";
      out += "\n";
    } else {
      out += "- on-screen text (OCR): none\n";
    }
    if (t->value("subtitles", false)) out += "- burned-in subtitles: yes\n";
    if (t->value("watermark", false)) out += "- watermark or logo: yes\n";
  }
  if (auto p = m.find("people"); p != m.end()) {
    out += "- faces detected: " + std::to_string(p->value("faces", 0)) + "\n";
  }
  if (!r.context.empty()) out += "Context (names and terms that may apply):\n" + r.context + "\n";
  out +=
      "Also give your own reading of camera_movement, shot_scale, people_count and "
      "on_screen_text; they are checked against the measurements.";
  return out;
}

std::unique_ptr<CaptionBackend> MakeVlmBackend(std::string name, std::string model, ChatFn chat,
                                               int max_tokens) {
  return std::make_unique<VlmBackend>(std::move(name), std::move(model), std::move(chat),
                                      max_tokens);
}

}  // namespace clipdex

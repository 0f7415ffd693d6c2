#include "caption/caption_record.h"

#include <cmath>

#include "caption/caption_check.h"
#include "caption/caption_render.h"
#include "caption/caption_schema.h"

namespace clipdex {

Result<std::vector<Attribute>> CaptionAttributes(const nlohmann::json& measured,
                                                 const CaptionOutput& output,
                                                 const KeyframePlan& plan,
                                                 const CaptionProvenance& p) {
  nlohmann::json caption = measured;
  for (const std::string& key : SeenCaptionKeys()) {
    if (auto it = output.content.find(key); it != output.content.end()) caption[key] = *it;
  }
  if (Status s = ValidateStoredCaption(caption); !s.ok()) return s;
  const CaptionTexts texts = RenderCaption(caption);
  const std::vector<std::string> conflicts =
      output.content.empty() ? std::vector<std::string>() : CheckCaption(output.content, measured);

  nlohmann::json frames = nlohmann::json::array();
  for (const Keyframe& k : plan.frames) {
    frames.push_back({{"t", std::round(k.time * 100) / 100}, {"reason", k.reason}});
  }
  std::vector<Attribute> out = {
      Attribute::Text("caption.text", texts.text_en),
      Attribute::Text("caption.short", texts.short_en),
      Attribute::Text("caption.long", texts.long_en),
      Attribute::Text("caption.zh", texts.text_zh),
      Attribute::Text("caption.short_zh", texts.short_zh),
      Attribute::Text("caption.long_zh", texts.long_zh),
      Attribute::Text("caption.json", caption.dump()),
      Attribute::Text("caption.backend", p.backend),
      Attribute::Text("caption.model", p.model),
      Attribute::Text("caption.prompt_version", kCaptionPromptVersion),
      Attribute::Text("caption.route", p.route),
      Attribute::Text("caption.check", CheckText(conflicts)),
      Attribute::Num("caption.seconds", std::round(p.seconds * 1000) / 1000),
  };
  if (!plan.frames.empty()) {
    out.push_back(
        Attribute::Text("caption.frames",
                        nlohmann::json{{"long_side", plan.long_side}, {"frames", frames}}.dump()));
    out.push_back(Attribute::Num("caption.visual_tokens", static_cast<double>(plan.visual_tokens)));
  }
  if (output.completion_tokens > 0 || output.prompt_tokens > 0) {
    out.push_back(
        Attribute::Num("caption.tokens_out", static_cast<double>(output.completion_tokens)));
    out.push_back(Attribute::Num("caption.tokens_in", static_cast<double>(output.prompt_tokens)));
  }
  if (!p.error.empty()) out.push_back(Attribute::Text("caption.error", p.error));
  if (!p.context_json.empty()) out.push_back(Attribute::Text("caption.context", p.context_json));
  return out;
}

const std::vector<CaptionAttributeDecl>& CaptionAttributeDecls() {
  static const std::vector<CaptionAttributeDecl> kDecls = {
      {"caption.text", "text", "main caption, English"},
      {"caption.short", "text", "one line, English"},
      {"caption.long", "text", "every field, English"},
      {"caption.zh", "text", "main caption, Chinese"},
      {"caption.short_zh", "text", "one line, Chinese"},
      {"caption.long_zh", "text", "every field, Chinese"},
      {"caption.json", "JSON", "clipdex.caption/1"},
      {"caption.backend", "text", "template/openai/llama"},
      {"caption.model", "text", "model name"},
      {"caption.prompt_version", "text", "version"},
      {"caption.route", "text", "route name"},
      {"caption.check", "text", "ok or conflicts"},
      {"caption.seconds", "number", "s"},
      {"caption.frames", "JSON", "keyframes, s"},
      {"caption.visual_tokens", "number", "tokens"},
      {"caption.tokens_out", "number", "tokens"},
      {"caption.tokens_in", "number", "tokens"},
      {"caption.error", "text", "one line"},
      {"caption.context", "JSON", "glossary terms and neighbours in the prompt"},
  };
  return kDecls;
}

}  // namespace clipdex

#include "caption/caption_schema.h"

#include "caption/film_vocabulary.h"
#include "util/json_schema.h"

namespace clipdex {

namespace {

using nlohmann::json;

json Enum(const std::vector<std::string>& labels) {
  return json{{"type", "string"}, {"enum", labels}};
}

const std::vector<std::string>& StyleLabels() {
  static const std::vector<std::string> kStyles = {"live_action", "animation", "screen_recording",
                                                   "game",        "3d_render", "motion_graphics",
                                                   "slideshow",   "other"};
  return kStyles;
}

// The fields a VLM writes (shared by both schemas).
json SeenProperties() {
  json text = {{"type", "string"}, {"maxLength", 600}};
  return {
      {"summary", {{"type", "string"}, {"maxLength", 400}}},
      {"summary_zh", {{"type", "string"}, {"maxLength", 300}}},
      {"subjects",
       {{"type", "array"},
        {"maxItems", 8},
        {"items",
         {{"type", "object"},
          {"required", {"what"}},
          {"additionalProperties", false},
          {"properties",
           {{"what", {{"type", "string"}, {"maxLength", 120}}},
            {"count", {{"type", "integer"}, {"minimum", 0}, {"maximum", 1000}}},
            {"appearance", {{"type", "string"}, {"maxLength", 200}}}}}}}}},
      {"events",
       {{"type", "array"},
        {"maxItems", 12},
        {"items",
         {{"type", "object"},
          {"required", {"what"}},
          {"additionalProperties", false},
          {"properties",
           {{"what", {{"type", "string"}, {"maxLength", 200}}},
            {"start", {{"type", "number"}, {"minimum", 0}}},
            {"end", {{"type", "number"}, {"minimum", 0}}}}}}}}},
      {"scene", text},
      {"lighting", {{"type", "string"}, {"maxLength", 200}}},
      {"colour", {{"type", "string"}, {"maxLength", 200}}},
      {"style", Enum(StyleLabels())},
  };
}

json BuildStored() {
  json props = SeenProperties();
  props["schema"] = {{"type", "string"}, {"enum", {kCaptionSchemaId}}};
  props["duration"] = {{"type", "number"}, {"minimum", 0}};
  props["camera"] = {{"type", "object"},
                     {"additionalProperties", false},
                     {"required", {"movement"}},
                     {"properties",
                      {{"movement", Enum(CameraMovementLabels())},
                       {"speed", Enum(CameraSpeedLabels())},
                       {"shot_scale", Enum(ShotScaleLabels())},
                       {"segments",
                        {{"type", "array"},
                         {"items",
                          {{"type", "object"},
                           {"additionalProperties", false},
                           {"required", {"movement", "start", "end"}},
                           {"properties",
                            {{"movement", Enum(CameraMovementLabels())},
                             {"start", {{"type", "number"}, {"minimum", 0}}},
                             {"end", {{"type", "number"}, {"minimum", 0}}},
                             {"speed", Enum(CameraSpeedLabels())}}}}}}}}}};
  props["on_screen_text"] = {{"type", "object"},
                             {"additionalProperties", false},
                             {"properties",
                              {{"lines", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                               {"subtitles", {{"type", "boolean"}}},
                               {"watermark", {{"type", "boolean"}}}}}};
  props["people"] = {{"type", "object"},
                     {"additionalProperties", false},
                     {"properties", {{"faces", {{"type", "integer"}, {"minimum", 0}}}}}};
  const json problem = Enum({"blurry", "noisy", "blocky", "underexposed", "overexposed",
                             "low_contrast", "frozen", "black_frames"});
  props["quality"] = {
      {"type", "object"},
      {"additionalProperties", false},
      {"properties",
       {{"problems", {{"type", "array"}, {"items", problem}}}, {"score", {{"type", "number"}}}}}};
  props["picture"] = {{"type", "object"},
                      {"additionalProperties", false},
                      {"properties",
                       {{"width", {{"type", "integer"}, {"minimum", 0}}},
                        {"height", {{"type", "integer"}, {"minimum", 0}}},
                        {"orientation", Enum({"landscape", "portrait", "square"})},
                        {"letterbox", {{"type", "boolean"}}},
                        {"pillarbox", {{"type", "boolean"}}},
                        {"media", Enum({"video", "image"})}}}};
  return {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
          {"title", kCaptionSchemaId},
          {"type", "object"},
          {"additionalProperties", false},
          {"required", {"schema", "duration", "camera"}},
          {"properties", props}};
}

json BuildVlm() {
  json props = SeenProperties();
  // Claims, checked against the measurements (caption/caption_check.h) and not stored.
  props["camera_movement"] = Enum(CameraMovementLabels());
  props["shot_scale"] = Enum(ShotScaleLabels());
  props["people_count"] = {{"type", "integer"}, {"minimum", 0}, {"maximum", 1000}};
  props["on_screen_text"] = {{"type", "string"}, {"maxLength", 300}};
  return {{"type", "object"},
          {"additionalProperties", false},
          {"required", {"summary", "subjects", "events", "scene", "style"}},
          {"properties", props}};
}

}  // namespace

const nlohmann::json& StoredCaptionSchema() {
  static const json kSchema = BuildStored();
  return kSchema;
}

const nlohmann::json& VlmContentSchema() {
  static const json kSchema = BuildVlm();
  return kSchema;
}

const std::vector<std::string>& SeenCaptionKeys() {
  static const std::vector<std::string> kKeys = {"summary", "summary_zh", "subjects", "events",
                                                 "scene",   "lighting",   "colour",   "style"};
  return kKeys;
}

Status ValidateStoredCaption(const nlohmann::json& caption) {
  Status s = ValidateAgainstSchema(caption, StoredCaptionSchema());
  if (!s.ok()) return Status::Error("caption.json: " + s.message());
  return s;
}

Status ValidateVlmContent(const nlohmann::json& content) {
  Status s = ValidateAgainstSchema(content, VlmContentSchema());
  if (!s.ok()) return Status::Error("model output: " + s.message());
  return s;
}

}  // namespace clipdex

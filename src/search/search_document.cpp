// Building one clip's index document (see search/search_document.h).
#include "search/search_document.h"

#include <nlohmann/json.hpp>

#include "caption/film_vocabulary.h"
#include "search/search_text.h"

namespace clipdex {
namespace {

const std::string* Find(const SearchSource& s, const std::string& name) {
  auto it = s.attributes.find(name);
  return it == s.attributes.end() || it->second.empty() ? nullptr : &it->second;
}

bool IsPositive(const SearchSource& s, const std::string& name) {
  const std::string* v = Find(s, name);
  return v && std::strtod(v->c_str(), nullptr) > 0;
}

void Append(std::string* out, std::string_view words) {
  if (words.empty()) return;
  if (!out->empty()) *out += ' ';
  out->append(words);
}

// "pan_left" -> "pan left"
std::string LabelWords(std::string label) {
  for (char& c : label) {
    if (c == '_') c = ' ';
  }
  return label;
}

void CollectStrings(const nlohmann::json& j, std::string* out) {
  if (j.is_string()) {
    Append(out, j.get<std::string>());
  } else if (j.is_array() || j.is_object()) {
    for (const auto& v : j) CollectStrings(v, out);
  }
}

}  // namespace

SearchDocument MakeSearchDocument(const SearchSource& source) {
  SearchDocument doc;
  std::string labels;
  if (const std::string* m = Find(source, "camera.movement")) {
    Append(&labels, LabelWords(*m));
    if (auto w = MovementWords(*m)) {
      Append(&labels, w->en);
      Append(&labels, w->zh);
    }
  }
  if (const std::string* s = Find(source, "framing.shot_scale")) {
    Append(&labels, LabelWords(*s));
    if (auto w = ScaleWords(*s)) {
      Append(&labels, w->en);
      Append(&labels, w->zh);
    }
  }
  if (const std::string* s = Find(source, "camera.speed")) {
    if (auto w = SpeedWords(*s)) {
      Append(&labels, w->en);
      Append(&labels, w->zh);
    }
  }
  if (IsPositive(source, "watermark.present")) Append(&labels, "watermark logo 水印");
  if (IsPositive(source, "framing.faces")) Append(&labels, "face faces person 人脸");
  if (Find(source, "text.content")) Append(&labels, "text 文字");
  doc.labels = IndexableText(labels);

  std::string captions;
  for (const char* name : {"caption.text", "caption.short", "caption.long", "caption.zh",
                           "caption.short_zh", "caption.long_zh"}) {
    if (const std::string* t = Find(source, name)) Append(&captions, *t);
  }
  doc.caption = IndexableText(captions);
  if (const std::string* t = Find(source, "text.content")) doc.screen_text = IndexableText(*t);

  std::string tags;
  for (const std::string& t : source.tags) Append(&tags, t);
  doc.tags = IndexableText(tags);

  // Path separators, dots and underscores become spaces (unicode61 splits on most punctuation
  // but keeps '_' inside tokens).
  std::string path = source.video_path;
  for (char& c : path) {
    if (c == '/' || c == '\\' || c == '_' || c == '.' || c == '-') c = ' ';
  }
  doc.path = IndexableText(path);

  if (const std::string* ctx = Find(source, "caption.context")) {
    auto j = nlohmann::json::parse(*ctx, nullptr, /*allow_exceptions=*/false);
    std::string glossary;
    if (!j.is_discarded()) CollectStrings(j, &glossary);
    doc.glossary = IndexableText(glossary);
  }
  return doc;
}

}  // namespace clipdex

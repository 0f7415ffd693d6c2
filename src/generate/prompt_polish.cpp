#include "generate/prompt_polish.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "generate/prompt_parser.h"

namespace clipdex {
namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out.empty() ? "none" : out;
}

const char* kSchema = R"({"type": "object", "properties": {"text": {"type": "string"}},
  "required": ["text"], "additionalProperties": false})";

std::string Instructions(const PromptSlots& slots, const std::string& lang) {
  std::string s =
      "Rewrite the video generation prompt below so it reads naturally, in the same language (" +
      lang + "), as one paragraph. Keep every fact; add no camera movement, shot scale or speed. ";
  s += "Camera movement(s): ";
  s += Join(slots.movements);
  s += ". Shot scale: ";
  s += slots.shot_scale.empty() ? "none" : slots.shot_scale;
  s += ". Camera speed: ";
  s += slots.speed.empty() ? "none" : slots.speed;
  s += ". Quoted on-screen text stays quoted and unchanged. Answer as JSON {\"text\": ...}.";
  return s;
}

}  // namespace

std::vector<std::string> PolishViolations(const PromptSlots& want, std::string_view polished) {
  std::vector<std::string> out;
  const PromptSlots got = ParsePrompt(polished);
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  };
  if (sorted(want.movements) != sorted(got.movements)) {
    out.push_back("camera movement: asked " + Join(sorted(want.movements)) + ", got " +
                  Join(sorted(got.movements)));
  }
  if (want.shot_scale != got.shot_scale) {
    out.push_back("shot scale: asked " + (want.shot_scale.empty() ? "none" : want.shot_scale) +
                  ", got " + (got.shot_scale.empty() ? "none" : got.shot_scale));
  }
  if (!want.speed.empty() && want.speed != got.speed) {
    out.push_back("camera speed: asked " + want.speed + ", got " +
                  (got.speed.empty() ? "none" : got.speed));
  }
  for (const std::string& line : want.text_lines) {
    if (polished.find(line) == std::string_view::npos) {
      out.push_back("on-screen text \"" + line + "\" is missing");
    }
  }
  return out;
}

PolishResult PolishPrompt(const OpenAIClient& client, const PromptSlots& slots,
                          const std::string& rendered, const std::string& lang, int max_tokens) {
  PolishResult result;
  result.text = rendered;
  ChatRequest request;
  request.system = Instructions(slots, lang);
  request.user = rendered;
  request.json_schema = kSchema;
  request.schema_name = "prompt";
  request.max_tokens = max_tokens;
  for (int attempt = 0; attempt < 2; ++attempt) {
    ++result.requests;
    auto reply = client.Complete(request);
    if (!reply.ok()) {
      result.error = "polish request failed: " + reply.status().message();
      return result;
    }
    const auto j = nlohmann::json::parse(reply->content, nullptr, /*allow_exceptions=*/false);
    std::vector<std::string> problems;
    std::string text;
    if (!j.is_object() || !j.contains("text") || !j["text"].is_string() ||
        j["text"].get<std::string>().find_first_not_of(" \n\t") == std::string::npos) {
      problems.push_back("the reply is not {\"text\": a non-empty string}");
    } else {
      text = j["text"].get<std::string>();
      problems = PolishViolations(slots, text);
    }
    if (problems.empty()) {
      result.text = text;
      result.polished = true;
      result.error.clear();
      return result;
    }
    std::string why;
    for (const std::string& p : problems) {
      if (!why.empty()) why += "; ";
      why += p;
    }
    result.error = "polished text rejected: " + why;
    // The second request says what the first broke.
    request.user = rendered + "\n\n(Your previous answer broke these constraints: " + why + ")";
  }
  return result;
}

}  // namespace clipdex

// `clipdex rewrite`: a generation prompt read into slots and written in the captioner's camera
// language (generate/rewrite.h, docs/generation.md). One prompt from the arguments, or one per
// line of a file given as @FILE.
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/verbs.h"
#include "generate/rewrite.h"

namespace clipdex::cli {
namespace {

struct RewriteArgs {
  std::vector<std::string> words;
  std::string style = "medium";
  std::string lang;
  bool fill = false;
  bool json = false;
};

void PrintRewrite(const Rewrite& r, bool json, std::optional<int> line) {
  if (!json) {
    std::printf("%s\n", r.text.c_str());
    return;
  }
  nlohmann::ordered_json j;
  if (line) j["line"] = *line;
  const nlohmann::ordered_json body = RewriteJson(r);
  for (auto it = body.begin(); it != body.end(); ++it) j[it.key()] = it.value();
  std::printf("%s\n", j.dump().c_str());
}

// One prompt per line of `path`; blank lines are skipped. A bad line is reported with its number
// (stderr, and in the output: an empty line, or a JSON error object) and the batch goes on.
int RewriteFile(const std::string& path, const RewriteOptions& options, bool json) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::string message = "cannot read prompts file '";
    message += path;
    message += "'";
    PrintError(Status::Error(message));
    return kExitUsage;
  }
  int failed = 0, number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto r = RewritePrompt(line, options);
    if (r.ok()) {
      PrintRewrite(*r, json, number);
      continue;
    }
    ++failed;
    std::string message = path;
    message += ':';
    message += std::to_string(number);
    message += ": ";
    message += r.status().message();
    PrintError(Status::Error(message));
    if (json) {
      nlohmann::ordered_json j = {{"line", number}, {"error", r.status().message()}};
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("\n");
    }
  }
  return failed > 0 ? kExitSomeFailed : kExitOk;
}

int RunRewrite(const RewriteArgs& args) {
  RewriteOptions options;
  auto length = ParsePromptLength(args.style);
  if (!length.ok()) {
    PrintError(length.status());
    return kExitUsage;
  }
  options.length = *length;
  if (!args.lang.empty()) {
    auto lang = ParsePromptLanguage(args.lang);
    if (!lang.ok()) {
      PrintError(lang.status());
      return kExitUsage;
    }
    options.language = *lang;
  }
  options.fill = args.fill;
  if (args.words.size() == 1 && args.words[0].size() > 1 && args.words[0][0] == '@') {
    return RewriteFile(args.words[0].substr(1), options, args.json);
  }
  std::string prompt;
  for (const std::string& w : args.words) {
    if (!prompt.empty()) prompt += ' ';
    prompt += w;
  }
  auto r = RewritePrompt(prompt, options);
  if (!r.ok()) {
    PrintError(r.status());
    return kExitUsage;
  }
  PrintRewrite(*r, args.json, std::nullopt);
  return kExitOk;
}

}  // namespace

void AddRewriteVerb(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<RewriteArgs>();
  CLI::App* cmd = app.add_subcommand(
      "rewrite",
      "Rewrite a generation prompt (English or Chinese) in the captions' camera language");
  cmd->add_option("prompt", args->words,
                  "The prompt (several words are joined), or @FILE: one prompt per line");
  cmd->add_option("--style", args->style, "short, medium or long")->default_val("medium");
  cmd->add_option("--lang", args->lang, "Output language, en or zh (default: the prompt's own)");
  cmd->add_flag("--fill", args->fill,
                "Fill unsaid camera slots with defaults (medium shot, static camera, eye level, "
                "live action); listed as \"filled\" in --json");
  cmd->add_flag("--json", args->json,
                "Print the parsed slots and the text as JSON (JSONL for @FILE)");
  cmd->callback([args, exit_code]() { *exit_code = RunRewrite(*args); });
}

}  // namespace clipdex::cli

// `clipdex rewrite`: a generation prompt read into slots and written in the captioner's camera
// language (generate/rewrite.h, docs/generation.md). One prompt from the arguments, or one per
// line of a file given as @FILE.
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "caption/openai_client.h"
#include "catalog/catalog.h"
#include "cli/verbs.h"
#include "generate/catalog_fill.h"
#include "generate/prompt_polish.h"
#include "generate/rewrite.h"

namespace clipdex::cli {
namespace {

struct RewriteArgs {
  std::vector<std::string> words;
  std::string style = "medium";
  std::string lang;
  bool fill = false;
  bool json = false;
  std::string catalog;  // --catalog DS: unsaid camera slots from the dataset's own clips
  // --polish: an OpenAI-compatible server rewrites the text, the slots as hard constraints.
  bool polish = false;
  std::string endpoint = "http://127.0.0.1:8080/v1";
  std::string model = "default";
  std::string api_key_env;
  double timeout = 60;
  int max_tokens = 512;
};

// The polisher of a run, or none.
struct Polisher {
  std::unique_ptr<OpenAIClient> client;
  int max_tokens = 512;
};

// Polishes r's text when a polisher is set; the JSON says whether it did and why not.
void Polish(const Polisher& p, Rewrite* r, nlohmann::ordered_json* extra) {
  if (!p.client) return;
  const std::string lang = r->detected == "en" ? "en" : "zh";
  const PolishResult out = PolishPrompt(*p.client, r->slots, r->text, lang, p.max_tokens);
  r->text = out.text;
  (*extra)["polished"] = out.polished;
  if (!out.polished) {
    (*extra)["polish_error"] = out.error;
    std::fprintf(stderr, "clipdex: %s (kept the rewrite)\n", out.error.c_str());
  }
}

void PrintRewrite(Rewrite r, bool json, std::optional<int> line, const Polisher& polisher) {
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();
  Polish(polisher, &r, &extra);
  if (!json) {
    std::printf("%s\n", r.text.c_str());
    return;
  }
  nlohmann::ordered_json j;
  if (line) j["line"] = *line;
  const nlohmann::ordered_json body = RewriteJson(r);
  for (auto it = body.begin(); it != body.end(); ++it) j[it.key()] = it.value();
  for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = it.value();
  std::printf("%s\n", j.dump().c_str());
}

// One prompt per line of `path`; blank lines are skipped. A bad line is reported with its number
// (stderr, and in the output: an empty line, or a JSON error object) and the batch goes on.
int RewriteFile(const std::string& path, const RewriteOptions& options, bool json,
                const Polisher& polisher) {
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
      PrintRewrite(*r, json, number, polisher);
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
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<SearchEngine> engine;
  if (!args.catalog.empty()) {
    if (ExitStatus e = OpenDatasetForRead(args.catalog, &catalog); e != kExitOk) return e;
    engine = std::make_unique<SearchEngine>(*catalog);
    options.fill_from = [&engine](PromptSlots* slots) { return FillFromCatalog(*engine, slots); };
  }
  Polisher polisher;
  if (args.polish) {
    OpenAIEndpoint endpoint;
    endpoint.base_url = args.endpoint;
    endpoint.model = args.model;
    endpoint.api_key_env = args.api_key_env;
    endpoint.timeout_s = args.timeout;
    endpoint.max_retries = 2;
    polisher.client = std::make_unique<OpenAIClient>(endpoint);
    polisher.max_tokens = args.max_tokens;
  }
  if (args.words.size() == 1 && args.words[0].size() > 1 && args.words[0][0] == '@') {
    return RewriteFile(args.words[0].substr(1), options, args.json, polisher);
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
  PrintRewrite(*r, args.json, std::nullopt, polisher);
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
  cmd->add_option("--catalog", args->catalog,
                  "Fill the camera movement and shot scale the prompt does not give from the "
                  "clips this dataset's search finds for its words");
  cmd->add_flag("--polish", args->polish,
                "Let an OpenAI-compatible server rewrite the text more fluently; the parsed slots "
                "are hard constraints its answer is checked against (docs/generation.md)");
  cmd->add_option("--endpoint", args->endpoint, "With --polish: the server's base URL")
      ->capture_default_str();
  cmd->add_option("--model", args->model, "With --polish: the model name sent")
      ->capture_default_str();
  cmd->add_option("--api-key-env", args->api_key_env,
                  "With --polish: environment variable holding the API key (never logged)");
  cmd->add_option("--timeout", args->timeout, "With --polish: seconds per request")
      ->capture_default_str();
  cmd->add_option("--max-tokens", args->max_tokens, "With --polish: reply tokens at most")
      ->capture_default_str();
  cmd->callback([args, exit_code]() { *exit_code = RunRewrite(*args); });
}

}  // namespace clipdex::cli

#include "caption/make_backend.h"

#include <filesystem>

#include "caption/llama_backend.h"
#include "caption/openai_client.h"
#include "caption/vlm_backend.h"

namespace clipdex {

Result<std::unique_ptr<CaptionBackend>> MakeCaptionBackend(const OptionValues& values) {
  const std::string& name = values.GetString("backend");
  const int max_tokens = static_cast<int>(values.GetInt("max_tokens"));
  if (name == "template") return MakeTemplateBackend();
  if (name == "openai") {
    OpenAIEndpoint e;
    e.base_url = values.GetString("endpoint");
    e.model = values.GetString("model");
    e.api_key_env = values.GetString("api_key_env");
    e.timeout_s = values.GetDouble("timeout");
    e.max_retries = static_cast<int>(values.GetInt("retries"));
    e.requests_per_minute = values.GetDouble("rpm");
    if (e.base_url.empty()) return Status::Error("caption: backend openai needs --endpoint");
    // Shared by every worker thread: the client is thread-safe and owns the rate limit.
    auto client = std::make_shared<OpenAIClient>(e);
    return MakeVlmBackend(
        "openai", e.model,
        [client](const ChatRequest& request) { return client->Complete(request); }, max_tokens);
  }
  if (name == "llama") {
    if (!LlamaBackendAvailable()) {
      return Status::Error(
          "caption: backend llama: this clipdex was built without llama.cpp (run "
          "`bash scripts/setup.sh build`, which builds it into third_party/llama)");
    }
    LlamaBackendOptions o;
    o.model_path = values.GetString("model");
    o.mmproj_path = values.GetString("mmproj");
    o.n_ctx = static_cast<int>(values.GetInt("ctx"));
    o.n_threads = static_cast<int>(values.GetInt("threads"));
    if (o.model_path.empty() || o.mmproj_path.empty()) {
      return Status::Error(
          "caption: backend llama needs --model MODEL.gguf and --mmproj MMPROJ.gguf");
    }
    auto backend = LlamaBackend::Open(o);
    if (!backend.ok())
      return Status::Error("caption: backend llama: " + backend.status().message());
    std::shared_ptr<LlamaBackend> shared = std::move(backend.value());
    return MakeVlmBackend(
        "llama", std::filesystem::path(o.model_path).filename().string(),
        [shared](const ChatRequest& request) { return shared->Complete(request); }, max_tokens);
  }
  return Status::Error("caption: unknown backend '" + name +
                       "' (backends: template, openai, llama)");
}

}  // namespace clipdex

// LlamaBackend: a vision-language model run in process by llama.cpp (libllama + libmtmd), with the
// same Complete(ChatRequest) -> Result<ChatReply> contract as OpenAIClient, so a caption pass can
// use either. No server, no HTTP: for a single machine where one model instance is enough.
//
// - The prompt is the model's own chat template (Jinja, from the GGUF), applied by llama-common.
// - Images: each JPEG is decoded by libmtmd, encoded by the projector (the mmproj GGUF) and placed
//   before the user text, as OpenAIClient sends them.
// - json_schema: converted to a GBNF grammar by llama-common's json_schema_to_grammar (the same
//   converter llama-server uses for response_format), so the sampled text always has the schema's
//   shape unless max_tokens cuts it (finish_reason "length").
// - One model context: Complete() calls are serialised by a mutex. For parallel requests run
//   several backends (memory: one model copy each) or llama-server with -np N and OpenAIClient.
// Built only when third_party/llama holds llama.cpp (CLIPDEX_HAVE_LLAMA); otherwise Open() fails
// with a reason.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "caption/openai_client.h"
#include "util/status.h"

namespace clipdex {

struct LlamaBackendOptions {
  std::string model_path;   // the language model GGUF
  std::string mmproj_path;  // the vision projector GGUF
  int n_ctx = 4096;         // context tokens: prompt (text + image tokens) + reply
  int n_threads = 2;
  int n_gpu_layers = 0;  // a CPU build ignores this
  unsigned seed = 0;     // sampling seed, so a rerun reproduces a caption
  bool verbose = false;  // llama.cpp's own log on stderr (else only errors)
};

// True when this binary was built with llama.cpp.
bool LlamaBackendAvailable();

class LlamaBackend {
 public:
  // Loads the model and the projector. Fails with the file and the reason.
  static Result<std::unique_ptr<LlamaBackend>> Open(const LlamaBackendOptions& options);
  ~LlamaBackend();
  LlamaBackend(const LlamaBackend&) = delete;
  LlamaBackend& operator=(const LlamaBackend&) = delete;

  // Generates one reply. ChatRequest::extra_body_json is ignored. Thread-safe (serialised).
  Result<ChatReply> Complete(const ChatRequest& request) const;

 private:
  struct State;
  explicit LlamaBackend(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
  mutable std::mutex mutex_;
};

}  // namespace clipdex

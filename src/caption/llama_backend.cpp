#include "caption/llama_backend.h"

#include <chrono>
#include <utility>

#ifdef CLIPDEX_HAVE_LLAMA
#include <llama-common/chat.h>
#include <llama-common/json-schema-to-grammar.h>
#include <llama-common/json.h>
#include <llama.h>
#include <mtmd-helper.h>
#include <mtmd.h>

#include <cstdio>
#include <exception>
#include <vector>
#endif

namespace clipdex {

#ifndef CLIPDEX_HAVE_LLAMA

bool LlamaBackendAvailable() { return false; }

struct LlamaBackend::State {};
LlamaBackend::LlamaBackend(std::unique_ptr<State> state) : state_(std::move(state)) {}
LlamaBackend::~LlamaBackend() = default;

Result<std::unique_ptr<LlamaBackend>> LlamaBackend::Open(const LlamaBackendOptions&) {
  return Status::Error(
      "llama.cpp backend: this build has no llama.cpp (run scripts/setup.sh llama, then "
      "reconfigure)");
}

Result<ChatReply> LlamaBackend::Complete(const ChatRequest&) const {
  return Status::Error("llama.cpp backend: not built");
}

#else  // CLIPDEX_HAVE_LLAMA

namespace {

struct ModelDeleter {
  void operator()(llama_model* m) const { llama_model_free(m); }
};
struct ContextDeleter {
  void operator()(llama_context* c) const { llama_free(c); }
};
struct MtmdDeleter {
  void operator()(mtmd_context* c) const { mtmd_free(c); }
};
struct SamplerDeleter {
  void operator()(llama_sampler* s) const { llama_sampler_free(s); }
};
struct BitmapDeleter {
  void operator()(mtmd_bitmap* b) const { mtmd_bitmap_free(b); }
};
struct ChunksDeleter {
  void operator()(mtmd_input_chunks* c) const { mtmd_input_chunks_free(c); }
};
using SamplerPtr = std::unique_ptr<llama_sampler, SamplerDeleter>;
using BitmapPtr = std::unique_ptr<mtmd_bitmap, BitmapDeleter>;
using ChunksPtr = std::unique_ptr<mtmd_input_chunks, ChunksDeleter>;

// A one-token batch owned by RAII (llama_batch is a plain struct of malloc'd arrays).
class OneTokenBatch {
 public:
  OneTokenBatch() : batch_(llama_batch_init(1, 0, 1)) {}
  ~OneTokenBatch() { llama_batch_free(batch_); }
  OneTokenBatch(const OneTokenBatch&) = delete;
  OneTokenBatch& operator=(const OneTokenBatch&) = delete;
  llama_batch& Set(llama_token token, llama_pos pos) {
    batch_.n_tokens = 1;
    batch_.token[0] = token;
    batch_.pos[0] = pos;
    batch_.n_seq_id[0] = 1;
    batch_.seq_id[0][0] = 0;
    batch_.logits[0] = 1;
    return batch_;
  }

 private:
  llama_batch batch_;
};

// llama.cpp logs to stderr by default; keep errors only unless verbose.
void QuietLog(ggml_log_level level, const char* text, void*) {
  if (level == GGML_LOG_LEVEL_ERROR) std::fputs(text, stderr);
}

void InitLlamaOnce(bool verbose) {
  static std::once_flag once;
  std::call_once(once, [verbose] {
    if (!verbose) {
      llama_log_set(QuietLog, nullptr);
      mtmd_helper_log_set(QuietLog, nullptr);
    }
    llama_backend_init();
  });
}

}  // namespace

bool LlamaBackendAvailable() { return true; }

struct LlamaBackend::State {
  LlamaBackendOptions options;
  std::unique_ptr<llama_model, ModelDeleter> model;
  std::unique_ptr<llama_context, ContextDeleter> context;
  std::unique_ptr<mtmd_context, MtmdDeleter> vision;
  common_chat_templates_ptr templates;
};

LlamaBackend::LlamaBackend(std::unique_ptr<State> state) : state_(std::move(state)) {}
LlamaBackend::~LlamaBackend() = default;

Result<std::unique_ptr<LlamaBackend>> LlamaBackend::Open(const LlamaBackendOptions& options) {
  InitLlamaOnce(options.verbose);
  auto state = std::make_unique<State>();
  state->options = options;
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = options.n_gpu_layers;
  state->model.reset(llama_model_load_from_file(options.model_path.c_str(), mp));
  if (!state->model) {
    return Status::Error("llama.cpp backend: cannot load model " + options.model_path);
  }
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = static_cast<uint32_t>(options.n_ctx);
  cp.n_batch = static_cast<uint32_t>(options.n_ctx);
  cp.n_threads = options.n_threads;
  cp.n_threads_batch = options.n_threads;
  cp.no_perf = true;
  state->context.reset(llama_init_from_model(state->model.get(), cp));
  if (!state->context) {
    return Status::Error("llama.cpp backend: cannot create a context of " +
                         std::to_string(options.n_ctx) + " tokens for " + options.model_path);
  }
  mtmd_context_params vp = mtmd_context_params_default();
  vp.use_gpu = options.n_gpu_layers > 0;
  vp.n_threads = options.n_threads;
  vp.print_timings = false;
  vp.warmup = false;
  state->vision.reset(mtmd_init_from_file(options.mmproj_path.c_str(), state->model.get(), vp));
  if (!state->vision) {
    return Status::Error("llama.cpp backend: cannot load vision projector " + options.mmproj_path);
  }
  if (!mtmd_support_vision(state->vision.get())) {
    return Status::Error("llama.cpp backend: " + options.mmproj_path + " has no vision encoder");
  }
  try {
    // "" = the template stored in the GGUF.
    state->templates = common_chat_templates_init(state->model.get(), "");
  } catch (const std::exception& e) {
    return Status::Error("llama.cpp backend: chat template of " + options.model_path + ": " +
                         e.what());
  }
  if (!state->templates) {
    return Status::Error("llama.cpp backend: no chat template in " + options.model_path);
  }
  return std::unique_ptr<LlamaBackend>(new LlamaBackend(std::move(state)));
}

Result<ChatReply> LlamaBackend::Complete(const ChatRequest& request) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto start = std::chrono::steady_clock::now();
  State& s = *state_;
  auto fail = [&](const std::string& why) {
    return Status::Error("llama.cpp backend (" + s.options.model_path + "): " + why);
  };

  // 1. The prompt text through the model's chat template; one media marker per image, images
  //    first (the order OpenAIClient sends).
  std::string user;
  for (size_t i = 0; i < request.jpeg_images.size(); ++i) user += mtmd_default_marker();
  user += request.user;
  common_chat_templates_inputs inputs;
  if (!request.system.empty()) {
    common_chat_msg sys;
    sys.role = "system";
    sys.content = request.system;
    inputs.messages.push_back(std::move(sys));
  }
  common_chat_msg msg;
  msg.role = "user";
  msg.content = user;
  inputs.messages.push_back(std::move(msg));
  inputs.add_generation_prompt = true;
  inputs.use_jinja = true;
  std::string prompt, grammar;
  try {
    prompt = common_chat_templates_apply(s.templates.get(), inputs).prompt;
    if (!request.json_schema.empty()) {
      grammar = json_schema_to_grammar(common_json::parse(request.json_schema));
    }
  } catch (const std::exception& e) {
    return fail(std::string(request.json_schema.empty() ? "chat template: " : "json_schema: ") +
                e.what());
  }

  // 2. Images -> bitmaps (libmtmd decodes the JPEG bytes).
  std::vector<BitmapPtr> bitmaps;
  std::vector<const mtmd_bitmap*> bitmap_ptrs;
  for (size_t i = 0; i < request.jpeg_images.size(); ++i) {
    const auto& jpeg = request.jpeg_images[i];
    mtmd_helper_bitmap_wrapper w = mtmd_helper_bitmap_init_from_buf(
        s.vision.get(), jpeg.data(), jpeg.size(), false, mtmd_helper_init_opt_default());
    if (w.video_ctx != nullptr) mtmd_helper_video_free(w.video_ctx);  // not for a still JPEG
    if (w.bitmap == nullptr) return fail("image " + std::to_string(i) + " cannot be decoded");
    bitmaps.emplace_back(w.bitmap);
    bitmap_ptrs.push_back(w.bitmap);
  }

  // 3. Tokenize text + images, evaluate the whole prompt from an empty memory.
  ChunksPtr chunks(mtmd_input_chunks_init());
  mtmd_input_text text{prompt.c_str(), prompt.size(), /*add_special=*/true,
                       /*parse_special=*/true};
  if (const int32_t rc = mtmd_tokenize(s.vision.get(), chunks.get(), &text, bitmap_ptrs.data(),
                                       bitmap_ptrs.size());
      rc != 0) {
    return fail("tokenizing the prompt with its images failed (mtmd_tokenize " +
                std::to_string(rc) + ")");
  }
  const long prompt_tokens = static_cast<long>(mtmd_helper_get_n_tokens(chunks.get()));
  const long n_ctx = static_cast<long>(llama_n_ctx(s.context.get()));
  if (prompt_tokens >= n_ctx) {
    return fail("prompt of " + std::to_string(prompt_tokens) + " tokens does not fit n_ctx " +
                std::to_string(n_ctx));
  }
  llama_memory_clear(llama_get_memory(s.context.get()), true);
  llama_pos n_past = 0;
  if (mtmd_helper_eval_chunks(s.vision.get(), s.context.get(), chunks.get(), 0, 0,
                              static_cast<int32_t>(llama_n_batch(s.context.get())), true,
                              &n_past) != 0) {
    return fail("evaluating the prompt failed");
  }

  // 4. Sample: grammar (when a schema is given), then temperature, then the seeded draw.
  const llama_vocab* vocab = llama_model_get_vocab(s.model.get());
  SamplerPtr chain(llama_sampler_chain_init(llama_sampler_chain_default_params()));
  if (!grammar.empty()) {
    llama_sampler* g = llama_sampler_init_grammar(vocab, grammar.c_str(), "root");
    if (g == nullptr) return fail("the grammar made from json_schema does not parse");
    llama_sampler_chain_add(chain.get(), g);
  }
  if (request.temperature <= 0) {
    llama_sampler_chain_add(chain.get(), llama_sampler_init_greedy());
  } else {
    llama_sampler_chain_add(chain.get(),
                            llama_sampler_init_temp(static_cast<float>(request.temperature)));
    llama_sampler_chain_add(chain.get(), llama_sampler_init_dist(s.options.seed));
  }

  ChatReply reply;
  reply.prompt_tokens = prompt_tokens;
  reply.finish_reason = "length";
  OneTokenBatch batch;
  std::vector<char> piece(256);
  for (int i = 0; i < request.max_tokens; ++i) {
    if (n_past >= n_ctx) break;  // context full: as cut as by max_tokens
    const llama_token token = llama_sampler_sample(chain.get(), s.context.get(), -1);
    if (llama_vocab_is_eog(vocab, token)) {
      reply.finish_reason = "stop";
      break;
    }
    ++reply.completion_tokens;
    int32_t n = llama_token_to_piece(vocab, token, piece.data(), static_cast<int32_t>(piece.size()),
                                     0, false);
    if (n < 0) {
      piece.resize(static_cast<size_t>(-n));
      n = llama_token_to_piece(vocab, token, piece.data(), static_cast<int32_t>(piece.size()), 0,
                               false);
    }
    if (n > 0) reply.content.append(piece.data(), static_cast<size_t>(n));
    if (llama_decode(s.context.get(), batch.Set(token, n_past++)) != 0) {
      return fail("decoding failed after " + std::to_string(reply.completion_tokens) + " tokens");
    }
  }
  reply.attempts = 1;
  reply.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return reply;
}

#endif  // CLIPDEX_HAVE_LLAMA

}  // namespace clipdex

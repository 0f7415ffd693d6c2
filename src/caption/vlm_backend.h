// The VLM caption backends: any OpenAI-compatible server (OpenAIClient) or llama.cpp in process
// (LlamaBackend). Both get the same request: the keyframes as JPEG images and a prompt that states
// what was measured (camera movement with segments, shot scale, on-screen text, faces), so the
// model describes content and events instead of guessing camera language; output constrained to
// VlmContentSchema() (response_format json_schema / a GBNF grammar), validated on receipt, one
// repair request on invalid output, then the error.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "caption/caption_backend.h"
#include "caption/openai_client.h"

namespace clipdex {

// One chat completion; thread-safe.
using ChatFn = std::function<Result<ChatReply>(const ChatRequest&)>;

// name: "openai" or "llama"; model: what caption.model records.
std::unique_ptr<CaptionBackend> MakeVlmBackend(std::string name, std::string model, ChatFn chat,
                                               int max_tokens);

// The prompt's text parts for one request (exposed for tests and docs).
std::string CaptionSystemPrompt();
std::string CaptionUserPrompt(const CaptionRequest& request);

}  // namespace clipdex

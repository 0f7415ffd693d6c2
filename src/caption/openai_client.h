// OpenAIClient: chat completions (text + JPEG images, optional JSON-schema output) against any
// OpenAI-compatible server: llama-server, vLLM, SGLang, a hosted API. One instance is shared by
// all caption worker threads; Complete() is thread-safe and blocking.
//
// Request shape sent (non-streaming POST <base_url>/chat/completions):
//   {"model": M, "max_tokens": N, "temperature": T, "stream": false,
//    "messages": [{"role": "system", "content": SYSTEM},
//                 {"role": "user", "content": [
//                     {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,..."}},
//                     ...,                                  // images first, in request order
//                     {"type": "text", "text": USER}]}],
//    "response_format": {"type": "json_schema",            // only when json_schema != ""
//                        "json_schema": {"name": NAME, "schema": {...}, "strict": true}}}
// The reply read is choices[0].message.content, choices[0].finish_reason and
// usage.{prompt_tokens, completion_tokens}.
//
// Measured against llama-server from llama.cpp v0.4.0 (scripts/llama_server.sh, the random-weight
// tiny VLM in ../shared/models/tiny-vlm-random, -np 4 -c 4096 -t 2, 2 shared CPU cores):
//   - That request shape is accepted as is (HTTP 200); with "strict": true json_schema the
//     server constrains sampling with a grammar: the random model's gibberish always parsed as
//     JSON with the schema's required keys and enum values (finish_reason "stop"), e.g.
//     {"caption":" skinuda vorgreibungslash...","shot":"medium" }. Give string fields a
//     maxLength: an unbounded string can run to max_tokens (finish_reason "length", not JSON).
//   - usage: {"completion_tokens", "prompt_tokens", "total_tokens",
//     "prompt_tokens_details": {"cached_tokens"}}; the reply also has llama.cpp's "timings".
//   - One 224 px image costs 49 prompt tokens ((224/32)^2 patches, no delimiters); the first
//     image of a prompt measured +50 (the text is re-split around it). System + text: 22 tokens,
//     + 1 image 72, + 2 images 121.
//   - Latency (45 constrained tokens, loaded machine): median 0.30 s, p90 0.44 s sequential;
//     grammar sampling over the 32k vocabulary dominates, not the 2-layer model.
//   - -np 4 serves 4 concurrent clients (20 requests in 4.2 s vs 0.3 s each sequential), but
//     parallel requests carrying an image already sent (same bytes, parallel or earlier) are
//     sometimes answered HTTP 500 "got exception: Chunk not found", repeatedly for the same
//     request (5 of 20 with one image in 4 slots); distinct images: 0 of 40 failed.
//   - Errors: undecodable image -> 400 "Failed to load image or audio file"; prompt over the
//     slot's context (-c / -np) -> 400 exceed_context_size_error; a schema it cannot convert ->
//     400.
//
// Failure policy (each failed attempt is one of):
//   retried   HTTP 429 (waits Retry-After when given, else backoff), 408, 5xx; connection refused
//             or reset, timeouts, an empty or truncated reply, a dripping body.
//   final     any other 4xx (bad request, 401/403, unknown model), a 200 whose body is not the
//             expected JSON, a bad URL, a missing API-key variable.
// Backoff is exponential with full jitter: uniform(0, min(backoff_max_s, backoff_base_s * 2^k)).
// Errors are one line: "openai <base_url> (model M): <reason>[ after N attempts]". The API key is
// read from the environment at each request and never logged, stored or put in an error.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "util/status.h"

namespace clipdex {

struct ChatRequest {
  std::string system, user;                             // prompt text; system "" = no system turn
  std::vector<std::vector<unsigned char>> jpeg_images;  // sent as base64 data URLs, in order
  std::string json_schema;  // JSON text of a schema: sent as response_format json_schema; "" = free
  std::string schema_name = "caption";
  int max_tokens = 512;
  double temperature = 0.2;
  // JSON object text merged into the request body last (e.g. {"seed": 1, "top_k": 20}); "" = none.
  std::string extra_body_json;
};

struct ChatReply {
  std::string content;        // choices[0].message.content
  std::string finish_reason;  // "stop", or "length" when max_tokens cut the answer
  long prompt_tokens = 0, completion_tokens = 0;
  double seconds = 0;  // wall time of Complete(), retries and waits included
  int attempts = 0;    // HTTP attempts made (1 = no retry)
};

struct OpenAIEndpoint {
  std::string base_url;     // e.g. http://127.0.0.1:8080/v1 ("/chat/completions" is appended)
  std::string model;        // sent as "model"; llama-server ignores it, hosted APIs require it
  std::string api_key_env;  // name of the env var holding the key ("" = none); never logged/stored
  double timeout_s = 120;   // one attempt, connect to last byte
  double connect_timeout_s = 5;
  // Once the reply body has started, it must be complete within this many seconds. A
  // non-streaming reply is silent while the model generates and then arrives in one burst, so a
  // byte-rate floor would cut off slow generations; this cuts a server that drips a body instead.
  double body_timeout_s = 10;
  double total_timeout_s = 0;      // cap on all attempts and waits of one Complete(); 0 = none
  int max_retries = 4;             // retries after the first attempt
  double requests_per_minute = 0;  // 0 = unlimited; shared by all threads using this client
  double backoff_base_s = 0.5, backoff_max_s = 20;
  // A 429/503 whose Retry-After asks for a longer wait than this fails at once (naming the wait)
  // instead of sleeping: a caption worker should not block for an hour on one frame.
  double retry_after_max_s = 120;
};

class OpenAIClient {
 public:
  explicit OpenAIClient(OpenAIEndpoint endpoint);
  ~OpenAIClient();
  OpenAIClient(const OpenAIClient&) = delete;
  OpenAIClient& operator=(const OpenAIClient&) = delete;

  // Sends the request, retrying per the policy above. Thread-safe.
  Result<ChatReply> Complete(const ChatRequest& request) const;

  const OpenAIEndpoint& endpoint() const { return endpoint_; }

 private:
  class RateLimiter;
  // Waits for this thread's slot under requests_per_minute (no-op when unlimited).
  void WaitForSlot() const;

  OpenAIEndpoint endpoint_;
  std::string url_;   // base_url + "/chat/completions"
  std::string name_;  // "openai <base_url without credentials> (model M)", for errors
  std::unique_ptr<RateLimiter> limiter_;
};

// The JSON body Complete() sends (exposed for tests and for logging a request without images).
Result<std::string> BuildChatBody(const ChatRequest& request, const std::string& model);

}  // namespace clipdex

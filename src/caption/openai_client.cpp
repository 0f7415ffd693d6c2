#include "caption/openai_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string_view>
#include <thread>
#include <utility>

#include "util/base64.h"

namespace clipdex {
namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

// A reply larger than this is not a chat completion: stop reading instead of filling memory.
constexpr size_t kMaxReplyBytes = 64u << 20;
// Server error text quoted in our one-line errors is cut to this many characters.
constexpr size_t kMaxQuotedChars = 300;

// curl_global_init is not thread-safe and must precede any other curl call; a function-local
// static runs it exactly once even when the first clients are built on several threads.
void EnsureCurlGlobal() {
  struct Global {
    Global() { curl_global_init(CURL_GLOBAL_DEFAULT); }
    ~Global() { curl_global_cleanup(); }
  };
  static Global global;
}

struct CurlEasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// Appends a header line to the list; the list is freed even when an append fails.
bool AppendHeader(CurlSlist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) return false;
  (void)list.release();  // `grown` is the same list, now one longer
  list.reset(grown);
  return true;
}

// One line, at most kMaxQuotedChars: server text is quoted into our errors.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxQuotedChars))
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (text.size() > kMaxQuotedChars) out += "...";
  return out;
}

// Drops "user:password@" from a URL so that credentials never reach an error message.
std::string WithoutCredentials(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  const size_t at = url.find('@', start);
  const size_t slash = url.find('/', start);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  return url.substr(0, start) + url.substr(at + 1);
}

std::string Seconds(double s) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%.1f s", s);
  return buf.data();
}

// What one HTTP attempt produced.
struct Attempt {
  CURLcode code = CURLE_OK;
  long http_status = 0;
  std::string body;
  std::optional<double> retry_after_s;  // from a Retry-After header
  bool too_large = false;
  bool dripped = false;  // the body did not complete within body_timeout_s of its first byte
  double body_timeout_s = 0;
  std::optional<Clock::time_point> first_body_byte;
  std::array<char, CURL_ERROR_SIZE> error{};
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* attempt = static_cast<Attempt*>(user);
  const size_t n = size * count;
  if (attempt->body.size() + n > kMaxReplyBytes) {
    attempt->too_large = true;
    return 0;  // makes curl fail the transfer with CURLE_WRITE_ERROR
  }
  attempt->body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* attempt = static_cast<Attempt*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  // A new status line starts a new response (after a redirect or a 100 Continue).
  if (line.starts_with("HTTP/")) attempt->retry_after_s.reset();
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string head(line.substr(0, kName.size()));
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (head == kName) {
      std::string value(line.substr(kName.size()));
      while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
        value.pop_back();
      }
      value.erase(0, value.find_first_not_of(" \t"));
      char* end = nullptr;
      const double seconds = std::strtod(value.c_str(), &end);
      if (end != value.c_str() && *end == '\0' && std::isfinite(seconds) && seconds >= 0) {
        attempt->retry_after_s = seconds;
      } else if (const time_t when = curl_getdate(value.c_str(), nullptr); when >= 0) {
        // The HTTP-date form: wait until then (not before now).
        attempt->retry_after_s = std::max(0.0, std::difftime(when, std::time(nullptr)));
      }
    }
  }
  return n;
}

// Cuts off a body that drips: once its first byte arrived it must finish within body_timeout_s.
int OnProgress(void* user, curl_off_t, curl_off_t downloaded, curl_off_t, curl_off_t) {
  auto* attempt = static_cast<Attempt*>(user);
  if (downloaded <= 0) return 0;
  const auto now = Clock::now();
  if (!attempt->first_body_byte) attempt->first_body_byte = now;
  const double elapsed = std::chrono::duration<double>(now - *attempt->first_body_byte).count();
  if (elapsed > attempt->body_timeout_s) {
    attempt->dripped = true;
    return 1;  // aborts the transfer (CURLE_ABORTED_BY_CALLBACK)
  }
  return 0;
}

// The server's own error text from an error body: {"error": {"message": ...}}, {"error": "..."},
// {"message": ...}, else the raw body.
std::string ServerMessage(const std::string& body) {
  const Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    if (auto e = j.find("error"); e != j.end()) {
      if (e->is_string()) return OneLine(e->get<std::string>());
      if (e->is_object()) {
        if (auto m = e->find("message"); m != e->end() && m->is_string()) {
          return OneLine(m->get<std::string>());
        }
      }
    }
    if (auto m = j.find("message"); m != j.end() && m->is_string()) {
      return OneLine(m->get<std::string>());
    }
  }
  return OneLine(body.empty() ? std::string("(empty body)") : body);
}

// The content of a 200 reply, or why it is not a chat completion.
Result<ChatReply> ParseReply(const std::string& body) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Error("HTTP 200 but the body is not a JSON object: " + OneLine(body));
  }
  const auto choices = j.find("choices");
  if (choices == j.end() || !choices->is_array() || choices->empty() ||
      !(*choices)[0].is_object()) {
    return Status::Error("HTTP 200 but the reply has no choices[0]: " + OneLine(body));
  }
  const Json& choice = (*choices)[0];
  const auto message = choice.find("message");
  if (message == choice.end() || !message->is_object()) {
    return Status::Error("HTTP 200 but choices[0] has no message: " + OneLine(body));
  }
  ChatReply reply;
  const auto content = message->find("content");
  if (content != message->end() && content->is_string()) {
    reply.content = content->get<std::string>();
  } else if (content != message->end() && content->is_array()) {
    // Some servers return content parts; the text parts, concatenated, are the answer.
    for (const Json& part : *content) {
      if (part.is_object() && part.value("type", "") == "text" && part.contains("text") &&
          part["text"].is_string()) {
        reply.content += part["text"].get<std::string>();
      }
    }
  } else {
    return Status::Error("HTTP 200 but choices[0].message.content is missing or null: " +
                         OneLine(body));
  }
  if (auto f = choice.find("finish_reason"); f != choice.end() && f->is_string()) {
    reply.finish_reason = f->get<std::string>();
  }
  if (auto usage = j.find("usage"); usage != j.end() && usage->is_object()) {
    reply.prompt_tokens = usage->value("prompt_tokens", 0L);
    reply.completion_tokens = usage->value("completion_tokens", 0L);
  }
  return reply;
}

bool RetryableCurlError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_ABORTED_BY_CALLBACK:  // our drip guard
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

// Full-jitter exponential backoff (AWS architecture blog, "Exponential Backoff And Jitter"):
// uniform over [0, min(max, base * 2^retry)] so that many threads rejected together spread out.
double BackoffSeconds(const OpenAIEndpoint& e, int retry) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const double cap = std::min(e.backoff_max_s, e.backoff_base_s * std::ldexp(1.0, retry));
  if (cap <= 0) return 0;
  return std::uniform_real_distribution<double>(0.0, cap)(rng);
}

}  // namespace

// Hands out request start times spaced 60/rpm seconds apart, across all threads.
class OpenAIClient::RateLimiter {
 public:
  explicit RateLimiter(double requests_per_minute)
      : interval_(std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(60.0 / requests_per_minute))) {}

  Clock::time_point Reserve() {
    std::lock_guard<std::mutex> lock(mutex_);
    const Clock::time_point slot = std::max(Clock::now(), next_);
    next_ = slot + interval_;
    return slot;
  }

 private:
  std::mutex mutex_;
  Clock::duration interval_;
  Clock::time_point next_{};
};

Result<std::string> BuildChatBody(const ChatRequest& request, const std::string& model) {
  Json body = Json::object();
  if (!model.empty()) body["model"] = model;
  body["max_tokens"] = request.max_tokens;
  body["temperature"] = request.temperature;
  body["stream"] = false;
  Json messages = Json::array();
  if (!request.system.empty()) {
    messages.push_back({{"role", "system"}, {"content", request.system}});
  }
  Json parts = Json::array();
  // Images before the text: VLM chat templates are trained mostly on "image(s), then question".
  for (const auto& jpeg : request.jpeg_images) {
    parts.push_back(
        {{"type", "image_url"},
         {"image_url",
          {{"url", "data:image/jpeg;base64," + Base64Encode(jpeg.data(), jpeg.size())}}}});
  }
  parts.push_back({{"type", "text"}, {"text", request.user}});
  messages.push_back({{"role", "user"}, {"content", std::move(parts)}});
  body["messages"] = std::move(messages);
  if (!request.json_schema.empty()) {
    Json schema = Json::parse(request.json_schema, nullptr, /*allow_exceptions=*/false);
    if (schema.is_discarded() || !schema.is_object()) {
      return Status::Error("json_schema is not a JSON object: " + OneLine(request.json_schema));
    }
    body["response_format"] = {
        {"type", "json_schema"},
        {"json_schema",
         {{"name", request.schema_name}, {"schema", std::move(schema)}, {"strict", true}}}};
  }
  if (!request.extra_body_json.empty()) {
    Json extra = Json::parse(request.extra_body_json, nullptr, /*allow_exceptions=*/false);
    if (extra.is_discarded() || !extra.is_object()) {
      return Status::Error("extra_body_json is not a JSON object: " +
                           OneLine(request.extra_body_json));
    }
    body.update(extra);
  }
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

OpenAIClient::OpenAIClient(OpenAIEndpoint endpoint) : endpoint_(std::move(endpoint)) {
  EnsureCurlGlobal();
  std::string base = endpoint_.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  url_ = base + "/chat/completions";
  name_ = "openai " + WithoutCredentials(base);
  if (!endpoint_.model.empty()) name_ += " (model " + endpoint_.model + ")";
  if (endpoint_.requests_per_minute > 0) {
    limiter_ = std::make_unique<RateLimiter>(endpoint_.requests_per_minute);
  }
}

OpenAIClient::~OpenAIClient() = default;

void OpenAIClient::WaitForSlot() const {
  if (limiter_) std::this_thread::sleep_until(limiter_->Reserve());
}

Result<ChatReply> OpenAIClient::Complete(const ChatRequest& request) const {
  const auto start = Clock::now();
  auto fail = [this](const std::string& reason) { return Status::Error(name_ + ": " + reason); };
  if (endpoint_.base_url.empty()) return fail("no base_url configured");

  Result<std::string> body = BuildChatBody(request, endpoint_.model);
  if (!body.ok()) return fail(body.status().message());

  CurlSlist headers;
  bool headers_ok = AppendHeader(headers, "Content-Type: application/json") &&
                    // An empty "Expect:" stops curl's 100-continue handshake on large bodies (a
                    // second round trip, or a 1 s stall on servers that ignore it).
                    AppendHeader(headers, "Expect:");
  if (!endpoint_.api_key_env.empty()) {
    const char* key = std::getenv(endpoint_.api_key_env.c_str());
    if (key == nullptr || *key == '\0') {
      return fail("environment variable " + endpoint_.api_key_env + " (the API key) is not set");
    }
    headers_ok = headers_ok && AppendHeader(headers, std::string("Authorization: Bearer ") + key);
  }
  if (!headers_ok) return fail("out of memory building the request headers");

  CurlEasy curl(curl_easy_init());
  if (!curl) return fail("curl_easy_init failed");

  const std::optional<Clock::time_point> deadline =
      endpoint_.total_timeout_s > 0
          ? std::optional(start + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(endpoint_.total_timeout_s)))
          : std::nullopt;
  auto remaining_s = [&]() -> double {
    if (!deadline) return endpoint_.timeout_s;
    return std::chrono::duration<double>(*deadline - Clock::now()).count();
  };

  std::string last_reason;
  const int max_attempts = 1 + std::max(0, endpoint_.max_retries);
  for (int attempt_no = 1; attempt_no <= max_attempts; ++attempt_no) {
    WaitForSlot();
    const double budget = std::min(endpoint_.timeout_s, remaining_s());
    if (budget <= 0) {
      last_reason += (last_reason.empty() ? "" : "; then ") + std::string("total_timeout_s (") +
                     Seconds(endpoint_.total_timeout_s) + ") used up";
      return fail(last_reason + " (after " + std::to_string(attempt_no - 1) + " attempts)");
    }

    Attempt attempt;
    attempt.body_timeout_s = endpoint_.body_timeout_s;
    CURL* h = curl.get();
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &attempt);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &attempt);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &attempt);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, attempt.error.data());
    // Worker threads: signals cannot implement timeouts (the threaded resolver does instead).
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(std::ceil(budget * 1000)));
    curl_easy_setopt(
        h, CURLOPT_CONNECTTIMEOUT_MS,
        static_cast<long>(std::ceil(std::min(endpoint_.connect_timeout_s, budget) * 1000)));
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // whatever curl can decode
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");

    attempt.code = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &attempt.http_status);

    bool retry = false;
    std::string reason;
    if (attempt.code == CURLE_OK && attempt.http_status == 200) {
      Result<ChatReply> reply = ParseReply(attempt.body);
      if (reply.ok()) {
        reply->attempts = attempt_no;
        reply->seconds = std::chrono::duration<double>(Clock::now() - start).count();
        return reply;
      }
      reason = reply.status().message();  // a malformed 200 is a server bug: retrying repeats it
    } else if (attempt.code == CURLE_OK) {
      const long s = attempt.http_status;
      reason = "HTTP " + std::to_string(s) + ": " + ServerMessage(attempt.body);
      retry = s == 429 || s == 408 || s >= 500;
    } else if (attempt.dripped) {
      reason = "reply body still incomplete " + Seconds(attempt.body_timeout_s) +
               " after its first byte (body_timeout_s)";
      retry = true;
    } else if (attempt.too_large) {
      reason = "reply larger than " + std::to_string(kMaxReplyBytes >> 20) + " MiB";
    } else if (attempt.code == CURLE_OPERATION_TIMEDOUT) {
      reason = "no complete reply within " + Seconds(budget) +
               (attempt.http_status ? " (HTTP " + std::to_string(attempt.http_status) + ")"
                                    : std::string()) +
               ": " + std::string(attempt.error.data());
      retry = true;
    } else {
      reason = std::string(curl_easy_strerror(attempt.code));
      if (attempt.error[0] != '\0') reason += " (" + std::string(attempt.error.data()) + ")";
      retry = RetryableCurlError(attempt.code);
    }
    last_reason = reason;
    if (!retry) {
      return fail(reason + (attempt_no > 1 ? " (attempt " + std::to_string(attempt_no) + ")" : ""));
    }
    if (attempt_no == max_attempts) break;

    double wait_s = BackoffSeconds(endpoint_, attempt_no - 1);
    if (attempt.retry_after_s) {
      if (*attempt.retry_after_s > endpoint_.retry_after_max_s) {
        return fail(reason + "; the server asks to retry after " + Seconds(*attempt.retry_after_s) +
                    ", more than retry_after_max_s (" + Seconds(endpoint_.retry_after_max_s) + ")");
      }
      wait_s = *attempt.retry_after_s;  // the server knows best
    }
    if (deadline && wait_s >= remaining_s()) {
      return fail(reason + "; waiting " + Seconds(wait_s) + " more would pass total_timeout_s (" +
                  std::to_string(attempt_no) + " attempts)");
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(wait_s));
  }
  return fail(last_reason + " (gave up after " + std::to_string(max_attempts) + " attempts)");
}

}  // namespace clipdex

// JSON responses and request parsing shared by the API handlers: every error is
// {"error": "<one line>"} with a 4xx/5xx status, every number parameter is checked.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "serve/httplib.h"
#include "util/status.h"

namespace clipdex {

// Sets `body` as application/json. Invalid UTF-8 in catalog strings (file names) is replaced,
// never thrown.
void SendJson(httplib::Response& response, const nlohmann::ordered_json& body, int status = 200);
void SendError(httplib::Response& response, int status, const std::string& message);

// Parameter `name` as an integer in [lo, hi]; `fallback` when absent. Error (for a 400):
// "parameter limit: expected an integer in 1..1000, got 'x'".
Result<long> IntParam(const httplib::Request& request, const std::string& name, long fallback,
                      long lo, long hi);
// "1", "true", "yes" -> true; "0", "false", "no", "" -> false; absent -> fallback; else error.
Result<bool> BoolParam(const httplib::Request& request, const std::string& name, bool fallback);

// Path segment `index` of the route's regex as a clip id (> 0); nullopt when it is not one.
std::optional<int64_t> ClipIdFrom(const httplib::Request& request, size_t index = 1);

// The request body as a JSON object. Error (for a 400): "body: expected a JSON object: <why>".
Result<nlohmann::json> JsonObjectBody(const httplib::Request& request);

// The user a write is logged under: header X-Clipdex-User (trimmed, at most 64 bytes, control
// characters dropped), else "web".
std::string RequestUser(const httplib::Request& request);

}  // namespace clipdex

#include "serve/http_json.h"

#include <charconv>

namespace clipdex {

void SendJson(httplib::Response& response, const nlohmann::ordered_json& body, int status) {
  response.status = status;
  response.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       "application/json; charset=utf-8");
}

void SendError(httplib::Response& response, int status, const std::string& message) {
  nlohmann::ordered_json body;
  body["error"] = message;
  SendJson(response, body, status);
}

Result<long> IntParam(const httplib::Request& request, const std::string& name, long fallback,
                      long lo, long hi) {
  if (!request.has_param(name)) return fallback;
  const std::string text = request.get_param_value(name);
  long value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < lo || value > hi) {
    std::string message = "parameter ";
    message += name;
    message += ": expected an integer in ";
    message += std::to_string(lo);
    message += "..";
    message += std::to_string(hi);
    message += ", got '";
    message += text.substr(0, 40);
    message += "'";
    return Status::Error(message);
  }
  return value;
}

Result<bool> BoolParam(const httplib::Request& request, const std::string& name, bool fallback) {
  if (!request.has_param(name)) return fallback;
  const std::string text = request.get_param_value(name);
  if (text == "1" || text == "true" || text == "yes") return true;
  if (text.empty() || text == "0" || text == "false" || text == "no") return false;
  std::string message = "parameter ";
  message += name;
  message += ": expected true or false, got '";
  message += text.substr(0, 40);
  message += "'";
  return Status::Error(message);
}

std::optional<int64_t> ClipIdFrom(const httplib::Request& request, size_t index) {
  if (request.matches.size() <= index) return std::nullopt;
  const std::string text = request.matches[index].str();
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value <= 0) return std::nullopt;
  return value;
}

Result<nlohmann::json> JsonObjectBody(const httplib::Request& request) {
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return Status::Error("body: expected a JSON object: not valid JSON");
  }
  if (!body.is_object()) return Status::Error("body: expected a JSON object");
  return body;
}

std::string RequestUser(const httplib::Request& request) {
  std::string user;
  for (char c : request.get_header_value("X-Clipdex-User")) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) user += c;
  }
  const size_t first = user.find_first_not_of(' ');
  if (first == std::string::npos) return "web";
  user = user.substr(first, user.find_last_not_of(' ') - first + 1);
  if (user.size() > 64) user.resize(64);
  return user;
}

}  // namespace clipdex

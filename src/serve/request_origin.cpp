#include "serve/request_origin.h"

#include <algorithm>
#include <cctype>

#include "serve/serve_options.h"
#include "util/ascii_case.h"

namespace clipdex {
namespace {}  // namespace

std::string HostPart(const std::string& host_header) {
  std::string host = AsciiLower(host_header);
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    return close == std::string::npos ? host : host.substr(1, close - 1);
  }
  const size_t colon = host.find(':');
  return colon == std::string::npos ? host : host.substr(0, colon);
}

bool HostIsLoopback(const httplib::Request& request) {
  if (!request.has_header("Host")) return true;
  return IsLoopbackHost(HostPart(request.get_header_value("Host")));
}

bool OriginMatchesHost(const httplib::Request& request) {
  if (!request.has_header("Origin")) return true;
  const std::string origin = AsciiLower(request.get_header_value("Origin"));
  const size_t scheme = origin.find("://");
  if (scheme == std::string::npos) return false;
  std::string authority = origin.substr(scheme + 3);
  const size_t slash = authority.find('/');
  if (slash != std::string::npos) authority.resize(slash);
  return !authority.empty() && authority == AsciiLower(request.get_header_value("Host"));
}

bool IsJsonContentType(const httplib::Request& request) {
  std::string type = AsciiLower(request.get_header_value("Content-Type"));
  const size_t semicolon = type.find(';');
  if (semicolon != std::string::npos) type.resize(semicolon);
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type == "application/json";
}

}  // namespace clipdex

#include "serve/serve_options.h"

#include <arpa/inet.h>

#include <fstream>

namespace clipdex {

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  // An IPv4 literal in 127.0.0.0/8 only: a name such as "127.0.0.1.example.com" is not one (it
  // could resolve anywhere, and is what a DNS-rebinding page would send as Host).
  in_addr addr{};
  return ::inet_pton(AF_INET, host.c_str(), &addr) == 1 && (ntohl(addr.s_addr) >> 24) == 127;
}

Result<std::string> CheckServeOptions(const ServeOptions& options) {
  if (options.port < 0 || options.port > 65535) {
    return Status::Error("--port " + std::to_string(options.port) + ": must be 0..65535");
  }
  if (options.threads < 1 || options.threads > 256) {
    return Status::Error("--threads " + std::to_string(options.threads) + ": must be 1..256");
  }
  if (options.search_slots < 0 || options.search_slots > 256) {
    return Status::Error("--search-slots " + std::to_string(options.search_slots) +
                         ": must be 0..256");
  }
  if (options.token_file.empty()) {
    if (!IsLoopbackHost(options.host)) {
      std::string message = "--host ";
      message += options.host;
      message += " is not a loopback address: pass --token-file to require a token";
      return Status::Error(message);
    }
    return std::string();
  }
  std::ifstream in(options.token_file);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return Status::Error("--token-file " + options.token_file + ": cannot read it");
  }
  const char* kSpace = " \t\r\n";
  const size_t first = line.find_first_not_of(kSpace);
  const size_t last = line.find_last_not_of(kSpace);
  std::string token = first == std::string::npos ? "" : line.substr(first, last - first + 1);
  if (token.size() < 16) {
    return Status::Error("--token-file " + options.token_file +
                         ": the token must be at least 16 characters");
  }
  for (char c : token) {
    // The token travels in a header and a cookie: printable ASCII without separators.
    if (c <= 0x20 || c >= 0x7f || c == ';' || c == ',' || c == '"' || c == '\\') {
      return Status::Error("--token-file " + options.token_file +
                           ": the token may hold only printable ASCII without ;,\"\\ or spaces");
    }
  }
  return token;
}

}  // namespace clipdex

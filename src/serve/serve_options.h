// Options of `clipdex serve` (docs/serve.md) and the checks that run before anything binds.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "util/status.h"

namespace clipdex {

struct ServeOptions {
  std::filesystem::path dataset;
  std::string host = "127.0.0.1";
  int port = 8642;         // 0 = any free port
  std::string token_file;  // required when host is not a loopback address
  bool read_only = false;  // every write endpoint answers 403
  int threads = 8;         // HTTP worker threads (and at most this many catalog connections)
  size_t max_body_bytes = size_t{16} << 20;  // request bodies (query images) above this: 413
  double query_time_limit = 10;  // seconds a search may take before it gives up (503); 0 = none
  int search_slots = 0;  // searches run at once, the rest wait in arrival order; 0 = 2 per core
};

// True for an IPv4 literal 127.x.y.z, "::1" (bracketed or not) and "localhost".
bool IsLoopbackHost(const std::string& host);

// Checks the options and returns the access token ("" = none). Errors (one line):
//   "--host 0.0.0.0 is not a loopback address: pass --token-file to require a token"
//   "--token-file F: cannot read it" / "--token-file F: the token must be at least 16 characters"
//   "--port N: must be 0..65535" / "--threads N: must be 1..256" /
//   "--search-slots N: must be 0..256"
// The token is the file's first line without surrounding white space.
Result<std::string> CheckServeOptions(const ServeOptions& options);

}  // namespace clipdex

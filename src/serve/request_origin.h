// Where a request comes from, for the defences a token cannot give a loopback server:
//   - DNS rebinding: a web page on evil.example that re-resolves its name to 127.0.0.1 becomes
//     "same origin" with the server and could read the API. A loopback server therefore answers
//     only requests whose Host header names a loopback address ("127.0.0.1:8642", "localhost",
//     "[::1]").
//   - Cross-site writes (CSRF): any page may POST a "simple" request to 127.0.0.1 without a
//     preflight. Writes must come with Content-Type: application/json (which a cross-site page
//     can only send after a CORS preflight the server never grants), and an Origin header, when
//     present, must name the server itself.
#pragma once

#include <string>

#include "serve/httplib.h"

namespace clipdex {

// The host part of a Host header ("127.0.0.1:8642" -> "127.0.0.1", "[::1]:80" -> "::1"),
// lower-cased.
std::string HostPart(const std::string& host_header);

// True when the request has no Host header (HTTP/1.0) or its host part is a loopback name.
bool HostIsLoopback(const httplib::Request& request);

// True when the request carries no Origin header, or one whose host[:port] equals the Host
// header's (scheme ignored). "null" and malformed origins are not the same origin.
bool OriginMatchesHost(const httplib::Request& request);

// True for a Content-Type of application/json (parameters such as charset allowed).
bool IsJsonContentType(const httplib::Request& request);

}  // namespace clipdex

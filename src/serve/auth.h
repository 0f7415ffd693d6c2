// Access token checks of `clipdex serve`: a request carries the token as
// `Authorization: Bearer <token>` or as cookie `clipdex_token=<token>` (set by opening
// `/?token=<token>`). Comparison takes the same time whatever the first differing byte.
#pragma once

#include <string>

#include "serve/httplib.h"

namespace clipdex {

inline constexpr const char* kTokenCookie = "clipdex_token";

// Equal strings, compared in time that depends only on their lengths.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

// The value of cookie `name` in a Cookie header ("a=1; b=2"), "" when absent.
std::string CookieValue(const std::string& cookie_header, const std::string& name);

// True when `token` is empty (no token required) or the request carries it.
bool RequestHasToken(const httplib::Request& request, const std::string& token);

}  // namespace clipdex

#include "serve/auth.h"

namespace clipdex {

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

std::string CookieValue(const std::string& cookie_header, const std::string& name) {
  size_t pos = 0;
  while (pos < cookie_header.size()) {
    size_t end = cookie_header.find(';', pos);
    if (end == std::string::npos) end = cookie_header.size();
    size_t start = cookie_header.find_first_not_of(' ', pos);
    if (start != std::string::npos && start < end) {
      const size_t eq = cookie_header.find('=', start);
      if (eq != std::string::npos && eq < end &&
          cookie_header.compare(start, eq - start, name) == 0 && eq - start == name.size()) {
        return cookie_header.substr(eq + 1, end - eq - 1);
      }
    }
    pos = end + 1;
  }
  return "";
}

bool RequestHasToken(const httplib::Request& request, const std::string& token) {
  if (token.empty()) return true;
  const std::string authorization = request.get_header_value("Authorization");
  const std::string kBearer = "Bearer ";
  if (authorization.rfind(kBearer, 0) == 0 &&
      ConstantTimeEquals(authorization.substr(kBearer.size()), token)) {
    return true;
  }
  for (size_t i = 0; i < request.get_header_value_count("Cookie"); ++i) {
    if (ConstantTimeEquals(CookieValue(request.get_header_value("Cookie", i), kTokenCookie),
                           token)) {
      return true;
    }
  }
  return false;
}

}  // namespace clipdex

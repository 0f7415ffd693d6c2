// JSON text for output that must never stop on one bad string: a file name or attribute that is
// not valid UTF-8 (a Latin-1 name from an old disk) would make nlohmann's dump() throw and end
// the whole export; its invalid bytes become U+FFFD instead.
#pragma once

#include <string>

namespace clipdex {

template <typename Json>
std::string DumpJson(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace clipdex

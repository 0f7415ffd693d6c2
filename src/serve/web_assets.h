// The web UI (web/index.html, web/app.js, web/style.css), compiled into the binary at build
// time (CMake writes ${CMAKE_BINARY_DIR}/generated/web_assets.cpp from web_assets.cpp.in), so
// `clipdex serve` needs no files beside the binary and loads nothing from the network.
#pragma once

#include <string_view>

namespace clipdex {

struct WebAsset {
  std::string_view path;  // URL path: "/", "/app.js", "/style.css"
  std::string_view content_type;
  std::string_view body;
};

// The asset served at `path`, or nullptr.
const WebAsset* FindWebAsset(std::string_view path);

}  // namespace clipdex

// Escapes text for HTML/SVG element content and quoted attribute values: & < > " ' become
// entities, so file names like `a<b>&"c'.mp4` show as written and can never open a tag or end an
// attribute. Control characters other than tab/newline become U+FFFD (XML forbids them).
#pragma once

#include <string>
#include <string_view>

namespace clipdex {

inline std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          out += "\xEF\xBF\xBD";
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace clipdex

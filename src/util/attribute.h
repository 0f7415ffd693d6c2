// One clip attribute value: a number, a text label, or JSON text (segments, rectangles ...).
// Names are stable and dotted ("camera.movement"); docs/attributes.md lists every one.
#pragma once

#include <optional>
#include <string>

namespace clipdex {

struct Attribute {
  std::string name;
  std::optional<double> number;
  std::string text;  // label or JSON text when number is empty
  static Attribute Num(std::string n, double v) { return {std::move(n), v, ""}; }
  static Attribute Text(std::string n, std::string t) {
    return {std::move(n), std::nullopt, std::move(t)};
  }
  bool operator==(const Attribute&) const = default;
};

}  // namespace clipdex

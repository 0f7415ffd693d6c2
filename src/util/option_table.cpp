#include "util/option_table.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace clipdex {

namespace {

// Parses `text` as `type` the way yaml-cpp reads recipe scalars (true/false/yes/no/on/off for
// bools). Returns false when it does not parse whole.
bool ParseAs(OptionType type, const std::string& text, std::string* normalised) {
  if (text.empty()) return type == OptionType::kString;
  switch (type) {
    case OptionType::kBool: {
      static const char* kTrue[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
      static const char* kFalse[] = {"false", "False", "FALSE", "no", "No",
                                     "NO",    "off",   "Off",   "OFF"};
      for (const char* t : kTrue) {
        if (text == t) return *normalised = "true", true;
      }
      for (const char* f : kFalse) {
        if (text == f) return *normalised = "false", true;
      }
      return false;
    }
    case OptionType::kInt: {
      char* end = nullptr;
      errno = 0;
      std::strtol(text.c_str(), &end, 10);
      return errno == 0 && end != nullptr && *end == '\0';
    }
    case OptionType::kDouble: {
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      return end != nullptr && *end == '\0' && std::isfinite(v);
    }
    case OptionType::kString:
      return true;
  }
  return false;
}

}  // namespace

const char* OptionTypeName(OptionType type) {
  switch (type) {
    case OptionType::kBool:
      return "bool";
    case OptionType::kInt:
      return "int";
    case OptionType::kDouble:
      return "number";
    case OptionType::kString:
      return "text";
  }
  return "text";
}

bool OptionValues::GetBool(const std::string& name) const { return GetString(name) == "true"; }

long OptionValues::GetInt(const std::string& name) const {
  return std::strtol(GetString(name).c_str(), nullptr, 10);
}

double OptionValues::GetDouble(const std::string& name) const {
  return std::strtod(GetString(name).c_str(), nullptr);
}

const std::string& OptionValues::GetString(const std::string& name) const {
  static const std::string kEmpty;
  auto it = values_.find(name);
  return it == values_.end() ? kEmpty : it->second;
}

Result<OptionValues> ResolveOptions(const std::vector<OptionDecl>& decls,
                                    const std::map<std::string, std::string>& given,
                                    const std::string& owner) {
  OptionValues out;
  for (const OptionDecl& d : decls) {
    std::string value = d.default_value;
    (void)ParseAs(d.type, value, &value);  // normalises a bool default
    out.values_[d.name] = value;
  }
  for (const auto& [name, text] : given) {
    const OptionDecl* decl = nullptr;
    for (const OptionDecl& d : decls) {
      if (d.name == name) decl = &d;
    }
    if (decl == nullptr) {
      std::string known;
      for (const OptionDecl& d : decls) known += (known.empty() ? "" : ", ") + d.name;
      return Status::Error(owner + " has no parameter '" + name + "' (" +
                           (known.empty() ? "it takes none" : "parameters: " + known) + ")");
    }
    std::string value = text;
    if (!ParseAs(decl->type, text, &value)) {
      return Status::Error(owner + ": parameter '" + name + "' must be a " +
                           OptionTypeName(decl->type) + " (" + decl->doc + "), got '" + text + "'");
    }
    if (decl->type == OptionType::kInt || decl->type == OptionType::kDouble) {
      const double v = std::strtod(value.c_str(), nullptr);
      if (v < decl->min || v > decl->max) {
        char range[96];
        std::snprintf(range, sizeof range, "[%g, %g]", decl->min, decl->max);
        return Status::Error(owner + ": parameter '" + name + "' must be in " + range + ", got '" +
                             text + "'");
      }
    }
    out.values_[name] = value;
  }
  return out;
}

}  // namespace clipdex

#include "util/json_schema.h"

#include <set>

namespace clipdex {

namespace {

using nlohmann::json;

const std::set<std::string>& SupportedKeywords() {
  static const std::set<std::string> kKeywords = {
      "$schema",    "$id",      "title",    "description", "type",
      "properties", "required", "items",    "enum",        "minimum",
      "maximum",    "minItems", "maxItems", "maxLength",   "additionalProperties"};
  return kKeywords;
}

std::string Where(const std::string& pointer) { return pointer.empty() ? "/" : pointer; }

bool HasType(const json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "integer") {
    return value.is_number_integer() ||
           (value.is_number_float() &&
            value.get<double>() == static_cast<double>(static_cast<long long>(value)));
  }
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  return false;
}

Status Validate(const json& value, const json& schema, const std::string& pointer) {
  if (auto t = schema.find("type"); t != schema.end()) {
    bool ok = false;
    if (t->is_string()) {
      ok = HasType(value, t->get<std::string>());
    } else {
      for (const json& one : *t) ok = ok || HasType(value, one.get<std::string>());
    }
    if (!ok)
      return Status::Error(Where(pointer) + ": expected " + t->dump() + ", got " +
                           std::string(value.type_name()));
  }
  if (auto e = schema.find("enum"); e != schema.end()) {
    bool found = false;
    for (const json& allowed : *e) found = found || allowed == value;
    if (!found) {
      return Status::Error(Where(pointer) + ": " + value.dump() + " is not one of " + e->dump());
    }
  }
  if (value.is_number()) {
    const double v = value.get<double>();
    if (auto m = schema.find("minimum"); m != schema.end() && v < m->get<double>()) {
      return Status::Error(Where(pointer) + ": " + value.dump() + " < minimum " + m->dump());
    }
    if (auto m = schema.find("maximum"); m != schema.end() && v > m->get<double>()) {
      return Status::Error(Where(pointer) + ": " + value.dump() + " > maximum " + m->dump());
    }
  }
  if (value.is_string()) {
    if (auto m = schema.find("maxLength"); m != schema.end()) {
      // Characters, not bytes: count UTF-8 lead bytes.
      size_t chars = 0;
      for (unsigned char c : value.get_ref<const std::string&>()) chars += (c & 0xC0) != 0x80;
      if (chars > m->get<size_t>()) {
        return Status::Error(Where(pointer) + ": longer than " + m->dump() + " characters");
      }
    }
  }
  if (value.is_array()) {
    if (auto m = schema.find("minItems"); m != schema.end() && value.size() < m->get<size_t>()) {
      return Status::Error(Where(pointer) + ": fewer than " + m->dump() + " items");
    }
    if (auto m = schema.find("maxItems"); m != schema.end() && value.size() > m->get<size_t>()) {
      return Status::Error(Where(pointer) + ": more than " + m->dump() + " items");
    }
    if (auto items = schema.find("items"); items != schema.end()) {
      for (size_t i = 0; i < value.size(); ++i) {
        if (Status s = Validate(value[i], *items, pointer + "/" + std::to_string(i)); !s.ok()) {
          return s;
        }
      }
    }
  }
  if (value.is_object()) {
    const json empty = json::object();
    auto props = schema.find("properties");
    const json& properties = props != schema.end() ? *props : empty;
    if (auto r = schema.find("required"); r != schema.end()) {
      for (const json& name : *r) {
        if (!value.contains(name.get<std::string>())) {
          return Status::Error(Where(pointer) + ": missing required '" + name.get<std::string>() +
                               "'");
        }
      }
    }
    const auto extra = schema.find("additionalProperties");
    const bool closed = extra != schema.end() && extra->is_boolean() && !extra->get<bool>();
    for (auto it = value.begin(); it != value.end(); ++it) {
      auto sub = properties.find(it.key());
      if (sub == properties.end()) {
        if (closed) return Status::Error(Where(pointer) + ": unexpected key '" + it.key() + "'");
        continue;
      }
      if (Status s = Validate(it.value(), *sub, pointer + "/" + it.key()); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status CheckSubset(const json& schema, const std::string& pointer) {
  if (!schema.is_object()) return Status::Error("schema " + Where(pointer) + ": not an object");
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    if (!SupportedKeywords().count(it.key())) {
      return Status::Error("schema " + Where(pointer) + ": unsupported keyword '" + it.key() + "'");
    }
  }
  if (auto p = schema.find("properties"); p != schema.end()) {
    for (auto it = p->begin(); it != p->end(); ++it) {
      if (Status s = CheckSubset(it.value(), pointer + "/properties/" + it.key()); !s.ok()) {
        return s;
      }
    }
  }
  if (auto i = schema.find("items"); i != schema.end()) {
    if (Status s = CheckSubset(*i, pointer + "/items"); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

Status CheckSchemaSubset(const nlohmann::json& schema) { return CheckSubset(schema, ""); }

Status ValidateAgainstSchema(const nlohmann::json& value, const nlohmann::json& schema) {
  return Validate(value, schema, "");
}

}  // namespace clipdex

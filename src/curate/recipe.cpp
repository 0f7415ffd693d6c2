#include "curate/recipe.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "analyze/analyzer_registry.h"

namespace clipdex {

namespace {

// yaml-cpp reports problems by exception; this module turns them into Status at its edge.
class RecipeError {
 public:
  explicit RecipeError(std::string m) : message(std::move(m)) {}
  std::string message;
};

void CheckKeys(const YAML::Node& map, const std::set<std::string>& allowed,
               const std::string& where) {
  if (!map.IsMap()) throw RecipeError(where + " must be a map");
  for (const auto& kv : map) {
    std::string key = kv.first.as<std::string>();
    if (!allowed.count(key)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      throw RecipeError("unknown key '" + key + "' in " + where + " (expected one of: " + list +
                        ")");
    }
  }
}

template <typename T>
T Scalar(const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) throw RecipeError(what + " must be a scalar");
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    throw RecipeError(what + " has an invalid value '" + node.Scalar() + "'");
  }
}

void ParseInto(const YAML::Node& root, Recipe* r) {
  if (root.IsNull()) return;  // empty file: all defaults
  CheckKeys(root,
            {"name", "clip", "analyzers", "tiers", "default_tier", "dedup", "captions", "rank"},
            "recipe");
  if (root["name"]) r->name = Scalar<std::string>(root["name"], "name");
  if (const YAML::Node clip = root["clip"]) {
    CheckKeys(clip, {"min_seconds", "max_seconds"}, "clip");
    if (clip["min_seconds"])
      r->clip_min_seconds = Scalar<double>(clip["min_seconds"], "min_seconds");
    if (clip["max_seconds"])
      r->clip_max_seconds = Scalar<double>(clip["max_seconds"], "max_seconds");
  }
  if (const YAML::Node analyzers = root["analyzers"]) {
    if (!analyzers.IsMap()) throw RecipeError("analyzers must be a map");
    r->analyzers.clear();
    for (const auto& kv : analyzers) {
      std::string name = kv.first.as<std::string>();
      RecipeAnalyzer cfg;
      if (kv.second.IsScalar()) {
        cfg.enabled = Scalar<bool>(kv.second, "analyzers." + name);
      } else if (kv.second.IsMap()) {
        for (const auto& p : kv.second) {
          std::string key = p.first.as<std::string>();
          if (key == "enabled") {
            cfg.enabled = Scalar<bool>(p.second, "analyzers." + name + ".enabled");
          } else {
            cfg.params[key] = Scalar<std::string>(p.second, "analyzers." + name + "." + key);
          }
        }
      } else {
        throw RecipeError("analyzers." + name + " must be true/false or a map of parameters");
      }
      r->analyzers[name] = std::move(cfg);
    }
  }
  if (const YAML::Node tiers = root["tiers"]) {
    if (!tiers.IsSequence()) throw RecipeError("tiers must be a list");
    r->tiers.clear();
    for (size_t i = 0; i < tiers.size(); ++i) {
      const std::string where = "tier " + std::to_string(i + 1);
      CheckKeys(tiers[i], {"name", "when"}, where);
      if (!tiers[i]["name"]) throw RecipeError(where + " has no 'name'");
      if (!tiers[i]["when"]) throw RecipeError(where + " has no 'when'");
      r->tiers.push_back({Scalar<std::string>(tiers[i]["name"], where + " name"),
                          Scalar<std::string>(tiers[i]["when"], where + " when")});
    }
  }
  if (root["default_tier"])
    r->default_tier = Scalar<std::string>(root["default_tier"], "default_tier");
  if (const YAML::Node captions = root["captions"]) {
    CheckKeys(captions, {"routes"}, "captions");
    const YAML::Node routes = captions["routes"];
    if (routes && !routes.IsSequence()) throw RecipeError("captions.routes must be a list");
    r->caption_routes.clear();
    for (size_t i = 0; routes && i < routes.size(); ++i) {
      const YAML::Node route = routes[i];
      const std::string where = "captions.routes[" + std::to_string(i) + "]";
      if (!route.IsMap()) throw RecipeError(where + " must be a map");
      CaptionRoute cr;
      for (const auto& kv : route) {
        const std::string key = kv.first.as<std::string>();
        const std::string value = Scalar<std::string>(kv.second, where + "." + key);
        if (key == "name") {
          cr.name = value;
        } else if (key == "when") {
          cr.when = value;
        } else {
          cr.options[key] = value;  // checked against the caption pass's options when it runs
        }
      }
      if (cr.name.empty()) throw RecipeError(where + " has no 'name'");
      r->caption_routes.push_back(std::move(cr));
    }
  }
  if (const YAML::Node rank = root["rank"]) {
    if (!rank.IsMap()) throw RecipeError("rank must be a map of weight names to numbers");
    r->rank_weights.clear();
    for (const auto& kv : rank) {
      const std::string name = kv.first.as<std::string>();
      const double w = Scalar<double>(kv.second, "rank." + name);
      if (w < 0) throw RecipeError("rank." + name + " must be >= 0");
      r->rank_weights[name] = w;
    }
  }
  if (const YAML::Node dedup = root["dedup"]) {
    CheckKeys(dedup, {"enabled", "hamming"}, "dedup");
    if (dedup["enabled"]) r->dedup_enabled = Scalar<bool>(dedup["enabled"], "dedup.enabled");
    if (dedup["hamming"]) r->dedup_hamming = Scalar<int>(dedup["hamming"], "dedup.hamming");
  }
}

void Validate(const Recipe& r) {
  if (r.clip_min_seconds < 0 || r.clip_max_seconds < 0) {
    throw RecipeError("clip lengths must be >= 0");
  }
  if (r.clip_max_seconds > 0 && r.clip_min_seconds > r.clip_max_seconds) {
    throw RecipeError("clip.min_seconds exceeds clip.max_seconds");
  }
  std::set<std::string> names;
  for (const auto& t : r.tiers) {
    if (t.name.empty()) throw RecipeError("a tier has an empty name");
    if (!names.insert(t.name).second) throw RecipeError("tier '" + t.name + "' appears twice");
    if (t.when.empty()) throw RecipeError("tier '" + t.name + "' has an empty rule");
  }
  if (r.default_tier.empty()) throw RecipeError("default_tier is empty");
  if (names.count(r.default_tier)) {
    // A rule-less duplicate would make explain ambiguous about which placed the clip.
    throw RecipeError("default_tier '" + r.default_tier + "' is also a rule tier");
  }
  if (r.dedup_hamming < 0 || r.dedup_hamming > 64) throw RecipeError("dedup.hamming must be 0..64");
}

}  // namespace

Result<Recipe> ParseRecipe(std::string_view yaml_text, std::string_view source,
                           const Recipe& base) {
  Recipe r = base;
  try {
    ParseInto(YAML::Load(std::string(yaml_text)), &r);
    Validate(r);
  } catch (const RecipeError& e) {
    return Status::Error("recipe " + std::string(source) + ": " + e.message);
  } catch (const YAML::Exception& e) {
    return Status::Error("recipe " + std::string(source) + ": " + e.what());
  }
  return r;
}

const Recipe& DefaultRecipe() {
  // Parsed once; a broken built-in recipe is a build defect that the recipe tests catch.
  static const Recipe kDefault = [] {
    auto r = ParseRecipe(kDefaultRecipeYaml, "<built-in default>", Recipe{});
    Recipe recipe = r.ok() ? r.value() : Recipe{};
    // The default runs every registered analyzer with its default options: the list comes from
    // the registry, so a new analyzer needs no edit here or in recipes/default.yaml.
    if (recipe.analyzers.empty()) {
      for (const AnalyzerDescriptor& a : AnalyzerRegistry()) recipe.analyzers[a.name] = {};
    }
    return recipe;
  }();
  return kDefault;
}

Result<Recipe> LoadRecipe(const std::filesystem::path& path) {
  if (path.empty()) return DefaultRecipe();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error("recipe " + path.string() + ": cannot read file");
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseRecipe(buf.str(), path.string(), DefaultRecipe());
}

std::string RecipeToYaml(const Recipe& r) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << r.name;
  out << YAML::Key << "clip" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "min_seconds" << YAML::Value << r.clip_min_seconds;
  out << YAML::Key << "max_seconds" << YAML::Value << r.clip_max_seconds << YAML::EndMap;
  out << YAML::Key << "analyzers" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, cfg] : r.analyzers) {
    out << YAML::Key << name << YAML::Value;
    if (cfg.params.empty()) {
      out << cfg.enabled;
    } else {
      out << YAML::Flow << YAML::BeginMap << YAML::Key << "enabled" << YAML::Value << cfg.enabled;
      for (const auto& [k, v] : cfg.params) out << YAML::Key << k << YAML::Value << v;
      out << YAML::EndMap;
    }
  }
  out << YAML::EndMap;
  out << YAML::Key << "tiers" << YAML::Value << YAML::BeginSeq;
  for (const auto& t : r.tiers) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << t.name;
    out << YAML::Key << "when" << YAML::Value << YAML::DoubleQuoted << t.when << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "default_tier" << YAML::Value << r.default_tier;
  out << YAML::Key << "dedup" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "enabled" << YAML::Value << r.dedup_enabled;
  out << YAML::Key << "hamming" << YAML::Value << r.dedup_hamming << YAML::EndMap;
  if (!r.rank_weights.empty()) {
    out << YAML::Key << "rank" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const auto& [k, v] : r.rank_weights) out << YAML::Key << k << YAML::Value << v;
    out << YAML::EndMap;
  }
  if (!r.caption_routes.empty()) {
    out << YAML::Key << "captions" << YAML::Value << YAML::BeginMap << YAML::Key << "routes"
        << YAML::Value << YAML::BeginSeq;
    for (const CaptionRoute& cr : r.caption_routes) {
      out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << cr.name;
      if (!cr.when.empty()) {
        out << YAML::Key << "when" << YAML::Value << YAML::DoubleQuoted << cr.when;
      }
      for (const auto& [k, v] : cr.options) out << YAML::Key << k << YAML::Value << v;
      out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace clipdex

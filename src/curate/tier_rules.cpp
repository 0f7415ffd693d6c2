#include "curate/tier_rules.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "curate/catalog_pass.h"
#include "curate/clip_selection.h"
#include "util/progress_line.h"

namespace clipdex {
namespace {

std::string FormatNumber(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::vector<std::string> ClipFieldNames() { return Catalog::ClipFieldNames(); }

const std::set<std::string>& DocumentedAttributeNames() {
  // Declared by the analyzers and catalog passes themselves (curate/catalog_pass.h).
  return DeclaredAttributeNames();
}

Status ValidateRecipeRules(const Recipe& recipe) {
  for (const TierRule& t : recipe.tiers) {
    auto r = CompileRule(t.name, t.when, DocumentedAttributeNames());
    if (!r.ok()) return Status::Error("recipe '" + recipe.name + "': " + r.status().message());
  }
  return Status::Ok();
}

Result<std::set<std::string>> KnownAttributeNames(Catalog& catalog) {
  auto stored = catalog.StoredAttributeNames();
  if (!stored.ok()) return stored.status();
  std::set<std::string> names = DocumentedAttributeNames();
  names.insert(stored->begin(), stored->end());
  return names;
}

Result<TierResult> AssignTiers(Catalog& catalog, const Recipe& recipe) {
  const auto t0 = std::chrono::steady_clock::now();
  auto known = KnownAttributeNames(catalog);
  if (!known.ok()) return Status::Error("tier: " + known.status().message());
  std::vector<CompiledRule> rules;
  for (const auto& t : recipe.tiers) {
    auto r = CompileRule(t.name, t.when, known.value());
    if (!r.ok()) return r.status();
    rules.push_back(std::move(r.value()));
  }
  ProgressLine progress("tier", "clips", 0);
  auto totals = catalog.WriteTiers(rules, recipe.default_tier, recipe.name,
                                   [&progress](long done, long total) {
                                     progress.SetTotal(total);
                                     progress.Update(done);
                                   });
  progress.Done();
  if (!totals.ok()) return totals.status();
  std::map<std::string, TierCount> by_tier;
  for (const TierTotal& t : totals.value()) by_tier[t.tier] = {t.tier, t.clips, t.seconds / 3600.0};
  TierResult result;
  for (const auto& r : rules) result.counts.push_back({r.tier, 0, 0});
  result.counts.push_back({recipe.default_tier, 0, 0});
  for (auto& c : result.counts) {
    if (auto it = by_tier.find(c.tier); it != by_tier.end()) c = it->second;
    result.clips += c.clips;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

Result<ClipExplanation> ExplainClip(Catalog& catalog, const std::string& clip) {
  auto found = ResolveClip(catalog, clip);
  if (!found.ok()) return Status::Error("explain: " + found.status().message());
  if (!found->has_value()) return Status::Error("explain: no clip '" + clip + "'");
  ClipDetail& d = **found;
  ClipExplanation e;
  e.clip_id = d.clip.id;
  e.video_path = d.video.path;
  e.fingerprint = d.video.fingerprint;
  e.index = d.clip.index;
  e.start_time = d.clip.start_time;
  e.end_time = d.clip.end_time;
  e.too_short = d.clip.too_short;
  e.split_part = d.clip.split_part;
  e.transition_in = d.clip.transition_in;
  e.transition_out = d.clip.transition_out;
  e.tiered = d.tiered;
  auto manual = catalog.ManualTierOf(d.clip.id);
  if (!manual.ok()) return Status::Error("explain: " + manual.status().message());
  if (*manual) {
    e.manual = (*manual)->tier + ": " + (*manual)->reason + " (by " +
               ((*manual)->who.empty() ? std::string("unknown") : (*manual)->who) + " at " +
               (*manual)->at + ")";
  }
  auto tags = catalog.TagsOf(d.clip.id);
  if (!tags.ok()) return Status::Error("explain: " + tags.status().message());
  for (const ClipTag& t : *tags) e.tags.push_back(t.tag);
  if (e.tiered) {
    if (Status s = catalog.ExpandTierReasons(&d); !s.ok()) {
      return Status::Error("explain: " + s.message());
    }
    e.tier = d.tier;
    e.rule = d.rule;
    e.recipe = d.recipe;
    auto missed = nlohmann::ordered_json::parse(d.missed, nullptr, /*allow_exceptions=*/false);
    if (missed.is_object()) {
      for (const auto& [tier, list] : missed.items()) {
        std::vector<std::string> failed;
        for (const auto& m : list) {
          if (m.is_string()) failed.push_back(m.get<std::string>());
        }
        e.missed.emplace_back(tier, std::move(failed));
      }
    }
  }
  for (const Attribute& a : d.clip.attributes) {
    e.attributes.emplace_back(a.name, a.number ? FormatNumber(*a.number) : a.text);
  }
  return e;
}

std::string FormatExplanation(const ClipExplanation& e) {
  char buf[256];
  std::string out;
  out += "clip        " + std::to_string(e.clip_id) + "  " + e.video_path + "#" +
         std::to_string(e.index) + "\n";
  std::snprintf(buf, sizeof buf, "time        %.3f-%.3f s (duration %.3f s)%s%s\n", e.start_time,
                e.end_time, e.end_time - e.start_time, e.too_short ? ", too_short" : "",
                e.split_part > 0 ? (", split part " + std::to_string(e.split_part)).c_str() : "");
  out += buf;
  out += "fingerprint " + e.fingerprint + "\n";
  if (!e.tiered) {
    out += "tier        (not tiered yet: run `clipdex tier DATASET`)\n";
  } else {
    out += "tier        " + e.tier + "\n";
    out += "rule        " +
           (e.rule.empty() ? std::string("(default tier: no rule matched)") : e.rule) + "\n";
    out += "recipe      " + e.recipe + "\n";
    if (e.missed.empty()) out += "missed      (none: placed by the first tier)\n";
    for (const auto& [tier, failed] : e.missed) {
      out += "missed      " + tier + ":\n";
      for (const auto& f : failed) out += "              - " + f + "\n";
    }
  }
  if (!e.manual.empty()) out += "manual tier " + e.manual + " (survives `clipdex tier`)\n";
  if (!e.tags.empty()) {
    out += "tags       ";
    for (const std::string& t : e.tags) {
      out += ' ';
      out += t;
    }
    out += '\n';
  }
  out += "attributes  " + std::string(e.attributes.empty() ? "(none)" : "") + "\n";
  size_t width = 0;
  for (const auto& a : e.attributes) width = std::max(width, a.first.size());
  for (const auto& [name, value] : e.attributes) {
    out += "  " + name + std::string(width - name.size() + 2, ' ') + value + "\n";
  }
  return out;
}

}  // namespace clipdex

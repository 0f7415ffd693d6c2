#include "generate/preference_pairs.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

namespace clipdex {
namespace {

struct Ranked {
  std::string file;
  double total = 0;
  int position = 0;
  bool kept = false;
  nlohmann::json reasons = nlohmann::json::array();
};

}  // namespace

Result<long> WritePreferencePairs(Catalog& catalog, const std::string& clip_table,
                                  double min_margin, std::FILE* out) {
  // prompt -> file -> candidate (a candidate's clips all carry the same rank.* values).
  std::map<std::string, std::map<std::string, Ranked>> by_prompt;
  Status s = catalog.ForEachClip(
      [&](const VideoRecord& v, const ClipRecord& c) {
        const Attribute* prompt = FindAttribute(c, "rank.prompt");
        const Attribute* total = FindAttribute(c, "rank.total");
        const Attribute* position = FindAttribute(c, "rank.position");
        const Attribute* kept = FindAttribute(c, "rank.kept");
        if (prompt == nullptr || total == nullptr || !total->number || position == nullptr ||
            !position->number || kept == nullptr || !kept->number) {
          return true;
        }
        Ranked& r = by_prompt[prompt->text][v.path];
        r.file = v.path;
        r.total = *total->number;
        r.position = static_cast<int>(*position->number);
        r.kept = *kept->number > 0.5;
        if (const Attribute* why = FindAttribute(c, "rank.reasons"); why != nullptr) {
          r.reasons = nlohmann::json::parse(why->text, nullptr, /*allow_exceptions=*/false);
          if (!r.reasons.is_array()) r.reasons = nlohmann::json::array();
        }
        return true;
      },
      clip_table);
  if (!s.ok()) return s;
  long pairs = 0;
  for (const auto& [prompt, files] : by_prompt) {
    std::vector<const Ranked*> ranked;
    for (const auto& [file, r] : files) ranked.push_back(&r);
    std::sort(ranked.begin(), ranked.end(), [](const Ranked* a, const Ranked* b) {
      return a->position != b->position ? a->position < b->position : a->file < b->file;
    });
    for (const Ranked* chosen : ranked) {
      if (!chosen->kept) continue;
      for (const Ranked* rejected : ranked) {
        if (rejected->kept || chosen->total - rejected->total < min_margin) continue;
        nlohmann::ordered_json line;
        line["prompt"] = prompt;
        auto round4 = [](double v) { return std::round(v * 1e4) / 1e4; };
        line["chosen"] = {{"file", chosen->file}, {"total", round4(chosen->total)}};
        line["rejected"] = {{"file", rejected->file},
                            {"total", round4(rejected->total)},
                            {"reasons", rejected->reasons}};
        line["margin"] = std::round((chosen->total - rejected->total) * 1e4) / 1e4;
        std::fprintf(out, "%s\n", line.dump().c_str());
        ++pairs;
      }
    }
  }
  return pairs;
}

}  // namespace clipdex

#include "generate/suspect_pass.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "util/number_text.h"

namespace clipdex {
namespace {}  // namespace

std::vector<AttributeDecl> SuspectAttributeDecls() {
  return {{"source.suspect_generated", "number", "1 (absent: no evidence)"},
          {"source.suspect_reasons", "JSON text", "the evidence, in words"}};
}

std::vector<OptionDecl> SuspectPassOptions() {
  return {
      {"classifier", OptionType::kDouble, "0.5",
       "artifact.classifier_score at or above which a clip is suspect", 0, 1},
      {"grid", OptionType::kDouble, "40",
       "artifact.spectral_peaks at or above which a clip is suspect (interpolation grid)", 0, 1e9}};
}

Result<std::string> RunSuspectPass(Catalog& catalog, const Recipe& /*recipe*/,
                                   const OptionValues& values) {
  const double classifier = values.GetDouble("classifier");
  const double grid = values.GetDouble("grid");
  std::vector<AttributeWrite> rows;
  long checked = 0, flagged = 0, by_classifier = 0, by_grid = 0;
  Status s = catalog.ForEachClip([&](const VideoRecord& v, const ClipRecord& c) {
    if (v.status != "ok" || FindAttribute(c, "source.generated") != nullptr) return true;
    ++checked;
    nlohmann::json reasons = nlohmann::json::array();
    if (const Attribute* a = FindAttribute(c, "artifact.classifier_score"); a && a->number) {
      if (*a->number >= classifier) {
        reasons.push_back("AI-image classifier " + FixedDigits(*a->number, 2));
        ++by_classifier;
      }
    }
    if (const Attribute* a = FindAttribute(c, "artifact.spectral_peaks"); a && a->number) {
      if (*a->number >= grid) {
        reasons.push_back("interpolation grid (spectral peaks " + FixedDigits(*a->number, 2) + ")");
        ++by_grid;
      }
    }
    if (reasons.empty()) return true;
    ++flagged;
    rows.push_back({c.id, "source.suspect_generated", 1.0, ""});
    rows.push_back({c.id, "source.suspect_reasons", std::nullopt, reasons.dump()});
    return true;
  });
  if (!s.ok()) return s;
  if (Status w =
          catalog.ReplaceAttributes({"source.suspect_generated", "source.suspect_reasons"}, rows);
      !w.ok()) {
    return w;
  }
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "suspect: %ld of %ld clips not marked generated flagged (classifier %ld, "
                "interpolation grid %ld)\n",
                flagged, checked, by_classifier, by_grid);
  return std::string(buf);
}

}  // namespace clipdex

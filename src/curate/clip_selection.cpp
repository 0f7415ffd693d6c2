#include "curate/clip_selection.h"

#include "curate/tier_rules.h"

namespace clipdex {

Result<long> SelectClips(Catalog& catalog, const ClipFilter& filter) {
  if (!filter.tier.empty()) {
    auto any = catalog.HasTiers();
    if (!any.ok()) return Status::Error("--tier: " + any.status().message());
    if (!any.value()) {
      return Status::Error("--tier " + filter.tier +
                           ": the dataset was never tiered (run `clipdex tier DATASET` first)");
    }
  }
  CompiledRule where;  // sql "" selects every clip
  if (!filter.where.empty()) {
    auto known = KnownAttributeNames(catalog);
    if (!known.ok()) return Status::Error("--where: " + known.status().message());
    auto rule = CompileRule("", filter.where, known.value());
    if (!rule.ok()) return Status::Error("--where: " + rule.status().message());
    where = std::move(rule.value());
  }
  auto n = catalog.SelectClips(kSelectedClipsTable, filter.tier, where);
  if (!n.ok()) {
    return Status::Error((filter.where.empty() ? "--tier: " : "--where: ") + n.status().message());
  }
  return n;
}

}  // namespace clipdex

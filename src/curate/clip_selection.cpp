#include "curate/clip_selection.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "curate/tier_rules.h"

namespace clipdex {

Result<CompiledRule> CompileFilter(Catalog& catalog, const ClipFilter& filter) {
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
  return where;
}

Result<long> SelectClips(Catalog& catalog, const ClipFilter& filter) {
  auto where = CompileFilter(catalog, filter);
  if (!where.ok()) return where.status();
  auto n = catalog.SelectClips(kSelectedClipsTable, filter.tier, *where);
  if (!n.ok()) {
    return Status::Error((filter.where.empty() ? "--tier: " : "--where: ") + n.status().message());
  }
  return n;
}

Result<std::optional<ClipDetail>> ResolveClip(Catalog& catalog, const std::string& ref) {
  auto digits = [](std::string_view s) {
    return !s.empty() && s.size() < 19 && std::all_of(s.begin(), s.end(), [](char ch) {
      return std::isdigit(static_cast<unsigned char>(ch));
    });
  };
  if (digits(ref)) return catalog.FindClip(std::stoll(ref));
  const size_t hash = ref.rfind('#');
  if (hash == std::string::npos || hash == 0 || !digits(std::string_view(ref).substr(hash + 1)) ||
      ref.size() - hash > 10) {
    return Status::Error("clip '" + ref +
                         "' is neither a clip id nor <video path or fingerprint>#<clip index>");
  }
  const std::string video = ref.substr(0, hash);
  std::error_code ec;
  const std::string abs = std::filesystem::weakly_canonical(video, ec).string();
  return catalog.FindClip(video, ec ? video : abs, std::stoi(ref.substr(hash + 1)));
}

}  // namespace clipdex

// Catalog passes: steps that run over a dataset's catalog rather than over the decode (dedup,
// tier; later caption and search-index passes). Like analyzers (analyze/analyzer_registry.h),
// each pass is declared once, by a descriptor: its name, the attributes it writes, its options
// (util/option_table.h) and a run function over an open Catalog. `clipdex dedup` / `clipdex tier`
// and `ingest --recipe` all run passes through this registry.
#pragma once

#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "analyze/analyzer_registry.h"
#include "catalog/catalog.h"
#include "curate/recipe.h"
#include "util/option_table.h"
#include "util/status.h"

namespace clipdex {

struct PassDescriptor {
  std::string name;                       // "dedup", "tier"
  std::string doc;                        // one line
  std::vector<AttributeDecl> attributes;  // attributes it writes (tier rules may use them)
  std::vector<OptionDecl> options;
  // Runs over `catalog` (the caller holds the dataset lock). Returns the human-readable report
  // (what the verb prints), or an error after which the catalog is unchanged.
  std::function<Result<std::string>(Catalog&, const Recipe&, const OptionValues&)> run;
};

// Every catalog pass, in the order `ingest --recipe` chains them when enabled.
const std::vector<PassDescriptor>& CatalogPassRegistry();
// nullptr when no pass has that name.
const PassDescriptor* FindCatalogPass(const std::string& name);

// What went wrong, for the caller's exit status.
enum class PassFailure {
  kNone,
  kNotADataset,  // the catalog could not be opened
  kFailed,       // the dataset lock was refused or the pass failed: nothing changed
};

struct PassRun {
  PassFailure failure = PassFailure::kNone;
  std::string message;  // the error, when failure != kNone; " (nothing changed)" when it ran
  std::string report;   // the pass's report, when it succeeded
};

// Opens `dataset` (never creates it), takes the dataset lock (a concurrent ingest or pass must
// not interleave; shared when options has a non-empty "shard", so a pass's shards run side by
// side) and runs `pass` with `options` (unset options take their defaults).
PassRun RunCatalogPass(const PassDescriptor& pass, const std::filesystem::path& dataset,
                       const Recipe& recipe,
                       const std::map<std::string, std::string>& options = {});

// The passes `ingest --recipe` runs after the decode, with their options: dedup when the recipe
// enables it (before tiering, so rules can use dedup.dup_of; its groups not listed), then tier.
std::vector<std::pair<const PassDescriptor*, std::map<std::string, std::string>>> RecipePasses(
    const Recipe& recipe);

// Every attribute name an analyzer or a pass declares: what tier rules accept before a catalog
// has any (curate/tier_rules.h DocumentedAttributeNames).
const std::set<std::string>& DeclaredAttributeNames();

}  // namespace clipdex

#include "curate/catalog_pass.h"

#include <cstdarg>
#include <cstdio>

#include "caption/caption_pass.h"
#include "caption/caption_record.h"
#include "catalog/dataset_lock.h"
#include "curate/dedup.h"
#include "curate/tier_rules.h"
#include "generate/suspect_pass.h"
#include "pipeline/provenance.h"

namespace clipdex {

namespace {

// printf-style append, for the reports the verbs print unchanged.
void Appendf(std::string* out, const char* format, ...) __attribute__((format(printf, 2, 3)));
void Appendf(std::string* out, const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  if (n > 0) {
    std::string buf(static_cast<size_t>(n) + 1, '\0');
    std::vsnprintf(buf.data(), buf.size(), format, args);
    buf.resize(static_cast<size_t>(n));
    *out += buf;
  }
  va_end(args);
}

// "path#index (clip id)" of a clip, or "clip id" when it cannot be looked up.
std::string ClipName(Catalog& catalog, int64_t clip_id) {
  auto e = ExplainClip(catalog, std::to_string(clip_id));
  if (!e.ok()) return "clip " + std::to_string(clip_id);
  return e->video_path + "#" + std::to_string(e->index) + " (clip " + std::to_string(clip_id) + ")";
}

std::string DedupReport(Catalog& catalog, const DedupResult& r, const DedupOptions& options,
                        long show) {
  std::string out;
  long shown = 0;
  for (const DedupGroup& g : r.groups) {
    if (show >= 0 && shown++ >= show) break;
    Appendf(&out, "group %lld: keep %s\n", static_cast<long long>(g.keeper),
            ClipName(catalog, g.keeper).c_str());
    for (int64_t d : g.duplicates) Appendf(&out, "    dup %s\n", ClipName(catalog, d).c_str());
  }
  if (show >= 0 && static_cast<long>(r.groups.size()) > show) {
    Appendf(&out, "... %zu more groups (--show -1 lists all)\n",
            r.groups.size() - static_cast<size_t>(show));
  }
  Appendf(&out, "hamming %d%s, min match %.2f, %s search, %d chunks\n", options.hamming,
          options.flip ? ", mirrored copies included" : "", options.min_match_fraction,
          r.incremental  ? "incremental"
          : r.chunk_join ? "chunk-join"
                         : "exact",
          r.chunks);
  if (r.incremental) {
    Appendf(&out,
            "incremental: %ld new clips against the last run's codes%s (dedup --full starts "
            "over)\n",
            r.new_clips, r.indexed ? ", looked up in the dedup index" : "");
  }
  Appendf(&out, "clips %ld (%ld featureless, never matched)", r.clips, r.featureless_clips);
  if (r.clips_without_signature > 0) {
    Appendf(&out, "; %ld clips have no dedup.signature (re-ingest them with --force)",
            r.clips_without_signature);
  }
  Appendf(&out, "\ncandidate pairs %ld, duplicate pairs %ld\n", r.candidate_pairs,
          r.duplicate_pairs);
  if (options.semantic > 0) {
    Appendf(&out,
            "semantic: cosine >= %.3f, LSH %d tables x %d bits, candidate pairs %ld, "
            "similar pairs %ld\n",
            options.semantic, r.semantic_tables, r.semantic_bits, r.semantic_candidate_pairs,
            r.semantic_pairs);
    if (r.semantic_join) {
      Appendf(&out,
              "semantic join: %d blocks of 8-bit vectors, %ld pairs near the threshold decided "
              "on the floats\n",
              r.semantic_blocks, r.semantic_borderline);
    }
    if (r.clips_without_embedding > 0) {
      Appendf(&out,
              "%ld clips have no embedding.clip: configure a CLIP image encoder, clipdex "
              "models\n",
              r.clips_without_embedding);
    }
  }
  Appendf(&out, "groups %zu, clips marked dup_of %ld, in %.3f s (index + candidates %.3f s)\n",
          r.groups.size(), r.marked, r.seconds, r.index_seconds);
  return out;
}

Result<std::string> RunDedupPass(Catalog& catalog, const Recipe& recipe,
                                 const OptionValues& values) {
  DedupOptions options;
  const long hamming = values.GetInt("hamming");
  options.hamming = hamming >= 0 ? static_cast<int>(hamming) : recipe.dedup_hamming;
  options.flip = values.GetBool("flip");
  options.min_match_fraction = values.GetDouble("min_match");
  options.window_hamming = static_cast<int>(values.GetInt("window_hamming"));
  options.window_min_match = values.GetDouble("window_min_match");
  options.window_gradient_hamming = static_cast<int>(values.GetInt("window_gradient_hamming"));
  options.window_min_looks = static_cast<int>(values.GetInt("window_min_looks"));
  options.window_min_frames = static_cast<int>(values.GetInt("window_min_frames"));
  options.motion_cells = static_cast<int>(values.GetInt("motion_cells"));
  options.motion_dilate = static_cast<int>(values.GetInt("motion_dilate"));
  options.motion_static_cells = static_cast<int>(values.GetInt("motion_static_cells"));
  options.quality_attribute = values.GetString("quality_attr");
  options.semantic = values.GetDouble("semantic");
  options.full = values.GetBool("full");
  const std::string search = values.GetString("search");
  if (search == "auto") {
    options.search = DedupSearch::kAuto;
  } else if (search == "exact") {
    options.search = DedupSearch::kExact;
  } else if (search == "join") {
    options.search = DedupSearch::kChunkJoin;
  } else {
    return Status::Error("dedup: --search must be auto, exact or join, not '" + search + "'");
  }
  options.memory_budget = static_cast<size_t>(values.GetInt("memory_mb")) << 20;
  auto result = RunDedup(catalog, options);
  if (!result.ok()) return result.status();
  return DedupReport(catalog, result.value(), options, values.GetInt("show"));
}

Result<std::string> RunTierPass(Catalog& catalog, const Recipe& recipe, const OptionValues&) {
  auto result = AssignTiers(catalog, recipe);
  if (!result.ok()) return result.status();
  std::string out;
  Appendf(&out, "recipe  %s\n", recipe.name.c_str());
  Appendf(&out, "%-12s %10s %10s\n", "tier", "clips", "hours");
  for (const auto& c : result->counts) {
    Appendf(&out, "%-12s %10ld %10.3f\n", c.tier.c_str(), c.clips, c.hours);
  }
  Appendf(&out, "tiered %ld clips in %.3f s\n", result->clips, result->seconds);
  return out;
}

std::vector<AttributeDecl> CaptionDecls() {
  std::vector<AttributeDecl> out;
  for (const CaptionAttributeDecl& d : CaptionAttributeDecls())
    out.push_back({d.name, d.type, d.unit});
  return out;
}

std::vector<PassDescriptor> BuildPasses() {
  const char* kNum = "number";
  // clang-format off
  return {
      {"dedup", "group near-duplicate clips and mark all but the best of each group",
       {{"dedup.group", kNum, "clip id"}, {"dedup.dup_of", kNum, "clip id"}},
       {{"hamming", OptionType::kInt, "-1",
         "largest per-frame Hamming distance counted as a match; -1 = the recipe's dedup.hamming",
         -1, 64},
        {"flip", OptionType::kBool, "false", "mirrored copies count as duplicates"},
        {"min_match", OptionType::kDouble, "0.6",
         "fraction of the shorter clip's frames that must align in order", 0.01, 1},
        {"window_hamming", OptionType::kInt, "0",
         "largest pHash Hamming distance of the window relations (off-centre crops, logos), "
         "e.g. 12; 0 = off",
         0, 64},
        {"window_min_match", OptionType::kDouble, "0.7",
         "fraction of the shorter clip's frames that must align under a window relation", 0.01,
         1},
        {"window_gradient_hamming", OptionType::kInt, "14",
         "largest Hamming distance of a window match's gradient hash (both hashes must agree)",
         0, 64},
        {"window_min_looks", OptionType::kInt, "0",
         "window relations only for clips with at least this many distinct looks; 0 = all",
         0, 1000},
        {"window_min_frames", OptionType::kInt, "24",
         "window relations only for clips with at least this many informative samples", 0, 64},
        {"motion_cells", OptionType::kInt, "0",
         "a frame match also needs the motion maps to agree up to this many cells; -1 = off",
         -1, 64},
        {"motion_dilate", OptionType::kInt, "1",
         "cells of slack when comparing motion maps (crops move the picture)", 0, 7},
        {"motion_static_cells", OptionType::kInt, "8",
         "motion test only when one clip's median sample moved at most this many cells", 0, 64},
        {"quality_attr", OptionType::kString, "quality.score",
         "numeric attribute that picks the keeper first (higher is better)"},
        {"semantic", OptionType::kDouble, "0",
         "also group clips whose embedding.clip cosine is >= this; 0 = off", 0, 1},
        {"full", OptionType::kBool, "false",
         "start over instead of continuing from the last run's codes (new clips only)"},
        {"search", OptionType::kString, "auto",
         "candidate search of a full run: exact (in memory), join (bounded memory, for millions "
         "of clips) or auto (join from 200,000 clips)"},
        {"memory_mb", OptionType::kInt, "2048",
         "MB the join search may hold for one pass's codes", 64, 1 << 20},
        {"show", OptionType::kInt, "20", "groups listed in the report, largest first; < 0 = all",
         -1e9, 1e9}},
       RunDedupPass},
      {"tier", "assign every clip a tier with the recipe's rules (all or nothing)", {}, {},
       RunTierPass},
      {"caption", "write structured, bilingual captions (caption/caption_pass.h)", CaptionDecls(),
       CaptionPassOptions(), RunCaptionPass},
      {"suspect", "flag likely-generated clips among those not marked generated",
       SuspectAttributeDecls(), SuspectPassOptions(), RunSuspectPass},
  };
  // clang-format on
}

}  // namespace

const std::vector<PassDescriptor>& CatalogPassRegistry() {
  static const std::vector<PassDescriptor> kPasses = BuildPasses();
  return kPasses;
}

const PassDescriptor* FindCatalogPass(const std::string& name) {
  for (const PassDescriptor& p : CatalogPassRegistry()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

PassRun RunCatalogPass(const PassDescriptor& pass, const std::filesystem::path& dataset,
                       const Recipe& recipe, const std::map<std::string, std::string>& options) {
  PassRun run;
  auto values = ResolveOptions(pass.options, options, "pass '" + pass.name + "'");
  if (!values.ok()) {
    run.failure = PassFailure::kFailed;
    run.message = values.status().message();
    return run;
  }
  auto catalog = Catalog::Open(dataset, /*create=*/false);
  if (!catalog.ok()) {
    run.failure = PassFailure::kNotADataset;
    run.message = catalog.status().message();
    return run;
  }
  // A sharded run (`caption --shard i/N`) writes only its shard's clips: its shards may share the
  // dataset; everything else keeps it to itself.
  const auto shard = options.find("shard");
  const bool sharded = shard != options.end() && !shard->second.empty();
  auto lock = DatasetLock::Acquire(
      dataset, sharded ? DatasetLock::Mode::kShared : DatasetLock::Mode::kExclusive);
  if (!lock.ok()) {
    run.failure = PassFailure::kFailed;
    run.message = lock.status().message();
    return run;
  }
  auto report = pass.run(*catalog.value(), recipe, values.value());
  if (!report.ok()) {
    run.failure = PassFailure::kFailed;
    run.message = report.status().message() + " (nothing changed)";
    return run;
  }
  run.report = std::move(report.value());
  return run;
}

std::vector<std::pair<const PassDescriptor*, std::map<std::string, std::string>>> RecipePasses(
    const Recipe& recipe) {
  std::vector<std::pair<const PassDescriptor*, std::map<std::string, std::string>>> passes;
  if (recipe.dedup_enabled) {
    passes.push_back({FindCatalogPass("dedup"),
                      {{"hamming", std::to_string(recipe.dedup_hamming)}, {"show", "0"}}});
  }
  passes.push_back({FindCatalogPass("tier"), {}});
  return passes;
}

const std::set<std::string>& DeclaredAttributeNames() {
  static const std::set<std::string> kNames = [] {
    std::set<std::string> names;
    for (const AnalyzerDescriptor& a : AnalyzerRegistry()) {
      for (const AttributeDecl& d : a.attributes) names.insert(d.name);
    }
    for (const PassDescriptor& p : CatalogPassRegistry()) {
      for (const AttributeDecl& d : p.attributes) names.insert(d.name);
    }
    for (const AttributeDecl& d : ProvenanceAttributeDecls()) names.insert(d.name);
    return names;
  }();
  return kNames;
}

}  // namespace clipdex

// `clipdex dedup`: group near-duplicate clips and mark all but the best of each group
// (curate/dedup.h; docs/recipes.md).
#include <cstdio>
#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "catalog/dataset_lock.h"
#include "cli/verbs.h"
#include "curate/dedup.h"
#include "curate/recipe.h"
#include "curate/tier_rules.h"

namespace clipdex::cli {
namespace {

struct DedupArgs {
  std::string dataset;
  std::string recipe;
  int hamming = -1;  // -1: the recipe's dedup.hamming
  bool flip = false;
  double min_match = 0.6;
  int window_hamming = DedupOptions{}.window_hamming;
  double window_min_match = DedupOptions{}.window_min_match;
  std::string quality_attribute = "quality.score";
  int show = 20;
  double semantic = 0;  // 0: off
};

// "path#index" of a clip, or the bare id when it cannot be looked up.
std::string ClipName(Catalog& catalog, int64_t clip_id) {
  auto e = ExplainClip(catalog, std::to_string(clip_id));
  if (!e.ok()) return "clip " + std::to_string(clip_id);
  return e->video_path + "#" + std::to_string(e->index) + " (clip " + std::to_string(clip_id) + ")";
}

}  // namespace

int DedupDataset(const std::string& dataset, const DedupOptions& options, int show) {
  auto catalog = Catalog::Open(dataset, /*create=*/false);
  if (!catalog.ok()) {
    std::fprintf(stderr, "clipdex: %s\n", catalog.status().message().c_str());
    return 2;
  }
  // Dedup rewrites dedup.* attributes; a concurrent ingest or tier must not interleave.
  auto lock = DatasetLock::Acquire(dataset);
  if (!lock.ok()) {
    std::fprintf(stderr, "clipdex: %s\n", lock.status().message().c_str());
    return 1;
  }
  auto result = RunDedup(*catalog.value(), options);
  if (!result.ok()) {
    std::fprintf(stderr, "clipdex: %s (nothing changed)\n", result.status().message().c_str());
    return 1;
  }
  const DedupResult& r = result.value();
  int shown = 0;
  for (const DedupGroup& g : r.groups) {
    if (show >= 0 && shown++ >= show) break;
    std::printf("group %lld: keep %s\n", static_cast<long long>(g.keeper),
                ClipName(*catalog.value(), g.keeper).c_str());
    for (int64_t d : g.duplicates) {
      std::printf("    dup %s\n", ClipName(*catalog.value(), d).c_str());
    }
  }
  if (show >= 0 && static_cast<int>(r.groups.size()) > show) {
    std::printf("... %zu more groups (--show -1 lists all)\n", r.groups.size() - show);
  }
  std::printf("hamming %d%s, min match %.2f, %d index chunks\n", options.hamming,
              options.flip ? ", mirrored copies included" : "", options.min_match_fraction,
              r.chunks);
  std::printf("clips %ld (%ld featureless, never matched)", r.clips, r.featureless_clips);
  if (r.clips_without_signature > 0) {
    std::printf("; %ld clips have no dedup.signature (re-ingest them with --force)",
                r.clips_without_signature);
  }
  std::printf("\ncandidate pairs %ld, duplicate pairs %ld\n", r.candidate_pairs, r.duplicate_pairs);
  if (options.semantic > 0) {
    std::printf(
        "semantic: cosine >= %.3f, LSH %d tables x %d bits, candidate pairs %ld, "
        "similar pairs %ld\n",
        options.semantic, r.semantic_tables, r.semantic_bits, r.semantic_candidate_pairs,
        r.semantic_pairs);
    if (r.clips_without_embedding > 0) {
      std::printf(
          "%ld clips have no embedding.clip: configure a CLIP image encoder, clipdex "
          "models\n",
          r.clips_without_embedding);
    }
  }
  std::printf("groups %zu, clips marked dup_of %ld, in %.3f s (index + candidates %.3f s)\n",
              r.groups.size(), r.marked, r.seconds, r.index_seconds);
  return 0;
}

void AddDedupVerb(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<DedupArgs>();
  CLI::App* cmd = app.add_subcommand(
      "dedup",
      "Group near-duplicate clips (perceptual hashes) and mark all but the best of each group");
  cmd->add_option("dataset", args->dataset, "Dataset directory")->required();
  cmd->add_option("--recipe", args->recipe,
                  "Recipe file whose dedup.hamming is the default (default: built-in recipe)");
  cmd->add_option("--hamming", args->hamming,
                  "Largest per-frame Hamming distance (0-64) counted as a match "
                  "(default: the recipe's dedup.hamming)")
      ->check(CLI::Range(0, 64));
  cmd->add_flag("--flip", args->flip, "Horizontally mirrored copies count as duplicates");
  cmd->add_option("--min-match", args->min_match,
                  "Fraction of the shorter clip's frames that must align in order")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  cmd->add_option("--window-hamming", args->window_hamming,
                  "Largest Hamming distance of the single-hash window relations (off-centre crops, "
                  "overlays), e.g. 8; 0 = off (not precise on still pictures)")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  cmd->add_option("--window-min-match", args->window_min_match,
                  "Fraction of the shorter clip's frames that must align under a window relation")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  cmd->add_option("--quality-attr", args->quality_attribute,
                  "Numeric attribute that picks the keeper first (higher is better)")
      ->capture_default_str();
  cmd->add_option("--semantic", args->semantic,
                  "Also group clips whose CLIP embeddings (embedding.clip) have cosine similarity "
                  ">= COS, e.g. 0.95 (default: off)")
      ->type_name("COS")
      ->check(CLI::Range(0.01, 1.0));
  cmd->add_option("--show", args->show, "Groups to list (largest first); -1 = all")
      ->capture_default_str();
  cmd->callback([args, exit_code]() {
    auto recipe = LoadRecipe(args->recipe);
    if (!recipe.ok()) {
      std::fprintf(stderr, "clipdex: %s\n", recipe.status().message().c_str());
      *exit_code = 2;
      return;
    }
    DedupOptions options;
    options.hamming = args->hamming >= 0 ? args->hamming : recipe->dedup_hamming;
    options.flip = args->flip;
    options.min_match_fraction = args->min_match;
    options.window_hamming = args->window_hamming;
    options.window_min_match = args->window_min_match;
    options.quality_attribute = args->quality_attribute;
    options.semantic = args->semantic;
    *exit_code = DedupDataset(args->dataset, options, args->show);
  });
}

}  // namespace clipdex::cli

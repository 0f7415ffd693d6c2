// `clipdex dedup`: group near-duplicate clips and mark all but the best of each group
// (curate/dedup.h, run as a catalog pass: curate/catalog_pass.h; docs/recipes.md).
#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "cli/verbs.h"
#include "curate/dedup.h"
#include "curate/recipe.h"

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
  int window_gradient_hamming = DedupOptions{}.window_gradient_hamming;
  int window_min_looks = DedupOptions{}.window_min_looks;
  int window_min_frames = DedupOptions{}.window_min_frames;
  int motion_cells = DedupOptions{}.motion_cells;
  int motion_dilate = DedupOptions{}.motion_dilate;
  int motion_static_cells = DedupOptions{}.motion_static_cells;
  std::string quality_attribute = "quality.score";
  int show = 20;
  double semantic = 0;  // 0: off
  bool full = false;
  std::string search = "auto";
  int memory_mb = 2048;
};

// `v` as text that reads back as the same double.
std::string Exact(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void AddDedupVerb(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<DedupArgs>();
  CLI::App* cmd = app.add_subcommand(
      "dedup",
      "Group near-duplicate clips (perceptual hashes) and mark all but the best of each group");
  AddDatasetArgument(cmd, &args->dataset);
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
                  "Largest pHash Hamming distance of the window relations (off-centre crops, "
                  "overlays), e.g. 12; 0 = off (they merge unrelated still pictures)")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  cmd->add_option("--window-min-match", args->window_min_match,
                  "Fraction of the shorter clip's frames that must align under a window relation")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  cmd->add_option("--window-gradient-hamming", args->window_gradient_hamming,
                  "Largest Hamming distance of the gradient hash a window match also needs")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  cmd->add_option("--window-min-looks", args->window_min_looks,
                  "Window relations only when the shorter clip shows this many distinct looks "
                  "(0 = always)")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  cmd->add_option("--window-min-frames", args->window_min_frames,
                  "Window relations only when the shorter clip has this many informative samples")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  cmd->add_option("--motion-cells", args->motion_cells,
                  "A frame match also needs the samples' motion maps (what moves in front of the "
                  "background) to agree up to this many cells; -1 = off")
      ->check(CLI::Range(-1, 64))
      ->capture_default_str();
  cmd->add_option("--motion-dilate", args->motion_dilate,
                  "Cells of slack when comparing motion maps")
      ->check(CLI::Range(0, 7))
      ->capture_default_str();
  cmd->add_option("--motion-static-cells", args->motion_static_cells,
                  "Motion test only when one of the two clips is from a still camera: its median "
                  "sample moved at most this many of 64 cells")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  cmd->add_option("--quality-attr", args->quality_attribute,
                  "Numeric attribute that picks the keeper first (higher is better)")
      ->capture_default_str();
  cmd->add_option("--semantic", args->semantic,
                  "Also group clips whose CLIP embeddings (embedding.clip) have cosine similarity "
                  ">= COS, e.g. 0.95 (default: off)")
      ->type_name("COS")
      ->check(CLI::Range(0.01, 1.0));
  cmd->add_flag("--full", args->full,
                "Start over: read every signature again instead of only the clips added since "
                "the last run with the same settings");
  cmd->add_option("--search", args->search,
                  "Candidate search of a full run: exact (in memory), join (bounded memory, for "
                  "millions of clips; docs/scale.md) or auto (join from 200,000 clips)")
      ->check(CLI::IsMember({"auto", "exact", "join"}))
      ->capture_default_str();
  cmd->add_option("--memory-mb", args->memory_mb,
                  "MB the join search may hold for one pass's codes (with --semantic, also for "
                  "the sketches and two blocks of 8-bit embeddings)")
      ->check(CLI::Range(64, 1 << 20))
      ->capture_default_str();
  cmd->add_option("--show", args->show, "Groups to list (largest first); -1 = all")
      ->capture_default_str();
  cmd->callback([args, exit_code]() {
    auto recipe = LoadRecipe(args->recipe);
    if (!recipe.ok()) {
      PrintError(recipe.status());
      *exit_code = kExitUsage;
      return;
    }
    // Flags map one to one onto the dedup pass's options (curate/catalog_pass.cpp).
    std::map<std::string, std::string> options = {
        {"hamming", std::to_string(args->hamming >= 0 ? args->hamming : recipe->dedup_hamming)},
        {"flip", args->flip ? "true" : "false"},
        {"min_match", Exact(args->min_match)},
        {"quality_attr", args->quality_attribute},
        {"window_hamming", std::to_string(args->window_hamming)},
        {"window_min_match", Exact(args->window_min_match)},
        {"window_gradient_hamming", std::to_string(args->window_gradient_hamming)},
        {"window_min_looks", std::to_string(args->window_min_looks)},
        {"window_min_frames", std::to_string(args->window_min_frames)},
        {"motion_cells", std::to_string(args->motion_cells)},
        {"motion_dilate", std::to_string(args->motion_dilate)},
        {"motion_static_cells", std::to_string(args->motion_static_cells)},
        {"semantic", Exact(args->semantic)},
        {"full", args->full ? "true" : "false"},
        {"search", args->search},
        {"memory_mb", std::to_string(args->memory_mb)},
        {"show", std::to_string(args->show)}};
    *exit_code = RunPassVerb("dedup", args->dataset, recipe.value(), options);
  });
}

}  // namespace clipdex::cli

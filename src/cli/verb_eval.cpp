#include <cstdio>
#include <memory>

#include "catalog/catalog.h"
#include "cli/verbs.h"
#include "eval/shot_eval.h"

namespace clipdex::cli {

namespace {

struct EvalShotsArgs {
  std::string dataset;
  std::vector<std::string> gt_files;
  int tol = 2;
};

int RunEvalShots(const EvalShotsArgs& args) {
  std::vector<GroundTruthVideo> gt;
  for (const auto& file : args.gt_files) {
    auto loaded = LoadShotGroundTruth(file);
    if (!loaded.ok()) {
      std::fprintf(stderr, "clipdex: %s: %s\n", file.c_str(), loaded.status().message().c_str());
      return kExitUsage;
    }
    for (auto& v : loaded.value()) gt.push_back(std::move(v));
  }
  std::unique_ptr<Catalog> catalog;
  if (ExitStatus e = OpenDatasetForRead(args.dataset, &catalog); e != kExitOk) return e;
  auto videos = catalog->Videos();
  if (!videos.ok()) {
    PrintError(videos.status());
    return kExitInternal;
  }
  std::vector<ShotEvalResult> rows;
  std::vector<std::string> skipped;
  for (const auto& v : videos.value()) {
    const GroundTruthVideo* truth = MatchGroundTruth(gt, v.path);
    if (truth == nullptr) continue;
    if (!truth->skip_reason.empty()) {
      skipped.push_back(truth->key + ": " + truth->skip_reason);
      continue;
    }
    if (v.status != "ok") {
      skipped.push_back(truth->key + ": not ingested (" + v.error + ")");
      continue;
    }
    auto predicted = catalog->TransitionsFor(v.id);
    if (!predicted.ok()) return kExitInternal;
    rows.push_back(EvaluateVideo(truth->key, truth->boundaries, predicted.value(), args.tol));
  }
  if (rows.empty()) {
    std::fprintf(stderr, "clipdex: no video of the dataset matches the ground truth\n");
    return kExitUsage;
  }
  std::printf("%s", FormatShotEvalTable(rows, skipped).c_str());
  for (const auto& r : rows) {
    for (const auto& note : r.notes) std::printf("  %s: %s\n", r.video.c_str(), note.c_str());
  }
  return kExitOk;
}

}  // namespace

void AddEvalVerb(CLI::App& app, int* exit_code) {
  CLI::App* eval = app.add_subcommand("eval", "Score a dataset against ground truth");
  eval->require_subcommand(1);
  auto args = std::make_shared<EvalShotsArgs>();
  CLI::App* shots = eval->add_subcommand(
      "shots", "Shot boundaries, TRECVID-style: P/R/F1 for cuts, gradual and all");
  AddDatasetArgument(shots, &args->dataset);
  shots->add_option("--gt", args->gt_files, "Ground-truth file(s): label map or *.gt.json sidecar")
      ->required();
  shots->add_option("--tol", args->tol, "Frame tolerance")->capture_default_str();
  shots->callback([args, exit_code]() { *exit_code = RunEvalShots(*args); });
  AddLabelEvalVerbs(eval, exit_code);
}

}  // namespace clipdex::cli

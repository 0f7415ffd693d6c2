#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "catalog/catalog.h"
#include "cli/verbs.h"
#include "curate/report.h"

namespace clipdex::cli {

namespace {

namespace fs = std::filesystem;

struct ReportArgs {
  std::string dataset;
  std::string output;
  ReportOptions options;
};

int RunReport(const ReportArgs& args) {
  std::unique_ptr<Catalog> catalog;
  if (ExitStatus e = OpenDatasetForRead(args.dataset, &catalog); e != kExitOk) return e;
  // Written beside the target and renamed, so a failed run never leaves half a report.
  const fs::path out_path = args.output;
  const fs::path tmp_path = out_path.string() + ".partial";
  Result<ReportStats> stats = Status::Error("not written");
  {
    std::ofstream out(tmp_path, std::ios::binary | std::ios::trunc);
    if (!out) {
      std::fprintf(stderr, "clipdex: cannot create %s\n", tmp_path.c_str());
      return kExitUsage;
    }
    stats = WriteReport(*catalog, out, args.options);
    out.close();
    if (stats.ok() && !out) stats = Status::Error("cannot write " + tmp_path.string());
  }
  std::error_code ec;
  if (!stats.ok()) {
    fs::remove(tmp_path, ec);
    PrintError(stats.status());
    return kExitInternal;
  }
  fs::rename(tmp_path, out_path, ec);
  if (ec) {
    std::fprintf(stderr, "clipdex: cannot write %s: %s\n", out_path.c_str(), ec.message().c_str());
    return kExitUsage;
  }
  const auto size = fs::file_size(out_path, ec);
  std::fprintf(stderr,
               "wrote %s (%ld clips, %d charts, %d thumbnails, %d failed inputs, %.0f KB)\n",
               out_path.c_str(), stats->clips, stats->charts, stats->thumbnails,
               stats->failed_inputs, ec ? 0.0 : static_cast<double>(size) / 1000.0);
  return kExitOk;
}

}  // namespace

void AddReportVerb(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Write a self-contained offline HTML report of a dataset (tiers, attribute "
      "histograms, camera and framing, dedup, examples, failed inputs)");
  AddDatasetArgument(cmd, &args->dataset);
  cmd->add_option("-o,--output", args->output, "HTML file to write")->required();
  cmd->add_option("--thumbs-per-tier", args->options.thumbs_per_tier, "Example thumbnails per tier")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  cmd->add_option("--thumb-width", args->options.thumb_width, "Thumbnail width in the report (px)")
      ->check(CLI::Range(32, 640))
      ->capture_default_str();
  cmd->add_option("--bins", args->options.histogram_bins, "Histogram bins")
      ->check(CLI::Range(2, 200))
      ->capture_default_str();
  cmd->callback([args, exit_code]() { *exit_code = RunReport(*args); });
}

}  // namespace clipdex::cli

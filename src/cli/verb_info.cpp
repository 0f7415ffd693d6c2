#include <cstdio>
#include <memory>

#include "catalog/catalog.h"
#include "cli/verbs.h"

namespace clipdex::cli {

void AddInfoVerb(CLI::App& app, int* exit_code) {
  auto dataset = std::make_shared<std::string>();
  auto list_failed = std::make_shared<bool>(false);
  CLI::App* cmd =
      app.add_subcommand("info", "Summarise a dataset: videos, clips, hours, transitions, dedup");
  AddDatasetArgument(cmd, dataset.get());
  cmd->add_flag("--failed", *list_failed, "List failed inputs with their reasons");
  cmd->callback([dataset, list_failed, exit_code]() {
    std::unique_ptr<Catalog> catalog;
    if (ExitStatus e = OpenDatasetForRead(*dataset, &catalog); e != kExitOk) {
      *exit_code = e;
      return;
    }
    auto summary = catalog->GetSummary();
    if (!summary.ok()) {
      PrintError(summary.status());
      *exit_code = kExitInternal;
      return;
    }
    const auto& s = summary.value();
    std::printf("dataset      %s\n", dataset->c_str());
    std::printf("videos       %d ok, %d failed\n", s.videos_ok, s.videos_failed);
    std::printf("clips        %ld\n", s.clips);
    std::printf("hours        %.3f\n", s.hours);
    std::printf("runs         %d\n", s.runs);
    std::printf("transitions ");
    if (s.transitions_by_type.empty()) std::printf(" none");
    for (const auto& [type, n] : s.transitions_by_type) std::printf(" %s=%d", type.c_str(), n);
    std::printf("\n");
    // Whether dedup ran, what it marked, and whether its next run can read only new clips.
    auto dedup = catalog->GetDedupTotals();
    auto state = catalog->ReadDedupState();
    if (dedup.ok() && state.ok()) {
      if (dedup->grouped == 0 && !*state) {
        std::printf("dedup        not run\n");
      } else {
        std::printf("dedup        %ld clips in groups, %ld marked dup_of", dedup->grouped,
                    dedup->duplicates);
        if (*state) {
          std::printf(
              "; codes of %ld clips kept (a rerun with the same settings reads new clips only)",
              (*state)->clips);
        }
        std::printf("\n");
      }
    }
    if (*list_failed || s.videos_failed > 0) {
      auto videos = catalog->Videos();
      if (videos.ok()) {
        for (const auto& v : videos.value()) {
          if (v.status != "ok")
            std::printf("failed       %s: %s\n", v.path.c_str(), v.error.c_str());
        }
      }
    }
  });
}

}  // namespace clipdex::cli

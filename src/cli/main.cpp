// clipdex: command-line front end of libclipdex.
#include <cstdio>

#include "cli/verbs.h"

int main(int argc, char** argv) {
  CLI::App app{"clipdex " CLIPDEX_VERSION
               " - turn raw video into a captioned, searchable shot catalog"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("clipdex ") + CLIPDEX_VERSION);
  int exit_code = clipdex::cli::kExitOk;
  clipdex::cli::AddIngestVerb(app, &exit_code);
  clipdex::cli::AddInfoVerb(app, &exit_code);
  clipdex::cli::AddExportVerb(app, &exit_code);
  clipdex::cli::AddReportVerb(app, &exit_code);
  clipdex::cli::AddEvalVerb(app, &exit_code);
  clipdex::cli::AddCurateVerbs(app, &exit_code);
  clipdex::cli::AddModelsVerb(app, &exit_code);
  clipdex::cli::AddDedupVerb(app, &exit_code);
  clipdex::cli::AddCaptionVerb(app, &exit_code);
  clipdex::cli::AddServeVerb(app, &exit_code);
  clipdex::cli::AddSearchVerbs(app, &exit_code);
  clipdex::cli::AddRewriteVerb(app, &exit_code);
  clipdex::cli::AddRankVerb(app, &exit_code);
  clipdex::cli::AddSuspectVerb(app, &exit_code);
  clipdex::cli::AddMergeVerb(app, &exit_code);
  clipdex::cli::AddSlurmVerb(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? clipdex::cli::kExitOk : clipdex::cli::kExitUsage;
  }
  return exit_code;
}

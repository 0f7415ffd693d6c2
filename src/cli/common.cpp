#include "cli/common.h"

#include <cstdio>

namespace clipdex::cli {

void PrintError(const Status& error) {
  std::fprintf(stderr, "clipdex: %s\n", error.message().c_str());
}

CLI::Option* AddDatasetArgument(CLI::App* cmd, std::string* dataset) {
  return cmd->add_option("dataset", *dataset, "Dataset directory")->required();
}

ExitStatus OpenDatasetForRead(const std::string& dataset, std::unique_ptr<Catalog>* catalog) {
  auto opened = Catalog::Open(dataset, /*create=*/false);
  if (!opened.ok()) {
    PrintError(opened.status());
    return kExitUsage;
  }
  *catalog = std::move(opened.value());
  return kExitOk;
}

}  // namespace clipdex::cli

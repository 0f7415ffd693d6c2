// What the verbs share: exit statuses, the standard error line, the dataset argument and opening
// a dataset, so every verb reports the same failure the same way.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "util/status.h"

namespace clipdex::cli {

// Exit statuses of every verb (README, "Exit status").
enum ExitStatus {
  kExitOk = 0,
  kExitInternal = 1,    // the operation failed (catalog error, dataset in use); nothing changed
  kExitUsage = 2,       // bad arguments or inputs: not a dataset, bad rule, unreadable file
  kExitSomeFailed = 3,  // done, but some inputs or clips failed (each named on stderr)
};

// Prints "clipdex: <message>" on stderr.
void PrintError(const Status& error);

// Adds the required positional argument "dataset" (the dataset directory).
CLI::Option* AddDatasetArgument(CLI::App* cmd, std::string* dataset);

// Opens an existing dataset for reading (readers take no lock: SQLite WAL). On failure prints
// the error line and returns kExitUsage (not a dataset); kExitOk with `*catalog` set otherwise.
ExitStatus OpenDatasetForRead(const std::string& dataset, std::unique_ptr<Catalog>* catalog);

}  // namespace clipdex::cli

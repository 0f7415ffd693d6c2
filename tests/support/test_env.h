// Shared helpers for tests: where the shared media lives, temp dirs, running the CLI.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace clipdex::testing {

inline std::filesystem::path SharedDir() {
  return std::filesystem::path(CLIPDEX_SOURCE_DIR) / ".." / "shared";
}
inline std::filesystem::path Media(const std::string& rel) { return SharedDir() / "media" / rel; }

#define CLIPDEX_REQUIRE_FILE(path)                                                       \
  do {                                                                                   \
    if (!std::filesystem::exists(path)) {                                                \
      GTEST_SKIP() << "skipping: " << (path).string() << " not found (needs ../shared)"; \
    }                                                                                    \
  } while (0)

// A unique temporary directory, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("clipdex_test_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

inline std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// Runs a shell command line, capturing stdout+stderr.
inline CommandResult RunShell(const std::string& command) {
  CommandResult r;
  std::string cmd = command + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The non-empty lines of `text` (command output, JSONL, CSV).
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// A whole file's bytes ("" when it cannot be read).
inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs the clipdex binary with the given (already quoted where needed) arguments.
inline CommandResult RunClipdex(const std::string& args) {
  return RunShell(ShellQuote(CLIPDEX_BINARY) + " " + args);
}

}  // namespace clipdex::testing

// Names nearly every test uses, declared once here rather than in each test file.
namespace clipdex::testing {

// Ingests ../shared/media files (paths relative to media/) into dataset `ds` (already shell
// quoted) with `flags`. Returns "" when done, else why the caller should skip or fail: a missing
// file ("missing PATH") or the ingest's output.
inline std::string IngestMedia(const std::vector<std::string>& rel_paths, const std::string& ds,
                               const std::string& flags = "") {
  std::string files;
  for (const std::string& f : rel_paths) {
    if (!std::filesystem::exists(Media(f))) return "missing " + Media(f).string();
    files += ' ';
    files += ShellQuote(Media(f).string());
  }
  auto run = RunClipdex("ingest -q" + files + " -o " + ds + " " + flags);
  return run.exit_code == 0 ? "" : "ingest failed: " + run.output;
}

}  // namespace clipdex::testing

namespace clipdex {
using testing::IngestMedia;
using testing::Lines;
using testing::Media;
using testing::ReadFile;
using testing::RunClipdex;
using testing::RunShell;
using testing::ShellQuote;
using testing::TempDir;
}  // namespace clipdex

// A real llama-server for tests: started by scripts/llama_server.sh in its own state directory
// with the random-weight tiny VLM of ../shared/models, stopped on destruction. Tests skip with
// the printed reason when llama.cpp was not built or ../shared is absent.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "test_env.h"

namespace clipdex::testing {

inline std::string SlurpFile(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline const std::filesystem::path kRoot = CLIPDEX_SOURCE_DIR;

// A llama-server started by scripts/llama_server.sh in its own state directory; stopped (and the
// state removed) on destruction.
class LlamaServer {
 public:
  // Empty url() with reason() set when it could not start.
  explicit LlamaServer(const std::string& extra_env = "") {
    const auto bin = kRoot / "third_party/llama/bin/llama-server";
    const auto model = SharedDir() / "models/tiny-vlm-random/tiny-llm-random.gguf";
    if (!std::filesystem::exists(bin)) {
      reason_ = bin.string() + " not found (run: bash scripts/setup.sh llama)";
      return;
    }
    if (!std::filesystem::exists(model)) {
      reason_ = model.string() + " not found (needs ../shared)";
      return;
    }
    // One thread: ggml syncs its threads at every op, and a tiny model's thousands of small ops
    // a token made two 2-thread servers beside a test run on 2 cores 10x slower (CI timed out).
    auto r = RunShell(extra_env + " LLAMA_THREADS=1 LLAMA_START_TIMEOUT=60 bash " +
                      ShellQuote((kRoot / "scripts/llama_server.sh").string()) + " start " +
                      ShellQuote(state_.path().string()));
    const auto lines = Lines(r.output);
    if (r.exit_code != 0 || lines.empty() || !lines.back().starts_with("http://127.0.0.1:")) {
      reason_ = "llama_server.sh start failed: " + r.output;
      return;
    }
    url_ = lines.back();
  }
  ~LlamaServer() {
    RunShell("bash " + ShellQuote((kRoot / "scripts/llama_server.sh").string()) + " stop " +
             ShellQuote(state_.path().string()));
  }
  const std::string& url() const { return url_; }
  const std::string& reason() const { return reason_; }
  int pid() const { return std::atoi(SlurpFile(state_ / "pid").c_str()); }

 private:
  TempDir state_;
  std::string url_, reason_;
};

}  // namespace clipdex::testing

namespace clipdex {
using testing::kRoot;
using testing::LlamaServer;
}  // namespace clipdex

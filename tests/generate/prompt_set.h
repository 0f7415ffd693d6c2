// The labelled prompt set (tests/generate/prompts.jsonl): English, Chinese and mixed prompts
// with the slots a reader would expect. A key that is absent expects "not said" (null / []),
// except `subject` and `text`, which are scored only where given (some prompts have no clear
// subject).
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace clipdex::testing {

inline std::vector<nlohmann::json> LoadPromptSet() {
  std::ifstream in(std::filesystem::path(CLIPDEX_SOURCE_DIR) / "tests" / "generate" /
                   "prompts.jsonl");
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

}  // namespace clipdex::testing

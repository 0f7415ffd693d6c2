// `clipdex rewrite` through the real binary: --json, a prompts file with a bad line, errors.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/test_env.h"

namespace clipdex {
namespace {

std::vector<nlohmann::json> JsonLines(const std::string& output) {
  std::vector<nlohmann::json> out;
  for (const std::string& line : Lines(output)) {
    if (line[0] == '{') out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

TEST(RewriteCliTest, JsonOfAChinesePrompt) {
  auto r = RunClipdex("rewrite " + ShellQuote("推镜头，特写，一只猫") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto lines = JsonLines(r.output);
  ASSERT_EQ(lines.size(), 1u) << r.output;
  const nlohmann::json& j = lines[0];
  EXPECT_EQ(j["prompt"], "推镜头，特写，一只猫");
  EXPECT_EQ(j["lang"], "zh");
  EXPECT_EQ(j["slots"]["movement"], "zoom_in");
  EXPECT_EQ(j["slots"]["shot_scale"], "close_up");
  EXPECT_EQ(j["slots"]["subject"], "一只猫");
  EXPECT_EQ(j["filled"], nlohmann::json::array());
  EXPECT_EQ(j["text"], "一只猫。特写，推镜头。");
}

TEST(RewriteCliTest, StyleLangAndFill) {
  auto r = RunClipdex("rewrite a cat on a roof at night --style long --lang zh --fill --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = JsonLines(r.output).at(0);
  EXPECT_EQ(j["lang"], "en");
  EXPECT_EQ(j["filled"], (nlohmann::json{"shot_scale", "movement", "angle", "style"}));
  EXPECT_EQ(j["text"], "夜晚，a cat on a roof。风格：实拍。中景，固定镜头。机位：平视。");
  auto plain = RunClipdex("rewrite 'a cat on a roof at night' --style short");
  EXPECT_EQ(plain.output, "A cat on a roof at night.\n");
}

TEST(RewriteCliTest, PromptsFileWithABadLineGoesOn) {
  TempDir dir;
  const std::string path = (dir / "prompts.txt").string();
  {
    std::ofstream f(path, std::ios::binary);
    f << "a dog runs on the beach, pan left\n\xff\xfe broken\n\n推镜头，特写，一只猫\n";
  }
  auto r = RunClipdex("rewrite @" + ShellQuote(path) + " --json --style short");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("clipdex: " + path + ":2: prompt is not valid UTF-8"), std::string::npos)
      << r.output;
  const auto lines = JsonLines(r.output);
  ASSERT_EQ(lines.size(), 3u) << r.output;
  EXPECT_EQ(lines[0]["line"], 1);
  EXPECT_EQ(lines[0]["slots"]["movement"], "pan_left");
  EXPECT_EQ(lines[1]["line"], 2);
  EXPECT_EQ(lines[1]["error"], "prompt is not valid UTF-8");
  EXPECT_EQ(lines[2]["line"], 4);
  EXPECT_EQ(lines[2]["slots"]["shot_scale"], "close_up");
  // Plain text: one output line per prompt line, empty for the bad one (stderr lines aside).
  auto text = RunClipdex("rewrite @" + ShellQuote(path) + " --style short --lang en");
  std::string stdout_text;
  std::istringstream in(text.output);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("clipdex: ", 0) != 0) stdout_text += line + "\n";
  }
  EXPECT_EQ(stdout_text,
            "Camera pans left: A dog runs on the beach.\n\nClose-up, camera zooms in (push-in): "
            "一只猫.\n");
}

TEST(RewriteCliTest, ErrorsAreOneLine) {
  auto empty = RunClipdex("rewrite ''");
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_EQ(empty.output, "clipdex: empty prompt\n");
  auto style = RunClipdex("rewrite 'a cat' --style huge");
  EXPECT_EQ(style.exit_code, 2);
  EXPECT_EQ(style.output, "clipdex: unknown --style 'huge' (short, medium, long)\n");
  auto lang = RunClipdex("rewrite 'a cat' --lang fr");
  EXPECT_EQ(lang.exit_code, 2);
  EXPECT_EQ(lang.output, "clipdex: unknown --lang 'fr' (en, zh)\n");
  auto missing = RunClipdex("rewrite @/nonexistent/prompts.txt");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.output, "clipdex: cannot read prompts file '/nonexistent/prompts.txt'\n");
}

}  // namespace
}  // namespace clipdex

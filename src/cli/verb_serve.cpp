// `clipdex serve DATASET`: the JSON API and web UI over a dataset (serve/web_server.h,
// docs/serve.md). Prints "serving DATASET at http://HOST:PORT" once listening; SIGINT or SIGTERM
// stop it cleanly (exit 0).
#include <signal.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "cli/verbs.h"
#include "serve/web_server.h"

namespace clipdex::cli {

namespace {

// Set by SIGINT/SIGTERM (see RunServe).
std::atomic<bool> g_stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");
void OnStopSignal(int) { g_stop_requested.store(true); }

struct ServeArgs {
  std::string dataset;
  ServeOptions options;
};

int RunServe(const ServeArgs& args) {
  ServeOptions options = args.options;
  options.dataset = args.dataset;
  auto server = WebServer::Create(options);
  if (!server.ok()) {
    PrintError(server.status());
    const std::string& m = server.status().message();
    return m.rfind("--", 0) == 0 || m.find("dataset") != std::string::npos ? kExitUsage
                                                                           : kExitInternal;
  }
  auto port = server.value()->Bind();
  if (!port.ok()) {
    PrintError(port.status());
    return kExitInternal;
  }
  // SIGINT/SIGTERM only set a flag (an atomic store, safe in a handler), whichever thread they
  // land on; one waiting thread sees it and stops the server, so no work happens in a handler.
  // Blocking the signals and taking them with sigtimedwait, as before, failed once FAISS came in:
  // its BLAS starts threads before main, with the signals unblocked, and a SIGTERM landing on one
  // of those killed the process. A shell starts background jobs with SIGINT ignored; installing
  // the handler replaces that too.
  struct sigaction on_stop {};
  on_stop.sa_handler = OnStopSignal;
  on_stop.sa_flags = SA_RESTART;
  sigemptyset(&on_stop.sa_mask);
  sigaction(SIGINT, &on_stop, nullptr);
  sigaction(SIGTERM, &on_stop, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  std::atomic<bool> finished{false};
  WebServer* raw = server.value().get();
  std::thread waiter([&finished, raw] {
    while (!finished.load()) {
      if (g_stop_requested.load()) {
        // A signal may come before Run() started listening, when stopping does nothing yet:
        // repeat until Run() returned.
        while (!finished.load()) {
          raw->Stop();
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  std::string host =
      options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  std::printf("serving %s at http://%s:%d\n", args.dataset.c_str(), host.c_str(), port.value());
  std::fflush(stdout);
  Status run = server.value()->Run();
  finished.store(true);
  waiter.join();
  if (!run.ok()) {
    PrintError(run);
    return kExitInternal;
  }
  return kExitOk;
}

}  // namespace

void AddServeVerb(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve the dataset's web UI and JSON API: search, play clips, tier and tag by hand");
  AddDatasetArgument(cmd, &args->dataset);
  cmd->add_option("--host", args->options.host,
                  "Address to listen on (default 127.0.0.1; any other needs --token-file)");
  cmd->add_option("--port", args->options.port, "Port (default 8642; 0 = any free port)");
  cmd->add_option("--token-file", args->options.token_file,
                  "File whose first line is the access token every API request must carry");
  cmd->add_flag("--read-only", args->options.read_only, "Refuse every write (tiers, tags): 403");
  cmd->add_option("--threads", args->options.threads, "HTTP worker threads (default 8)");
  cmd->add_option("--search-slots", args->options.search_slots,
                  "Searches run at once; later ones wait their turn in arrival order (default 0: "
                  "two per CPU core)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--query-time-limit", args->options.query_time_limit,
                  "Seconds a search may run before it gives up with 503 (0 = no limit)")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  cmd->callback([args, exit_code]() { *exit_code = RunServe(*args); });
}

}  // namespace clipdex::cli

// `clipdex models`: every model slot, the file that fills it and whether it is ready, then what
// each registered analyzer does with them (enabled, downgraded or disabled, and why).
#include <cstdio>

#include "cli/verbs.h"
#include "models/model_manifest.h"
#include "models/onnx_session.h"
#include "pipeline/analyzer_set.h"

namespace clipdex::cli {

namespace {

std::string InputsText(const std::vector<InputContract>& inputs) {
  std::string s;
  for (const InputContract& in : inputs) {
    s += "      input " + (in.name.empty() ? std::string("(any name)") : "'" + in.name + "'") +
         " " + in.dtype + " " + ShapeString(in.shape) + ": " + in.normalisation + "\n";
  }
  return s;
}

void PrintSlot(const ModelSlot& slot, const SlotState& st, bool verbose) {
  std::printf("%-24s %-9s %s\n", slot.id.c_str(), st.ready ? "ready" : "not ready",
              st.ready ? (st.path.string() + " (" + st.reason + ")").c_str() : st.reason.c_str());
  if (!verbose) return;
  std::printf(
      "      task: %s\n      engine: %s\n%s      output: %s\n      licence: %s\n"
      "      source: %s\n      used by: %s\n",
      slot.task.c_str(), slot.engine.c_str(), InputsText(slot.inputs).c_str(),
      slot.output_decoder.c_str(), slot.licence.c_str(), slot.source.c_str(), slot.used_by.c_str());
  if (st.ready && slot.engine == "onnxruntime") {
    auto session = OnnxSession::Load(st.path);
    if (!session.ok()) {
      std::printf("      load: FAILED %s\n", session.status().message().c_str());
      return;
    }
    for (const TensorInfo& t : (*session)->inputs()) {
      std::printf("      model input  '%s' %s %s\n", t.name.c_str(), t.dtype.c_str(),
                  ShapeString(t.shape).c_str());
    }
    for (const TensorInfo& t : (*session)->outputs()) {
      std::printf("      model output '%s' %s %s\n", t.name.c_str(), t.dtype.c_str(),
                  ShapeString(t.shape).c_str());
    }
    Status contract = CheckInputContract(slot, **session);
    std::printf("      contract: %s\n", contract.ok() ? "ok" : contract.message().c_str());
  }
}

}  // namespace

void AddModelsVerb(CLI::App& app, int* exit_code) {
  auto models_dir = std::make_shared<std::string>();
  auto verbose = std::make_shared<bool>(false);
  CLI::App* cmd =
      app.add_subcommand("models", "List the model slots, their files and whether they are ready");
  cmd->add_option("--models", *models_dir,
                  "Model directory searched first (default $CLIPDEX_MODELS)");
  cmd->add_flag("-v,--verbose", *verbose,
                "Also print each slot's input contract, decoder, licence and the loaded model's "
                "inputs and outputs");
  cmd->callback([models_dir, verbose, exit_code]() {
    const std::filesystem::path explicit_root =
        models_dir->empty() ? ExplicitModelsDir() : std::filesystem::path(*models_dir);
    const auto roots = ModelRoots(explicit_root);
    if (OrtAvailable()) {
      std::printf("ONNX Runtime %s\n", OrtVersion().c_str());
    } else {
      std::printf("ONNX Runtime: %s\n", OrtUnavailableReason().c_str());
    }
    std::printf("model roots (first hit wins):");
    for (const auto& r : roots) std::printf(" %s", r.string().c_str());
    std::printf("\n\n");
    for (const ModelSlot& slot : ModelSlots()) {
      PrintSlot(slot, ResolveModelSlot(slot, roots), *verbose);
    }
    // What each registered analyzer makes of these slots: the same lines `ingest` prints first.
    AnalyzerConfig config;
    config.models_dir = explicit_root;
    IngestOptions unused;
    std::vector<std::string> notes;
    AddAnalyzers(config, &unused, &notes);
    std::printf("\nanalyzers (as `ingest` would run them):\n");
    for (const std::string& note : notes) std::printf("  %s\n", note.c_str());
    *exit_code = kExitOk;
  });
}

}  // namespace clipdex::cli

// The model manifest: every model slot clipdex knows, what file fills it, how to check the file
// and how to feed and read the model. `clipdex models` prints it with each slot's state; an
// analyzer whose slot is not ready is disabled and the run summary says why.
//
// Files are found relative to the model roots, first hit wins:
//   1. --models DIR / $CLIPDEX_MODELS (when given)
//   2. third_party/models beside the source tree (what scripts/setup.sh fetches)
//   3. ../shared/models beside the source tree
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "util/status.h"

namespace clipdex {

class OnnxSession;

// What one model input expects.
struct InputContract {
  std::string name;            // tensor name in the model ("" = not checked)
  std::vector<int64_t> shape;  // -1 = any size
  std::string dtype;           // "float32"
  std::string normalisation;   // how pixels become values, in words
};

struct ModelSlot {
  std::string id;      // "text_det"
  std::string task;    // what it does, in words
  std::string engine;  // "onnxruntime", "opencv-dnn", "raw-f32", "text"
  std::string file;    // relative to a model root
  std::string sha256;  // expected; empty for user-supplied slots (any file accepted)
  std::vector<InputContract> inputs;
  std::string output_decoder;  // how outputs become attributes, in words
  std::string licence;
  std::string source;          // where the file comes from
  std::string used_by;         // analyzer / attributes it enables
  bool user_supplied = false;  // absent by default; the user drops a file in
};

// All slots, in the order `clipdex models` prints them.
const std::vector<ModelSlot>& ModelSlots();
// nullptr when no slot has that id.
const ModelSlot* FindModelSlot(const std::string& id);

// The model roots in search order (see the file comment); `explicit_root` may be empty.
std::vector<std::filesystem::path> ModelRoots(const std::filesystem::path& explicit_root);

struct SlotState {
  std::string id;
  std::filesystem::path path;  // where the file was found (or would be looked for first)
  bool ready = false;
  std::string reason;  // why not ready ("missing: ...", "sha256 mismatch: ...", "ONNX Runtime
                       // not built in ..."); for ready slots what was checked
};

// Finds the slot's file under `roots` and checks it: present, sha256 as pinned (cached per path,
// size and modification time, so repeated calls are cheap), engine available.
SlotState ResolveModelSlot(const ModelSlot& slot, const std::vector<std::filesystem::path>& roots);

// Checks a loaded session against the slot's input contract (names, rank, fixed dimensions,
// dtype). Ok, or "<slot>: input 'x' is [1,3,320,320], contract wants [1,3,224,224]".
Status CheckInputContract(const ModelSlot& slot, const OnnxSession& session);

// Loads `file` for manifest slot `slot_id` with `threads` intra-op threads and checks its input
// contract. Errors name the file: "<file>: <slot>: input 'x' is [...], contract wants [...]".
Result<std::unique_ptr<OnnxSession>> LoadSlotSession(const std::string& slot_id,
                                                     const std::filesystem::path& file,
                                                     int threads);

}  // namespace clipdex

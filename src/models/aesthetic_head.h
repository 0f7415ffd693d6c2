// The LAION aesthetic predictor v1: one linear layer on the L2-normalised CLIP image embedding,
// giving a score of about 1 (ugly) to 10 (beautiful). File format: raw little-endian float32,
// weight[d] then bias (d = 512 for ViT-B/32, 768 for ViT-L/14).
#pragma once

#include <filesystem>
#include <vector>

#include "util/status.h"

namespace clipdex {

class AestheticHead {
 public:
  // Reads the head; the file must hold exactly `dims` + 1 floats.
  static Result<AestheticHead> Load(const std::filesystem::path& path, int dims);
  int dims() const { return static_cast<int>(weight_.size()); }
  // Score of one embedding (any scale: it is L2-normalised first). Needs dims() values.
  double Score(const std::vector<float>& embedding) const;

 private:
  std::vector<float> weight_;
  float bias_ = 0;
};

}  // namespace clipdex

// Test helper: the PP-OCRv4 model files as scripts/setup.sh installs them (third_party/models),
// or a skip with the reason when they are absent.
#pragma once

#include <gtest/gtest.h>

#include "models/model_manifest.h"

namespace clipdex::testing {

struct OcrModelPaths {
  std::filesystem::path det, rec, dictionary;
  std::string missing;  // why not available; empty when all three are ready
};

inline OcrModelPaths FindOcrModels() {
  OcrModelPaths p;
  const auto roots = ModelRoots({});
  std::filesystem::path* dest[] = {&p.det, &p.rec, &p.dictionary};
  const char* ids[] = {"text_det", "text_rec", "text_dict"};
  for (int k = 0; k < 3; ++k) {
    SlotState st = ResolveModelSlot(*FindModelSlot(ids[k]), roots);
    if (!st.ready) {
      p.missing = std::string(ids[k]) + ": " + st.reason;
      return p;
    }
    *dest[k] = st.path;
  }
  return p;
}

#define CLIPDEX_REQUIRE_OCR_MODELS(paths)                                              \
  const ::clipdex::testing::OcrModelPaths paths = ::clipdex::testing::FindOcrModels(); \
  if (!paths.missing.empty()) GTEST_SKIP() << "skipping: " << paths.missing

}  // namespace clipdex::testing

#include "caption/caption_backend.h"

namespace clipdex {

namespace {

class TemplateBackend : public CaptionBackend {
 public:
  std::string name() const override { return "template"; }
  std::string model() const override { return ""; }
  bool needs_frames() const override { return false; }
  Result<CaptionOutput> Describe(const CaptionRequest&) const override { return CaptionOutput{}; }
};

}  // namespace

std::unique_ptr<CaptionBackend> MakeTemplateBackend() {
  return std::make_unique<TemplateBackend>();
}

}  // namespace clipdex

#include "caption/make_backend.h"

namespace clipdex {

Result<std::unique_ptr<CaptionBackend>> MakeCaptionBackend(const OptionValues& values) {
  const std::string& name = values.GetString("backend");
  if (name == "template") return MakeTemplateBackend();
  return Status::Error("caption: unknown backend '" + name + "' (backends: template)");
}

}  // namespace clipdex

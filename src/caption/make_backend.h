// The caption backend a pass's options name (caption_pass.h CaptionPassOptions).
#pragma once

#include <memory>

#include "caption/caption_backend.h"
#include "util/option_table.h"
#include "util/status.h"

namespace clipdex {

// Errors: "caption: unknown backend 'x' (backends: template, openai)", a backend's start error.
Result<std::unique_ptr<CaptionBackend>> MakeCaptionBackend(const OptionValues& values);

}  // namespace clipdex

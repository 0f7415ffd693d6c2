// A caption backend writes the "seen" half of a structured caption (caption/caption_schema.h)
// for one clip: the template backend writes nothing (it only knows the measurements), a VLM
// backend describes the keyframes. Backends are called from several threads at once.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "caption/keyframes.h"
#include "catalog/records.h"
#include "util/status.h"

namespace clipdex {

struct CaptionRequest {
  const VideoRecord* video = nullptr;
  const ClipRecord* clip = nullptr;
  nlohmann::json measured;                        // MeasuredCaption (the facts to state)
  KeyframePlan plan;                              // the keyframes, clip-relative times
  std::vector<std::vector<unsigned char>> jpegs;  // one per plan frame (VLM backends)
  std::string context;                            // glossary / neighbour context, may be ""
};

struct CaptionOutput {
  nlohmann::json content = nlohmann::json::object();  // VlmContentSchema-valid; {} = nothing seen
  long prompt_tokens = 0, completion_tokens = 0;
  int attempts = 0;
};

class CaptionBackend {
 public:
  virtual ~CaptionBackend() = default;
  virtual std::string name() const = 0;   // "template", "openai", "llama"
  virtual std::string model() const = 0;  // "" for the template
  virtual bool needs_frames() const = 0;  // keyframes are grabbed only for backends that look
  virtual Result<CaptionOutput> Describe(const CaptionRequest& request) const = 0;
};

// The measurements-only backend: no model, no frames; every caption field comes from the
// analyzers (caption_facts.h).
std::unique_ptr<CaptionBackend> MakeTemplateBackend();

}  // namespace clipdex

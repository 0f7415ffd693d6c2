// A shot boundary: a hard cut or a gradual transition, in decoded-frame indices.
#pragma once

#include <string>
#include <string_view>

namespace clipdex {

enum class TransitionType {
  kCut,
  kDissolve,
  kFadeIn,            // from black (or a uniform colour) into the new shot
  kFadeOut,           // from the old shot into black
  kFadeThroughBlack,  // fade out + fade in with (almost) no black in between
  kFadeThroughWhite,
  kWipe,
};

std::string_view ToString(TransitionType type);
// Parses the names produced by ToString (and ground-truth spellings such as "wipe_left").
bool ParseTransitionType(std::string_view name, TransitionType* out);
inline bool IsGradual(TransitionType type) { return type != TransitionType::kCut; }

struct Transition {
  TransitionType type = TransitionType::kCut;
  // For a cut, first_frame is the first frame of the new shot and last_frame == first_frame.
  // For a gradual transition, [first_frame, last_frame] are the frames that are blended.
  long first_frame = 0;
  long last_frame = 0;
  double first_time = 0.0;  // seconds from the stream start, presentation time
  double last_time = 0.0;
  double score = 0.0;  // detector confidence signal; larger = more certain

  static Transition CutAt(long frame) { return {TransitionType::kCut, frame, frame}; }
  // Inclusive frame range [first, last].
  static Transition Span(TransitionType type, long first, long last) { return {type, first, last}; }
};

}  // namespace clipdex

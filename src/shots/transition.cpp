#include "shots/transition.h"

namespace clipdex {

std::string_view ToString(TransitionType type) {
  switch (type) {
    case TransitionType::kCut:
      return "cut";
    case TransitionType::kDissolve:
      return "dissolve";
    case TransitionType::kFadeIn:
      return "fade_in";
    case TransitionType::kFadeOut:
      return "fade_out";
    case TransitionType::kFadeThroughBlack:
      return "fade_through_black";
    case TransitionType::kFadeThroughWhite:
      return "fade_through_white";
    case TransitionType::kWipe:
      return "wipe";
  }
  return "unknown";
}

bool ParseTransitionType(std::string_view name, TransitionType* out) {
  for (auto t : {TransitionType::kCut, TransitionType::kDissolve, TransitionType::kFadeIn,
                 TransitionType::kFadeOut, TransitionType::kFadeThroughBlack,
                 TransitionType::kFadeThroughWhite, TransitionType::kWipe}) {
    if (name == ToString(t)) {
      *out = t;
      return true;
    }
  }
  if (name.rfind("wipe", 0) == 0) {  // wipe_left, wipe_right, ...
    *out = TransitionType::kWipe;
    return true;
  }
  if (name == "fade" || name == "crossfade") {
    *out = TransitionType::kDissolve;
    return true;
  }
  return false;
}

}  // namespace clipdex

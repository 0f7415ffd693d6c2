// The shot-scale decision: one function from a clip's evidence (faces, bodies, the salient
// subject, depth of field, detail scale) to a framing.shot_scale label, a confidence and the
// name of the evidence that decided. The rules and thresholds are documented in
// docs/attributes.md ("Shot scale: the decision"); they were chosen on the tune split of
// tests/analyze/framing_labels.json only.
#pragma once

#include <string>

namespace clipdex {

// A clip's evidence: medians over its samples unless said otherwise.
struct ShotScaleEvidence {
  double face_fraction = 0;      // samples with a face / samples
  double face_ratio = 0;         // tallest face height / frame height, over samples with a face
  int faces = 0;                 // most faces in one sample
  double person_height = 0;      // whole-body detection (HOG / full-body cascade), / frame height
  double upper_body_height = 0;  // upper-body cascade, / frame height
  double subject_height = 0;     // main salient blob, fractions of the frame
  double subject_width = 0;
  double subject_area = 0;
  double sharp_fraction = 0;  // see framing_evidence.h
  double sharp_spread = 0;
  double detail_scale = 0;
  double detail_scale_coarse = 0;
  double edge_density = 0;
  double defocus_fraction = 0;
};

struct ShotScaleDecision {
  std::string scale;      // one of ShotScaleLabels() (caption/film_vocabulary.h)
  double confidence = 0;  // 0..1
  // What decided: "face", "body", "upper_body", "depth_of_field", "detail", "saliency".
  std::string evidence;
};

ShotScaleDecision DecideShotScale(const ShotScaleEvidence& e);

// The shot-scale label for a face-height ratio alone (the face rungs of the decision).
std::string ShotScaleForFaceRatio(double ratio);

}  // namespace clipdex

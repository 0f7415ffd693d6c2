// Film vocabulary: the camera-movement and shot-scale labels the analyzers write, with the words
// people use for them in English and Chinese (景别 / 运镜), in one place. Caption rendering writes
// these words; the caption check and prompt parsing read them back (FindCameraClaims), so what
// clipdex writes it also recognises.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clipdex {

// Labels in documentation order (docs/attributes.md).
const std::vector<std::string>& CameraMovementLabels();  // static, pan_left ... mixed, unknown
const std::vector<std::string>& ShotScaleLabels();       // extreme_close_up ... long
const std::vector<std::string>& CameraSpeedLabels();     // none, slow, medium, fast

struct VocabularyWord {
  std::string en;  // "pans left"-style phrase usable after "the camera"; noun phrase for scales
  std::string zh;  // 左摇, 特写 ...
};

// Words of a label; nullopt for a label with nothing to say (unknown, none) or not in the lists.
std::optional<VocabularyWord> MovementWords(std::string_view label);
std::optional<VocabularyWord> ScaleWords(std::string_view label);
std::optional<VocabularyWord> SpeedWords(std::string_view label);

// What a free text says about the camera, found by the words above and their common synonyms in
// both languages ("push in", "dolly in", "推镜头", "close-up", "特写" ...). Several mentions of
// different labels are all returned, in label order, without duplicates.
struct CameraClaims {
  std::vector<std::string> movements;  // labels of CameraMovementLabels
  std::vector<std::string> scales;     // labels of ShotScaleLabels
  std::optional<int> people;           // "two people", "3 persons", "一个人", "三人"
};
CameraClaims FindCameraClaims(std::string_view text);

// Where FindCameraClaims found each movement and scale: byte ranges of `text` (ASCII letters are
// compared case-insensitively, so offsets are those of `text` itself), in text order. Search
// takes these words out of a query and filters by the labels instead.
struct CameraClaimSpan {
  size_t begin = 0, end = 0;
  bool movement = false;  // else a shot scale
  std::string label;
};
std::vector<CameraClaimSpan> FindCameraClaimSpans(std::string_view text);

}  // namespace clipdex

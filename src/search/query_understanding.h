// Turning the measurable part of a search query into attribute conditions: camera movement and
// shot scale words (film vocabulary, English and Chinese, with their synonyms: "push in",
// "dolly in", "推镜头", "close-up", "特写" ...) and "no text" / "no watermark" / "no faces" (and
// 无字幕 / 无水印 / 无人脸). Those words leave the text query and become conditions in the
// tier-rule grammar, because a measured label answers them exactly where a caption may or may not
// say it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace clipdex {

struct UnderstoodQuery {
  std::string text;                     // the words left for full-text search
  std::vector<std::string> movements;   // camera.movement labels asked for
  std::vector<std::string> scales;      // framing.shot_scale labels asked for
  std::vector<std::string> conditions;  // rule-grammar conditions, AND-ed
};

UnderstoodQuery UnderstandQuery(std::string_view query);

}  // namespace clipdex

// Caption check: what a VLM's caption claims about the camera, the shot scale, on-screen text and
// the number of people, compared with what the analyzers measured. A caption that contradicts a
// measurement is likely to hallucinate elsewhere too; caption.check lets a tier rule drop it
// (`caption.check = 'ok'`).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace clipdex {

// Conflicts between `content` (the model's output, VlmContentSchema: claims camera_movement,
// shot_scale, people_count, on_screen_text, and free text in summary/events) and `measured`
// (MeasuredCaption). Empty = consistent. Each conflict is one phrase:
//   "camera: claims pan_left, measured zoom_in"
//   "shot scale: claims long, measured close_up"
//   "people: claims 1, 3 faces detected"
//   "text: claims on-screen text, OCR found none" / "text: misses on-screen text 'NEWS24'"
std::vector<std::string> CheckCaption(const nlohmann::json& content,
                                      const nlohmann::json& measured);

// "ok" or the conflicts joined by "; " (the value of caption.check).
std::string CheckText(const std::vector<std::string>& conflicts);

}  // namespace clipdex

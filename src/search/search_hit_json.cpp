// One search hit as JSON (see search/search_hit_json.h).
#include "search/search_hit_json.h"

namespace clipdex {

nlohmann::ordered_json SearchHitJson(const SearchHit& h) {
  nlohmann::ordered_json j;
  j["id"] = h.clip_id;
  j["video"] = h.video_path;
  j["fingerprint"] = h.fingerprint;
  j["index"] = h.index;
  j["start"] = h.start;
  j["end"] = h.end;
  j["duration"] = h.end - h.start;
  j["match_start"] = h.match_start;
  j["match_end"] = h.match_end;
  j["match_reason"] = h.match_reason;
  j["score"] = h.score;
  j["similarity"] = h.similarity ? nlohmann::ordered_json(*h.similarity) : nullptr;
  j["tier"] = h.tier;
  j["has_thumbnail"] = !h.thumbnail.empty();
  j["movement"] = h.movement;
  j["shot_scale"] = h.shot_scale;
  j["caption"] = h.caption;
  j["highlights"] = h.highlights;
  return j;
}

}  // namespace clipdex

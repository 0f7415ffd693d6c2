#include "generate/catalog_fill.h"

#include <algorithm>
#include <map>

#include "generate/prompt_vocabulary.h"

namespace clipdex {
namespace {

// The most common non-empty label, ties to the first seen; "" when none.
std::string MostCommon(const std::vector<std::string>& labels) {
  std::map<std::string, int> count;
  std::string best;
  int best_n = 0;
  for (const std::string& l : labels) {
    if (l.empty() || l == "unknown") continue;
    const int n = ++count[l];
    if (n > best_n) {
      best_n = n;
      best = l;
    }
  }
  return best;
}

bool Excluded(const PromptSlots& s, const std::string& label, bool movement) {
  const std::string key = movement ? MovementFamily(label) : label;
  return std::find(s.excluded.begin(), s.excluded.end(), key) != s.excluded.end();
}

}  // namespace

std::vector<std::string> FillFromCatalog(SearchEngine& engine, PromptSlots* slots, int hits) {
  std::vector<std::string> filled;
  if (!slots->movement.empty() && !slots->shot_scale.empty()) return filled;
  std::string words = slots->subject;
  for (const std::string* part : {&slots->action, &slots->scene}) {
    if (part->empty()) continue;
    if (!words.empty()) words += ' ';
    words += *part;
  }
  if (words.empty()) return filled;
  SearchRequest request;
  request.text = words;
  request.literal = true;
  request.limit = std::clamp(hits, 1, 1000);
  auto result = engine.Search(request);
  if (!result.ok() || result->hits.empty()) return filled;
  std::vector<std::string> movements, scales;
  for (const SearchHit& h : result->hits) {
    movements.push_back(h.movement);
    scales.push_back(h.shot_scale);
  }
  if (slots->movement.empty()) {
    const std::string m = MostCommon(movements);
    if (!m.empty() && !Excluded(*slots, m, /*movement=*/true)) {
      slots->movement = m;
      slots->movements = {m};
      filled.push_back("movement");
    }
  }
  if (slots->shot_scale.empty()) {
    const std::string s = MostCommon(scales);
    if (!s.empty() && !Excluded(*slots, s, /*movement=*/false)) {
      slots->shot_scale = s;
      filled.push_back("shot_scale");
    }
  }
  return filled;
}

}  // namespace clipdex

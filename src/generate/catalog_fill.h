// `clipdex rewrite --catalog DS`: unsaid camera slots filled the way the dataset's own clips are
// shot, so prompts look like the training distribution. The prompt's subject, action and scene
// words are searched in the catalog (search/search_engine.h: captions, on-screen text, tags, path
// words; words only, no camera filters drawn from them); among the best `hits` clips, the most
// common camera.movement and framing.shot_scale fill the movement and shot scale the prompt did
// not give and did not rule out. Ties go to the label seen first (the better-ranked clip).
#pragma once

#include <string>
#include <vector>

#include "generate/prompt_slots.h"
#include "search/search_engine.h"

namespace clipdex {

// Returns the slots it set ("movement", "shot_scale"); none when the words find no clip.
std::vector<std::string> FillFromCatalog(SearchEngine& engine, PromptSlots* slots, int hits = 50);

}  // namespace clipdex

// Numbers a prompt states: the clip's duration ("5 seconds", "5s", "10-second", "5秒", 五秒钟,
// "1 minute", 半分钟) and how many people it shows ("two people", "a man and a woman", 三个人).
#pragma once

#include <optional>
#include <string_view>

#include "generate/phrase_match.h"

namespace clipdex {

struct DurationFind {
  double seconds = 0;
  TextSpan span;  // the number and its unit
};

// The first duration in `lower` (AsciiLower). A bare "s" needs at most three digits before it,
// so "1990s" is not a duration; values over an hour are not read as one.
std::optional<DurationFind> FindDuration(std::string_view lower);

// People named with a count, summed over the parts of `text` joined by "and", "with", commas,
// 和, 与, 、 ("a man and a woman" = 2). Counts within one part come from the film vocabulary
// (FindCameraClaims: "two people", 三人) or, for Chinese, a numeral + measure word + person noun
// (两个女孩, 三名学生). nullopt when no part names a count.
std::optional<int> CountPeople(std::string_view text);

}  // namespace clipdex

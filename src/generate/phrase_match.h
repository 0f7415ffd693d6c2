// Finding vocabulary phrases in a prompt, the way caption/film_vocabulary.cpp finds camera words:
// ASCII phrases compared case-insensitively and only on word boundaries ("pan" is not inside
// "panorama"), Chinese phrases anywhere. Overlapping finds are resolved longest first, and a
// negation word ("no", "without", 不要, 没有 ...) close before a find is reported, so a prompt
// parser can tell "zoom in" from "no zoom".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/ascii_case.h"

namespace clipdex {

struct TextSpan {
  size_t begin = 0, end = 0;
};

// Where `phrase` (lower case) occurs in `lower`; ASCII phrases only at word boundaries.
std::vector<TextSpan> PhraseOccurrences(std::string_view lower, std::string_view phrase);

// Indices of `spans` that survive when overlapping spans are resolved longest first (the
// earlier one on equal length), in text order.
std::vector<size_t> LongestNonOverlapping(const std::vector<TextSpan>& spans);

// Length of the clause mark starting at `at` of `s`: , . ; : ! ? or a line break, or a CJK
// mark (，。、；：！？); 0 when there is none.
size_t ClauseMarkAt(std::string_view s, size_t at);

// True when [a, b) of `text` crosses a clause mark (ClauseMarkAt) or a joining word ("and", "but",
// "then", "while", 和, 但, 然后) that starts a new clause.
bool CrossesClause(std::string_view lower, size_t a, size_t b);

// Words in [a, b): ASCII words, plus one per CJK character.
size_t WordsBetween(std::string_view lower, size_t a, size_t b);

// The negation word governing a phrase that starts at `begin`: at most three words before it in
// the same clause ("no zoom", "without any camera shake", "镜头不要推进"). Words that only look
// like a negation (不断, 不停, 无人机, 无论 ...) are not one.
std::optional<TextSpan> NegationBefore(std::string_view lower, size_t begin);

// True for the lead byte of a CJK ideograph or CJK punctuation (3-byte UTF-8, U+3000..U+9FFF).
bool IsCjkLead(unsigned char c);

}  // namespace clipdex

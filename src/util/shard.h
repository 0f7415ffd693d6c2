// Shards of a work list: `--shard i/N` on ingest and caption. Every item lands in exactly one of
// N shards, chosen by a hash of a stable key (a name, not a position), so the split is the same
// on every machine, in every rerun and whatever the order of the list; no coordinator is needed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace clipdex {

struct ShardSpec {
  int index = 0;  // 0-based, < count
  int count = 1;  // 1 = no sharding
  bool active() const { return count > 1; }
  // Whether the item with this key belongs to this shard.
  bool Contains(std::string_view key) const;
  // "i/N", as the flag takes it.
  std::string ToString() const;
};

// Parses "i/N" with 0 <= i < N <= 1,000,000. Errors name the text and the rule:
//   "--shard '7/4': the index must be below the count (0..3)"
Result<ShardSpec> ParseShard(const std::string& text);

// The shard (0..count-1) of `key`: FNV-1a (util/stable_hash.h) with a final mix, because FNV's
// low bits depend only on the low bits of each byte and a plain `% count` on them would split
// names that differ in one letter's high bits unevenly.
int ShardOf(std::string_view key, int count);

}  // namespace clipdex

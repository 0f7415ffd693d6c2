#include "util/shard.h"

#include <charconv>

#include "util/stable_hash.h"

namespace clipdex {

namespace {

constexpr int kMaxShards = 1000000;

// splitmix64's finaliser: every output bit depends on every input bit.
uint64_t Mix(uint64_t h) {
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

bool ParseInt(std::string_view s, int* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

int ShardOf(std::string_view key, int count) {
  if (count <= 1) return 0;
  return static_cast<int>(Mix(StableHash(key)) % static_cast<uint64_t>(count));
}

bool ShardSpec::Contains(std::string_view key) const {
  return !active() || ShardOf(key, count) == index;
}

std::string ShardSpec::ToString() const {
  return std::to_string(index) + "/" + std::to_string(count);
}

Result<ShardSpec> ParseShard(const std::string& text) {
  const std::string what = "--shard '" + text + "': ";
  const size_t slash = text.find('/');
  ShardSpec spec;
  if (slash == std::string::npos ||
      !ParseInt(std::string_view(text).substr(0, slash), &spec.index) ||
      !ParseInt(std::string_view(text).substr(slash + 1), &spec.count)) {
    return Status::Error(what + "expected INDEX/COUNT, e.g. 3/64 (the 4th of 64 shards)");
  }
  if (spec.count < 1 || spec.count > kMaxShards) {
    return Status::Error(what + "the count must be 1.." + std::to_string(kMaxShards));
  }
  if (spec.index < 0 || spec.index >= spec.count) {
    return Status::Error(what + "the index must be below the count (0.." +
                         std::to_string(spec.count - 1) + ")");
  }
  return spec;
}

}  // namespace clipdex

// The state of a shard directory, for resumable WebDataset exports.
//
// DIR/export.json records what the export is (its identity: options and selection, everything
// that changes the bytes), whether it finished, how many samples it planned and the last
// planned key. A rerun with the same identity keeps every complete shard as it is (shards are
// renamed from .partial only when whole, so a shard-N.tar name is always a whole archive),
// deletes partial ones and goes on after the last sample the complete shards hold. DIR/
// manifest.jsonl lists every sample (one JSON line: shard, key, duration, tier, caption ...),
// written as manifest.jsonl.partial and renamed at the end.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/status.h"

namespace clipdex {

inline constexpr const char* kExportStateFile = "export.json";
inline constexpr const char* kManifestFile = "manifest.jsonl";

struct ShardDirState {
  bool fresh = true;                        // nothing of an earlier export here
  bool finished = false;                    // the earlier export completed
  long planned = 0;                         // samples it planned (finished exports)
  std::string last_key;                     // its last planned key (finished exports)
  int complete_shards = 0;                  // shard-000000 .. complete_shards-1 are whole
  std::vector<std::string> keys;            // sample keys in those shards, in order
  std::vector<std::string> manifest_lines;  // their manifest lines, in order
  // Set when export.json says finished but shards or samples it counted are gone (a trailing
  // shard deleted or not copied): the export is resumed instead of reported done.
  std::string unfinished_because;
};

// Prepares `dir` (created if missing) for an export with `identity`. Errors: shards without
// export.json ("X already holds shard-*.tar files; use an empty directory"), an export.json
// with another identity ("X already holds shards of another export (...); use an empty
// directory or the same options"), a gap in the complete shards, an unreadable shard.
// Removes shard-*.tar.partial files and the work folder of an interrupted run.
Result<ShardDirState> PrepareShardDir(const std::filesystem::path& dir,
                                      const nlohmann::ordered_json& identity);

// Writes DIR/export.json (atomically: temp file + rename).
Status WriteExportState(const std::filesystem::path& dir, const nlohmann::ordered_json& identity,
                        bool finished, long planned, const std::string& last_key, long samples,
                        int shards);

// The manifest line of a sample from its <key>.json text.
std::string ManifestLine(const std::string& shard, const std::string& key,
                         const std::string& sample_json);

}  // namespace clipdex

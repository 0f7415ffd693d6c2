// What Catalog::MergeFrom did with one shard (catalog/catalog.h), and how merge treats each
// table of the schema.
#pragma once

#include <string>
#include <vector>

namespace clipdex {

// A video (one content fingerprint) that the merged catalog already had in another copy.
struct MergeDuplicate {
  std::string fingerprint;
  std::string shard_path;     // the path in the shard being merged
  std::string existing_path;  // the path of the copy the merged catalog had
  bool shard_won = false;     // the shard's copy replaced the existing one
  std::string why;            // "newer run", "older run", "ok beats failed", "failed loses to ok"
};

struct MergeReport {
  long videos_added = 0;     // fingerprints the merged catalog did not have
  long videos_replaced = 0;  // fingerprints whose copy in the shard won (MergeDuplicate)
  long videos_kept = 0;      // fingerprints whose existing copy won (MergeDuplicate)
  long videos_same = 0;  // the same ingest merged before: only clip-level rows brought up to date
  long clips_added = 0;
  long runs_added = 0;
  long rows_written = 0;  // attribute, tier, hand tier, tag and log rows added or changed
  long thumbnails_copied = 0;
  long thumbnails_missing = 0;  // named by a clip, absent from the shard's thumbs/
  std::vector<MergeDuplicate> duplicates;
  bool changed() const {
    return videos_added + videos_replaced + clips_added + runs_added + rows_written > 0;
  }
};

// How merge carries one table of the catalog (Catalog::MergeTables): every table the schema
// creates must be listed, which a test checks, so a new table cannot be forgotten silently.
struct MergeTable {
  std::string table;
  std::string how;  // one line, shown by docs and the test's failure message
};

}  // namespace clipdex

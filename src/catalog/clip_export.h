// Exports of the catalog's clips: JSONL/CSV rows, one media file per clip, WebDataset shards.
// Exports read the catalog, never write it. Each walks the clips in the catalog's order (the
// same order every run), optionally restricted to a TEMP table of clip ids and a count.
#pragma once

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>

#include "catalog/catalog.h"
#include "catalog/records.h"
#include "catalog/webdataset_writer.h"
#include "util/status.h"

namespace clipdex {

struct ExportSelection {
  // A TEMP table of clip ids on the catalog's connection (curate/clip_selection.h fills one);
  // empty = every clip.
  std::string clip_table;
  long limit = -1;  // at most this many clips; -1 = no limit
  long clips = -1;  // how many clips the selection holds, for progress lines; -1 = unknown
};

// Called for each clip whose media file could not be written; the export goes on without it.
// (Clip media exports: catalog/media_export.h.)
using ClipFailureFn =
    std::function<void(const VideoRecord& video, const ClipRecord& clip, const Status& error)>;

struct ExportCounts {
  long written = 0;  // clips (files or samples) written
  long failed = 0;   // clips whose media could not be cut (reported through ClipFailureFn)
};

// kCaptionDpo: preference pairs of captioned clips (caption/caption_dpo.h), several lines per clip.
enum class RowFormat { kJsonl, kCsv, kCaptionDpo };

// One clip per line: JSONL, or CSV with a header line taken from the first clip's JSON keys
// (fields of ClipJson). Internal attributes (IsInternalAttribute) are left out unless
// `all_attributes`.
Status ExportRows(Catalog& catalog, const ExportSelection& selection, RowFormat format,
                  bool all_attributes, std::FILE* out);

// "<video stem>_<last 8 of fingerprint>_clip<index>.mp4": unique in a dataset, readable.
std::string ClipFileName(const VideoRecord& video, const ClipRecord& clip);

// WebDataset key of a clip: unique in the dataset, stable across runs, free of dots
// ("<fingerprint>_c00042").
std::string SampleKey(const VideoRecord& video, const ClipRecord& clip);

}  // namespace clipdex

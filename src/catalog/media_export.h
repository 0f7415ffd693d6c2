// Media exports of the catalog's clips: WebDataset shards (`export --format webdataset`) and one
// file per clip (`export --clips`), with clips as video or as still pictures (`--frames N`).
//
// Nothing is dropped for its format. Each clip is stream-copied when that gives the clip
// (MP4 can hold the codec, timestamps run forward, a keyframe lies within copy_tolerance of
// the clip's start, the picture needs no turning) and otherwise re-encoded frame-exact
// (media/clip_transcoder.h); with normalisation options every clip is re-encoded. A clip fails
// only when its source cannot be decoded; the reason is reported and the export goes on.
//
// Work is split into jobs (a video's clips, or a stretch of ~30 s of them for long videos)
// that run on `jobs` threads; results are written strictly in catalog order, so shards are the
// same bytes whatever the thread count. Memory stays flat: clips stream through files in a
// work folder, at most a few jobs ahead of the writer.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "catalog/catalog.h"
#include "catalog/clip_export.h"
#include "catalog/webdataset_writer.h"
#include "media/clip_transcoder.h"

namespace clipdex {

struct MediaExportOptions {
  // Still pictures instead of clips: `frames_per_second` JPEGs per second of clip (at least one
  // per clip), each its own sample.
  bool stills = false;
  double frames_per_second = 0;
  bool encode_all = false;  // --accurate or any normalisation option: no stream copy
  EncodeSettings encode;    // codec, quality, size, rate, audio (audio also applies to copies)
  double max_seconds = 0;   // > 0: longer clips are trimmed to this ...
  bool split = false;       // ... or split into equal parts no longer than this
  // Stream copy only when its first keyframe is at most this far (plus half a frame) from the
  // clip's start: a copy starts on a keyframe, and frames before the start belong to another
  // shot. 0 = copies start exactly on the clip's first frame.
  double copy_tolerance = 0;
  int jobs = 1;            // clips (jobs) processed in parallel
  bool thumbnails = true;  // webdataset, clips as video: add <key>.jpg, the clip's thumbnail
  bool all_attributes = false;
  bool progress = true;  // progress on stderr (a live line on a terminal, else a line each 10 s)
};

// What a media export did, for the summary line.
struct MediaExportSummary {
  long clips = 0;       // clips selected
  long samples = 0;     // samples (or files) written by this run
  long copied = 0;      // clips / parts stream-copied
  long reencoded = 0;   // clips / parts re-encoded
  long stills = 0;      // pictures written (--frames)
  long failed = 0;      // clips / parts whose source could not be decoded
  long pieces = 0;      // clips / parts done by this run (copied, re-encoded, pictures, failed)
  long skipped = 0;     // samples already in complete shards (resumed run)
  int shards = 0;       // shards in the directory at the end
  int shards_kept = 0;  // complete shards found and kept (not rewritten)
  double media_seconds = 0;  // seconds of source video exported by this run
  double wall_seconds = 0;
  std::map<std::string, long> reencode_reasons;  // why clips were not copied, by kind
};

// Reports a clip (or part) that could not be exported; the export goes on without it.
using MediaFailureFn =
    std::function<void(const VideoRecord&, const ClipRecord&, int part, const Status& error)>;

// Identity of an export's options (manifest, resume check): everything that changes bytes.
nlohmann::ordered_json MediaExportIdentity(const MediaExportOptions& options);

// WebDataset shards into `dir` (see docs: README "export"). Resumable: when `dir` holds shards
// of an unfinished export with the same options and selection (export.json), the complete
// shards are kept as they are and the export continues after them. Writes `manifest.jsonl`
// (one line per sample: shard, key, duration, tier, caption ...). Error when the catalog walk
// or a shard write fails, or when `dir` holds another export.
Result<MediaExportSummary> ExportShards(Catalog& catalog, const ExportSelection& selection,
                                        const std::filesystem::path& dir, ShardLimit limit,
                                        const nlohmann::ordered_json& selection_identity,
                                        const MediaExportOptions& options,
                                        const MediaFailureFn& on_failure);

// One file per clip (or part, or picture) into `dir`: ClipFileName, with _p<part> and
// _f<frame> before the extension when split or as pictures.
Result<MediaExportSummary> ExportMediaFiles(Catalog& catalog, const ExportSelection& selection,
                                            const std::filesystem::path& dir,
                                            const MediaExportOptions& options,
                                            const MediaFailureFn& on_failure);

}  // namespace clipdex

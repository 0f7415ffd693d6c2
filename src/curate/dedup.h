// Near-duplicate detection over a whole dataset (`clipdex dedup`). Reference: docs/recipes.md
// (settings) and docs/attributes.md (dedup.*).
//
// Input: every clip's `dedup.signature` (analyze/dup_signature.h): the time-ordered pHashes of its
// informative samples, plus their mirrored hashes.
//
// 1. Candidates. Every distinct plain and centre frame hash goes into a MultiIndexHash
//    (curate/multi_index_hash.h); each clip queries its plain frame hashes at radius `hamming`
//    (and, with `flip`, its mirrored hashes too). Two clips become a candidate pair when any of
//    their frames are within `hamming` bits. Cost grows with the number of near matches, not with
//    clips squared.
// 2. Verification. A candidate pair is a duplicate when most of the SHORTER clip (fewer
//    informative samples) aligns, in time order, to the longer one: the largest number of the
//    shorter clip's frames matched to frames of the longer clip within `hamming` bits by a
//    monotone (non-decreasing) alignment must reach `min_match_fraction` of its frames. Monotone,
//    not index-by-index: a sub-clip aligns to a stretch of the longer clip, a sped-up copy to every
//    1.25th frame, a slowed-down one repeats frames. Requiring order rejects two clips that
//    merely share one look-alike frame. The alignment is tried for each relation between the two
//    clips, one relation per try (so frames of one clip cannot mix relations): same framing, one
//    clip a centre crop of the other (either way), and with `flip` one mirrored. Each relation
//    compares two hashes per frame pair and needs both within `hamming` (see Relation).
//    Opt-in (`window_hamming` > 0): window relations for off-centre crops and overlays, two
//    hashes per window (pHash and gradient hash), whose window pHashes (every third frame) also
//    join the index; see DedupOptions.
// 2b. Semantic pairs (only with `semantic` > 0): clips whose `embedding.clip` (the CLIP image
//    embedding, analyze/clip_embedding.h) have cosine similarity >= `semantic` are duplicates
//    too. Candidates come from a random-hyperplane LSH index (curate/semantic_index.h), each
//    verified by its exact cosine. Clips without an embedding take no part in this step.
// 3. Groups. Duplicate pairs (perceptual and semantic alike) are joined transitively (union-find).
// In each group the keeper is the
//    clip with the highest `quality_attribute` value (when any member has one), then the most
//    pixels, then the longest duration, then the lowest clip id.
// Incremental runs. Every run also stores each clip's codes (curate/dedup_codes.h; catalog table
//    dedup_codes) and its settings (dedup_state). The next run with the same settings, when no
//    clip of the last run was deleted or had its signature replaced since (the codes rows are
//    all still there), reads only the new clips' signatures and finds exactly the pairs a full
//    run would add: new clips' query codes against the old clips' stored codes and against each
//    other, and the old clips' query codes (read from dedup_codes, not their signatures) against
//    the new clips' stored codes (what an old clip would find by querying). The union starts
//    from the groups of the last run; a group no new clip joined keeps its keeper, the others
//    choose theirs again. Otherwise, with `full`, or with `semantic`, the run starts over.
// 4. Storage, in one transaction that first deletes every earlier dedup.group / dedup.dup_of row
//    (so a rerun replaces the previous result): members of groups of two or more get
//    `dedup.group` = keeper clip id; non-keepers also get `dedup.dup_of` = keeper clip id.
//    A clip that is nobody's duplicate gets neither, so `dedup.dup_of IS NULL` keeps it in tier
//    rules.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyze/dup_signature.h"
#include "catalog/catalog.h"
#include "util/status.h"

namespace clipdex {

// How a full run finds candidate pairs (step 1).
enum class DedupSearch {
  kAuto,       // kExact below kChunkJoinFromClips clips, kChunkJoin from there
  kExact,      // every frame pair within `hamming` bits, in memory (curate/multi_index_hash.h)
  kChunkJoin,  // bounded memory, a pair needs one frame pair sharing a third of its bits
               // (curate/chunk_join.h): for catalogs of millions of clips
};
// Where kAuto switches to the chunk join: chosen by measurement (docs/scale.md, "Dedup at ten
// million clips").
inline constexpr long kChunkJoinFromClips = 200'000;

struct DedupOptions {
  int hamming = 4;    // largest per-frame Hamming distance (of 64 bits) that counts as a match;
                      // the default recipe's dedup.hamming
  bool flip = false;  // mirrored copies are duplicates too
  // Fraction of the shorter clip's informative frames that must align (see above).
  double min_match_fraction = 0.6;
  // Window relations (see WindowCropOf / SameWindow): a frame match needs the window's pHash
  // within `window_hamming` bits AND its gradient hash within `window_gradient_hamming`. 0 = off,
  // the default: they find off-centre crops and overlays of moving footage (held-out families:
  // recall 0.654 -> 0.969 at 12 bits) but still merge unrelated still pictures (3,149 false
  // pairs on the DedupCorpus set at 12/14 bits; 10 with window_min_looks 3). Thresholds chosen
  // on the tuning halves of the near-duplicate families and the evaluation corpus
  // (docs/attributes.md).
  int window_hamming = 0;
  int window_gradient_hamming = 14;
  double window_min_match = 0.7;
  // Window relations only when the shorter clip shows at least this many distinct looks (plain
  // hashes more than window_hamming bits apart); 0 or 1 = no such guard. The default 0 suits
  // moving footage (the guard cost 12 of 23 tuning crops, static cameras); use 3 on datasets of
  // still pictures.
  int window_min_looks = 0;
  // Window relations only when the shorter clip has at least this many informative samples
  // (~1 s at 25 fps): a short shot of a few near-identical frames meets some window of an
  // unrelated still picture by chance.
  int window_min_frames = 24;
  // Motion test (signatures of format 4, both clips; see MotionMapsAgree): a frame match also
  // needs the two samples' motion maps to agree, up to `motion_cells` cells that moved in one
  // and not near the same place (within `motion_dilate` cells) in the other. Two moments of a
  // static camera share the background, hence every hash; what moves in front of it tells them
  // apart. -1 = off. 0 / 1 chosen on the tuning half of the near-duplicate families (2 cells
  // let the ball and bottle cameras' other moments back in; no slack lost crops and sub-clips).
  int motion_cells = 0;
  int motion_dilate = 1;
  // The motion test applies only when at least one of the two clips is filmed by a still camera:
  // the camera analyzer said so (camera.movement = static, DedupClip::still_camera), or in its
  // median sample at most this many of the 64 cells moved. The camera's verdict catches still
  // cameras with a busy foreground (held-out: a kitchen webcam whose cook moves over most cells,
  // median > 8); on the tuning half it changed nothing. With a moving camera (pans,
  // Ken Burns zooms) nearly every cell moves relative to a median picture that never was, and
  // a sub-clip's median differs from its source's (on the tuning half, still cameras had
  // medians 0-6, moving ones 12-64).
  int motion_static_cells = 8;
  // Numeric attribute preferred when picking a group's keeper (higher is better); absent ->
  // skipped.
  std::string quality_attribute = "quality.score";
  int chunks = 0;  // multi-index chunks; 0 = MultiIndexHash::ChunksFor
  // Cosine similarity of `embedding.clip` at or above which two clips are duplicates too;
  // 0 = off (the default: perceptual hashes only). Semantic runs are always full runs.
  double semantic = 0;
  // Start over even when the last run's codes allow an incremental run (RunDedup).
  bool full = false;
  DedupSearch search = DedupSearch::kAuto;
  // Bytes the chunk join may hold for one pass's codes (ChunkJoinOptions::memory_budget).
  size_t memory_budget = size_t{2048} << 20;
};

// One clip as dedup sees it.
struct DedupClip {
  int64_t clip_id = 0;
  double duration = 0;
  int64_t pixels = 0;  // width * height of the source video
  bool has_quality = false;
  double quality = 0;
  bool has_signature = true;  // false: only semantic dedup can group it
  // camera.movement is "static": the camera analyzer measured no camera motion, so the motion
  // test applies to this clip's pairs whatever its motion maps' median (see
  // DedupOptions::motion_static_cells).
  bool still_camera = false;
  DupSignature signature;
  std::vector<float> embedding;  // L2-normalised embedding.clip; empty when absent
};

struct DedupGroup {
  int64_t keeper = 0;               // clip id
  std::vector<int64_t> duplicates;  // clip ids, ascending
};

struct DedupResult {
  std::vector<DedupGroup> groups;  // groups of two or more clips, largest first, then by keeper
  long clips = 0;                  // clips with a signature
  long clips_without_signature = 0;
  long featureless_clips = 0;  // signature with no informative frame: never matched
  long candidate_pairs = 0;    // pairs verified
  long duplicate_pairs = 0;    // pairs that passed verification
  // Semantic step (zero when off).
  long clips_without_embedding = 0;            // clips with no embedding.clip
  long semantic_candidate_pairs = 0;           // LSH candidates, each verified by exact cosine
  long semantic_pairs = 0;                     // pairs with cosine >= DedupOptions::semantic
  int semantic_bits = 0, semantic_tables = 0;  // LSH index shape
  bool semantic_join = false;    // searched by the catalog-scale join (curate/semantic_join.h)
  int semantic_blocks = 0;       // the join's blocks of 8-bit vectors
  long semantic_borderline = 0;  // the join's pairs near the threshold, decided on the floats
  long marked = 0;               // clips given dedup.dup_of
  int chunks = 0;                // multi-index chunks used
  double index_seconds = 0;      // building the index + finding candidates
  double seconds = 0;            // total wall time, loading and storing included
  bool incremental = false;      // RunDedup continued from the last run's codes
  bool chunk_join = false;       // the full run searched by chunk join
  bool indexed = false;  // the incremental run looked its new clips up in the persisted index
  long new_clips = 0;    // clips whose signatures this run read (all of them when full)
};

// How two clips may be related. A frame of `a` matches a frame of `b` when BOTH comparisons are
// within the Hamming threshold: one 64-bit pHash alone collides too often across unrelated
// footage at corpus scale (see docs/attributes.md, dedup.signature), two views of the same
// picture rarely do.
struct Relation {
  HashKind a1, b1;  // first comparison: a's a1 hash with b's b1 hash
  HashKind a2, b2;  // second comparison
  Relation Swapped() const { return {b1, a1, b2, a2}; }
};
inline constexpr Relation kSameFraming{HashKind::kPlain, HashKind::kPlain, HashKind::kCentre,
                                       HashKind::kCentre};
// `a` shows the central centre_fraction of `b`, scaled up (a crop).
inline constexpr Relation kCropOf{HashKind::kPlain, HashKind::kCentre, HashKind::kCentre,
                                  HashKind::kInner};
// `a` is `b` mirrored left-right.
inline constexpr Relation kMirrorOf{HashKind::kMirrored, HashKind::kPlain,
                                    HashKind::kMirroredCentre, HashKind::kCentre};

// Window relations, one per window w (analyze/dup_signature.h, kWindows): "a is a crop of b
// around window w" (a's plain pHash and gradient hash ~ b's window w's; an off-centre crop,
// rescaled) and "a and b agree on window w" (a burned-in logo or subtitles outside w).
inline Relation WindowCropOf(int w) {
  return {HashKind::kPlain, WindowKind(w), HashKind::kPlainGradient, WindowGradientKind(w)};
}
inline Relation SameWindow(int w) {
  return {WindowKind(w), WindowKind(w), WindowGradientKind(w), WindowGradientKind(w)};
}

// The motion test of a frame match: `cells` < 0 is off.
struct MotionTest {
  int cells = -1;
  int dilate = 1;
};

// True when motion maps `a` and `b` (HashKind::kMotion; `mirrored`: `a` is of the mirrored
// picture) agree: at most test.cells cells moved in one map with no moved cell within
// test.dilate cells in the other. Two still samples (no cell moved) agree.
bool MotionMapsAgree(uint64_t a, uint64_t b, bool mirrored, const MotionTest& test);

// Verification of one pair (step 2): how many of `a`'s frames align in order to `b`'s frames
// under `relation` within `hamming` bits (and, when both signatures have motion maps and
// motion.cells >= 0, with agreeing motion maps).
// The second comparison uses `hamming2` (-1: the same as `hamming`).
int AlignedMatches(const DupSignature& a, const DupSignature& b, const Relation& relation,
                   int hamming, int hamming2 = -1, const MotionTest& motion = {});

// True when the pair passes verification (either orientation when options.flip).
// `still_camera`: one of the two clips is known to come from a still camera (DedupClip).
bool IsDuplicatePair(const DupSignature& a, const DupSignature& b, const DedupOptions& options,
                     bool still_camera = false);

// Steps 1-3 on clips in memory (no catalog): groups and counters, nothing stored.
DedupResult FindDuplicates(const std::vector<DedupClip>& clips, const DedupOptions& options);

// Incremental when it can be (see "Incremental runs" above), else:
// reads every clip's signature from the catalog keeping only its codes, searches candidates as
// FindDuplicates does, reads the signatures of the candidates' clips again to verify them, and
// stores the result (step 4): the same groups as FindDuplicates over every signature, without
// holding them all (~17 kB a clip). All or nothing: on error the catalog keeps its previous dedup
// attributes. Errors:
//   "dedup: bad dedup.signature of clip N: <reason>", "dedup: <sqlite reason>"
Result<DedupResult> RunDedup(Catalog& catalog, const DedupOptions& options);

}  // namespace clipdex

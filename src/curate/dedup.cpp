#include "curate/dedup.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <numeric>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "analyze/clip_embedding.h"
#include "curate/chunk_index.h"
#include "curate/chunk_join.h"
#include "curate/codes_spill.h"
#include "curate/dedup_codes.h"
#include "curate/multi_index_hash.h"
#include "curate/semantic_index.h"
#include "curate/semantic_join.h"
#include "util/parallel.h"
#include "util/progress_line.h"

namespace clipdex {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// ---- Grouping ----------------------------------------------------------------------------------

class UnionFind {
 public:
  explicit UnionFind(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  size_t Find(size_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];  // path halving
      x = parent_[x];
    }
    return x;
  }
  void Join(size_t a, size_t b) {
    a = Find(a);
    b = Find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<size_t> parent_;
};

// True when clip a should be kept over clip b (see the header: quality, pixels, duration, id).
bool BetterKeeper(const DedupClip& a, const DedupClip& b) {
  if (a.has_quality != b.has_quality) return a.has_quality;
  if (a.has_quality && a.quality != b.quality) return a.quality > b.quality;
  if (a.pixels != b.pixels) return a.pixels > b.pixels;
  if (a.duration != b.duration) return a.duration > b.duration;
  return a.clip_id < b.clip_id;
}

uint64_t PairKey(uint32_t a, uint32_t b) {
  if (a > b) std::swap(a, b);
  return (uint64_t{a} << 32) | b;
}

// Distinct looks of a clip: 1 + the frames whose plain hash differs by more than `hamming` bits
// from the last look.
int Looks(const DupSignature& sig, int hamming) {
  if (sig.frames.empty()) return 0;
  int looks = 1;
  uint64_t last = sig.frames.front().of(HashKind::kPlain);
  for (const FrameHash& f : sig.frames) {
    if (HammingDistance(f.of(HashKind::kPlain), last) > hamming) {
      ++looks;
      last = f.of(HashKind::kPlain);
    }
  }
  return looks;
}

// An 8x8 bitmap (bit y * 8 + x) mirrored left-right: each byte's bits reversed.
uint64_t MirrorMap(uint64_t m) {
  m = ((m >> 1) & 0x5555555555555555ULL) | ((m & 0x5555555555555555ULL) << 1);
  m = ((m >> 2) & 0x3333333333333333ULL) | ((m & 0x3333333333333333ULL) << 2);
  return ((m >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((m & 0x0f0f0f0f0f0f0f0fULL) << 4);
}

// An 8x8 bitmap grown by `r` cells in every direction (a square neighbourhood).
uint64_t Dilate(uint64_t m, int r) {
  constexpr uint64_t kNotLeftColumn = 0xfefefefefefefefeULL;   // x != 0
  constexpr uint64_t kNotRightColumn = 0x7f7f7f7f7f7f7f7fULL;  // x != 7
  for (int i = 0; i < r; ++i) {
    m |= ((m << 1) & kNotLeftColumn) | ((m >> 1) & kNotRightColumn);
    m |= (m << 8) | (m >> 8);
  }
  return m;
}

int Popcount(uint64_t m) { return HammingDistance(m, 0); }

// The window index of a window pHash kind, else -1.
int WindowOf(HashKind k) {
  const int w = static_cast<int>(k) - static_cast<int>(WindowKind(0));
  return w >= 0 && w < kWindows ? w : -1;
}

// The part of an 8x8 motion map under window `w`, scaled up to a whole map (nearest cell): the
// map a crop around window w would have.
uint64_t WindowMapToWhole(uint64_t m, int w) {
  constexpr int kSide = 800;  // units of 1/100 cell
  const cv::Rect r = WindowRect(w, kSide, kSide);
  uint64_t out = 0;
  for (int y = 0; y < 8; ++y) {
    const int sy = std::min(7, (r.y + (2 * y + 1) * r.height / 16) / (kSide / 8));
    for (int x = 0; x < 8; ++x) {
      const int sx = std::min(7, (r.x + (2 * x + 1) * r.width / 16) / (kSide / 8));
      if ((m >> (sy * 8 + sx)) & 1) out |= uint64_t{1} << (y * 8 + x);
    }
  }
  return out;
}

// The median number of moved cells over a clip's motion maps.
int MedianMovedCells(const DupSignature& sig) {
  std::vector<int> moved;
  moved.reserve(sig.frames.size());
  for (const FrameHash& f : sig.frames) moved.push_back(Popcount(f.of(HashKind::kMotion)));
  if (moved.empty()) return 0;
  std::nth_element(moved.begin(), moved.begin() + moved.size() / 2, moved.end());
  return moved[moved.size() / 2];
}

}  // namespace

bool MotionMapsAgree(uint64_t a, uint64_t b, bool mirrored, const MotionTest& test) {
  if (test.cells < 0) return true;
  if (mirrored) a = MirrorMap(a);
  const int unexplained =
      Popcount(a & ~Dilate(b, test.dilate)) + Popcount(b & ~Dilate(a, test.dilate));
  return unexplained <= test.cells;
}

int AlignedMatches(const DupSignature& a, const DupSignature& b, const Relation& relation,
                   int hamming, int hamming2, const MotionTest& motion) {
  if (hamming2 < 0) hamming2 = hamming;
  const bool use_motion = motion.cells >= 0 && a.has_motion && b.has_motion;
  const bool mirrored =
      (relation.a1 == HashKind::kMirrored) != (relation.b1 == HashKind::kMirrored);
  // Under a window crop relation one clip shows the other's window: its map is compared with
  // that window's part of the other's map, scaled up.
  const int b_window = relation.a1 == HashKind::kPlain ? WindowOf(relation.b1) : -1;
  const int a_window = relation.b1 == HashKind::kPlain ? WindowOf(relation.a1) : -1;
  auto map_of = [](const FrameHash& f, int window) {
    const uint64_t m = f.of(HashKind::kMotion);
    return window >= 0 ? WindowMapToWhole(m, window) : m;
  };
  std::vector<uint64_t> b_maps;
  if (use_motion) {
    for (const FrameHash& fb : b.frames) b_maps.push_back(map_of(fb, b_window));
  }
  // f[j] = most frames of a[0..i) matched to b[0..j) by a non-decreasing assignment;
  // f(i, j) = max(f(i, j - 1), f(i - 1, j) + match(i, j)). O(|a| |b|) <= 96 * 96 steps.
  const size_t m = b.frames.size();
  std::vector<int> prev(m + 1, 0), cur(m + 1, 0);
  for (const FrameHash& fa : a.frames) {
    const uint64_t a1 = fa.of(relation.a1), a2 = fa.of(relation.a2);
    const uint64_t am = use_motion ? map_of(fa, a_window) : 0;
    cur[0] = 0;
    for (size_t j = 1; j <= m; ++j) {
      const FrameHash& fb = b.frames[j - 1];
      const bool hashes = HammingDistance(a1, fb.of(relation.b1)) <= hamming &&
                          HammingDistance(a2, fb.of(relation.b2)) <= hamming2;
      const int match =
          hashes && (!use_motion || MotionMapsAgree(am, b_maps[j - 1], mirrored, motion)) ? 1 : 0;
      cur[j] = std::max(cur[j - 1], prev[j] + match);
    }
    std::swap(prev, cur);
  }
  return prev[m];
}

bool IsDuplicatePair(const DupSignature& a, const DupSignature& b, const DedupOptions& options,
                     bool still_camera) {
  const size_t na = a.frames.size(), nb = b.frames.size();
  if (na == 0 || nb == 0) return false;
  MotionTest motion;
  motion.dilate = options.motion_dilate;
  if (options.motion_cells >= 0 && a.has_motion && b.has_motion &&
      (still_camera ||
       std::min(MedianMovedCells(a), MedianMovedCells(b)) <= options.motion_static_cells)) {
    motion.cells = options.motion_cells;
  }
  // Does the shorter clip align to the longer one under `relation`?
  auto passes = [&](const DupSignature& shorter, const DupSignature& longer,
                    const Relation& relation, int hamming, int hamming2, double fraction) {
    const int need =
        static_cast<int>(std::ceil(fraction * static_cast<double>(shorter.frames.size()) - 1e-9));
    return AlignedMatches(shorter, longer, relation, hamming, hamming2, motion) >=
           std::max(1, need);
  };
  // "a relates to b", tested from the shorter clip; for equal lengths both ways, since the
  // alignment is not symmetric.
  auto related_at = [&](const Relation& relation, int hamming, int hamming2, double fraction) {
    if (na < nb) return passes(a, b, relation, hamming, hamming2, fraction);
    if (nb < na) return passes(b, a, relation.Swapped(), hamming, hamming2, fraction);
    return passes(a, b, relation, hamming, hamming2, fraction) ||
           passes(b, a, relation.Swapped(), hamming, hamming2, fraction);
  };
  auto related = [&](const Relation& relation) {
    return related_at(relation, options.hamming, options.hamming, options.min_match_fraction);
  };
  if (related(kSameFraming) || related(kCropOf) || related(kCropOf.Swapped())) return true;
  if (options.flip && (related(kMirrorOf) || related(kMirrorOf.Swapped()))) return true;
  if (options.window_hamming <= 0 || !a.has_windows || !b.has_windows) return false;
  // Optional guard (window_min_looks): trust window relations only when the shorter clip
  // changes over time, so that the ordered alignment itself is evidence (needed with one hash
  // per window; off by default with two).
  const DupSignature& shorter = na <= nb ? a : b;
  // A window relation rests on one region per frame: a short shot of a few near-identical
  // frames meets some window of an unrelated still picture by chance, so it needs enough frames.
  if (static_cast<int>(shorter.frames.size()) < options.window_min_frames) return false;
  if (options.window_min_looks > 1 &&
      Looks(shorter, options.window_hamming) < options.window_min_looks) {
    return false;
  }
  const int h = options.window_hamming, g = options.window_gradient_hamming;
  const double f = options.window_min_match;
  for (int w = 0; w < kWindows; ++w) {
    if (related_at(WindowCropOf(w), h, g, f) || related_at(WindowCropOf(w).Swapped(), h, g, f) ||
        related_at(SameWindow(w), h, g, f)) {
      return true;
    }
  }
  return false;
}

namespace {

// Step 1 of FindDuplicates: candidate pairs (i << 32 | j, sorted, unique) from the codes alone.
// Fills result's clips, featureless_clips, chunks, candidate_pairs and index_seconds.
std::vector<uint64_t> CandidatePairs(const std::vector<DedupClip>& clips, const CodesTable& codes,
                                     const DedupOptions& options, Clock::time_point t0,
                                     DedupResult* result) {
  result->clips = static_cast<long>(std::count_if(
      clips.begin(), clips.end(), [](const DedupClip& c) { return c.has_signature; }));
  const int r = std::clamp(options.hamming, 0, 64);
  // Index every clip's distinct plain and centre hashes; plain queries then also find a clip
  // whose centre crop is the querying clip. Window relations compare plain and window hashes at
  // their own, looser, threshold: they are indexed and queried too, at the larger of the two
  // radii. Clips without windows query at the base radius, so a dataset of older signatures
  // costs what it did.
  size_t stored = 0;
  bool windows = false;
  std::vector<char> has_windows(codes.size(), 0);
  for (size_t i = 0; i < codes.size(); ++i) {
    const ClipCodes c = codes.Get(i);
    if (c.featureless) ++result->featureless_clips;
    stored += c.stored.size();
    has_windows[i] = c.has_windows ? 1 : 0;
    windows = windows || c.has_windows;
  }
  windows = windows && options.window_hamming > 0;
  const int window_radius = std::max(r, std::clamp(options.window_hamming, 0, 64));
  const int query_radius = windows ? window_radius : r;
  result->chunks =
      options.chunks > 0 ? options.chunks : MultiIndexHash::ChunksFor(stored, query_radius);
  MultiIndexHash index(result->chunks);
  result->chunks = index.chunks();
  for (size_t i = 0; i < codes.size(); ++i) {
    for (uint64_t h : codes.Get(i).stored) index.Add(h, static_cast<uint32_t>(i));
  }
  index.Build();

  // Queries run on all cores: Query() is const, each worker owns its output.
  const unsigned workers = std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, 16);
  std::vector<std::vector<uint64_t>> found(workers);
  ProgressLine progress("dedup: candidate search", "clips", static_cast<long>(codes.size()));
  RunOnWorkers(workers, [&](unsigned w) {
    std::vector<MultiIndexHash::Hit> hits;
    auto collect = [&](size_t i, const std::vector<uint64_t>& queries) {
      const int radius = has_windows[i] ? query_radius : r;
      for (uint64_t q : queries) {
        index.Query(q, radius, &hits);
        for (const MultiIndexHash::Hit& hit : hits) {
          const uint32_t j = hit.id;
          if (j != i) found[w].push_back(PairKey(static_cast<uint32_t>(i), j));
        }
      }
    };
    for (size_t i = w; i < codes.size(); i += workers) {
      // Worker 0 alone prints (the line is not shared between threads); its share stands for all.
      if (w == 0 && (i & 1023) == 0) progress.Update(static_cast<long>(i));
      const ClipCodes c = codes.Get(i);
      collect(i, c.queries);
      // Mirrored queries against plain codes find a clip mirrored relative to another one; both
      // clips query, so the pair is found from either side.
      collect(i, c.mirrored);
    }
  });
  progress.Update(static_cast<long>(codes.size()));
  progress.Done();
  std::vector<uint64_t> pairs;
  for (auto& f : found) {
    pairs.insert(pairs.end(), f.begin(), f.end());
    std::vector<uint64_t>().swap(f);
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  result->candidate_pairs = static_cast<long>(pairs.size());
  result->index_seconds = SecondsSince(t0);
  return pairs;
}

using SignatureOf = std::function<const DupSignature&(size_t clip)>;
using StillCameraOf = std::function<bool(size_t clip)>;

// Step 2: verifies the candidate pairs by ordered alignment, on all cores, with each clip's
// signature from `signature_of`. Returns one flag per pair.
std::vector<char> VerifyPairs(const std::vector<uint64_t>& pairs, const SignatureOf& signature_of,
                              const StillCameraOf& still_camera, const DedupOptions& options) {
  const unsigned workers = std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, 16);
  std::vector<char> duplicate(pairs.size(), 0);
  ProgressLine progress("dedup: verify", "candidate pairs", static_cast<long>(pairs.size()));
  RunOnWorkers(workers, [&](unsigned w) {
    for (size_t k = w; k < pairs.size(); k += workers) {
      // Worker 0 alone prints (the line is not shared between threads); its share stands for all.
      if (w == 0 && (k & 4095) == 0) progress.Update(static_cast<long>(k));
      const size_t a = pairs[k] >> 32, b = pairs[k] & 0xffffffffu;
      duplicate[k] = IsDuplicatePair(signature_of(a), signature_of(b), options,
                                     still_camera(a) || still_camera(b))
                         ? 1
                         : 0;
    }
  });
  progress.Update(static_cast<long>(pairs.size()));
  progress.Done();
  return duplicate;
}

// Largest group first, then by keeper.
void SortGroups(std::vector<DedupGroup>* groups) {
  std::sort(groups->begin(), groups->end(), [](const DedupGroup& x, const DedupGroup& y) {
    if (x.duplicates.size() != y.duplicates.size()) {
      return x.duplicates.size() > y.duplicates.size();
    }
    return x.keeper < y.keeper;
  });
}

// The group of `members` (indices into clips) with its keeper chosen by BetterKeeper.
DedupGroup GroupOf(const std::vector<size_t>& members,
                   const std::function<const DedupClip&(size_t)>& clip_of) {
  size_t keeper = members.front();
  for (size_t i : members) {
    if (BetterKeeper(clip_of(i), clip_of(keeper))) keeper = i;
  }
  DedupGroup g;
  g.keeper = clip_of(keeper).clip_id;
  for (size_t i : members) {
    if (i != keeper) g.duplicates.push_back(clip_of(i).clip_id);
  }
  std::sort(g.duplicates.begin(), g.duplicates.end());
  return g;
}

// Steps 2 and 3 of FindDuplicates: verify the candidate pairs by ordered alignment, with each
// clip's signature from `signature_of`, and join the groups.
// `semantic_found`: the semantic pairs when the caller searched them already (the catalog-scale
// join); otherwise the in-memory LSH search runs here.
void VerifyAndGroup(const std::vector<DedupClip>& clips, const std::vector<uint64_t>& pairs,
                    const SignatureOf& signature_of, const DedupOptions& options,
                    Clock::time_point t0, DedupResult* out,
                    const SemanticPairs* semantic_found = nullptr) {
  DedupResult& result = *out;
  const std::vector<char> duplicate = VerifyPairs(
      pairs, signature_of, [&](size_t i) { return clips[i].still_camera; }, options);
  UnionFind groups(clips.size());
  for (size_t k = 0; k < pairs.size(); ++k) {
    if (!duplicate[k]) continue;
    ++result.duplicate_pairs;
    groups.Join(pairs[k] >> 32, pairs[k] & 0xffffffffu);
  }
  if (options.semantic > 0) {
    std::vector<std::vector<float>> vectors(clips.size());
    for (size_t i = 0; i < clips.size(); ++i) {
      if (clips[i].embedding.empty()) ++result.clips_without_embedding;
      if (semantic_found == nullptr) vectors[i] = clips[i].embedding;
    }
    const SemanticPairs semantic =
        semantic_found != nullptr ? *semantic_found : FindSimilarPairs(vectors, options.semantic);
    result.semantic_candidate_pairs = semantic.candidates;
    result.semantic_pairs = static_cast<long>(semantic.pairs.size());
    result.semantic_bits = semantic.bits;
    result.semantic_tables = semantic.tables;
    for (const auto& [a, b] : semantic.pairs) groups.Join(a, b);
  }
  std::vector<std::vector<size_t>> members(clips.size());
  for (size_t i = 0; i < clips.size(); ++i) members[groups.Find(i)].push_back(i);
  for (const auto& m : members) {
    if (m.size() < 2) continue;
    DedupGroup g = GroupOf(m, [&](size_t i) -> const DedupClip& { return clips[i]; });
    result.marked += static_cast<long>(g.duplicates.size());
    result.groups.push_back(std::move(g));
  }
  SortGroups(&result.groups);
  result.seconds = SecondsSince(t0);
}

// What ReadClips hands over for each clip: the clip without its signature, and its codes.
using KeepClip = std::function<Status(DedupClip&& clip, const ClipCodes& codes)>;

// Reads clips with a signature (with `semantic`, also those with an embedding) from the catalog,
// hands each one's codes to `keep` and drops its signature; only_new: only clips without stored
// codes.
Status ReadClips(Catalog& catalog, const DedupOptions& options, bool only_new,
                 const KeepClip& keep) {
  // Without --semantic only clips with a signature take part; with it, clips with either.
  const bool semantic = options.semantic > 0;
  std::vector<std::string> names = {"dedup.signature"};
  if (semantic) names.push_back("embedding.clip");
  const size_t required = names.size();
  const size_t quality = names.size();
  names.push_back(options.quality_attribute);
  const size_t camera = names.size();
  names.push_back("camera.movement");
  long total = 0;
  if (!only_new) {
    auto summary = catalog.GetSummary();
    if (!summary.ok()) return summary.status();
    total = summary->clips;
  }
  ProgressLine progress(only_new ? "dedup: read new signatures" : "dedup: read signatures", "clips",
                        total);
  long read = 0;
  Status st = catalog.ForEachWideClip(
      names, required,
      [&](const WideClipRow& row) -> Status {
        if ((read++ & 1023) == 0) progress.Update(read - 1);
        DedupClip c;
        c.clip_id = row.clip_id;
        c.duration = row.duration;
        c.pixels = row.pixels;
        if (const auto& sig_text = row.cells[0].text) {
          auto sig = DupSignature::Parse(*sig_text);
          if (!sig.ok()) {
            return Status::Error("dedup: bad dedup.signature of clip " + std::to_string(c.clip_id) +
                                 ": " + sig.status().message());
          }
          c.signature = std::move(sig.value());
        } else {
          c.has_signature = false;
        }
        if (semantic && row.cells[1].text) {
          auto embedding = DecodeClipEmbedding(*row.cells[1].text);
          if (!embedding.ok()) {
            return Status::Error("dedup: bad embedding.clip of clip " + std::to_string(c.clip_id) +
                                 ": " + embedding.status().message());
          }
          c.embedding = std::move(embedding.value());
        }
        if (row.cells[quality].number) {
          c.has_quality = true;
          c.quality = *row.cells[quality].number;
        }
        c.still_camera = row.cells[camera].text && *row.cells[camera].text == "static";
        const ClipCodes codes = CodesOf(c, options);
        c.signature = DupSignature{};
        return keep(std::move(c), codes);
      },
      only_new);
  progress.SetTotal(read);  // the clips read: those with a signature
  progress.Update(read);
  return st;
}

// ReadClips into memory: the clips (signatures dropped) and their codes.
Status ReadClips(Catalog& catalog, const DedupOptions& options, bool only_new,
                 std::vector<DedupClip>* clips, CodesTable* codes) {
  return ReadClips(catalog, options, only_new, [&](DedupClip&& c, const ClipCodes& clip_codes) {
    codes->Add(clip_codes);
    clips->push_back(std::move(c));
    return Status::Ok();
  });
}

// A clip read again by id: its signature (when `signature`), keeper fields and camera verdict.
// nullopt when the clip is gone since.
Result<std::optional<DedupClip>> ReadClipById(Catalog& catalog, int64_t clip_id,
                                              const DedupOptions& options, bool signature) {
  std::vector<std::string> only = {options.quality_attribute, "camera.movement"};
  if (signature) only.push_back("dedup.signature");
  auto found = catalog.FindClip(clip_id, only);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<DedupClip>();
  const ClipDetail& d = **found;
  DedupClip c;
  c.clip_id = clip_id;
  c.duration = d.clip.end_time - d.clip.start_time;
  c.pixels = static_cast<int64_t>(d.video.probe.width) * d.video.probe.height;
  if (const Attribute* q = FindAttribute(d.clip, options.quality_attribute); q && q->number) {
    c.has_quality = true;
    c.quality = *q->number;
  }
  const Attribute* camera = FindAttribute(d.clip, "camera.movement");
  c.still_camera = camera != nullptr && camera->text == "static";
  if (signature) {
    const Attribute* a = FindAttribute(d.clip, "dedup.signature");
    if (a != nullptr) {
      auto parsed = DupSignature::Parse(a->text);
      if (!parsed.ok()) {
        return Status::Error("dedup: bad dedup.signature of clip " + std::to_string(clip_id) +
                             ": " + parsed.status().message());
      }
      c.signature = std::move(*parsed);
    }
  }
  return std::optional<DedupClip>(std::move(c));
}

// The clips of `pairs` (sorted, unique indices).
std::vector<size_t> ClipsOfPairs(const std::vector<uint64_t>& pairs) {
  std::vector<size_t> needed;
  needed.reserve(pairs.size() * 2);
  for (uint64_t k : pairs) {
    needed.push_back(static_cast<size_t>(k >> 32));
    needed.push_back(static_cast<size_t>(k & 0xffffffffu));
  }
  std::sort(needed.begin(), needed.end());
  needed.erase(std::unique(needed.begin(), needed.end()), needed.end());
  return needed;
}

// Every clip of the candidate pairs read again by id (ReadClipById, with its signature), keyed by
// its index; `id_of` maps an index to its clip id. A clip gone since keeps only its id and matches
// nothing.
Result<std::unordered_map<size_t, DedupClip>> ReadPairClips(
    Catalog& catalog, const std::vector<uint64_t>& pairs,
    const std::function<int64_t(size_t)>& id_of, const DedupOptions& options) {
  std::unordered_map<size_t, DedupClip> loaded;
  const std::vector<size_t> needed = ClipsOfPairs(pairs);
  ProgressLine progress("dedup: read candidate signatures", "clips",
                        static_cast<long>(needed.size()));
  for (size_t n = 0; n < needed.size(); ++n) {
    if ((n & 1023) == 0) progress.Update(static_cast<long>(n));
    const size_t i = needed[n];
    auto c = ReadClipById(catalog, id_of(i), options, /*signature=*/true);
    if (!c.ok()) return c.status();
    DedupClip& slot = loaded[i];
    if (*c) slot = std::move(**c);
    slot.clip_id = id_of(i);
  }
  return loaded;
}

// dedup.group on every member (the keeper included), dedup.dup_of on the duplicates.
std::vector<AttributeWrite> GroupRows(const std::vector<DedupGroup>& groups) {
  std::vector<AttributeWrite> rows;
  auto put = [&rows](int64_t clip, const char* name, int64_t value) {
    rows.push_back({clip, name, static_cast<double>(value), ""});
  };
  for (const DedupGroup& g : groups) {
    put(g.keeper, "dedup.group", g.keeper);
    for (int64_t d : g.duplicates) {
      put(d, "dedup.group", g.keeper);
      put(d, "dedup.dup_of", g.keeper);
    }
  }
  return rows;
}

Status DedupError(const Status& s) {
  return s.message().rfind("dedup: ", 0) == 0 ? s : Status::Error("dedup: " + s.message());
}

// Stores a full run's result: earlier runs' marks and codes are replaced in one transaction by
// the groups and by `stored` clips' codes from `codes`, kept for the next, incremental, run.
Result<DedupResult> CommitFullRun(Catalog& catalog, const DedupOptions& options, DedupResult result,
                                  const DedupCodesSource& codes, long stored,
                                  Clock::time_point t0) {
  DedupState state{DedupSettingsKey(options), stored};
  if (Status st =
          catalog.CommitDedup(GroupRows(result.groups), codes, /*replace_codes=*/true, state);
      !st.ok()) {
    return DedupError(st);
  }
  result.new_clips = result.clips;
  result.seconds = SecondsSince(t0);
  return result;
}

// The full run: every clip's signature, every pair. Stores the codes for the next run.
Result<DedupResult> FullDedup(Catalog& catalog, const DedupOptions& options, Clock::time_point t0) {
  std::vector<DedupClip> clips;
  // Each clip's codes are kept and its signature dropped as it is read: the signatures of a
  // catalog (~17 kB a clip parsed, 64 samples x 33 hashes) are read again below for the clips of
  // candidate pairs only.
  CodesTable codes;
  if (Status st = ReadClips(catalog, options, /*only_new=*/false, &clips, &codes); !st.ok()) {
    return DedupError(st);
  }
  auto without = catalog.CountClipsWithout("dedup.signature");
  if (!without.ok()) return DedupError(without.status());
  long without_embedding = 0;
  if (options.semantic > 0) {
    auto n = catalog.CountClipsWithout("embedding.clip");
    if (!n.ok()) return DedupError(n.status());
    without_embedding = n.value();
  }

  const auto t_find = Clock::now();
  DedupResult result;
  const std::vector<uint64_t> pairs = CandidatePairs(clips, codes, options, t_find, &result);
  // The signatures of the clips in candidate pairs, read again by id.
  auto loaded = ReadPairClips(
      catalog, pairs, [&](size_t i) { return clips[i].clip_id; }, options);
  if (!loaded.ok()) return DedupError(loaded.status());
  VerifyAndGroup(
      clips, pairs, [&](size_t i) -> const DupSignature& { return loaded->at(i).signature; },
      options, t_find, &result);
  result.clips_without_signature = without.value();
  // Clips with neither attribute were not loaded: count them from the catalog.
  if (options.semantic > 0) result.clips_without_embedding = without_embedding;

  // Earlier runs' marks and codes are replaced in the same transaction: the codes as stored for
  // the next, incremental, run (clips with a signature only).
  std::vector<std::pair<int64_t, std::string_view>> stored_codes;
  for (size_t i = 0; i < clips.size(); ++i) {
    if (clips[i].has_signature) stored_codes.emplace_back(clips[i].clip_id, codes.Blob(i));
  }
  const long stored = static_cast<long>(stored_codes.size());
  return CommitFullRun(
      catalog, options, std::move(result),
      [&](const std::function<Status(int64_t, std::string_view)>& put) {
        for (const auto& [clip_id, blob] : stored_codes) {
          if (Status st = put(clip_id, blob); !st.ok()) return st;
        }
        return Status::Ok();
      },
      stored, t0);
}

// The semantic pairs of a catalog-scale run (curate/semantic_join.h), its borderline pairs decided
// on the floats `vector_of` gives (the catalog's, read again by the caller).
using VectorOf = std::function<Result<std::vector<float>>(uint32_t entry)>;
Result<SemanticPairs> JoinSemanticPairs(EmbeddingSpill& spill, const DedupOptions& options,
                                        const VectorOf& vector_of, DedupResult* result) {
  SemanticJoinOptions join;
  join.memory_budget = options.memory_budget;
  join.threads = std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, 16);
  if (spill.other_length() > 0) {
    std::fprintf(stderr,
                 "dedup: %ld embeddings of another length than the first one's left out of the "
                 "semantic search (one model's embeddings are compared)\n",
                 spill.other_length());
  }
  auto joined = SemanticJoinPairs(spill, join);
  if (!joined.ok()) return joined.status();
  SemanticPairs out;
  out.pairs = std::move(joined->pairs);
  out.candidates = joined->candidates;
  out.bits = joined->shape.bits;
  out.tables = joined->shape.tables;
  result->semantic_join = true;
  result->semantic_blocks = joined->blocks;
  result->semantic_borderline = static_cast<long>(joined->borderline.size());
  for (const auto& [a, b] : joined->borderline) {
    auto x = vector_of(a);
    if (!x.ok()) return x.status();
    auto y = vector_of(b);
    if (!y.ok()) return y.status();
    // The in-memory search's test, tolerance included (semantic_index.cpp).
    if (x->size() == y->size() && !x->empty() && Dot(*x, *y) >= options.semantic - 1e-6) {
      out.pairs.emplace_back(a, b);
    }
  }
  std::sort(out.pairs.begin(), out.pairs.end());
  return out;
}

// The chunk join's settings from dedup's.
ChunkJoinOptions JoinOptionsOf(const DedupOptions& options) {
  ChunkJoinOptions join;
  join.radius = std::clamp(options.hamming, 0, 64);
  join.window_radius = std::clamp(options.window_hamming, 0, 64);
  join.windows = options.window_hamming > 0;
  join.chunks = options.chunks > 0 ? options.chunks : 3;
  join.memory_budget = options.memory_budget;
  join.threads = std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, 16);
  return join;
}

// The full run at catalog scale (DedupSearch::kChunkJoin): codes spilled to a temporary file
// instead of held, the candidate search of curate/chunk_join.h, and nothing per clip in memory
// but its id (8 bytes; FullDedup holds a DedupClip, ~100 bytes, and the codes, ~400). The clips
// of candidate pairs are read again by id, as in FullDedup, for their signatures and keeper fields.
Result<DedupResult> JoinDedup(Catalog& catalog, const DedupOptions& options, Clock::time_point t0) {
  if (options.window_hamming > 4) {
    // Window matches differ by up to window_hamming bits: three parts seldom survive that many.
    std::fprintf(stderr,
                 "dedup: the chunk join seldom finds window-relation pairs (%d-bit differences "
                 "rarely leave a third of the bits intact); --search exact finds them all, at "
                 "the exact search's cost\n",
                 options.window_hamming);
  }
  auto spill = CodesSpill::Create(catalog.dir());
  if (!spill.ok()) return DedupError(spill.status());
  DedupResult result;
  // With --semantic, the embeddings stream into a spill of their own (curate/semantic_join.h),
  // sized by how many clips have one.
  std::optional<EmbeddingSpill> vectors;
  if (options.semantic > 0) {
    auto summary = catalog.GetSummary();
    if (!summary.ok()) return DedupError(summary.status());
    auto without = catalog.CountClipsWithout("embedding.clip");
    if (!without.ok()) return DedupError(without.status());
    result.clips_without_embedding = without.value();
    auto created = EmbeddingSpill::Create(
        catalog.dir(), static_cast<size_t>(std::max<long>(summary->clips - *without, 0)),
        options.semantic);
    if (!created.ok()) return DedupError(created.status());
    vectors.emplace(std::move(*created));
  }
  std::vector<int64_t> ids;
  Status st = ReadClips(
      catalog, options, /*only_new=*/false, [&](DedupClip&& c, const ClipCodes& codes) -> Status {
        if (vectors) {
          Status added = vectors->Add(static_cast<uint32_t>(ids.size()), c.embedding);
          if (!added.ok()) return added;
        }
        ids.push_back(c.clip_id);
        if (codes.featureless) ++result.featureless_clips;
        return spill->Add(codes);
      });
  if (!st.ok()) return DedupError(st);
  ids.shrink_to_fit();
  auto without = catalog.CountClipsWithout("dedup.signature");
  if (!without.ok()) return DedupError(without.status());
  result.clips = static_cast<long>(ids.size());

  const auto t_find = Clock::now();
  ChunkJoinStats stats;
  // The passes also write the persisted index that later incremental runs look up (only for
  // the settings it serves: window relations query at another radius, still supported).
  ChunkJoinOptions join = JoinOptionsOf(options);
  join.index_path = ChunkIndexDir(catalog.dir()) / "segment-0";
  join.index_clip_ids = &ids;
  auto pairs = ChunkJoinPairs(*spill, join, &stats);
  if (!pairs.ok()) return DedupError(pairs.status());
  result.chunks = stats.chunks;
  result.chunk_join = true;
  result.candidate_pairs = static_cast<long>(pairs->size());
  result.index_seconds = SecondsSince(t_find);

  const auto id_of = [&](size_t i) { return ids[i]; };
  std::vector<uint64_t> semantic_pairs;  // PairKey
  if (vectors) {
    // Borderline pairs are decided on the catalog's floats, read again by id.
    auto found = JoinSemanticPairs(
        *vectors, options,
        [&](uint32_t i) -> Result<std::vector<float>> {
          auto clip = catalog.FindClip(ids[i], {"embedding.clip"});
          if (!clip.ok()) return clip.status();
          const Attribute* a = *clip ? FindAttribute((*clip)->clip, "embedding.clip") : nullptr;
          if (a == nullptr) return std::vector<float>();  // gone since: matches nothing
          return DecodeClipEmbedding(a->text);
        },
        &result);
    if (!found.ok()) return DedupError(found.status());
    result.semantic_candidate_pairs = found->candidates;
    result.semantic_pairs = static_cast<long>(found->pairs.size());
    result.semantic_bits = found->bits;
    result.semantic_tables = found->tables;
    for (const auto& [a, b] : found->pairs) semantic_pairs.push_back(PairKey(a, b));
    vectors.reset();  // its temporary files go
  }
  // The clips of every candidate and semantic pair, read again by id.
  std::vector<uint64_t> to_load = *pairs;
  to_load.insert(to_load.end(), semantic_pairs.begin(), semantic_pairs.end());
  std::sort(to_load.begin(), to_load.end());
  to_load.erase(std::unique(to_load.begin(), to_load.end()), to_load.end());
  auto loaded = ReadPairClips(catalog, to_load, id_of, options);
  if (!loaded.ok()) return DedupError(loaded.status());
  const auto clip_at = [&](size_t i) -> const DedupClip& { return loaded->at(i); };
  const std::vector<char> duplicate = VerifyPairs(
      *pairs, [&](size_t i) -> const DupSignature& { return clip_at(i).signature; },
      [&](size_t i) { return clip_at(i).still_camera; }, options);
  UnionFind groups(ids.size());
  std::vector<size_t> grouped;
  for (size_t k = 0; k < pairs->size(); ++k) {
    if (!duplicate[k]) continue;
    ++result.duplicate_pairs;
    const size_t a = (*pairs)[k] >> 32, b = (*pairs)[k] & 0xffffffffu;
    groups.Join(a, b);
    grouped.push_back(a);
    grouped.push_back(b);
  }
  for (uint64_t k : semantic_pairs) {
    groups.Join(k >> 32, k & 0xffffffffu);
    grouped.push_back(k >> 32);
    grouped.push_back(k & 0xffffffffu);
  }
  std::sort(grouped.begin(), grouped.end());
  grouped.erase(std::unique(grouped.begin(), grouped.end()), grouped.end());
  std::unordered_map<size_t, std::vector<size_t>> members;
  for (size_t i : grouped) members[groups.Find(i)].push_back(i);
  for (const auto& [root, m] : members) {
    DedupGroup g = GroupOf(m, clip_at);
    result.marked += static_cast<long>(g.duplicates.size());
    result.groups.push_back(std::move(g));
  }
  SortGroups(&result.groups);
  result.clips_without_signature = without.value();

  // Codes for the next, incremental, run, streamed from the spill into the same transaction.
  const DedupCodesSource stored_codes =
      [&](const std::function<Status(int64_t, std::string_view)>& put) {
        return spill->ForEachBatch(
            [&](size_t first, const std::vector<std::string_view>& blobs) -> Status {
              for (size_t k = 0; k < blobs.size(); ++k) {
                if (Status s = put(ids[first + k], blobs[k]); !s.ok()) return s;
              }
              return Status::Ok();
            });
      };
  const long stored = result.clips;
  auto committed = CommitFullRun(catalog, options, std::move(result), stored_codes, stored, t0);
  if (!committed.ok()) return committed;
  // The index goes live (its manifest) only once the run's codes are committed.
  Status indexed = stats.index_written
                       ? WriteChunkIndexManifest(
                             catalog.dir(), {DedupSettingsKey(options),
                                             static_cast<uint64_t>(stored),
                                             static_cast<uint64_t>(committed->featureless_clips),
                                             {"segment-0"}})
                       : Status::Error(stats.index_error);
  if (!indexed.ok()) {
    RemoveChunkIndex(catalog.dir());
    std::fprintf(stderr, "dedup: no index for incremental runs (%s)\n", indexed.message().c_str());
  }
  committed->seconds = SecondsSince(t0);
  return committed;
}

// The incremental run (see the header): the new clips' codes against an index of the old clips'
// codes and each other; the old clips' query codes against an index of the new clips' codes
// (the pairs an old clip would find by querying); existing groups as the seeds of the union.
Result<DedupResult> IncrementalDedup(Catalog& catalog, const DedupOptions& options, long old_count,
                                     Clock::time_point t0) {
  DedupResult result;
  result.incremental = true;
  std::vector<DedupClip> clips;  // the new clips: combined indices [0, n_new)
  CodesTable table;
  if (Status st = ReadClips(catalog, options, /*only_new=*/true, &clips, &table); !st.ok()) {
    return DedupError(st);
  }
  const size_t n_new = clips.size();
  result.new_clips = static_cast<long>(n_new);
  std::vector<ClipCodes> codes;  // few: the new clips'
  std::vector<std::pair<int64_t, std::string_view>> stored_codes;
  std::vector<char> codes_featureless(n_new, 0);
  for (size_t i = 0; i < n_new; ++i) {
    codes.push_back(table.Get(i));
    stored_codes.emplace_back(clips[i].clip_id, table.Blob(i));
    codes_featureless[i] = codes[i].featureless ? 1 : 0;
    if (codes[i].featureless) ++result.featureless_clips;
  }
  auto without = catalog.CountClipsWithout("dedup.signature");
  if (!without.ok()) return DedupError(without.status());

  const auto t_find = Clock::now();
  const int r = std::clamp(options.hamming, 0, 64);
  const int window_radius = std::max(r, std::clamp(options.window_hamming, 0, 64));
  const int max_radius = options.window_hamming > 0 ? window_radius : r;
  // The radius a clip queries at, as in a full run (CandidatePairs).
  const auto radius_of = [&](const ClipCodes& c) {
    return options.window_hamming > 0 && c.has_windows ? window_radius : r;
  };
  const auto chunks_for = [&](size_t n) {
    return options.chunks > 0 ? options.chunks : MultiIndexHash::ChunksFor(n, max_radius);
  };
  // Two indexes over the new clips alone, so memory follows the new clips, not the catalog:
  // their stored codes, and their query (and mirrored) codes. Hamming distance is symmetric, so
  // "a new clip's query within its radius of an old clip's stored code" is found from the old
  // side too: the old stored code queries the new queries at the largest radius, and each hit is
  // kept at its own clip's radius.
  size_t new_stored = 0, new_queries = 0;
  for (const ClipCodes& c : codes) {
    new_stored += c.stored.size();
    new_queries += c.queries.size() + c.mirrored.size();
  }
  MultiIndexHash stored_index(chunks_for(new_stored)), query_index(chunks_for(new_queries));
  for (size_t i = 0; i < n_new; ++i) {
    const auto id = static_cast<uint32_t>(i);
    for (uint64_t h : codes[i].stored) stored_index.Add(h, id);
    for (const auto* queries : {&codes[i].queries, &codes[i].mirrored}) {
      for (uint64_t q : *queries) query_index.Add(q, id);
    }
  }
  stored_index.Build();
  query_index.Build();
  result.chunks = stored_index.chunks();
  const unsigned workers = std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, 16);
  std::vector<std::vector<uint64_t>> found(workers);
  // The pairs of old clip `o` (combined index) with codes `c` and the new clips.
  const auto old_pairs = [&](uint32_t o, const ClipCodes& c, std::vector<MultiIndexHash::Hit>* hits,
                             std::vector<uint64_t>* out) {
    for (const auto* queries : {&c.queries, &c.mirrored}) {
      for (uint64_t q : *queries) {
        stored_index.Query(q, radius_of(c), hits);
        for (const MultiIndexHash::Hit& hit : *hits) out->push_back(PairKey(o, hit.id));
      }
    }
    for (uint64_t h : c.stored) {
      query_index.Query(h, max_radius, hits);
      for (const MultiIndexHash::Hit& hit : *hits) {
        const uint32_t j = hit.id;
        if (HammingDistance(h, hit.code) <= radius_of(codes[j])) {
          out->push_back(PairKey(o, j));
        }
      }
    }
  };
  // Old clips: combined indices n_new + k, k in clip id order. With a valid persisted index
  // (written by the last chunk-join run and the incremental runs since), each new clip looks its
  // codes up in it: time follows the new clips. Otherwise the old codes are streamed from
  // dedup_codes in batches searched on all cores.
  std::vector<int64_t> old_ids;
  old_ids.reserve(static_cast<size_t>(old_count));
  ChunkIndexManifest manifest = ReadChunkIndexManifest(catalog.dir());
  std::vector<std::unique_ptr<ChunkIndexSegment>> segments;
  bool indexed = manifest.settings == DedupSettingsKey(options) &&
                 manifest.clips == static_cast<uint64_t>(old_count) && !manifest.segments.empty();
  for (size_t k = 0; indexed && k < manifest.segments.size(); ++k) {
    auto seg = ChunkIndexSegment::Open(ChunkIndexDir(catalog.dir()) / manifest.segments[k]);
    // Segments cover the old clips in order, ids ascending (clip ids only grow; a deleted clip
    // makes the run a full one before this point).
    indexed = seg.ok() && (*seg)->first() == old_ids.size();
    for (uint64_t i = 0; indexed && i < (*seg)->clips(); ++i) {
      indexed = old_ids.empty() || (*seg)->clip_id(i) > old_ids.back();
      old_ids.push_back((*seg)->clip_id(i));
    }
    if (indexed) segments.push_back(std::move(*seg));
  }
  indexed = indexed && old_ids.size() == static_cast<size_t>(old_count);
  if (!indexed) {
    RemoveChunkIndex(catalog.dir());
    segments.clear();
    old_ids.clear();
  }
  if (indexed) {
    result.indexed = true;
    result.featureless_clips += static_cast<long>(manifest.featureless);
    const ChunkLayout& layout = segments.front()->layout();
    const auto old_radius = [&](uint32_t meta) {
      return options.window_hamming > 0 && (meta & kEntryWindows) != 0 ? window_radius : r;
    };
    ProgressLine progress("dedup: look up the new clips in the index", "clips",
                          static_cast<long>(n_new));
    RunOnWorkers(workers, [&](unsigned w) {
      // Every old entry sharing a chunk value with `x`; keep(code, meta, segment's first).
      std::vector<char> buffer;
      const auto probe = [&](uint64_t x, const auto& keep) {
        for (int c = 0; c < layout.chunks(); ++c) {
          for (const auto& seg : segments) {
            seg->Lookup(c, layout.ValueOf(x, c), &buffer,
                        [&](uint64_t code, uint32_t meta) { keep(code, meta, seg->first()); });
          }
        }
      };
      for (size_t i = w; i < n_new; i += workers) {
        if (w == 0 && (i & 255) == 0) progress.Update(static_cast<long>(i));
        const auto self = static_cast<uint32_t>(i);
        const ClipCodes& c = codes[i];
        const int radius = radius_of(c);
        const auto old_index = [&](uint32_t meta, uint64_t first) {
          return static_cast<uint32_t>(n_new + first + (meta & kEntryClipMask));
        };
        // What the new clip finds by querying, and what an old clip would find in it.
        for (const auto* queries : {&c.queries, &c.mirrored}) {
          for (uint64_t q : *queries) {
            probe(q, [&](uint64_t code, uint32_t meta, uint64_t first) {
              if ((meta & kEntryStored) != 0 && HammingDistance(code, q) <= radius) {
                found[w].push_back(PairKey(self, old_index(meta, first)));
              }
            });
          }
        }
        for (uint64_t h : c.stored) {
          probe(h, [&](uint64_t code, uint32_t meta, uint64_t first) {
            if ((meta & kEntryQuery) != 0 && HammingDistance(code, h) <= old_radius(meta)) {
              found[w].push_back(PairKey(self, old_index(meta, first)));
            }
          });
        }
      }
    });
    progress.Update(static_cast<long>(n_new));
    progress.Done();
  } else {
    ProgressLine progress("dedup: search the stored codes", "clips", old_count);
    constexpr size_t kBatch = 8192;
    std::vector<ClipCodes> batch;
    const auto search_batch = [&] {
      const size_t first = n_new + old_ids.size() - batch.size();
      RunOnWorkers(workers, [&](unsigned w) {
        std::vector<MultiIndexHash::Hit> hits;
        for (size_t k = w; k < batch.size(); k += workers) {
          old_pairs(static_cast<uint32_t>(first + k), batch[k], &hits, &found[w]);
        }
      });
      batch.clear();
      progress.Update(static_cast<long>(old_ids.size()));
    };
    Status st = catalog.ForEachDedupCodes([&](int64_t clip_id, std::string_view blob) -> Status {
      auto decoded = DecodeClipCodes(blob);
      if (!decoded.ok()) {
        return Status::Error("dedup: clip " + std::to_string(clip_id) + ": " +
                             decoded.status().message() + " (run dedup --full)");
      }
      old_ids.push_back(clip_id);
      if (decoded->featureless) ++result.featureless_clips;
      batch.push_back(std::move(*decoded));
      if (batch.size() == kBatch) search_batch();
      return Status::Ok();
    });
    if (!st.ok()) return DedupError(st);
    search_batch();
    progress.Done();
  }
  // New clips among themselves, as a full run pairs them.
  RunOnWorkers(workers, [&](unsigned w) {
    std::vector<MultiIndexHash::Hit> hits;
    for (size_t i = w; i < n_new; i += workers) {
      for (const auto* queries : {&codes[i].queries, &codes[i].mirrored}) {
        for (uint64_t q : *queries) {
          stored_index.Query(q, radius_of(codes[i]), &hits);
          for (const MultiIndexHash::Hit& hit : hits) {
            const uint32_t j = hit.id;
            if (j != i) found[w].push_back(PairKey(static_cast<uint32_t>(i), j));
          }
        }
      }
    }
  });
  std::vector<uint64_t> pairs;
  for (auto& f : found) {
    pairs.insert(pairs.end(), f.begin(), f.end());
    std::vector<uint64_t>().swap(f);
  }
  std::vector<ClipCodes>().swap(codes);
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  result.candidate_pairs = static_cast<long>(pairs.size());
  result.clips = static_cast<long>(n_new + old_ids.size());
  result.index_seconds = SecondsSince(t_find);

  // Every clip of a pair, read again by id: the new ones for their signature, the old ones for
  // their signature, keeper fields and camera verdict.
  const auto old_id = [&](size_t i) { return old_ids[i - n_new]; };
  auto read = ReadPairClips(
      catalog, pairs, [&](size_t i) { return i < n_new ? clips[i].clip_id : old_id(i); }, options);
  if (!read.ok()) return DedupError(read.status());
  std::unordered_map<size_t, DedupClip>& loaded = *read;
  for (auto& [i, c] : loaded) {
    if (i < n_new) clips[i].signature = std::move(c.signature);
  }
  const auto clip_at = [&](size_t i) -> const DedupClip& {
    return i < n_new ? clips[i] : loaded.at(i);
  };
  const std::vector<char> duplicate = VerifyPairs(
      pairs, [&](size_t i) -> const DupSignature& { return clip_at(i).signature; },
      [&](size_t i) { return clip_at(i).still_camera; }, options);

  // The union: the groups of earlier runs (old clips only) joined by the new pairs.
  const size_t total = n_new + old_ids.size();
  UnionFind groups(total);
  std::vector<char> grouped(total, 0);
  const auto old_index = [&](int64_t clip_id) -> std::optional<size_t> {
    auto it = std::lower_bound(old_ids.begin(), old_ids.end(), clip_id);
    if (it == old_ids.end() || *it != clip_id) return std::nullopt;
    return n_new + static_cast<size_t>(it - old_ids.begin());
  };
  auto seeds = catalog.DedupGroupRows();
  if (!seeds.ok()) return DedupError(seeds.status());
  std::unordered_map<size_t, int64_t> keeper_of;  // old index -> its group's keeper clip id
  for (const auto& [clip_id, keeper] : *seeds) {
    const auto a = old_index(clip_id), b = old_index(keeper);
    if (!a || !b) continue;  // not a clip of the last run: its pairs were searched again
    groups.Join(*a, *b);
    grouped[*a] = grouped[*b] = 1;
    keeper_of[*a] = keeper;
  }
  for (size_t k = 0; k < pairs.size(); ++k) {
    if (!duplicate[k]) continue;
    ++result.duplicate_pairs;
    const size_t a = pairs[k] >> 32, b = pairs[k] & 0xffffffffu;
    groups.Join(a, b);
    grouped[a] = grouped[b] = 1;
  }
  std::unordered_map<size_t, std::vector<size_t>> members;
  for (size_t i = 0; i < total; ++i) {
    if (grouped[i]) members[groups.Find(i)].push_back(i);
  }
  for (auto& [root, m] : members) {
    if (m.size() < 2) continue;
    DedupGroup g;
    if (m.front() >= n_new) {
      // No new clip joined it: the group of the last run, with its keeper.
      g.keeper = keeper_of.at(m.front());
      for (size_t i : m) {
        if (old_id(i) != g.keeper) g.duplicates.push_back(old_id(i));
      }
    } else {
      // Changed: the keeper is chosen again; old members outside the pairs are read for it.
      for (size_t i : m) {
        if (i < n_new || loaded.count(i)) continue;
        auto c = ReadClipById(catalog, old_id(i), options, /*signature=*/false);
        if (!c.ok()) return DedupError(c.status());
        DedupClip& slot = loaded[i];
        if (*c) slot = std::move(**c);
        slot.clip_id = old_id(i);
      }
      g = GroupOf(m, clip_at);
    }
    result.marked += static_cast<long>(g.duplicates.size());
    result.groups.push_back(std::move(g));
  }
  SortGroups(&result.groups);
  result.clips_without_signature = without.value();
  DedupState state{DedupSettingsKey(options), old_count + static_cast<long>(n_new)};
  if (Status st = catalog.CommitDedup(GroupRows(result.groups), stored_codes,
                                      /*replace_codes=*/false, state);
      !st.ok()) {
    return DedupError(st);
  }
  // The index grows by a segment of the new clips, then its manifest says so (a run that stops
  // in between leaves a manifest whose clip count no longer matches: the next run streams).
  if (indexed && n_new > 0) {
    const std::string name = "segment-" + std::to_string(manifest.segments.size());
    std::vector<int64_t> new_ids;
    std::vector<std::string_view> blobs;
    long new_featureless = 0;
    for (size_t i = 0; i < n_new; ++i) {
      new_ids.push_back(clips[i].clip_id);
      blobs.push_back(table.Blob(i));
      new_featureless += codes_featureless[i];
    }
    Status st =
        WriteChunkIndexSegment(ChunkIndexDir(catalog.dir()) / name, segments.front()->layout(),
                               new_ids, static_cast<uint64_t>(old_count), blobs);
    if (st.ok()) {
      manifest.segments.push_back(name);
      manifest.clips += n_new;
      manifest.featureless += static_cast<uint64_t>(new_featureless);
      st = WriteChunkIndexManifest(catalog.dir(), manifest);
    }
    if (!st.ok()) {
      RemoveChunkIndex(catalog.dir());
      std::fprintf(stderr, "dedup: no index for incremental runs (%s)\n", st.message().c_str());
    }
  }
  result.seconds = SecondsSince(t0);
  return result;
}

}  // namespace

DedupResult FindDuplicates(const std::vector<DedupClip>& clips, const DedupOptions& options) {
  const auto t0 = Clock::now();
  DedupResult result;
  CodesTable codes;
  for (const DedupClip& c : clips) codes.Add(CodesOf(c, options));
  std::vector<uint64_t> pairs;
  bool searched = false;
  if (options.search == DedupSearch::kChunkJoin) {
    // The catalog-scale search on clips in memory (tests compare it with the exact one): the
    // codes go through a spill file in the system's temporary directory. Should that fail, the
    // exact search runs instead (it finds a superset of the join's pairs), with a line saying so.
    auto spill = CodesSpill::Create(std::filesystem::temp_directory_path());
    for (size_t i = 0; spill.ok() && i < codes.size(); ++i) {
      if (Status st = spill->Add(codes.Get(i)); !st.ok()) spill = st;
    }
    auto found = spill.ok() ? ChunkJoinPairs(*spill, JoinOptionsOf(options), nullptr)
                            : Result<std::vector<uint64_t>>(spill.status());
    if (found.ok()) {
      pairs = std::move(*found);
      for (size_t i = 0; i < codes.size(); ++i) {
        if (codes.Get(i).featureless) ++result.featureless_clips;
      }
      result.clips = static_cast<long>(std::count_if(
          clips.begin(), clips.end(), [](const DedupClip& c) { return c.has_signature; }));
      result.chunk_join = true;
      result.chunks = JoinOptionsOf(options).chunks;
      result.candidate_pairs = static_cast<long>(pairs.size());
      result.index_seconds = SecondsSince(t0);
      searched = true;
    } else {
      std::fprintf(stderr, "dedup: no chunk join (%s): exact search\n",
                   found.status().message().c_str());
    }
  }
  if (!searched) pairs = CandidatePairs(clips, codes, options, t0, &result);
  std::optional<SemanticPairs> semantic;
  if (options.semantic > 0 && options.search == DedupSearch::kChunkJoin) {
    // The catalog-scale semantic join on clips in memory (tests compare it with the in-memory
    // LSH), sized as the in-memory search sizes itself: by the vectors of the first length.
    size_t dims = 0, expected = 0;
    for (const DedupClip& c : clips) {
      if (dims == 0) dims = c.embedding.size();
      expected += dims > 0 && c.embedding.size() == dims ? 1 : 0;
    }
    auto spill =
        EmbeddingSpill::Create(std::filesystem::temp_directory_path(), expected, options.semantic);
    for (size_t i = 0; spill.ok() && i < clips.size(); ++i) {
      if (Status st = spill->Add(static_cast<uint32_t>(i), clips[i].embedding); !st.ok()) {
        spill = st;
      }
    }
    auto found =
        spill.ok()
            ? JoinSemanticPairs(
                  *spill, options,
                  [&](uint32_t i) -> Result<std::vector<float>> { return clips[i].embedding; },
                  &result)
            : Result<SemanticPairs>(spill.status());
    if (found.ok()) {
      semantic = std::move(*found);
    } else {
      std::fprintf(stderr, "dedup: no semantic join (%s): in-memory search\n",
                   found.status().message().c_str());
    }
  }
  VerifyAndGroup(
      clips, pairs, [&](size_t i) -> const DupSignature& { return clips[i].signature; }, options,
      t0, &result, semantic ? &*semantic : nullptr);
  return result;
}

Result<DedupResult> RunDedup(Catalog& catalog, const DedupOptions& options) {
  const auto t0 = Clock::now();
  // Incremental when the last run's codes are all still there under the same settings.
  if (!options.full && options.semantic <= 0) {
    auto state = catalog.ReadDedupState();
    if (!state.ok()) return DedupError(state.status());
    if (*state && (*state)->options == DedupSettingsKey(options)) {
      auto count = catalog.CountDedupCodes();
      if (!count.ok()) return DedupError(count.status());
      if (*count == (*state)->clips) return IncrementalDedup(catalog, options, *count, t0);
    }
  }
  // The search: exact in memory up to kChunkJoinFromClips clips, the chunk join beyond (see
  // DedupSearch); with --semantic, the embeddings' LSH in memory or its join (semantic_join.h).
  bool join = options.search == DedupSearch::kChunkJoin;
  if (options.search == DedupSearch::kAuto) {
    auto summary = catalog.GetSummary();
    if (!summary.ok()) return DedupError(summary.status());
    join = summary->clips >= kChunkJoinFromClips;
  }
  // A full run replaces what the index describes: it goes first, so a run that stops half-way
  // leaves none behind (incremental runs then stream the stored codes instead).
  RemoveChunkIndex(catalog.dir());
  if (join) return JoinDedup(catalog, options, t0);
  return FullDedup(catalog, options, t0);
}

}  // namespace clipdex
